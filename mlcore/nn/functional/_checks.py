"""Argument checks shared by the layers and their functions, with errors that teach.

A wrong size or a numpy array where a tensor belongs would otherwise surface as
a numpy error deep inside a matmul; these checks name the argument, what it got
and how to fix it.
"""

import numbers

import numpy as np

from ...tensor import Tensor


def require_tensor(fn, name, value):
    """Raise TypeError unless `value` is an mlcore Tensor."""
    if not isinstance(value, Tensor):
        fix = "Wrap the data first: mlcore.tensor(data)."
        if name in ("weight", "bias"):
            fix = (f"Wrap the data first: nn.Parameter(data) or mlcore.tensor(data, "
                   f"requires_grad=True) for a {name} to learn, mlcore.tensor(data) for a "
                   "fixed one.")
        raise TypeError(
            f"{fn}() expects `{name}` to be an mlcore.Tensor, but got {type(value).__name__}. {fix}"
        )


def require_tensors(fn, input, weight, bias):
    """Raise TypeError unless input, weight and bias (or None) are mlcore Tensors."""
    # One test for the usual case: a layer calls this at every forward pass.
    if isinstance(input, Tensor) and isinstance(weight, Tensor) and (
            bias is None or isinstance(bias, Tensor)):
        return
    require_tensor(fn, "input", input)
    require_tensor(fn, "weight", weight)
    if bias is not None:
        require_tensor(fn, "bias", bias)


def require_same_dtype(fn, input, weight):
    """Raise TypeError if input and weight differ in dtype, as PyTorch does."""
    if input.data.dtype != weight.data.dtype:
        raise TypeError(
            f"{fn}(): the input is {input.data.dtype} but the weight is {weight.data.dtype}; "
            f"they must be the same. Convert the model (net.float() / net.double()) or the "
            f"input (x.float() / x.double()) so both use one precision."
        )


# What each layer size means, said after an error about it.
_MEANINGS = {
    "in_features": "in_features is the size of each input (the last dimension of x), "
                   "e.g. nn.Linear(784, 128) for flattened 28x28 images.",
    "out_features": "out_features is the number of outputs, e.g. 1 for one prediction per "
                    "example.",
    "in_channels": "in_channels is the number of channels of the input images: 1 for "
                   "grayscale, 3 for RGB.",
    "out_channels": "out_channels is the number of kernels, one per output channel, e.g. 16.",
    "kernel_size": "kernel_size is the height and width of the window, e.g. 3 for 3x3 or "
                   "(3, 5).",
    "stride": "stride is how many pixels the window moves at a time: 1 visits every position, "
              "2 every other one.",
    "padding": "padding is the number of pixels added on every border: 0 (none) or more.",
    "start_dim": "start_dim is the first dimension merged into one; the default, 1, keeps the "
                 "batch dimension.",
    "end_dim": "end_dim is the last dimension merged into one; the default, -1, is the last.",
}


def integer(name, value):
    """Check that `value` is an int (a numpy integer counts, a bool does not) and return it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, but got {value!r} ({type(value).__name__}). "
                        + _MEANINGS.get(name, ""))
    return int(value)


def size(name, value, minimum=1):
    """Check that a layer size (features, channels) is an int >= `minimum` and return it."""
    value = integer(name, value)
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, but got {value}. "
                         + _MEANINGS.get(name, ""))
    return value


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


def flag(fn, name, value, meaning):
    """Check that `value` is True or False (the string "False" would count as true)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{fn}: {name} must be True or False, but got {value!r} "
                        f"({type(value).__name__}). {meaning}")
    return bool(value)


def float_dtype(fn, dtype, note=""):
    """The floating-point numpy dtype that `dtype` names (float64 when None), or a TypeError.

    ``note`` is added to the error, after the reason integers will not do.
    """
    try:
        checked = np.dtype(np.float64 if dtype is None else dtype)
    except TypeError:
        checked = None
    if checked is None or checked.kind != "f":
        got = (f"{dtype!r}, which is not a numpy dtype" if checked is None else
               f"{checked.name!r}: parameters are learned in small fractional steps, which "
               f"{checked.name} values cannot take")
        raise TypeError(
            f"{fn}: dtype must be a floating-point dtype such as mlcore.float32 or "
            f"mlcore.float64, but got {got}.{note}"
        )
    return checked
