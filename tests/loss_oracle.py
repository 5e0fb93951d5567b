"""Running one loss in mlcore and in PyTorch on the same numbers (for tests/test_losses_*.py).

``run_loss("mse_loss", x, y, ...)`` calls ``mlcore.nn.functional.mse_loss`` and
``torch.nn.functional.mse_loss`` with the same arrays, backpropagates the same
random upstream gradient through both, and ``assert_matches`` compares the
loss, the gradient of the input and (when it requires grad) of the target.
"""

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as TF

import mlcore
import mlcore.nn.functional as F
from oracle import RTOL32, RTOL64, TORCH_DTYPE

# Relative tolerances only (no absolute floor), so that tiny losses such as
# -log(1 - 1e-10) are compared digit by digit too.
RTOL = {np.float64: RTOL64, np.float32: RTOL32}


def as_torch(value, dtype):
    """The same numbers as a torch tensor: floats in `dtype`, integers as int64 (class indices)."""
    array = np.asarray(value)
    if np.issubdtype(array.dtype, np.floating):
        return torch.tensor(array, dtype=TORCH_DTYPE[dtype])
    return torch.tensor(array)


def as_mlcore(value, kind, dtype):
    """The same numbers as an mlcore tensor ('tensor'), numpy array ('array') or list ('list')."""
    array = np.asarray(value)
    if np.issubdtype(array.dtype, np.floating):
        array = array.astype(dtype)
    if kind == "tensor":
        return mlcore.tensor(array)
    if kind == "array":
        return array
    return array.tolist()


@dataclass
class LossRun:
    """One loss evaluated and backpropagated in both libraries."""

    name: str
    out: mlcore.Tensor
    ref: torch.Tensor
    input: mlcore.Tensor
    ref_input: torch.Tensor
    target: object
    ref_target: torch.Tensor
    dtype: type


def run_loss(name, input, target, kwargs=None, target_kind="tensor", target_grad=False,
             dtype=np.float64, seed=0):
    """Evaluate loss `name` on (`input`, `target`) in mlcore and torch and run backward in both.

    Array-valued kwargs (weight, pos_weight) are passed to mlcore as numpy
    arrays and to torch as tensors. The upstream gradient is random, so that a
    wrong scaling of the backward pass (e.g. a missing 1/N) shows.
    """
    kwargs = kwargs or {}
    ours_kwargs = {k: (np.asarray(v, dtype=dtype) if isinstance(v, (np.ndarray, list)) else v)
                   for k, v in kwargs.items()}
    ref_kwargs = {k: (as_torch(v, dtype) if isinstance(v, (np.ndarray, list)) else v)
                  for k, v in kwargs.items()}
    x = mlcore.tensor(np.asarray(input, dtype=dtype), requires_grad=True)
    ref_x = torch.tensor(np.asarray(input, dtype=dtype), requires_grad=True)
    t = as_mlcore(target, "tensor" if target_grad else target_kind, dtype)
    ref_t = as_torch(target, dtype)
    if target_grad:
        t.requires_grad_(True)
        ref_t.requires_grad_(True)
    out = getattr(F, name)(x, t, **ours_kwargs)
    ref = getattr(TF, name)(ref_x, ref_t, **ref_kwargs)
    upstream = np.random.default_rng(seed + 1).standard_normal(tuple(ref.shape)).astype(dtype)
    out.backward(upstream)
    ref.backward(torch.as_tensor(upstream))
    return LossRun(name, out, ref, x, ref_x, t, ref_t, dtype)


def assert_close(ours, theirs, dtype, what):
    """Same shape and the same values to `RTOL` relative (nan where torch has nan)."""
    theirs = theirs.detach().numpy()
    ours = ours.data if isinstance(ours, mlcore.Tensor) else ours
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, torch has {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, rtol=RTOL[dtype], atol=0, err_msg=what)


def assert_matches(run):
    """The loss, d loss / d input and (if tracked) d loss / d target equal torch's."""
    assert run.out.dtype == run.dtype, f"{run.name}: result dtype {run.out.dtype}"
    assert_close(run.out, run.ref, run.dtype, what=f"{run.name} value")
    assert run.input.grad is not None, f"{run.name}: no gradient reached the input"
    assert run.input.grad.dtype == run.dtype
    assert_close(run.input.grad, run.ref_input.grad, run.dtype, what=f"{run.name} input grad")
    if run.ref_target.requires_grad:
        assert run.target.grad is not None, f"{run.name}: no gradient reached the target"
        assert_close(run.target.grad, run.ref_target.grad, run.dtype,
                     what=f"{run.name} target grad")
