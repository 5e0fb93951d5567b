"""Binary cross-entropy: one yes/no probability per element (chapter 2).

For a predicted probability ``p`` that the answer is "yes" and a target ``y``
(1 for yes, 0 for no, or anything in between for soft labels), the loss is
``-(y log p + (1 - y) log(1 - p))``: cross-entropy with two classes.
"""

import numpy as np

from ._loss_inputs import (check_broadcasts_to, constant_array, format_index, reduce,
                           reduction_scale, same_shape_inputs)
from ._loss_node import loss_node

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
    input, y, target_tensor = same_shape_inputs(fn_name, input, target, reduction)
    _check_probabilities(input.data)
    weight = _elementwise_weight(weight, "weight", input, fn_name)
    p = input.data
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), _LOG_FLOOR)
        log_not_p = np.maximum(np.log1p(-p), _LOG_FLOOR)
    losses = (y - 1) * log_not_p - y * log_p
    if weight is not None:
        losses = losses * weight

    def grad_input(g):
        return _scale(g, reduction, weight, p.size) * (p - y) / np.maximum(p * (1 - p), _EPSILON)

    def grad_target(g):
        # d loss / d y = log(1 - p) - log(p) = -logit(p), unclamped as in PyTorch.
        with np.errstate(divide="ignore", invalid="ignore"):
            return -_scale(g, reduction, weight, p.size) * np.log(p / (1 - p))

    return loss_node(fn_name, reduce(losses, reduction), input, target_tensor, grad_input,
                     grad_target)


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
    input, y, target_tensor = same_shape_inputs(fn_name, input, target, reduction)
    weight = _elementwise_weight(weight, "weight", input, fn_name)
    pos_weight = _elementwise_weight(pos_weight, "pos_weight", input, fn_name)
    x = input.data
    exp_minus_abs = np.exp(-np.abs(x))
    log_sigmoid = np.minimum(x, 0) - np.log1p(exp_minus_abs)
    # How much log(p) counts: 1 + (pw - 1) * y, i.e. pw for positives, 1 for negatives.
    log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
    losses = (1 - y) * x - log_weight * log_sigmoid
    if weight is not None:
        losses = losses * weight

    def grad_input(g):
        sigmoid = np.where(x >= 0, 1, exp_minus_abs) / (1 + exp_minus_abs)
        slope = sigmoid - y if pos_weight is None else log_weight * sigmoid - pos_weight * y
        return _scale(g, reduction, weight, x.size) * slope

    def grad_target(g):
        if pos_weight is None:
            slope = -x
        else:
            # d loss / d y = log_sigmoid(-x) - pw * log_sigmoid(x), written as PyTorch does.
            log_sigmoid_of_minus_x = np.minimum(-x, 0) - np.log1p(exp_minus_abs)
            slope = log_sigmoid_of_minus_x - pos_weight * log_sigmoid
        return _scale(g, reduction, weight, x.size) * slope

    return loss_node(fn_name, reduce(losses, reduction), input, target_tensor, grad_input,
                     grad_target)


def _scale(g, reduction, weight, size):
    """The upstream gradient as each element's loss receives it, times the element's weight."""
    scale = reduction_scale(g, reduction, size)
    return scale if weight is None else scale * weight


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
