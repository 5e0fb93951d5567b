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
from .unanswered import answered


def _loss_of_arrays(name, loss):
    """mlcore's ``loss`` as a function of numpy arrays that shows as ``name`` in failure messages.

    A constant prediction (a number) is broadcast to the targets' shape first,
    as a numpy formula would, since mlcore's losses want equal shapes.
    """
    return Named(name, lambda y_hat, y: float(value_of(loss, np.broadcast_to(y_hat, np.shape(y)), y)))


MSE = _loss_of_arrays("mse", F.mse_loss)
MAE = _loss_of_arrays("mae", F.l1_loss)
HUBER = _loss_of_arrays("huber", F.huber_loss)

# Five measurements, then the same with the last one made an outlier (exercise 9
# prints the best constants of both; its feedback quotes numbers computed from them).
WITHOUT_OUTLIER = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
WITH_OUTLIER = np.array([1.0, 2.0, 3.0, 4.0, 30.0])
OUTLIER_CANDIDATES = np.linspace(0.0, 30.0, 301)
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


def _centre(y):
    """'the mean and the median are both 3', or both numbers when they differ."""
    mean, median = float(np.mean(y)), float(np.median(y))
    if np.isclose(mean, median):
        return f"the mean and the median are both {mean:g}"
    return f"the mean is {mean:g} and the median {median:g}"


def best_constants_before_and_after(without=WITHOUT_OUTLIER, with_outlier=WITH_OUTLIER,
                                    candidates=OUTLIER_CANDIDATES):
    """``{loss name: (best constant without the outlier, with it)}`` for MSE, MAE and Huber."""
    return {name: (float(reference_best_constant(without, loss, candidates)),
                   float(reference_best_constant(with_outlier, loss, candidates)))
            for name, loss in (("mse", MSE), ("mae", MAE), ("huber", HUBER))}


def outlier_explanations(best, without=WITHOUT_OUTLIER, with_outlier=WITH_OUTLIER):
    """Why each loss's best constant moves as it does when ``without`` becomes ``with_outlier``
    (the two differ in their last element), with every number computed from the data and from
    ``best``, the constants ``best_constants_before_and_after`` found."""
    (mse_before, mse_after), (mae_before, mae_after), (huber_before, huber_after) = best.values()
    outlier = float(with_outlier[-1])
    error = outlier - mse_before
    mse_moves = f"MSE's moves from {mse_before:g} to {mse_after:g}"
    return {
        "mse": f"without the outlier {_centre(without)}, and MSE's best constant is {mse_before:g}. The "
               f"outlier {outlier:g} lies {error:g} away from it, and squaring makes its error count "
               f"{error**2:g} times as much as an error of 1, so MSE's best constant moves to "
               f"{mse_after:g}, the mean with the outlier ({_centre(with_outlier)}).",
        "mae": f"under MAE the best constant is the median, which only counts how many points lie on "
               f"each side: it is {mae_before:g} without the outlier and {mae_after:g} with it, "
               f"while {mse_moves}.",
        "huber": f"beyond delta the Huber loss grows linearly, like MAE, so the outlier's pull is bounded: "
                 f"its best constant is {huber_before:g} without the outlier and {huber_after:g} "
                 f"with it, while {mse_moves}.",
    }


@exercise(answer="mse",
          misconceptions=choice_misconceptions(outlier_explanations(best_constants_before_and_after()), "mse"))
def check_most_outlier_sensitive(answer):
    """Check the answer to: which loss's best constant does the outlier move most? (None: not answered yet.)"""
    best = best_constants_before_and_after()
    moves = {name: abs(after - before) for name, (before, after) in best.items()}
    check_choice(answered(answer), max(moves, key=moves.get), name="most_outlier_sensitive",
                 explanations=outlier_explanations(best))
