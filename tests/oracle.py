"""One catalogue of mlcore operations, each paired with its PyTorch reference.

In the style of minitorch: every entry of ``CASES`` drives the forward test,
the backward test, the float32 test (tests/test_tensor_ops.py) and the
gradcheck test (tests/test_gradcheck.py). Most operations are spelled the
same way in both libraries, so one function serves both: ``fn(*tensors)`` is
called once with mlcore tensors and once with torch tensors. The helpers
``lib`` and ``const`` cover the few places where a function needs its
library or a constant array of the right kind.
"""

from dataclasses import dataclass

import numpy as np
import torch

import mlcore

RTOL64, ATOL64 = 1e-10, 1e-12
RTOL32, ATOL32 = 1e-5, 1e-6


def lib(x):
    """The module `x` belongs to: ``lib(x).exp(x)`` is ``mlcore.exp`` or ``torch.exp``."""
    return torch if isinstance(x, torch.Tensor) else mlcore


def const(array, like):
    """A constant operand for an expression on `like`: a numpy array for mlcore, a tensor for torch.

    mlcore must accept numpy arrays as they are (``array - t``); torch cannot be
    handed numpy arrays on the left, so it gets the same numbers as a tensor.
    The constant takes `like`'s dtype so that float32 stays float32.
    """
    if isinstance(like, torch.Tensor):
        return torch.as_tensor(np.asarray(array)).to(like.dtype)
    return np.asarray(array, dtype=like.data.dtype)


def index(array, like):
    """An index array for `like`: numpy for mlcore, a torch tensor for torch."""
    return torch.as_tensor(array) if isinstance(like, torch.Tensor) else np.asarray(array)


_constants = np.random.default_rng(12345)
C4 = _constants.standard_normal(4)
C34 = _constants.standard_normal((3, 4))
C45 = _constants.standard_normal((4, 5))
REPEATED = np.array([0, 2, 0, 0, 1])
ROWS, COLS = np.array([0, 2, 2, 0]), np.array([1, 3, 3, 1])
MASK = np.array([True, False, True])


@dataclass(frozen=True)
class Case:
    """One operation: its name, a function of the inputs, their shapes and where they are drawn.

    `domain` names one distribution per input (see ``draw``); `ref` is torch's
    version when the spelling differs from mlcore's. An operation that is not
    `differentiable` (its result holds indices or integers) has no backward
    pass to compare: its tests check that no graph was recorded instead.
    """

    name: str
    fn: object
    shapes: tuple
    domain: tuple = ()
    ref: object = None
    differentiable: bool = True

    def torch_fn(self):
        return self.ref or self.fn

    def domains(self):
        return self.domain or ("real",) * len(self.shapes)


def draw(rng, shape, domain):
    """Random inputs: 'real' is standard normal, 'positive' in [0.5, 2] (for log, sqrt, divisors)."""
    if domain == "positive":
        return rng.uniform(0.5, 2.0, size=shape)
    return rng.standard_normal(shape)


def inputs_for(case, seed=0):
    rng = np.random.default_rng(seed)
    return [draw(rng, shape, domain) for shape, domain in zip(case.shapes, case.domains())]


def _binary(name, op, shapes_list, domain=("real", "real")):
    return [Case(f"{name}{list(s)}", op, s, domain) for s in shapes_list]


BROADCASTS = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((2, 1, 4), (3, 1)),
    ((3, 4), ()),
    ((), (2, 3)),
]

CASES = [
    # ---------------------------------------------------- arithmetic, broadcast
    *_binary("add", lambda a, b: a + b, BROADCASTS),
    *_binary("sub", lambda a, b: a - b, BROADCASTS),
    *_binary("mul", lambda a, b: a * b, BROADCASTS),
    *_binary("div", lambda a, b: a / b, BROADCASTS, ("real", "positive")),
    *_binary("pow", lambda a, b: a ** b, BROADCASTS[:4], ("positive", "real")),
    *_binary("maximum", lambda a, b: lib(a).maximum(a, b), BROADCASTS[:4]),
    Case("neg", lambda a: -a, [(3, 4)]),
    Case("pow_2", lambda a: a ** 2, [(3, 4)]),
    Case("pow_3", lambda a: a ** 3, [(3, 4)]),
    Case("pow_half", lambda a: a ** 0.5, [(3, 4)], ("positive",)),
    Case("pow_minus_1.5", lambda a: a ** -1.5, [(3, 4)], ("positive",)),
    Case("pow_0", lambda a: a ** 0, [(3, 4)]),
    # ---------------------------------------------- reflected: Python scalars
    Case("scalar_add", lambda a: 2.5 + a, [(3, 4)]),
    Case("scalar_sub", lambda a: 2.5 - a, [(3, 4)]),
    Case("scalar_mul", lambda a: 2.5 * a, [(3, 4)]),
    Case("scalar_div", lambda a: 2.5 / a, [(3, 4)], ("positive",)),
    Case("scalar_pow", lambda a: 2.5 ** a, [(3, 4)]),
    Case("tensor_op_scalar", lambda a: (a + 1) * 3 - 0.5 / (a * a + 1), [(3, 4)]),
    # ------------------------------------------------ reflected: numpy arrays
    Case("array_add", lambda a: const(C34, a) + a, [(3, 4)]),
    Case("array_sub", lambda a: const(C4, a) - a, [(3, 4)]),
    Case("array_mul", lambda a: const(C34, a) * a, [(2, 3, 4)]),
    Case("array_div", lambda a: const(C4, a) / a, [(3, 4)], ("positive",)),
    Case("array_pow", lambda a: const(np.abs(C34) + 0.5, a) ** a, [(3, 4)]),
    Case("array_matmul", lambda a: const(C34, a) @ a, [(4, 5)]),
    Case("tensor_op_array", lambda a: (a - const(C4, a)) * const(C34, a) @ const(C45, a), [(3, 4)]),
    # ------------------------------------------------------------- matmul
    Case("matmul_2d", lambda a, b: a @ b, [(3, 4), (4, 5)]),
    Case("matmul_vec_mat", lambda a, b: a @ b, [(4,), (4, 5)]),
    Case("matmul_mat_vec", lambda a, b: a @ b, [(3, 4), (4,)]),
    Case("matmul_dot", lambda a, b: a @ b, [(4,), (4,)]),
    Case("matmul_batch_mat", lambda a, b: a @ b, [(2, 3, 4), (4, 5)]),
    Case("matmul_batch_batch", lambda a, b: a @ b, [(2, 3, 4), (2, 4, 5)]),
    Case("matmul_batch_broadcast", lambda a, b: a @ b, [(2, 1, 3, 4), (5, 4, 2)]),
    Case("matmul_vec_batch", lambda a, b: a @ b, [(4,), (2, 4, 5)]),
    Case("matmul_batch_vec", lambda a, b: a @ b, [(2, 3, 4), (4,)]),
    # ------------------------------------------------------------ unary math
    Case("exp", lambda a: a.exp(), [(3, 4)]),
    Case("log", lambda a: a.log(), [(3, 4)], ("positive",)),
    Case("sqrt", lambda a: a.sqrt(), [(3, 4)], ("positive",)),
    Case("abs", lambda a: a.abs(), [(3, 4)]),
    Case("tanh", lambda a: a.tanh(), [(3, 4)]),
    Case("sigmoid", lambda a: a.sigmoid(), [(3, 4)]),
    Case("sigmoid_large", lambda a: (a * 40).sigmoid(), [(3, 4)]),
    Case("relu", lambda a: a.relu(), [(3, 4)]),
    Case("clamp", lambda a: a.clamp(-0.5, 0.7), [(3, 4)]),
    Case("clamp_min", lambda a: a.clamp(min=0.2), [(3, 4)]),
    Case("clamp_max", lambda a: a.clamp(max=-0.1), [(3, 4)]),
    Case("clip", lambda a: a.clip(-0.5, 0.7), [(3, 4)]),
    Case("fn_exp", lambda a: lib(a).exp(a), [(3, 4)]),
    Case("fn_log", lambda a: lib(a).log(a), [(3, 4)], ("positive",)),
    Case("fn_sqrt", lambda a: lib(a).sqrt(a), [(3, 4)], ("positive",)),
    Case("fn_abs", lambda a: lib(a).abs(a), [(3, 4)]),
    Case("fn_tanh", lambda a: lib(a).tanh(a), [(3, 4)]),
    Case("fn_sigmoid", lambda a: lib(a).sigmoid(a), [(3, 4)]),
    Case("fn_relu", lambda a: lib(a).relu(a), [(3, 4)]),
    Case("fn_clamp", lambda a: lib(a).clamp(a, min=-0.5, max=0.5), [(3, 4)]),
    Case("fn_maximum_scalar", lambda a: a.maximum(0.3), [(3, 4)],
         ref=lambda a: torch.maximum(a, torch.tensor(0.3, dtype=a.dtype))),
    Case("clamp_tensor_bounds", lambda a, lo, hi: a.clamp(lo, hi), [(3, 4), (4,), (3, 4)]),
    Case("clamp_tensor_min", lambda a, lo: a.clamp(min=lo), [(3, 4), (3, 1)]),
    Case("fn_clamp_tensor_max", lambda a, hi: lib(a).clamp(a, max=hi), [(3, 4), ()]),
    # ------------------------------------------------------------------ dtype
    Case("to_float32", lambda a: a.to(lib(a).float32), [(3, 4)]),
    Case("to_float64", lambda a: a.to(lib(a).float64), [(3, 4)]),
    Case("float", lambda a: a.float(), [(3, 4)]),
    Case("double", lambda a: a.double(), [(3, 4)]),
    Case("long", lambda a: a.long(), [(3, 4)], differentiable=False),
    # ------------------------------------------------------------ reductions
    Case("sum", lambda a: a.sum(), [(3, 4)]),
    Case("sum_dim0", lambda a: a.sum(dim=0), [(3, 4)]),
    Case("sum_dim1_keepdim", lambda a: a.sum(dim=1, keepdim=True), [(3, 4)]),
    Case("sum_dim_neg", lambda a: a.sum(-1), [(2, 3, 4)]),
    Case("sum_dims_tuple", lambda a: a.sum(dim=(0, 2)), [(2, 3, 4)]),
    Case("sum_dims_tuple_keepdim", lambda a: a.sum(dim=(0, -1), keepdim=True), [(2, 3, 4)]),
    Case("sum_axis_keepdims", lambda a: a.sum(axis=1, keepdims=True), [(3, 4)]),
    Case("mean", lambda a: a.mean(), [(3, 4)]),
    Case("mean_dim0", lambda a: a.mean(dim=0), [(3, 4)]),
    Case("mean_dim_keepdim", lambda a: a.mean(dim=-1, keepdim=True), [(2, 3, 4)]),
    Case("mean_dims_tuple", lambda a: a.mean(dim=(1, 2)), [(2, 3, 4)]),
    Case("mean_axis_keepdims", lambda a: a.mean(axis=0, keepdims=True), [(3, 4)]),
    Case("max", lambda a: a.max(), [(3, 4)]),
    Case("max_dim1", lambda a: a.max(dim=1), [(3, 4)], ref=lambda a: a.max(dim=1).values),
    Case("max_dim0_keepdim", lambda a: a.max(dim=0, keepdim=True), [(3, 4)],
         ref=lambda a: a.max(dim=0, keepdim=True).values),
    Case("max_dim_neg", lambda a: a.max(-1), [(2, 3, 4)], ref=lambda a: a.max(-1).values),
    Case("max_axis_keepdims", lambda a: a.max(axis=1, keepdims=True), [(3, 4)],
         ref=lambda a: a.max(dim=1, keepdim=True).values),
    Case("min", lambda a: a.min(), [(3, 4)]),
    Case("min_dim1", lambda a: a.min(dim=1), [(3, 4)], ref=lambda a: a.min(dim=1).values),
    Case("min_dim0_keepdim", lambda a: a.min(0, keepdim=True), [(3, 4)],
         ref=lambda a: a.min(0, keepdim=True).values),
    Case("min_axis", lambda a: a.min(axis=1), [(3, 4)], ref=lambda a: a.min(axis=1).values),
    Case("argmax", lambda a: a.argmax(), [(3, 4)], differentiable=False),
    Case("argmax_dim1", lambda a: a.argmax(dim=1), [(3, 4)], differentiable=False),
    Case("argmax_keepdim", lambda a: a.argmax(keepdim=True), [(3, 4)], differentiable=False),
    Case("argmax_axis_keepdims", lambda a: a.argmax(axis=0, keepdims=True), [(2, 3, 4)],
         differentiable=False),
    # --------------------------------------------------------------- softmax
    Case("softmax_last", lambda a: a.softmax(dim=-1), [(3, 4)]),
    Case("softmax_dim0", lambda a: a.softmax(dim=0), [(3, 4)]),
    Case("softmax_3d", lambda a: a.softmax(dim=1), [(2, 3, 4)]),
    Case("log_softmax_last", lambda a: a.log_softmax(dim=-1), [(3, 4)]),
    Case("log_softmax_dim0", lambda a: a.log_softmax(dim=0), [(3, 4)]),
    Case("log_softmax_3d", lambda a: a.log_softmax(dim=1), [(2, 3, 4)]),
    Case("softmax_axis", lambda a: a.softmax(axis=0), [(3, 4)]),
    Case("log_softmax_axis", lambda a: a.log_softmax(axis=-1), [(3, 4)]),
    Case("fn_softmax", lambda a: lib(a).softmax(a, dim=1), [(3, 4)]),
    Case("fn_log_softmax", lambda a: lib(a).log_softmax(a, dim=1), [(3, 4)]),
    Case("fn_softmax_axis", lambda a: lib(a).softmax(a, axis=1), [(2, 3, 4)]),
    # -------------------------------------------------------- shape changes
    Case("reshape", lambda a: a.reshape(4, 3), [(3, 4)]),
    Case("reshape_tuple", lambda a: a.reshape((2, -1)), [(2, 3, 4)]),
    Case("reshape_flat", lambda a: a.reshape(-1), [(3, 4)]),
    Case("view", lambda a: a.view(6, 2), [(3, 4)]),
    Case("transpose", lambda a: a.transpose(0, 1), [(3, 4)]),
    Case("transpose_neg", lambda a: a.transpose(-1, -3), [(2, 3, 4)]),
    Case("T", lambda a: a.T, [(3, 4)]),
    Case("permute", lambda a: a.permute(2, 0, 1), [(2, 3, 4)]),
    Case("permute_tuple_neg", lambda a: a.permute((0, -1, 1)), [(2, 3, 4)]),
    Case("flatten", lambda a: a.flatten(), [(2, 3, 4)]),
    Case("flatten_from_1", lambda a: a.flatten(1), [(2, 3, 4)]),
    Case("flatten_middle", lambda a: a.flatten(0, 1), [(2, 3, 4)]),
    Case("unsqueeze", lambda a: a.unsqueeze(0), [(3, 4)]),
    Case("unsqueeze_neg", lambda a: a.unsqueeze(-1), [(3, 4)]),
    Case("unsqueeze_axis", lambda a: a.unsqueeze(axis=1), [(3, 4)]),
    Case("unsqueeze_0d", lambda a: a.unsqueeze(-1), [()]),
    Case("squeeze", lambda a: a.squeeze(), [(3, 1, 4, 1)]),
    Case("squeeze_dim", lambda a: a.squeeze(1), [(3, 1, 4)]),
    Case("squeeze_dim_not_one", lambda a: a.squeeze(0), [(3, 1, 4)]),
    Case("squeeze_dims_tuple", lambda a: a.squeeze((1, -1)), [(3, 1, 4, 1)]),
    Case("squeeze_axis", lambda a: a.squeeze(axis=-1), [(3, 4, 1)]),
    Case("squeeze_0d", lambda a: a.squeeze(0), [()]),
    Case("squeeze_0d_neg", lambda a: a.squeeze(-1), [()]),
    # ------------------------------------------------------------- indexing
    Case("index_int", lambda a: a[1], [(3, 4)]),
    Case("index_slice", lambda a: a[:, 1:3], [(3, 4)]),
    Case("index_step", lambda a: a[::2], [(3, 4)]),
    Case("index_negative", lambda a: a[-1, -2], [(3, 4)]),
    Case("index_ellipsis", lambda a: a[..., 0], [(2, 3, 4)]),
    Case("index_newaxis", lambda a: a[None, 1:], [(3, 4)]),
    Case("index_repeated", lambda a: a[index(REPEATED, a)], [(3, 4)]),
    Case("index_list_repeated", lambda a: a[[0, 0, 2]], [(3, 4)]),
    Case("index_rows_cols", lambda a: a[index(ROWS, a), index(COLS, a)], [(3, 4)]),
    Case("index_slice_and_array", lambda a: a[1:, index(REPEATED[:3], a)], [(3, 4)]),
    Case("index_mlcore_tensor", lambda a: a[index(REPEATED, a) if isinstance(a, torch.Tensor)
                                            else mlcore.tensor(REPEATED)], [(3, 4)]),
    Case("mask_constant", lambda a: a[index(MASK, a)], [(3, 4)]),
    Case("mask_from_values", lambda a: a[a > 0], [(3, 4)]),
    # ---------------------------------------------------------- composites
    Case("reuse_same_input", lambda a: a * a + a, [(3, 4)]),
    Case("mlp_layer", lambda x, w, b: (x @ w.T + b).tanh(), [(5, 3), (4, 3), (4,)]),
    Case("diamond", lambda a: (a.exp() * a.tanh()).sum(0), [(3, 4)]),
    Case("cross_entropy_by_hand", lambda z: -z.log_softmax(dim=1)[[0, 1, 2], [1, 0, 3]].mean(),
         [(3, 4)]),
    Case("mse_by_hand", lambda p, t: ((p - t) ** 2).mean(), [(5, 2), (5, 2)]),
]

CASE_IDS = [case.name for case in CASES]

TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}
NUMPY_DTYPE = {torch.float64: np.float64, torch.float32: np.float32, torch.int64: np.int64}


@dataclass
class Run:
    """One case run forward and backward in both libraries on the same numbers."""

    out: mlcore.Tensor
    ref: torch.Tensor
    inputs: list
    ref_inputs: list


def run_both(case, dtype=np.float64, seed=0):
    """Evaluate `case` in mlcore and torch, then backpropagate one random upstream gradient.

    The upstream gradient has the output's dtype, which is the inputs' except after a cast.
    """
    arrays = inputs_for(case, seed)
    inputs = [mlcore.tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
    ref_inputs = [torch.tensor(a, dtype=TORCH_DTYPE[dtype], requires_grad=True) for a in arrays]
    out, ref = case.fn(*inputs), case.torch_fn()(*ref_inputs)
    if case.differentiable:
        upstream = np.random.default_rng(seed + 1).standard_normal(tuple(ref.shape))
        upstream = upstream.astype(NUMPY_DTYPE[ref.dtype])
        out.backward(upstream)
        ref.backward(torch.as_tensor(upstream))
    return Run(out, ref, inputs, ref_inputs)


def assert_close(ours, theirs, dtype=np.float64, what="value"):
    """Assert same shape and values to 1e-10 (float64) or 1e-5 (float32) relative.

    In float32 an element that is a sum of large terms cancelling to a small one
    (a convolution's weight gradient) carries the rounding of those terms, which
    depends on the BLAS kernel's summation order. So float32 also allows 1e-5 of
    the array's largest magnitude, the scale of those terms.
    """
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    ours = ours.data if isinstance(ours, mlcore.Tensor) else np.asarray(ours)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, torch has {theirs.shape}"
    if dtype == np.float64:
        rtol, atol = RTOL64, ATOL64
    else:
        scale = float(np.max(np.abs(theirs), initial=0.0)) if np.isfinite(theirs).all() else 0.0
        rtol, atol = RTOL32, ATOL32 + RTOL32 * scale
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=what)
