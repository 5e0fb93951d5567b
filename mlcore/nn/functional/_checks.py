"""Argument checks shared by the layers and their functions, with errors that teach.

A wrong size or a numpy array where a tensor belongs would otherwise surface as
a numpy error deep inside a matmul; these checks name the argument, what it got
and how to fix it.
"""

import numbers

from ...tensor import Tensor


def require_tensor(fn, name, value):
    """Raise TypeError unless `value` is an mlcore Tensor."""
    if not isinstance(value, Tensor):
        raise TypeError(
            f"{fn}() expects `{name}` to be an mlcore.Tensor, but got {type(value).__name__}. "
            f"Wrap the data first: mlcore.tensor(data)."
        )


def require_same_dtype(fn, input, weight):
    """Raise TypeError if input and weight differ in dtype, as PyTorch does."""
    if input.data.dtype != weight.data.dtype:
        raise TypeError(
            f"{fn}(): the input is {input.data.dtype} but the weight is {weight.data.dtype}; "
            f"they must be the same. Convert the model (net.float() / net.double()) or the "
            f"input (x.float() / x.double()) so both use one precision."
        )


def size(name, value, minimum=1):
    """Check that a layer size (features, channels) is an int >= `minimum` and return it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, but got {value!r} ({type(value).__name__}).")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, but got {value}.")
    return int(value)


def pair(name, value, minimum=1):
    """Turn an int or a pair of ints (height, width) into a checked tuple of two ints."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(
                f"{name} must be an int or a pair (height, width), but got {value!r} "
                f"with {len(value)} entries."
            )
        return size(name, value[0], minimum), size(name, value[1], minimum)
    value = size(name, value, minimum)
    return value, value


def real_number(fn, name, value, meaning):
    """Raise TypeError, followed by ``meaning``, unless ``value`` is a real number (not a bool).

    A setting given as a string ("0.1") or a tensor would otherwise fail later, far
    from where it was written.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{fn}: {name} must be a number, but got {value!r} ({type(value).__name__}). {meaning}"
        )
