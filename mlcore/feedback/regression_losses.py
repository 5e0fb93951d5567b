"""Checks for chapter 1's losses: MSE, MAE, Huber, and PyTorch's reductions.

References come from ``mlcore.nn.functional``; each misconception is the
formula a learner who makes that mistake would write, with ``r = y_hat - y``
the residual of each element, or mlcore's loss where the mistake only changes
its reduction, delta or scale.
"""

import contextlib
import io

import numpy as np

from .checks import FAIL_MARK, CheckFailed, Misconception, check_function, format_value
from ..nn import functional as F
from .cases import (HUBER_CASES, REDUCTION_CASES, REGRESSION_CASES, WORKED_EXAMPLE, huber_cases, reduction_cases,
                    regression_cases)
from .reference import value_of
from .registry import exercise


def residual(y_hat, y):
    """``y_hat - y`` as float64 arrays: the error of every element."""
    return np.asarray(y_hat, dtype=np.float64) - np.asarray(y, dtype=np.float64)


def element_count(y_hat):
    """N, the number of elements a 'mean' divides by."""
    return np.size(y_hat)


def divided_by_rows(variant):
    """The misconception of dividing by ``len(y_hat)`` (rows) instead of ``y_hat.size`` (elements)."""
    return Misconception("the sum was divided by the number of rows, not of elements", variant,
                         "len(y_hat) counts only the rows of a 2-D array; y_hat.size counts every "
                         "element, and the mean is over every element.")


def reference_mse(y_hat, y):
    """MSE by mlcore: ``mean((y_hat - y)^2)``."""
    return value_of(F.mse_loss, y_hat, y)


def reference_mae(y_hat, y):
    """MAE by mlcore: ``mean(|y_hat - y|)``."""
    return value_of(F.l1_loss, y_hat, y)


def reference_huber(y_hat, y, delta=1.0):
    """Huber loss by mlcore, averaged over the elements."""
    return value_of(F.huber_loss, y_hat, y, delta=delta)


MSE_MISCONCEPTIONS = [
    Misconception("the sum was not averaged", lambda y_hat, y: np.sum(residual(y_hat, y) ** 2),
                  "MSE is the mean: divide the sum of squared errors by the number of elements "
                  "(np.mean does both)."),
    divided_by_rows(lambda y_hat, y: np.sum(residual(y_hat, y) ** 2) / len(y_hat)),
    Misconception("the errors were not squared", lambda y_hat, y: np.mean(residual(y_hat, y)),
                  "Positive and negative errors cancel in a plain mean; square each error first."),
    Misconception("the mean error was squared (np.mean(r)**2), not the squared errors averaged",
                  lambda y_hat, y: np.mean(residual(y_hat, y)) ** 2,
                  "Averaging first lets errors of opposite signs cancel before they are squared; "
                  "square each error, then average: np.mean(r**2)."),
    Misconception("the absolute value was taken instead of the square (that is the MAE)",
                  lambda y_hat, y: np.mean(np.abs(residual(y_hat, y))), "Square each error."),
    Misconception("the square root was taken (that is the RMSE)",
                  lambda y_hat, y: np.sqrt(np.mean(residual(y_hat, y) ** 2)),
                  "MSE stops at the mean of the squares."),
    Misconception("a factor 1/2 was added", lambda y_hat, y: 0.5 * np.mean(residual(y_hat, y) ** 2),
                  "Some texts halve the squared error to tidy its derivative; PyTorch's MSELoss "
                  "does not."),
    Misconception("the mean was taken over axis 0 only, which leaves one number per column of a 2-D input",
                  lambda y_hat, y: np.mean(residual(y_hat, y) ** 2, axis=0),
                  "A loss is one number: np.mean without an axis averages every element, whatever the shape."),
]

MAE_MISCONCEPTIONS = [
    Misconception("the sum was not averaged", lambda y_hat, y: np.sum(np.abs(residual(y_hat, y))),
                  "MAE is the mean of the absolute errors: divide by the number of elements."),
    divided_by_rows(lambda y_hat, y: np.sum(np.abs(residual(y_hat, y))) / len(y_hat)),
    Misconception("the absolute value is missing", lambda y_hat, y: np.mean(residual(y_hat, y)),
                  "A prediction 2 too high and one 2 too low would average to a perfect 0; "
                  "take np.abs of each error first."),
    Misconception("the errors were squared (that is the MSE)",
                  lambda y_hat, y: np.mean(residual(y_hat, y) ** 2),
                  "MAE takes the absolute value, so every error counts in proportion to its size."),
]

HUBER_MISCONCEPTIONS = [
    Misconception("the sum was not averaged",
                  lambda y_hat, y, delta=1.0: value_of(F.huber_loss, y_hat, y, delta=delta,
                                                       reduction="sum"),
                  "Average the per-element losses."),
    Misconception("the two branches are swapped",
                  lambda y_hat, y, delta=1.0: np.mean(np.where(
                      np.abs(residual(y_hat, y)) < delta,
                      delta * (np.abs(residual(y_hat, y)) - 0.5 * delta), 0.5 * residual(y_hat, y) ** 2)),
                  "Small errors (|r| < delta) are squared, large ones grow linearly."),
    Misconception("the 1/2 of the squared part is missing",
                  lambda y_hat, y, delta=1.0: np.mean(np.where(
                      np.abs(residual(y_hat, y)) < delta, residual(y_hat, y) ** 2,
                      delta * (np.abs(residual(y_hat, y)) - 0.5 * delta))),
                  "The squared part is 0.5 * r**2, so that its slope r meets the linear part's "
                  "slope delta at |r| = delta."),
    Misconception("the linear part does not subtract delta / 2",
                  lambda y_hat, y, delta=1.0: np.mean(np.where(
                      np.abs(residual(y_hat, y)) < delta, 0.5 * residual(y_hat, y) ** 2,
                      delta * np.abs(residual(y_hat, y)))),
                  "Without the - 0.5 * delta the loss jumps at |r| = delta; "
                  "use delta * (|r| - 0.5 * delta)."),
    Misconception("the linear part is missing its factor delta (|r| - delta / 2)",
                  lambda y_hat, y, delta=1.0: np.mean(np.where(
                      np.abs(residual(y_hat, y)) < delta, 0.5 * residual(y_hat, y) ** 2,
                      np.abs(residual(y_hat, y)) - 0.5 * delta)),
                  "The linear part must meet the squared part at |r| = delta with the same value "
                  "(delta**2 / 2) and the same slope (delta); |r| - delta / 2 has slope 1 and jumps "
                  "there unless delta = 1. Use delta * (np.abs(r) - 0.5 * delta)."),
    Misconception("the branch was chosen by r < delta instead of |r| < delta",
                  lambda y_hat, y, delta=1.0: np.mean(np.where(
                      residual(y_hat, y) < delta, 0.5 * residual(y_hat, y) ** 2,
                      delta * (np.abs(residual(y_hat, y)) - 0.5 * delta))),
                  "A large negative error is a large error too: compare np.abs(r) with delta."),
    Misconception("delta was ignored (the loss always uses 1)",
                  lambda y_hat, y, delta=1.0: reference_huber(y_hat, y),
                  "Use the delta argument in both the test and the linear part."),
    Misconception("this is the smooth L1 loss (Huber divided by delta)",
                  lambda y_hat, y, delta=1.0: value_of(F.smooth_l1_loss, y_hat, y, beta=delta),
                  "PyTorch's SmoothL1Loss(beta) is HuberLoss(delta=beta) / beta; the Huber loss "
                  "is not divided."),
]


@exercise(answer=reference_mse, misconceptions=MSE_MISCONCEPTIONS, hidden_cases=regression_cases)
def check_mse(mse, cases=REGRESSION_CASES):
    """Check ``mse(y_hat, y)``, the mean squared error, against mlcore's ``mse_loss``."""
    check_function(mse, reference_mse, cases, misconceptions=MSE_MISCONCEPTIONS)


@exercise(answer=reference_mae, misconceptions=MAE_MISCONCEPTIONS, hidden_cases=regression_cases)
def check_mae(mae, cases=REGRESSION_CASES):
    """Check ``mae(y_hat, y)``, the mean absolute error, against mlcore's ``l1_loss``."""
    check_function(mae, reference_mae, cases, misconceptions=MAE_MISCONCEPTIONS)


@exercise(answer=reference_huber, misconceptions=HUBER_MISCONCEPTIONS, hidden_cases=huber_cases)
def check_huber(huber, cases=HUBER_CASES):
    """Check ``huber(y_hat, y, delta=1.0)`` against mlcore's ``huber_loss`` for several deltas."""
    check_function(huber, reference_huber, cases, misconceptions=HUBER_MISCONCEPTIONS)


# ---- reductions ---------------------------------------------------------------

def reference_l1_loss(y_hat, y, reduction="mean"):
    """PyTorch's ``l1_loss`` with its ``reduction``, by mlcore."""
    return value_of(F.l1_loss, y_hat, y, reduction=reduction)


def _reduce(values, reduction):
    return {"mean": np.mean, "sum": np.sum}.get(reduction, lambda v: v)(values)


L1_REDUCTION_MISCONCEPTIONS = [
    Misconception("the reduction argument was ignored (always the mean)",
                  lambda y_hat, y, reduction="mean": np.mean(np.abs(residual(y_hat, y))),
                  "With 'sum' the element losses are added; 'none' returns them one per element."),
    Misconception("'none' returned the signed errors",
                  lambda y_hat, y, reduction="mean": (residual(y_hat, y) if reduction == "none"
                                                      else _reduce(np.abs(residual(y_hat, y)), reduction)),
                  "The reduction 'none' skips only the reduction: each element's loss is still |y_hat - y|."),
    Misconception("'none' flattened the losses",
                  lambda y_hat, y, reduction="mean": (np.abs(residual(y_hat, y)).ravel()
                                                      if reduction == "none"
                                                      else _reduce(np.abs(residual(y_hat, y)), reduction)),
                  "Keep the input's shape, so that each loss stays next to its prediction."),
    Misconception("'sum' and 'mean' are swapped",
                  lambda y_hat, y, reduction="mean": _reduce(
                      np.abs(residual(y_hat, y)), {"sum": "mean", "mean": "sum"}.get(reduction, reduction)),
                  "The reduction 'mean' divides the sum by the number of elements."),
]


REDUCTIONS = ("mean", "sum", "none")
UNNAMED_REDUCTIONS = "the ValueError does not name the valid reductions"


def _l1_loss_with_a_bare_value_error(y_hat, y, reduction="mean"):
    if reduction not in REDUCTIONS:
        raise ValueError("invalid reduction")
    return reference_l1_loss(y_hat, y, reduction)


@exercise(answer=reference_l1_loss, hidden_cases=reduction_cases,
          misconceptions=L1_REDUCTION_MISCONCEPTIONS + [
              Misconception(UNNAMED_REDUCTIONS, _l1_loss_with_a_bare_value_error)])
def check_l1_loss(l1_loss, cases=REDUCTION_CASES):
    """Check ``l1_loss(y_hat, y, reduction='mean')`` for the three reductions, and that an
    unknown reduction raises ``ValueError`` (as PyTorch's does) whose message names the three."""
    with contextlib.redirect_stdout(io.StringIO()) as report:
        check_function(l1_loss, reference_l1_loss, cases,
                       misconceptions=L1_REDUCTION_MISCONCEPTIONS)
    y_hat, y = WORKED_EXAMPLE
    try:
        result = l1_loss(y_hat.copy(), y.copy(), reduction="average")
    except ValueError as error:
        missing = [name for name in REDUCTIONS if name not in str(error)]
        if missing:
            raise CheckFailed(f"{FAIL_MARK} l1_loss(..., reduction='average') raised ValueError: {error}. "
                              f"Right exception; now let its message name the valid reductions "
                              f"({', '.join(map(repr, missing))} missing), so that whoever made the typo "
                              f"reads what to write instead.", UNNAMED_REDUCTIONS,
                              f"l1_loss(..., reduction='average') raised ValueError: {error}") from None
        print(report.getvalue(), end="")
        return
    except Exception as error:  # noqa: BLE001 -- any other exception is the mistake to explain
        raise CheckFailed(f"{FAIL_MARK} l1_loss(..., reduction='average') raised "
                          f"{type(error).__name__}: {error}. Raise ValueError instead (the usual "
                          "exception for a bad argument value), naming the valid reductions.") from None
    raise CheckFailed(f"{FAIL_MARK} l1_loss(..., reduction='average') returned {format_value(result)} "
                      "instead of raising ValueError. An unknown reduction is a typo to report, "
                      "not something to guess at: raise ValueError naming 'mean', 'sum' and 'none'.")
