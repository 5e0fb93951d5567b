"""Shape changes and indexing: reshape, permute, squeeze, x[i]... (chapters 4 and 5).

These operations compute nothing: they move values to new places. So the
backward rule moves each gradient back to where its value came from:

- ``reshape`` (and ``view``, ``flatten``, ``squeeze``, ``unsqueeze``, which are
  reshapes) reshapes the gradient back;
- ``permute`` (and ``transpose`` and ``.T``, which are permutes) applies the
  inverse permutation;
- indexing ``x[i]`` puts the gradient into a zero array at the picked places.

Like PyTorch, ``squeeze`` and ``unsqueeze`` accept ``axis=`` for ``dim=``.
"""

import numpy as np

from ..tensor import Tensor, as_index
from .reductions import dim_arguments


def reshape(x, *shape):
    """The same values in a new shape (one size may be -1: whatever is left), as ``torch.reshape``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    original = x.shape
    try:
        out = x.data.reshape(shape)
    except ValueError:
        raise ValueError(
            f"cannot reshape a tensor of shape {original} ({x.data.size} elements) into "
            f"shape {shape}: the number of elements must stay the same."
        ) from None
    return Tensor.from_op(out, (x,), "reshape", lambda g: (g.reshape(original),))


def flatten(x, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one, as ``torch.flatten``: a reshape."""
    shape = x.shape
    if not shape:
        return reshape(x, 1)
    start, end = start_dim % len(shape), end_dim % len(shape)
    merged = int(np.prod(shape[start:end + 1]))
    return reshape(x, shape[:start] + (merged,) + shape[end + 1:])


def _wrap_dim(dim, ndim, name, inserted=0):
    """`dim` as an index from 0, refused as in PyTorch unless -n <= dim < n, for the n = ndim
    dims (0-d counts as 1-d) plus the number `inserted` by the operation."""
    size = (ndim + inserted) or 1
    if not -size <= dim < size:
        raise IndexError(
            f"{name}(): dim {dim} is out of range for a tensor with {ndim} dimensions; "
            f"use a dim from {-size} to {size - 1} (negative dims count from the end)."
        )
    return dim % size


def unsqueeze(x, dim=None, *, axis=None):
    """Insert a dimension of size 1 at `dim`, as ``torch.unsqueeze``: a reshape."""
    dim = dim_arguments(dim, axis)[0]
    if dim is None:
        raise TypeError("unsqueeze() needs dim: where to insert the new dimension of size 1, "
                        "e.g. x.unsqueeze(0) to make a batch of one.")
    dim = _wrap_dim(dim, x.ndim, "unsqueeze", inserted=1)
    return reshape(x, x.shape[:dim] + (1,) + x.shape[dim:])


def squeeze(x, dim=None, *, axis=None):
    """Remove dimensions of size 1 (all of them, or those in `dim`), as ``torch.squeeze``: a reshape.

    A dim in `dim` whose size is not 1 stays, as in PyTorch.
    """
    dim = dim_arguments(dim, axis)[0]
    if dim is None:
        return reshape(x, tuple(n for n in x.shape if n != 1))
    dims = {_wrap_dim(d, x.ndim, "squeeze") for d in (dim if isinstance(dim, tuple) else (dim,))}
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if n != 1 or i not in dims))


def permute(x, *dims):
    """The dimensions in the order `dims`, as ``torch.permute``; the gradient is permuted back."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    dims = tuple(d % x.ndim for d in dims)  # permute(0, -1, 1) is permute(0, 2, 1)
    inverse = tuple(np.argsort(dims))
    return Tensor.from_op(x.data.transpose(dims), (x,), "permute",
                          lambda g: (g.transpose(inverse),))


def transpose(x, dim0, dim1):
    """Swap two dimensions, as ``torch.transpose``: a permute."""
    order = list(range(x.ndim))
    order[dim0], order[dim1] = order[dim1], order[dim0]
    return permute(x, order)


def T(x):
    """All dimensions reversed, the matrix transpose for 2-D tensors: a permute."""
    return permute(x, tuple(reversed(range(x.ndim))))


def index(x, key):
    """``x[key]`` for any numpy index: ints, slices, None, ..., integer arrays, boolean masks."""
    key = as_index(key)
    data = x.data
    out = data[key]
    parts = key if isinstance(key, tuple) else (key,)
    # Integer arrays may pick an element several times; np.add.at adds each
    # pick's gradient, where plain assignment would keep only one of them.
    picks_repeatable = any(isinstance(part, (np.ndarray, list)) for part in parts)

    def backward(g):
        grad = np.zeros(data.shape, data.dtype)
        if picks_repeatable:
            np.add.at(grad, key, g)
        else:
            grad[key] = g
        return (grad,)

    return Tensor.from_op(out, (x,), "index", backward)
