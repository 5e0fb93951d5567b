"""Making tensors: from data, zeros, ones, ranges and seeded random numbers.

``tensor`` builds one from a list or an array, and ``lift`` is how operations
turn a number or an array operand (``t * 2``) into a constant tensor; both
refuse data that is not numbers. All of mlcore's randomness (random tensors,
layer initialisation) comes from one numpy Generator, so
``mlcore.manual_seed(0)`` makes a notebook repeatable.
"""

import numbers

import numpy as np

from . import grad_mode
from .tensor import Tensor


def tensor(data, requires_grad=False, dtype=None):
    """Create a tensor from a list, number, numpy array or tensor, copying the data.

    Floats default to float64 (PyTorch's default is float32; float64 makes
    every comparison with PyTorch exact to 1e-10). Integers stay int64.
    """
    if isinstance(data, Tensor):
        data = data.data
    try:
        array = np.array(data, dtype=dtype)
    except ValueError as error:  # numpy refuses ragged nested lists
        raise ValueError(f"Could not build a tensor from this data ({error}). {_RAGGED}") from None
    return Tensor(_numeric(array), requires_grad=requires_grad)


def lift(value, like):
    """`value` as a tensor: a Tensor as it is, a number, list or array as a constant.

    Operations call it on their operands. The constant takes the floating dtype
    of the tensor `like` where PyTorch would (Python numbers, integer and boolean
    arrays), so float32 stays float32. An array that will be read by a backward
    rule is copied: editing it later must not change a gradient, and arrays have no version stamp.
    """
    if isinstance(value, Tensor):
        return value
    floating = like is not None and like.data.dtype.kind == "f"
    if floating and isinstance(value, (float, int, numbers.Number)):
        return Tensor(np.array(value, dtype=like.data.dtype))
    in_graph = like is not None and like.requires_grad and grad_mode._enabled
    array = _numeric(np.array(value) if in_graph else np.asarray(value))
    if floating and array.dtype.kind in "biu":
        array = array.astype(like.data.dtype)
    return Tensor(array)


_RAGGED = "Check that every row of a nested list has the same length and holds numbers."


def _numeric(array):
    """`array` if it holds numbers or booleans, as a torch tensor must; else a TypeError that says why."""
    kind = array.dtype.kind
    if kind in "biufc":
        return array
    if kind == "O":
        raise TypeError(f"Could not build a tensor from this data: numpy made an array of "
                        f"Python objects. {_RAGGED}")
    what = {"U": "text", "S": "bytes", "M": "dates", "m": "time differences"}.get(kind, "records")
    raise TypeError(
        f"A tensor holds numbers (or True/False), but this data holds {what} (numpy dtype "
        f"{array.dtype}). Convert it to numbers first, e.g. float('2.5') for a number written as "
        "text, or number the categories 0, 1, 2, ... for labels."
    )


_generator = np.random.default_rng(0)


def manual_seed(seed):
    """Reseed mlcore's random generator (like ``torch.manual_seed``) and return it.

    Every chapter seeds in its first cell, so that its numbers are repeatable.
    """
    advice = ("Pick any fixed integer >= 0, e.g. mlcore.manual_seed(0): the same seed gives "
              "the same random numbers every run.")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"manual_seed needs a non-negative whole number, but got {seed!r} "
                        f"(type {type(seed).__name__}). {advice}")
    if seed < 0:
        raise ValueError(f"manual_seed needs a non-negative whole number, but got {seed}. {advice}")
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def generator():
    """The numpy Generator behind every random number mlcore draws."""
    return _generator


def _shape(size):
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


def _float_dtype(dtype, name):
    """``dtype`` if it is a float type; random numbers in [0, 1) or around 0 would truncate to 0."""
    if not np.issubdtype(np.dtype(dtype), np.floating):
        raise TypeError(
            f"{name} draws real numbers, so it needs a float dtype, but got dtype={np.dtype(dtype)} "
            f"(casting would truncate them to whole numbers). Use dtype=np.float64 (the default) "
            f"or np.float32; for random integers use mlcore.factories.generator().integers(low, high, size)."
        )
    return dtype


def zeros(*size, requires_grad=False, dtype=np.float64):
    """A tensor of the given shape filled with 0, like ``torch.zeros`` (chapter 1's loss-shape
    panel uses it for targets of zero)."""
    return Tensor(np.zeros(_shape(size), dtype=dtype), requires_grad=requires_grad)


def ones(*size, requires_grad=False, dtype=np.float64):
    """A tensor of the given shape filled with 1, like ``torch.ones`` (chapter 1 predicts a
    constant ``c`` for every target as ``c * mlcore.ones(N)``)."""
    return Tensor(np.ones(_shape(size), dtype=dtype), requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None):
    """The numbers from ``start`` up to, not including, ``end`` in steps of ``step``, like
    ``torch.arange`` (chapter 1 uses it for the inputs 1, 2, ..., 8 of its line fit).

    With one number it counts from 0: ``arange(5)`` is 0, 1, 2, 3, 4, and
    ``arange(10, step=2)`` is 0, 2, 4, 6, 8 (as in numpy; torch refuses that
    spelling). Whole numbers give an integer tensor.
    """
    if end is None:
        start, end = 0, start
    return Tensor(np.arange(start, end, step, dtype=dtype))


def rand(*size, requires_grad=False, dtype=np.float64):
    """Uniform numbers in [0, 1) from the seeded generator."""
    dtype = _float_dtype(dtype, "rand")
    return Tensor(_generator.random(_shape(size)).astype(dtype), requires_grad=requires_grad)


def randn(*size, requires_grad=False, dtype=np.float64):
    """Standard normal numbers from the seeded generator."""
    dtype = _float_dtype(dtype, "randn")
    return Tensor(_generator.standard_normal(_shape(size)).astype(dtype), requires_grad=requires_grad)
