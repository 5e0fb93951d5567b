"""Functions of one input, applied element by element: exp, log, tanh, relu... (chapters 4 and 5).

Each line of the table below gives the numpy function and the derivative of
the result with respect to x, times ``g`` (the gradient of the result),
written with ``x`` (the input's array) or ``out`` (the result), whichever is
cheaper: d exp(x) / dx is exp(x) itself, so exp's rule reuses ``out``.
``unary`` turns a line into an operation. Element by element means no
broadcasting, so there is nothing to undo.

Two operations need more than one line: ``clamp``, whose bounds may be
tensors with gradients of their own, and ``to``, which changes the dtype.
"""

import numpy as np

from ..broadcast import broadcast_error, unbroadcast
from ..factories import lift
from ..tensor import Tensor
from .arithmetic import quiet


def unary(name, forward, derivative, doc):
    """The operation `name`: ``out = forward(x)``; ``derivative(g, x, out)`` is g times d out / d x."""

    def operation(x):
        if not isinstance(x, Tensor):
            x = lift(x, None)
        data = x.data
        out = forward(data)
        return Tensor.from_op(out, (x,), name, lambda g: (derivative(g, data, out),))

    operation.__name__ = operation.__qualname__ = name
    operation.__doc__ = doc
    return operation


def _sigmoid(x):
    """1 / (1 + e^-x), in a form that never overflows: e^-x is huge for very negative x."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, e) / (1 + e)


# ----------------------------------------------------- the table of derivatives
# Each entry: the name, the forward function, g * d out/d x, and what it computes.
neg = unary("neg", np.negative, lambda g, x, out: -g, "-x, elementwise; d/dx = -1.")
exp = unary("exp", quiet(np.exp), lambda g, x, out: g * out,
            "e to the power x, elementwise; d/dx = exp(x) (chapter 4).")
log = unary("log", quiet(np.log), lambda g, x, out: g / x,
            "Natural logarithm, elementwise; d/dx = 1/x. nan below 0 and -inf at 0, as in torch "
            "(chapter 2).")
sqrt = unary("sqrt", quiet(np.sqrt), lambda g, x, out: g / (2 * out),
             "Square root, elementwise; d/dx = 1 / (2 sqrt(x)) (chapter 4).")
abs = unary("abs", np.abs, lambda g, x, out: g * np.sign(x),
            "Absolute value, elementwise; d/dx = sign(x), 0 at the kink (chapter 1's MAE).")
tanh = unary("tanh", np.tanh, lambda g, x, out: g * (1 - out * out),
             "Hyperbolic tangent, elementwise; d/dx = 1 - tanh(x)^2 (chapter 5).")
# sigmoid(x) is 1 / (1 + exp(-x)), but built from those ops its gradient is nan for x << 0
# (exp(-x) overflows to inf, and the chain rule multiplies 0 by inf). So it has a rule of its
# own, as in PyTorch.
sigmoid = unary("sigmoid", _sigmoid, lambda g, x, out: g * out * (1 - out),
                "1 / (1 + e^-x), elementwise; d/dx = s (1 - s), which vanishes for large |x| "
                "(chapter 2).")
# relu(x) is maximum(x, 0) except at 0, where maximum would split the gradient and relu
# passes none, as in PyTorch.
relu = unary("relu", lambda x: np.maximum(x, 0), lambda g, x, out: g * (out > 0),
             "max(x, 0), elementwise; d/dx = 1 where x > 0, else 0 (chapter 5).")


# ------------------------------------------------------------------- clamp
def clamp(x, min=None, max=None):
    """x limited to [min, max] elementwise; the gradient passes only where min <= x <= max (chapter 4).

    The bounds may be numbers or tensors. As in PyTorch, a tensor bound gets
    the gradient where it is the result: ``min`` where x < min (and min < max),
    ``max`` where x > max (or max < min, where the result is max).
    """
    if min is None and max is None:
        raise ValueError("clamp() needs at least one of min or max.")
    if not isinstance(x, Tensor):
        x = lift(x, None)
    lo = None if min is None else lift(min, x)
    hi = None if max is None else lift(max, x)
    data, low, high = x.data, None if lo is None else lo.data, None if hi is None else hi.data
    try:
        out = np.clip(data, low, high)
    except ValueError:
        bound = low if high is None else high
        raise broadcast_error("clamp", data.shape, bound.shape) from None

    def backward(g):
        inside = True
        if lo is not None:
            inside = data >= low
        if hi is not None:
            inside = inside & (data <= high)
        grads = [unbroadcast(g * inside, data.shape) if x.requires_grad else None]
        if lo is not None:
            below = data < low if hi is None else (data < low) & (low < high)
            grads.append(unbroadcast(g * below, low.shape) if lo.requires_grad else None)
        if hi is not None:
            above = data > high if lo is None else (data > high) | (high < low)
            grads.append(unbroadcast(g * above, high.shape) if hi.requires_grad else None)
        return tuple(grads)

    parents = (x,) + tuple(bound for bound in (lo, hi) if bound is not None)
    return Tensor.from_op(out, parents, "clamp", backward)


# --------------------------------------------------------------------- dtype
def to(x, dtype):
    """x cast to `dtype`; the gradient is cast back to x's dtype, as in PyTorch."""
    source, data = x.data.dtype, x.data.astype(dtype)
    if data.dtype.kind != "f":
        return Tensor(data)  # integers carry no gradient, as in PyTorch
    return Tensor.from_op(data, (x,), "to", lambda g: (g.astype(source),))


def double(x):
    """Cast to float64."""
    return to(x, np.float64)


def float(x):
    """Cast to float32 (PyTorch's ``float`` means 32 bits)."""
    return to(x, np.float32)


def long(x):
    """Cast to int64, rounding towards zero; the result has no gradient."""
    return to(x, np.int64)
