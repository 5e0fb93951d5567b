"""Reductions: sum, max and the ops along one dimension, softmax and log_softmax (chapters 2, 4 and 5).

A reduction turns many values into one (per row, per column...), so its
backward rule spreads one gradient back over the values it came from:

- ``sum``: every summed element moved the total one for one, so each gets ``g``;
- ``max``: only the largest element moved the result, so it alone gets ``g``;
- ``softmax`` and ``log_softmax`` keep the shape, but each output depends on
  the whole row, so the rule has a sum along ``dim`` in it.

``mean`` is ``sum / n`` and ``min(x)`` is ``-max(-x)``: they are built from
those, so they have no rules of their own. ``argmax`` returns indices, which
have no gradient.

Like PyTorch, every function accepts numpy's spellings too: ``axis=`` for
``dim=`` and ``keepdims=`` for ``keepdim=``.
"""

import numpy as np

from ..factories import lift
from ..tensor import Tensor


def dim_arguments(dim, axis, keepdim=False, keepdims=None):
    """PyTorch's (dim, keepdim) from either spelling; a list of dims becomes a tuple."""
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if isinstance(dim, list):
        dim = tuple(dim)
    return dim, keepdim


def _spread_back(g, shape, dim):
    """The gradient `g` of a sum over `dim`, copied back to every element that was summed."""
    if dim is not None:
        # Put back the reduced dims as length 1, so that g broadcasts along them.
        dims = [d % len(shape) for d in (dim if isinstance(dim, tuple) else (dim,))]
        g = g.reshape([1 if i in dims else n for i, n in enumerate(shape)])
    full = np.empty(shape, g.dtype)
    full[...] = g
    return full


def sum(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The sum of all elements, or along `dim`; each element gets the whole gradient."""
    dim, keepdim = dim_arguments(dim, axis, keepdim, keepdims)
    shape = x.shape
    out = x.data.sum(axis=dim, keepdims=keepdim)
    return Tensor.from_op(out, (x,), "sum", lambda g: (_spread_back(g, shape, dim),))


def mean(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The average, overall or along `dim`: the sum divided by the number of elements summed."""
    dim, keepdim = dim_arguments(dim, axis, keepdim, keepdims)
    total = sum(x, dim, keepdim)
    # Elements per total; with none (an empty tensor), 0 / 0 gives nan, as in PyTorch.
    count = x.data.size // total.data.size if total.data.size else 1
    return total / count


def max(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Largest value, overall or along `dim` (values only; see ``argmax`` for indices).

    The gradient goes to the position of the maximum. Over the whole tensor,
    ties share it evenly; along a dim it goes to the first maximum (PyTorch's
    choice). A nan is larger than everything, as in PyTorch: it is the result
    and it gets the gradient.
    """
    dim, keepdim = dim_arguments(dim, axis, keepdim, keepdims)
    if isinstance(dim, tuple):
        raise ValueError("max() takes a single dim; call it once per dimension.")
    data = x.data
    if dim is None:
        out = data.max()

        def backward(g):
            at_max = np.isnan(data) if out != out else data == out
            return (g * at_max / int(at_max.sum()),)
    else:
        # argmax finds the first nan too, where take_along_axis then reads it.
        index = np.expand_dims(data.argmax(axis=dim), dim)
        out = np.take_along_axis(data, index, axis=dim)
        if not keepdim:
            out = np.squeeze(out, axis=dim)

        def backward(g):
            grad = np.zeros(data.shape, data.dtype)
            np.put_along_axis(grad, index, g if keepdim else np.expand_dims(g, dim), axis=dim)
            return (grad,)

    return Tensor.from_op(out, (x,), "max", backward)


def min(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Smallest value, overall or along `dim`: built from max, since min(x) = -max(-x)."""
    return -max(-x, dim, keepdim, axis=axis, keepdims=keepdims)


def argmax(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the largest value, overall (of the flattened tensor) or along `dim`, as ``torch.argmax``.

    Indices are whole numbers, so the result has no gradient.
    """
    dim, keepdim = dim_arguments(dim, axis, keepdim, keepdims)
    return Tensor(x.data.argmax(axis=dim, keepdims=keepdim))


def _softmax_dim(dim, axis, name):
    if dim is None and axis is None:
        raise TypeError(
            f"{name}() needs dim: the dimension along which the probabilities add up to 1, "
            f"e.g. {name}(logits, dim=1) for logits of shape (batch, classes). It is required, "
            "as in torch.softmax, because a guessed dim would quietly normalise a batch across "
            "samples instead of across classes."
        )
    return axis if dim is None else dim


def softmax(x, dim=None, *, axis=None):
    """exp(x_i) / sum_j exp(x_j) along `dim`: logits to probabilities (chapter 2).

    `dim` is required, as in ``torch.softmax``: guessing it is how a batch gets
    normalised across samples instead of across classes. Built from exp and sum
    it would overflow for logits of 1000, so it subtracts the max first and has
    one rule of its own: d softmax / dx_j, times g, is out * (g - sum(g * out)).
    """
    dim = _softmax_dim(dim, axis, "softmax")
    if not isinstance(x, Tensor):
        x = lift(x, None)
    shifted = x.data - x.data.max(axis=dim, keepdims=True)
    e = np.exp(shifted)
    out = e / e.sum(axis=dim, keepdims=True)

    def backward(g):
        return (out * (g - (g * out).sum(axis=dim, keepdims=True)),)

    return Tensor.from_op(out, (x,), "softmax", backward)


def log_softmax(x, dim=None, *, axis=None):
    """log(softmax(x)) along `dim`, as x_i - log sum_j exp(x_j) with the log-sum-exp trick (chapter 2).

    Finite even for logits of ±1000; d/dx, times g, is g - softmax(x) * sum(g).
    """
    dim = _softmax_dim(dim, axis, "log_softmax")
    if not isinstance(x, Tensor):
        x = lift(x, None)
    shifted = x.data - x.data.max(axis=dim, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))

    def backward(g):
        return (g - np.exp(out) * g.sum(axis=dim, keepdims=True),)

    return Tensor.from_op(out, (x,), "log_softmax", backward)
