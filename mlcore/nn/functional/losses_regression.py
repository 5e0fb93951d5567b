"""Regression losses: how far predictions are from real-valued targets (chapter 1).

Each loss is a function of the error ``d = y_hat - y`` of every element, then
a reduction ('mean', 'sum' or 'none'). So each one is written as two short
rules side by side: the loss of one error ``d``, and its gradient by the chain
rule: the slope (derivative) of that loss at ``d`` times the upstream gradient ``g``.

Prediction and target must have the same shape. PyTorch broadcasts a
prediction of shape (N, 1) against a target of shape (N,) to (N, N), with only
a warning; mlcore refuses, and says how to fix the shapes.
"""

import numpy as np

from ._checks import real_number
from ._loss_inputs import reduce, reduction_scale, same_shape_inputs
from ._loss_node import loss_node

__all__ = ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss"]


def _pointwise_loss(fn_name, input, target, reduction, loss_of_error, gradient_of_error):
    """Build the fused op ``reduce(loss_of_error(input - target))`` with its backward.

    d loss / d input = ``gradient_of_error(d, g)``: the slope at each error d times
    the gradient g that reaches it through the reduction. d loss / d target is its
    negative (the target enters the error with a minus sign), as in PyTorch.
    """
    input, y, target_tensor = same_shape_inputs(fn_name, input, target, reduction)
    error = input.data - y

    def grad_input(g):
        return gradient_of_error(error, reduction_scale(g, reduction, error.size))

    return loss_node(fn_name, reduce(loss_of_error(error), reduction), input, target_tensor,
                     grad_input, lambda g: -grad_input(g))


def mse_loss(input, target, reduction="mean"):
    """Mean squared error (chapter 1): ``MSE = 1/N * sum_i (y_hat_i - y_i)^2``.

    Squaring makes large errors count much more than small ones, so MSE is
    sensitive to outliers. Its gradient with respect to a prediction is
    ``2 * (y_hat_i - y_i) / N``. As ``torch.nn.functional.mse_loss``.
    """
    # 2 * g first: for a reduced loss g is a number, so only one product runs over the errors.
    return _pointwise_loss("mse_loss", input, target, reduction,
                           lambda d: d * d, lambda d, g: 2 * g * d)


def l1_loss(input, target, reduction="mean"):
    """Mean absolute error, MAE or L1 (chapter 1): ``MAE = 1/N * sum_i |y_hat_i - y_i|``.

    Every error counts in proportion to its size, so outliers weigh less than
    in MSE. Its gradient is ``sign(y_hat_i - y_i) / N``: the same size however
    close the prediction is (0 at an exact hit). As ``torch.nn.functional.l1_loss``.
    """
    return _pointwise_loss("l1_loss", input, target, reduction, np.abs, _l1_gradient)


def _l1_gradient(d, g):
    """The slope of |d|, sign(d) (0 at d = 0, as in PyTorch), times the upstream gradient."""
    return np.sign(d) * g


def huber_loss(input, target, reduction="mean", delta=1.0):
    """Huber loss (chapter 1): squared for small errors, absolute for large ones.

    With ``d = y_hat - y``: ``0.5 * d^2`` if ``|d| < delta``, otherwise
    ``delta * (|d| - 0.5 * delta)``. The gradient is ``d`` clipped to
    ``[-delta, delta]``: like MSE near the target, like L1 (bounded) for outliers.
    As ``torch.nn.functional.huber_loss``.
    """
    check_delta(delta, "huber_loss")

    def loss_of_error(d):
        size = np.abs(d)
        return np.where(size < delta, 0.5 * d * d, delta * (size - 0.5 * delta))

    return _pointwise_loss("huber_loss", input, target, reduction, loss_of_error,
                           lambda d, g: np.clip(d, -delta, delta) * g)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """Smooth L1 loss (chapter 1): Huber loss divided by ``beta``.

    With ``d = y_hat - y``: ``0.5 * d^2 / beta`` if ``|d| < beta``, otherwise
    ``|d| - 0.5 * beta``. The gradient is ``d / beta`` clipped to ``[-1, 1]``;
    ``beta=0`` gives exactly the L1 loss. As ``torch.nn.functional.smooth_l1_loss``.
    """
    check_beta(beta, "smooth_l1_loss")
    if beta == 0:
        return _pointwise_loss("smooth_l1_loss", input, target, reduction, np.abs, _l1_gradient)

    def loss_of_error(d):
        size = np.abs(d)
        return np.where(size < beta, 0.5 * d * d / beta, size - 0.5 * beta)

    return _pointwise_loss("smooth_l1_loss", input, target, reduction, loss_of_error,
                           lambda d, g: np.clip(d / beta, -1, 1) * g)


def check_delta(delta, fn_name):
    """Refuse a Huber ``delta`` that is not a positive number (``nn.HuberLoss`` checks it too)."""
    meaning = ("It is the error size where the loss changes from squared to absolute. "
               "The default is delta=1.0.")
    real_number(fn_name, "delta", delta, meaning)
    if not delta > 0:
        raise ValueError(f"{fn_name}: delta={delta} must be positive. {meaning}")


def check_beta(beta, fn_name):
    """Refuse a smooth-L1 ``beta`` that is not a number >= 0 (``nn.SmoothL1Loss`` checks it too)."""
    meaning = ("It is the error size where the loss changes from squared to absolute "
               "(beta=0 is the L1 loss). The default is beta=1.0.")
    real_number(fn_name, "beta", beta, meaning)
    if not beta >= 0:
        raise ValueError(f"{fn_name}: beta={beta} must be zero or positive. {meaning}")
