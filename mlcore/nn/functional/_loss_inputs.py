"""Checking and converting what a loss is given (chapters 1 and 2).

Every loss in mlcore takes a prediction (a Tensor), a target (a Tensor, a numpy
array or a Python list) and a ``reduction``. The checks live here, once, so that
every loss refuses bad input with the same clear words: what is wrong, and how
to fix it. Loss files import these helpers; they are not part of the public API.
"""

import numpy as np

from ...factories import tensor
from ...tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction, fn_name):
    """Refuse a `reduction` other than 'mean', 'sum' or 'none', listing those three."""
    if not (isinstance(reduction, str) and reduction in REDUCTIONS):
        raise ValueError(
            f"{fn_name}: reduction={reduction!r} is not a valid reduction. Use one of "
            "'mean' (average over the elements, the default), 'sum' (add them up) or "
            "'none' (one loss per element, no reduction)."
        )


def as_prediction(input, fn_name):
    """The prediction as a floating-point Tensor (lists and arrays are wrapped)."""
    if not isinstance(input, Tensor):
        input = tensor(input)
    if input.data.dtype.kind != "f":  # .kind, not np.issubdtype: this runs every training step
        raise TypeError(
            f"{fn_name}: the prediction (input) has dtype {input.dtype}, but a loss needs "
            "floating-point predictions: a model outputs real numbers, and gradients "
            "only exist for floats. Create it from floats, e.g. mlcore.tensor([1.0, 2.0, 3.0]), "
            "or convert it with .double()."
        )
    return input


def as_target(target):
    """Split a target into (numpy array, Tensor or None).

    The Tensor is kept only so that a loss can send a gradient to a target that
    requires one (as PyTorch does for regression and probability targets).
    """
    if isinstance(target, Tensor):
        return target.data, target
    return np.asarray(target), None


def float_target(target_array, input, fn_name):
    """A real-valued target in the prediction's dtype (integer and bool targets are converted)."""
    if target_array.dtype == input.data.dtype:
        return target_array
    if target_array.dtype.kind not in "biuf":
        raise TypeError(
            f"{fn_name}: the target must hold numbers, but numpy read it as dtype "
            f"{target_array.dtype}. Pass a Tensor, a numpy array or a list of numbers."
        )
    return target_array.astype(input.dtype)


def same_shape_inputs(fn_name, input, target, reduction):
    """Check the arguments of a loss whose target has the prediction's shape (chapters 1, 2).

    Returns the prediction as a float Tensor, the target as a numpy array of the
    prediction's dtype, and the target Tensor (None if the target is an array or a list).
    """
    check_reduction(reduction, fn_name)
    input = as_prediction(input, fn_name)
    target_array, target_tensor = as_target(target)
    check_same_shape(fn_name, input.data.shape, target_array.shape)
    return input, float_target(target_array, input, fn_name), target_tensor


def check_same_shape(fn_name, input_shape, target_shape):
    """Refuse a prediction and target of different shapes, explaining the usual fix.

    PyTorch broadcasts a prediction of shape (N, 1) against a target of shape (N,)
    to (N, N) with only a warning: every prediction is compared with every target,
    and the model learns nothing useful. mlcore refuses instead.
    """
    if input_shape == target_shape:
        return
    message = [f"{fn_name}: the prediction (input) has shape {input_shape} but the target has "
               f"shape {target_shape}; they must be the same shape."]
    try:
        broadcast = np.broadcast_shapes(input_shape, target_shape)
    except ValueError:
        broadcast = None
    if broadcast is not None and broadcast not in (input_shape, target_shape):
        message.append(
            f"PyTorch would broadcast them to {broadcast} with only a warning, comparing every "
            "prediction with every target; the loss would then be meaningless and the model "
            "would learn nothing useful."
        )
    message.append(_shape_fix(input_shape, target_shape))
    raise ValueError(" ".join(message))


def _shape_fix(input_shape, target_shape):
    """The likely repair for a shape mismatch, phrased for the shapes at hand."""
    n_input, n_target = int(np.prod(input_shape)), int(np.prod(target_shape))
    if n_input != n_target:
        return (f"They hold different numbers of values ({n_input} and {n_target}): check that "
                "the predictions and targets come from the same batch of samples.")
    if input_shape == target_shape + (1,):
        axis = len(target_shape)
        return (f"Fix: drop the prediction's last axis with input.squeeze({axis}) "
                f"(or input.reshape(-1)), or give the target that axis with "
                f"target.reshape{input_shape}.")
    if target_shape == input_shape + (1,):
        axis = len(input_shape)
        return (f"Fix: drop the target's last axis with target.squeeze({axis}) "
                f"(or target.reshape(-1)), or give the prediction that axis with "
                f"input.reshape{target_shape}.")
    return f"Fix: reshape one to match the other, e.g. target.reshape{input_shape}."


def constant_array(value, name, fn_name, dtype):
    """A weight-like argument (weight, pos_weight) as a numpy array of `dtype`, or None.

    These are constants: like PyTorch, mlcore sends no gradient into them.
    """
    if value is None:
        return None
    if isinstance(value, Tensor):
        if value.requires_grad:
            raise ValueError(
                f"{fn_name}: {name} requires grad, but a loss treats {name} as a constant and "
                f"sends no gradient into it (PyTorch refuses too). Pass {name}.detach()."
            )
        value = value.data
    array = np.asarray(value)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{fn_name}: {name} must hold numbers, but has dtype {array.dtype}.")
    return array.astype(dtype, copy=False)


def check_broadcasts_to(array, name, shape, fn_name):
    """Refuse a weight that does not broadcast to the loss's element shape `shape`."""
    try:
        fits = np.broadcast_shapes(array.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{fn_name}: {name} has shape {array.shape}, which does not broadcast to the "
            f"input's shape {shape}. Give one {name} per element (shape {shape}), or a shape "
            "that numpy can stretch to it, e.g. one value per column."
        )


def reduce(values, reduction, divisor=None):
    """Apply `reduction` to per-element losses: their mean, their sum, or themselves.

    'mean' divides the sum by `divisor`, by default the number of values (a
    weighted cross-entropy divides by the sum of the weights instead).
    """
    if reduction == "none":
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    divisor = values.size if divisor is None else divisor
    if divisor == 0:
        return np.full((), np.nan, dtype=total.dtype)  # the mean of nothing, as in PyTorch
    return total / divisor


def reduction_scale(g, reduction, divisor):
    """The upstream gradient `g` as each element's loss receives it.

    'mean' divides it by the mean's `divisor`; 'sum' passes it to every element;
    'none' already has one gradient per element.
    """
    if reduction == "none":
        return g
    # A reduced loss is a scalar, so g is a 0-d array; as a numpy scalar of the same
    # dtype it divides and multiplies with far less of numpy's per-call overhead.
    g = g[()]
    if reduction == "sum":
        return g
    if divisor == 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / divisor  # inf or nan, as in PyTorch
    return g / divisor


def format_index(index, name="target"):
    """``target[2]`` or ``target[0, 3]`` (or ``target`` if 0-d): where an offending value sits."""
    if len(index) == 0:
        return name
    return name + "[" + ", ".join(str(int(i)) for i in index) + "]"
