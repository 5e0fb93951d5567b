"""Binary cross-entropy: one yes/no probability per element (chapter 2).

For a predicted probability ``p`` that the answer is "yes" and a target ``y``
(1 for yes, 0 for no, or anything in between for soft labels), the loss is
``-(y log p + (1 - y) log(1 - p))``: cross-entropy with two classes.
"""

import numpy as np

from ...tensor import Tensor
from ._loss_inputs import (as_prediction, as_target, check_broadcasts_to, check_reduction,
                           check_same_shape, constant_array, float_target, format_index, reduce,
                           reduction_scale)

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits"]

# PyTorch clamps each log at -100, so p = 0 or 1 gives a large finite loss, not inf.
_LOG_FLOOR = -100.0
# ...and keeps the gradient's denominator p * (1 - p) at least 1e-12, stored as a
# float32 (9.99999996e-13), which is what makes the gradient at p = 0 or 1 match its exactly.
_EPSILON = float(np.float32(1e-12))


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """Binary cross-entropy of probabilities (chapter 2).

    ``loss_i = -w_i * (y_i * log(p_i) + (1 - y_i) * log(1 - p_i))``, where each
    log is clamped at -100 as in PyTorch. ``input`` holds probabilities in
    [0, 1] (e.g. after a sigmoid); raw scores belong in
    :func:`binary_cross_entropy_with_logits`, which is also more accurate.
    The gradient is ``w_i * (p_i - y_i) / (p_i * (1 - p_i))``. ``weight`` is
    broadcast to the input's shape. As ``torch.nn.functional.binary_cross_entropy``.
    """
    fn_name = "binary_cross_entropy"
    check_reduction(reduction, fn_name)
    input = as_prediction(input, fn_name)
    target_array, target_tensor = as_target(target)
    check_same_shape(fn_name, input.shape, target_array.shape)
    _check_probabilities(input.data)
    weight = _elementwise_weight(weight, "weight", input, fn_name)
    p = input.data
    y = float_target(target_array, input, fn_name)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), _LOG_FLOOR)
        log_not_p = np.maximum(np.log1p(-p), _LOG_FLOOR)
    losses = (y - 1) * log_not_p - y * log_p
    if weight is not None:
        losses = losses * weight
    out = reduce(losses, reduction)
    parents = (input,) if target_tensor is None else (input, target_tensor)

    def backward(g):
        scale = reduction_scale(g, reduction, p.size)
        if weight is not None:
            scale = scale * weight
        grad_input = grad_target = None
        if input.requires_grad:
            grad_input = scale * (p - y) / np.maximum(p * (1 - p), _EPSILON)
        if target_tensor is not None and target_tensor.requires_grad:
            # d loss / d y = log(1 - p) - log(p) = -logit(p), unclamped as in PyTorch.
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_target = -scale * np.log(p / (1 - p))
            grad_target = grad_target.astype(target_tensor.dtype, copy=False)
        return (grad_input, grad_target)[:len(parents)]

    return Tensor.from_op(out, parents, fn_name, backward)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """Binary cross-entropy of raw scores (logits) (chapter 2): sigmoid and BCE in one.

    With ``p = sigmoid(x)``, ``loss_i = -w_i * (pw * y_i * log(p_i) + (1 - y_i) * log(1 - p_i))``,
    computed as ``(1 - y) * x - (1 + (pw - 1) * y) * log_sigmoid(x)`` with
    ``log_sigmoid(x) = min(x, 0) - log(1 + exp(-|x|))``, which never overflows:
    logits of +-1000 give finite losses. The gradient is ``w_i * (p_i - y_i)``
    without ``pos_weight``. ``pos_weight`` (pw) scales the loss of the positive
    examples, broadcast along the last axis (one per class); ``weight`` is
    broadcast to the input's shape. As ``torch.nn.functional.binary_cross_entropy_with_logits``.
    """
    fn_name = "binary_cross_entropy_with_logits"
    check_reduction(reduction, fn_name)
    input = as_prediction(input, fn_name)
    target_array, target_tensor = as_target(target)
    check_same_shape(fn_name, input.shape, target_array.shape)
    weight = _elementwise_weight(weight, "weight", input, fn_name)
    pos_weight = _elementwise_weight(pos_weight, "pos_weight", input, fn_name)
    x = input.data
    y = float_target(target_array, input, fn_name)
    exp_minus_abs = np.exp(-np.abs(x))
    log_sigmoid = np.minimum(x, 0) - np.log1p(exp_minus_abs)
    # How much log(p) counts: 1 + (pw - 1) * y, i.e. pw for positives, 1 for negatives.
    log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
    losses = (1 - y) * x - log_weight * log_sigmoid
    if weight is not None:
        losses = losses * weight
    out = reduce(losses, reduction)
    parents = (input,) if target_tensor is None else (input, target_tensor)

    def backward(g):
        scale = reduction_scale(g, reduction, x.size)
        if weight is not None:
            scale = scale * weight
        grad_input = grad_target = None
        if input.requires_grad:
            sigmoid = np.where(x >= 0, 1, exp_minus_abs) / (1 + exp_minus_abs)
            if pos_weight is None:
                grad_input = scale * (sigmoid - y)
            else:
                grad_input = scale * (log_weight * sigmoid - pos_weight * y)
        if target_tensor is not None and target_tensor.requires_grad:
            if pos_weight is None:
                grad_target = -scale * x
            else:
                # d loss / d y = log_sigmoid(-x) - pw * log_sigmoid(x), written as PyTorch does.
                log_sigmoid_of_minus_x = np.minimum(-x, 0) - np.log1p(exp_minus_abs)
                grad_target = scale * (log_sigmoid_of_minus_x - pos_weight * log_sigmoid)
            grad_target = grad_target.astype(target_tensor.dtype, copy=False)
        return (grad_input, grad_target)[:len(parents)]

    return Tensor.from_op(out, parents, fn_name, backward)


def _check_probabilities(p):
    """Refuse inputs outside [0, 1], naming one and pointing to the logits version."""
    outside = ~((p >= 0) & (p <= 1))  # also catches nan
    if outside.any():
        position = np.unravel_index(np.argmax(outside), p.shape)
        raise ValueError(
            f"binary_cross_entropy: the input must hold probabilities in [0, 1], but "
            f"{format_index(position, 'input')} = {p[position]}. If the input is raw scores "
            "(logits), for example a Linear layer's output, pass them to "
            "binary_cross_entropy_with_logits (or nn.BCEWithLogitsLoss) instead: it applies the "
            "sigmoid itself, in a numerically stable way. Otherwise apply .sigmoid() first."
        )


def _elementwise_weight(value, name, input, fn_name):
    """`weight` or `pos_weight` as an array that broadcasts to the input's shape, or None."""
    array = constant_array(value, name, fn_name, input.dtype)
    if array is not None:
        check_broadcasts_to(array, name, input.shape, fn_name)
    return array
