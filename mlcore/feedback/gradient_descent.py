"""Checks for chapter 3's gradient descent: the update loop, the steps to a tolerance, the
"Goldilocks" rate.

The learner's functions receive a gradient function (one of
:mod:`~mlcore.feedback.descent_problems`) and a start ``theta0``. The
references run ``mlcore.optim.SGD`` on a parameter whose ``.grad`` is set
from that function, so they make exactly the update ``theta - lr * grad``
that PyTorch's SGD makes (tests/test_feedback_gradient_descent.py checks
that against torch).
"""

import math

import numpy as np

from ..nn.parameter import Parameter
from ..optim import SGD
from .checks import Misconception, check_function
from .descent_problems import BOWL, DOUBLE_WELL, SHIFTED, SQUARE
from .mutation import MUTATED, check_inputs_unchanged
from .registry import exercise

__all__ = [
    "GOLDILOCKS_CASES", "GOLDILOCKS_MISCONCEPTIONS", "GRADIENT_DESCENT_CASES",
    "GRADIENT_DESCENT_MISCONCEPTIONS", "STEPS_CASES", "STEPS_MISCONCEPTIONS", "check_goldilocks_rate",
    "check_gradient_descent", "check_steps_to_tolerance", "gradient_descent_cases",
    "goldilocks_cases", "reference_goldilocks_rate", "reference_gradient_descent",
    "reference_steps_to_tolerance", "steps_cases",
]


def _sgd_iterates(grad, theta0, lr):
    """Endless iterates theta_0, theta_1, ... of mlcore's SGD with ``.grad = grad(theta)``."""
    theta = Parameter(np.array(theta0, dtype=np.float64))
    optimizer = SGD([theta], lr=lr)
    while True:
        yield theta.data.copy()
        theta.grad = np.asarray(grad(theta.data.copy()), dtype=np.float64)
        optimizer.step()


# ---- the loop ---------------------------------------------------------------------------

def reference_gradient_descent(grad, theta0, lr, num_steps):
    """The trajectory ``[theta_0, ..., theta_num_steps]`` of mlcore's SGD, shape (num_steps + 1, ...)."""
    iterates = _sgd_iterates(grad, theta0, lr)
    return np.array([next(iterates) for _ in range(num_steps + 1)])


def _hand_loop(step, rows="all"):
    """A loop written by hand with the update ``step(theta, g, lr)``; ``rows`` says which of the
    iterates it returns: ``"all"``, ``"no start"``, ``"one more"`` or ``"last"``."""
    def descend(grad, theta0, lr, num_steps):
        theta = np.array(theta0, dtype=np.float64)
        trajectory = [theta]
        for _ in range(num_steps + (rows == "one more")):
            theta = step(theta, grad(theta), lr)
            trajectory.append(theta)
        if rows == "last":
            return trajectory[-1]
        return np.array(trajectory[1:] if rows == "no start" else trajectory)
    return descend


def _descent(theta, g, lr):
    return theta - lr * g


def _same_array_every_row(grad, theta0, lr, num_steps):
    # theta -= ... on one array, appended after every step: every row is that one array.
    theta = np.array(theta0, dtype=np.float64)
    trajectory = [theta]
    for _ in range(num_steps):
        theta -= lr * grad(theta)
        trajectory.append(theta)
    return np.array(trajectory)


GRADIENT_DESCENT_MISCONCEPTIONS = [
    Misconception("ascent instead of descent (theta + lr * grad)",
                  _hand_loop(lambda theta, g, lr: theta + lr * g),
                  "The gradient points uphill, towards larger loss; step against it: "
                  "theta = theta - lr * grad(theta)."),
    Misconception("the rate applied twice (theta - lr * lr * grad)",
                  _hand_loop(lambda theta, g, lr: theta - lr * (lr * g)),
                  "Multiply the gradient by lr once: if step = lr * grad(theta), then theta = theta - step."),
    Misconception("every row is the same array (theta was changed in place after it was appended)",
                  _same_array_every_row,
                  "theta -= ... changes the array already in the list; append a copy, or write "
                  "theta = theta - lr * grad(theta), which makes a new array."),
    Misconception("the start theta0 is missing from the trajectory", _hand_loop(_descent, "no start"),
                  "The trajectory starts with theta0 itself: num_steps + 1 rows."),
    Misconception("one update too many", _hand_loop(_descent, "one more"),
                  "num_steps updates give num_steps + 1 points, theta0 included."),
    Misconception("only the last theta was returned, not the trajectory", _hand_loop(_descent, "last"),
                  "Return np.array of every iterate, theta0 first."),
]

# (grad, theta0, lr, num_steps): the parabola of the chapter (0.8**k), an elongated bowl, a
# minimum away from 0 (where ascent and descent differ in more than the sign), no step at all.
GRADIENT_DESCENT_CASES = [
    (SQUARE, np.array([1.0]), 0.1, 3),
    (BOWL, np.array([2.0, 1.0]), 0.05, 4),
    (SHIFTED, np.array([0.0, 0.0]), 0.25, 2),
    (DOUBLE_WELL, np.array([0.5, -0.5]), 0.1, 5),
    (SQUARE, np.array([3.0, -1.0]), 0.3, 0),
]


def _descends_theta0_in_place(grad, theta0, lr, num_steps):
    # theta = theta0 does not copy: theta -= ... walks the caller's array down the slope.
    theta = theta0
    trajectory = [theta.copy()]
    for _ in range(num_steps):
        theta -= lr * grad(theta)
        trajectory.append(theta.copy())
    return np.array(trajectory)


THETA0_MUTATED_HINT = ("theta = theta0 does not copy; theta -= lr * grad then changes the caller's theta0. "
                       "Start from theta = theta0.copy(), or write theta = theta - lr * grad(theta).")


def gradient_descent_cases(seed):
    """Hidden cases: random starts and rates on each of the problems."""
    rng = np.random.default_rng(seed)
    return [(grad, rng.uniform(-2.0, 2.0, 2), float(rng.uniform(0.01, 0.15)), int(rng.integers(3, 12)))
            for grad in (SQUARE, BOWL, SHIFTED, DOUBLE_WELL)]


@exercise(answer=reference_gradient_descent, hidden_cases=gradient_descent_cases,
          misconceptions=[Misconception(MUTATED, _descends_theta0_in_place, THETA0_MUTATED_HINT),
                          *GRADIENT_DESCENT_MISCONCEPTIONS])
def check_gradient_descent(gradient_descent, cases=GRADIENT_DESCENT_CASES):
    """Check ``gradient_descent(grad, theta0, lr, num_steps)``: the trajectory, with theta0 left alone."""
    check_inputs_unchanged(gradient_descent, reference_gradient_descent, cases, hint=THETA0_MUTATED_HINT)
    check_function(gradient_descent, reference_gradient_descent, cases,
                   misconceptions=GRADIENT_DESCENT_MISCONCEPTIONS)


# ---- steps to a tolerance ----------------------------------------------------------------

def reference_steps_to_tolerance(grad, theta0, lr, tol, max_steps):
    """The number of updates ``k`` of the first iterate with ``||grad(theta_k)|| < tol`` (0 for the
    start itself), or ``math.inf`` if none of theta_0 ... theta_max_steps gets there. (Below the
    tolerance, strictly, as the stopping rule of exercise 11 and section 3.7 test it.)"""
    for k, theta in zip(range(max_steps + 1), _sgd_iterates(grad, theta0, lr)):
        if np.linalg.norm(grad(theta)) < tol:
            return k
    return math.inf


def _counting(test, *, start_checked=True, never=math.inf, extra=0, last_checked=True):
    def steps(grad, theta0, lr, tol, max_steps):
        theta = np.array(theta0, dtype=np.float64)
        if start_checked and test(theta, grad(theta), tol):
            return 0 + extra
        for k in range(1, max_steps + last_checked):
            theta = theta - lr * grad(theta)
            if test(theta, grad(theta), tol):
                return k + extra
        return max_steps if never == "max_steps" else never
    return steps


def _gradient_small(theta, g, tol):
    return np.linalg.norm(g) < tol


STEPS_MISCONCEPTIONS = [
    Misconception("the iterates were counted, not the updates (one too many)",
                  _counting(_gradient_small, extra=1),
                  "theta0 is reached after 0 updates, theta1 after 1: return k for theta_k."),
    Misconception("the start was not tested before the first update",
                  _counting(_gradient_small, start_checked=False),
                  "If theta0 already meets the tolerance, no update is needed: return 0."),
    Misconception("the tolerance was applied to theta, not to the gradient",
                  _counting(lambda theta, g, tol: np.linalg.norm(theta) < tol),
                  "Stop when the gradient is small, np.linalg.norm(grad(theta)) < tol: the "
                  "minimum need not be at 0."),
    Misconception("the squared norm of the gradient was compared with tol",
                  _counting(lambda theta, g, tol: g @ g < tol),
                  "Compare the norm itself, np.linalg.norm(g), with tol."),
    Misconception("max_steps was returned when the tolerance was never reached",
                  _counting(_gradient_small, never="max_steps"),
                  "Return math.inf when no iterate meets the tolerance: max_steps would say it did."),
    Misconception("the last iterate of the budget was not tested (range(max_steps) instead of "
                  "range(max_steps + 1))",
                  _counting(_gradient_small, last_checked=False),
                  "max_steps updates lead to theta_max_steps, and it may be the first to meet the "
                  "tolerance: test theta_0 ... theta_max_steps, max_steps + 1 iterates."),
]

# (grad, theta0, lr, tol, max_steps): the parabola at lr 0.1 (factor 0.8: 11 updates to get
# |2 theta| < 0.2), the same with a budget of exactly those 11 updates, a start that already
# meets the tolerance, a minimum away from 0, a rate that diverges and one that oscillates for
# ever (both never get there).
STEPS_CASES = [
    (SQUARE, np.array([1.0]), 0.1, 0.2, 100),
    (SQUARE, np.array([1.0]), 0.1, 0.2, 11),
    (SQUARE, np.array([0.05]), 0.1, 0.2, 100),
    (SHIFTED, np.array([0.0, 0.0]), 0.1, 1e-3, 100),
    (BOWL, np.array([1.0, 1.0]), 0.15, 1e-2, 100),
    (SQUARE, np.array([1.0]), 1.0, 1e-3, 50),
    (SQUARE, np.array([1.0]), 0.02, 1e-2, 100),
]


def steps_cases(seed):
    """Hidden cases: random starts, rates (some too large) and tolerances on each problem."""
    rng = np.random.default_rng(seed)
    return [(grad, rng.uniform(-2.0, 2.0, 2), float(rng.uniform(0.02, top)), float(10 ** rng.uniform(-6, -2)), 300)
            for grad, top in ((SQUARE, 1.2), (BOWL, 0.25), (SHIFTED, 1.2))]


@exercise(answer=reference_steps_to_tolerance, misconceptions=STEPS_MISCONCEPTIONS, hidden_cases=steps_cases)
def check_steps_to_tolerance(steps_to_tolerance, cases=STEPS_CASES):
    """Check ``steps_to_tolerance(grad, theta0, lr, tol, max_steps)``."""
    check_function(steps_to_tolerance, reference_steps_to_tolerance, cases,
                   misconceptions=STEPS_MISCONCEPTIONS)


# ---- the Goldilocks rate -----------------------------------------------------------------

def reference_goldilocks_rate(grad, theta0, rates, tol, max_steps):
    """The rate in ``rates`` that needs the fewest updates to reach the tolerance (the first of
    equals), by :func:`reference_steps_to_tolerance`."""
    steps = [reference_steps_to_tolerance(grad, theta0, lr, tol, max_steps) for lr in rates]
    return rates[int(np.argmin(steps))]


def _steps_of_rates(grad, theta0, rates, tol, max_steps):
    return np.array([reference_steps_to_tolerance(grad, theta0, lr, tol, max_steps) for lr in rates])


def _largest_converging(grad, theta0, rates, tol, max_steps):
    steps = _steps_of_rates(grad, theta0, rates, tol, max_steps)
    return max(lr for lr, k in zip(rates, steps) if np.isfinite(k))


def _last_of_the_fastest(grad, theta0, rates, tol, max_steps):
    steps = _steps_of_rates(grad, theta0, rates, tol, max_steps)
    return rates[len(rates) - 1 - int(np.argmin(steps[::-1]))]


def _slowest_converging(grad, theta0, rates, tol, max_steps):
    steps = _steps_of_rates(grad, theta0, rates, tol, max_steps)
    return rates[int(np.argmax(np.where(np.isfinite(steps), steps, -1)))]


GOLDILOCKS_MISCONCEPTIONS = [
    Misconception("the number of steps was returned, not the rate",
                  lambda *args: np.min(_steps_of_rates(*args)),
                  "np.argmin(steps) is the position of the best rate: return rates[position]."),
    Misconception("the largest rate that converges was picked, not the fastest",
                  _largest_converging,
                  "Past 1/L the iterates zig-zag, and the zig-zag slows them down again: count the "
                  "steps of every rate and take the fewest."),
    Misconception("the slowest converging rate was picked (argmax instead of argmin)", _slowest_converging,
                  "The Goldilocks rate needs the fewest steps: np.argmin."),
    Misconception("the largest rate was picked", lambda grad, theta0, rates, tol, max_steps: max(rates),
                  "A larger rate is not always faster: above 2/L it never gets there."),
    Misconception("the last of the equally fast rates was returned, not the first", _last_of_the_fastest,
                  "When several rates need the same fewest steps, return the first of them in the list: "
                  "np.argmin returns the first position of the minimum; a test steps <= best keeps the last."),
]

# (grad, theta0, rates, tol, max_steps). On the parabola (L = 2) the rate 1/L = 0.5 lands in
# one step; 0.9 converges but zig-zags as slowly as 0.1 creeps; 1.2 diverges. Then a tie: 0.3
# and 0.32 both need 6 steps, and 0.3 comes first (0.32 ends with the smaller gradient, so a
# heuristic that ranks the rates by the gradient after a fixed number of steps picks it).
_RATES = [0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 1.2]
GOLDILOCKS_CASES = [
    (SQUARE, np.array([1.0]), _RATES, 1e-3, 200),
    (SQUARE, np.array([1.0]), [0.1, 0.3, 0.32], 1e-2, 200),
    (BOWL, np.array([1.0, 1.0]), [0.01, 0.05, 0.1, 0.15, 0.19, 0.25], 1e-3, 500),
    (SHIFTED, np.array([3.0, 0.0]), [0.2, 0.4, 0.45, 0.6, 0.8, 1.1], 1e-6, 300),
]


def goldilocks_cases(seed):
    """Hidden cases: ten random rates on each problem, some of them too large."""
    rng = np.random.default_rng(seed)
    return [(grad, rng.uniform(-2.0, 2.0, 2), sorted(float(lr) for lr in rng.uniform(0.01, top, 10)), 1e-4, 500)
            for grad, top in ((SQUARE, 1.2), (BOWL, 0.25), (SHIFTED, 1.2))]


@exercise(answer=reference_goldilocks_rate, misconceptions=GOLDILOCKS_MISCONCEPTIONS,
          hidden_cases=goldilocks_cases)
def check_goldilocks_rate(goldilocks_rate, cases=GOLDILOCKS_CASES):
    """Check ``goldilocks_rate(grad, theta0, rates, tol, max_steps)``: the fastest of the rates."""
    check_function(goldilocks_rate, reference_goldilocks_rate, cases,
                   misconceptions=GOLDILOCKS_MISCONCEPTIONS)
