"""Checks for chapter 1's gradients: d loss / d y_hat of MSE, MAE and Huber, by mlcore's autograd.

With ``r = y_hat - y`` and N elements: ``2 r / N``, ``sign(r) / N`` (0 at an
exact hit, as in PyTorch) and ``clip(r, -delta, delta) / N``.
"""

import numpy as np

from .checks import Misconception, check_function
from ..nn import functional as F
from .cases import HUBER_CASES, REGRESSION_CASES, huber_cases, regression_cases
from .reference import gradient_of
from .registry import exercise
from .regression_losses import divided_by_rows, element_count, residual


def reference_mse_grad(y_hat, y):
    """d MSE / d y_hat by mlcore's autograd: ``2 * (y_hat - y) / N``."""
    return gradient_of(F.mse_loss, y_hat, np.asarray(y, dtype=np.float64))


def reference_mae_grad(y_hat, y):
    """d MAE / d y_hat by mlcore's autograd: ``sign(y_hat - y) / N`` (0 at an exact hit)."""
    return gradient_of(F.l1_loss, y_hat, np.asarray(y, dtype=np.float64))


def reference_huber_grad(y_hat, y, delta=1.0):
    """d Huber / d y_hat by mlcore's autograd: ``clip(y_hat - y, -delta, delta) / N``."""
    return gradient_of(F.huber_loss, y_hat, np.asarray(y, dtype=np.float64), delta=delta)


MSE_GRAD_MISCONCEPTIONS = [
    Misconception("the sum was not averaged", lambda y_hat, y: 2 * residual(y_hat, y),
                  "The loss is a mean over N elements, so each element's slope is divided by N."),
    Misconception("the sign is wrong", lambda y_hat, y: -2 * residual(y_hat, y) / element_count(y_hat),
                  "The gradient points uphill: when y_hat is above y, raising y_hat raises the "
                  "loss, so the gradient is positive. Use y_hat - y, not y - y_hat."),
    Misconception("the factor 2 is missing ((y_hat - y) / N is the gradient of half the MSE)",
                  lambda y_hat, y: residual(y_hat, y) / element_count(y_hat),
                  "The derivative of r**2 is 2 * r."),
    Misconception("the gradient is for the wrong loss (sign(r) / N is the MAE's)",
                  lambda y_hat, y: np.sign(residual(y_hat, y)) / element_count(y_hat),
                  "The MSE's slope grows with the error: 2 * (y_hat - y) / N."),
    divided_by_rows(lambda y_hat, y: 2 * residual(y_hat, y) / len(y_hat)),
    Misconception("the squared errors were returned, not their slope",
                  lambda y_hat, y: residual(y_hat, y) ** 2 / element_count(y_hat),
                  "Differentiate r**2 with respect to y_hat."),
    Misconception("one number was returned (the mean of 2 * r), not one slope per element",
                  lambda y_hat, y: 2 * np.mean(residual(y_hat, y)),
                  "Each prediction has its own slope, 2 * r_i / N: return an array of the shape of "
                  "y_hat, and do not sum or average it."),
]

MAE_GRAD_MISCONCEPTIONS = [
    Misconception("the sum was not averaged", lambda y_hat, y: np.sign(residual(y_hat, y)),
                  "The loss is a mean over N elements: divide each slope by N."),
    Misconception("the sign is wrong", lambda y_hat, y: -np.sign(residual(y_hat, y)) / element_count(y_hat),
                  "Use sign(y_hat - y): the loss grows when y_hat moves away from y."),
    Misconception("the gradient is for the wrong loss (2 * r / N is the MSE's)",
                  lambda y_hat, y: 2 * residual(y_hat, y) / element_count(y_hat),
                  "The slope of |r| is +1 or -1, whatever the size of the error: sign(r) / N."),
    Misconception("r / |r| was used: 0 / 0 at an exact hit",
                  lambda y_hat, y: residual(y_hat, y) / np.abs(residual(y_hat, y)) / element_count(y_hat),
                  "Where y_hat equals y, |r| has no slope; PyTorch (and mlcore) use 0 there, "
                  "which is what np.sign gives."),
    Misconception("an exact hit (r = 0) got the slope +1: sign(0) was taken as +1, not 0",
                  lambda y_hat, y: np.where(residual(y_hat, y) >= 0, 1.0, -1.0) / element_count(y_hat),
                  "A prediction that equals its target must not be pushed: use 0 there, as the "
                  "statement says (np.sign(0) is 0; np.where(r >= 0, 1, -1) gives 1)."),
    Misconception("an exact hit (r = 0) got the slope -1: sign(0) was taken as -1, not 0",
                  lambda y_hat, y: np.where(residual(y_hat, y) > 0, 1.0, -1.0) / element_count(y_hat),
                  "A prediction that equals its target must not be pushed: use 0 there, as the "
                  "statement says (np.sign(0) is 0; np.where(r > 0, 1, -1) gives -1)."),
    divided_by_rows(lambda y_hat, y: np.sign(residual(y_hat, y)) / len(y_hat)),
    Misconception("|r| / N was returned, the error itself and not its slope",
                  lambda y_hat, y: np.abs(residual(y_hat, y)) / element_count(y_hat),
                  "The slope of |r| is sign(r)."),
]

HUBER_GRAD_MISCONCEPTIONS = [
    Misconception("the sum was not averaged",
                  lambda y_hat, y, delta=1.0: np.clip(residual(y_hat, y), -delta, delta),
                  "Divide by the number of elements."),
    Misconception("the sign is wrong",
                  lambda y_hat, y, delta=1.0:
                      -np.clip(residual(y_hat, y), -delta, delta) / element_count(y_hat),
                  "Differentiate with r = y_hat - y."),
    Misconception("the gradient is not clipped: (y_hat - y) / N is the gradient of half the MSE",
                  lambda y_hat, y, delta=1.0: residual(y_hat, y) / element_count(y_hat),
                  "Beyond |r| = delta the loss is linear, so its slope stays at +-delta: "
                  "np.clip(r, -delta, delta) / N."),
    Misconception("the gradient is for the wrong loss (2 * r / N is the MSE's)",
                  lambda y_hat, y, delta=1.0: 2 * residual(y_hat, y) / element_count(y_hat),
                  "The Huber loss is 0.5 * r**2 near the target: its slope there is r, not 2 * r."),
    Misconception("the gradient is for the wrong loss (sign(r) / N is the MAE's)",
                  lambda y_hat, y, delta=1.0: np.sign(residual(y_hat, y)) / element_count(y_hat),
                  "Near the target the Huber loss is squared, so its slope there is r / N."),
    divided_by_rows(lambda y_hat, y, delta=1.0: np.clip(residual(y_hat, y), -delta, delta) / len(y_hat)),
    Misconception("the linear part's slope is missing its factor delta "
                  "(sign(r) instead of delta * sign(r))",
                  lambda y_hat, y, delta=1.0: np.where(
                      np.abs(residual(y_hat, y)) <= delta, residual(y_hat, y),
                      np.sign(residual(y_hat, y))) / element_count(y_hat),
                  "Beyond |r| = delta the loss is delta * (|r| - delta / 2), whose slope is "
                  "delta * sign(r); with the slope r inside, that is np.clip(r, -delta, delta) / N."),
    Misconception("the gradient was clipped to [-1, 1] whatever delta is",
                  lambda y_hat, y, delta=1.0: np.clip(residual(y_hat, y), -1, 1) / element_count(y_hat),
                  "Clip to [-delta, delta]."),
    Misconception("this is the smooth L1 gradient (divided by delta)",
                  lambda y_hat, y, delta=1.0:
                      np.clip(residual(y_hat, y) / delta, -1, 1) / element_count(y_hat),
                  "The Huber loss is not divided by delta, so neither is its gradient."),
]


@exercise(answer=reference_mse_grad, misconceptions=MSE_GRAD_MISCONCEPTIONS, hidden_cases=regression_cases)
def check_mse_grad(mse_grad, cases=REGRESSION_CASES):
    """Check ``mse_grad(y_hat, y)``, d MSE / d y_hat, against mlcore's autograd."""
    check_function(mse_grad, reference_mse_grad, cases,
                   misconceptions=MSE_GRAD_MISCONCEPTIONS)


@exercise(answer=reference_mae_grad, misconceptions=MAE_GRAD_MISCONCEPTIONS, hidden_cases=regression_cases)
def check_mae_grad(mae_grad, cases=REGRESSION_CASES):
    """Check ``mae_grad(y_hat, y)``, d MAE / d y_hat, against mlcore's autograd."""
    check_function(mae_grad, reference_mae_grad, cases,
                   misconceptions=MAE_GRAD_MISCONCEPTIONS)


@exercise(answer=reference_huber_grad, misconceptions=HUBER_GRAD_MISCONCEPTIONS, hidden_cases=huber_cases)
def check_huber_grad(huber_grad, cases=HUBER_CASES):
    """Check ``huber_grad(y_hat, y, delta=1.0)``, d Huber / d y_hat, against mlcore's autograd."""
    check_function(huber_grad, reference_huber_grad, cases,
                   misconceptions=HUBER_GRAD_MISCONCEPTIONS)
