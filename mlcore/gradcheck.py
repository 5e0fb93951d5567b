"""Checking a backward pass against finite differences (chapter 4).

The derivative of f at x is approximately (f(x + eps) - f(x - eps)) / (2 eps).
That is slow (two evaluations per input element) but needs no calculus, so it
is the referee for every hand-written backward rule.
"""

import numpy as np

from . import autograd
from .grad_mode import no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Raised when analytical and numerical gradients disagree."""


def _scalarize(out, seed=1234):
    """Reduce a non-scalar output to sum(out * v) for a fixed random v.

    Checking the gradient of one random projection checks every output
    element at once (a wrong element changes it with probability 1).
    """
    if out.data.size == 1:
        return out.sum(), None
    v = np.random.default_rng(seed).standard_normal(out.shape)
    return (out * v).sum(), v


def _output_of(fn, inputs):
    out = fn(*inputs)
    if not isinstance(out, Tensor):
        raise TypeError(
            f"gradcheck needs fn to return an mlcore Tensor, but it returned "
            f"{type(out).__name__}. Compute the output from the input tensors with mlcore "
            "operations (x * 2, x.exp(), F.mse_loss(x, y), ...), not from x.data or numpy, "
            "so that backward() can follow it."
        )
    return out


def _analytical_gradients(loss, inputs):
    """d loss / d input by ``backward()``; zeros for an input the loss was not computed from,
    as in ``torch.autograd.gradcheck`` (its numerical gradient must then be zero too)."""
    graph, waiting = {loss}, [loss]
    while waiting:
        for parent in waiting.pop().parents:
            if parent not in graph:
                graph.add(parent)
                waiting.append(parent)
    used = [t for t in inputs if t in graph]
    found = dict(zip(used, autograd.grad(loss, used))) if used else {}
    return [found[t] if t in found else np.zeros_like(t.data) for t in inputs]


def gradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Compare ``backward()`` of ``fn(*inputs)`` with central differences, element by element.

    Inputs that require grad are checked (use float64: float32 rounding swamps
    the differences); one that ``fn`` does not use must have a zero numerical
    gradient. Returns True, or raises :class:`GradcheckError` naming the
    input, the index and both values.
    """
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck needs at least one input tensor with requires_grad=True.")
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise ValueError(
                f"gradcheck input {i} has dtype {inputs[i].dtype}; use float64, because with "
                "float32 the rounding error of finite differences is larger than the tolerance."
            )
    loss, v = _scalarize(_output_of(fn, inputs))
    analytical = _analytical_gradients(loss, [inputs[i] for i in checked])

    def value():
        with no_grad():
            out = fn(*inputs).data
        return float((out * v).sum() if v is not None else out.sum())

    for i, grad in zip(checked, analytical):
        x = inputs[i].data
        for index in np.ndindex(x.shape):
            original = x[index]
            x[index] = original + eps
            plus = value()
            x[index] = original - eps
            minus = value()
            x[index] = original
            numerical = (plus - minus) / (2 * eps)
            got = grad[index]
            if not abs(numerical - got) <= atol + rtol * abs(numerical):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Gradient mismatch for input {i} at index {index}: expected derivative "
                    f"{numerical:.6g} from central differences, got {got:.6g} from backward(). "
                    "Check this operation's backward rule, or the input sits on a kink "
                    "(e.g. relu/abs at 0): move it off the kink."
                )
    return True
