"""Checks for chapter 1's best constant prediction, and which loss an outlier moves most.

If a model could predict only one number ``c`` for every target, the best
``c`` is the mean under MSE and the median under MAE; one outlier drags the
mean and hardly moves the median.
"""

import numpy as np

from .checks import Misconception, check_choice, check_function, choice_misconceptions
from ..nn import functional as F
from .reference import Named, value_of
from .registry import exercise


def _loss_of_arrays(name, loss):
    """mlcore's ``loss`` as a function of numpy arrays that shows as ``name`` in failure messages.

    A constant prediction (a number) is broadcast to the targets' shape first,
    as a numpy formula would, since mlcore's losses want equal shapes.
    """
    return Named(name, lambda y_hat, y: float(value_of(loss, np.broadcast_to(y_hat, np.shape(y)), y)))


MSE = _loss_of_arrays("mse", F.mse_loss)
MAE = _loss_of_arrays("mae", F.l1_loss)
HUBER = _loss_of_arrays("huber", F.huber_loss)

# Five measurements, one of them an outlier: the mean is 8, the median 3.
WITH_OUTLIER = np.array([1.0, 2.0, 3.0, 4.0, 30.0])
_GRID = np.linspace(0.0, 30.0, 61)
BEST_CONSTANT_CASES = [
    (WITH_OUTLIER, MSE, _GRID),
    (WITH_OUTLIER, MAE, _GRID),
    (WITH_OUTLIER, HUBER, _GRID),
    (np.array([2.0, -1.0, 0.5]), MSE, np.linspace(-2.0, 2.0, 9)),
]


def best_constant_cases(seed):
    """Hidden cases: nine random targets, one of them an outlier, under each loss."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(-5.0, 25.0, 301)
    y = np.append(rng.normal(2.0, 1.5, 8), rng.uniform(15.0, 25.0))
    return [(y, loss, grid) for loss in (MSE, MAE, HUBER)]


def _losses_of_constants(y, loss, candidates):
    return np.array([loss(np.full(np.shape(y), c), y) for c in candidates])


def reference_best_constant(y, loss, candidates):
    """The candidate ``c`` whose constant prediction ``c`` for every target has the least loss."""
    return candidates[int(np.argmin(_losses_of_constants(y, loss, candidates)))]


BEST_CONSTANT_MISCONCEPTIONS = [
    Misconception("the smallest loss was returned, not the constant that gives it",
                  lambda y, loss, candidates: np.min(_losses_of_constants(y, loss, candidates)),
                  "np.argmin(losses) is the position of the minimum; return the candidate there."),
    Misconception("the position of the best candidate was returned, not the candidate",
                  lambda y, loss, candidates: np.argmin(_losses_of_constants(y, loss, candidates)),
                  "Return candidates[position]."),
    Misconception("the largest loss was picked",
                  lambda y, loss, candidates:
                      candidates[np.argmax(_losses_of_constants(y, loss, candidates))],
                  "The best constant has the smallest loss (np.argmin)."),
]


@exercise(answer=reference_best_constant, misconceptions=BEST_CONSTANT_MISCONCEPTIONS,
          hidden_cases=best_constant_cases)
def check_best_constant(best_constant, cases=BEST_CONSTANT_CASES):
    """Check ``best_constant(y, loss, candidates)``, the candidate with the least loss."""
    check_function(best_constant, reference_best_constant, cases,
                   misconceptions=BEST_CONSTANT_MISCONCEPTIONS)


OUTLIER_EXPLANATIONS = {
    "mse": "squaring makes the outlier's error of 27 count 729 times as much as an error of 1, "
           "so the best constant moves from the median 3 to the mean 8.",
    "mae": "under MAE every error counts in proportion to its size, and the best constant "
           "is the median (3), which one outlier cannot drag far.",
    "huber": "beyond delta the Huber loss grows linearly, like MAE, so the outlier's pull "
             "is bounded; its best constant stays near the median.",
}


@exercise(answer="mse", misconceptions=choice_misconceptions(OUTLIER_EXPLANATIONS, "mse"))
def check_most_outlier_sensitive(answer):
    """Check the answer to: which loss's best constant does the outlier move most?"""
    check_choice(answer, "mse", name="most_outlier_sensitive", explanations=OUTLIER_EXPLANATIONS)
