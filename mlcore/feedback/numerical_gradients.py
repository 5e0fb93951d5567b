"""Checks for chapter 4's numerical derivatives: a central-difference gradient, and choosing h.

``numerical_grad(f, x, h)`` estimates every partial derivative of a scalar
function ``f`` of an array ``x`` by central differences. The reference does
exactly that (it is the method asked for); tests/test_feedback_chain_rule.py
checks that it agrees with PyTorch's autograd to the accuracy the method has.

Choosing ``h`` has no single right value, so that check is the one special
piece of logic here: an ``h`` passes if it lies within a factor of 30 of the
best step of the error model ``truncation + round-off`` (sqrt(eps) for
forward differences, eps**(1/3) for central ones), and a wrong one is
explained with the errors it gives on ``sin`` at ``x = 1``.
"""

import numpy as np

from .checks import FAIL_MARK, PASS_MARK, CheckFailed, Misconception, as_float_array, check_function, format_value
from .reference import Named
from .registry import Answers, exercise
from .unanswered import answered

__all__ = ["EPS", "best_steps", "check_numerical_grad", "check_step_sizes", "gradient_cases",
           "reference_numerical_grad"]

EPS = float(np.finfo(np.float64).eps)


# The functions the checks differentiate: module-level, and each bound to a module-level Named
# (below), so that a failure message shows its name and mlcore-grade's kernel imports it by name.
def sum_of_squares(x):
    """sum(x**2); its gradient is 2x."""
    return float(np.sum(x ** 2))


def sum_of_sines(x):
    """sum(sin(x)); its gradient is cos(x)."""
    return float(np.sum(np.sin(x)))


def product_of_entries(x):
    """prod(x); each partial derivative is the product of the other entries."""
    return float(np.prod(x))


def log_sum_exp(x):
    """log(sum(exp(x))); its gradient is softmax(x) (chapter 2)."""
    return float(np.log(np.sum(np.exp(x))))


def weighted_cubes(x):
    """sum(k * x_k**3) over the flattened entries; the gradient is 3 k x_k**2."""
    weights = np.arange(1, x.size + 1).reshape(x.shape)
    return float(np.sum(weights * x ** 3))


SUM_OF_SQUARES = Named("sum_of_squares", sum_of_squares)
SUM_OF_SINES = Named("sum_of_sines", sum_of_sines)
PRODUCT_OF_ENTRIES = Named("product_of_entries", product_of_entries)
LOG_SUM_EXP = Named("log_sum_exp", log_sum_exp)
WEIGHTED_CUBES = Named("weighted_cubes", weighted_cubes)

# (f, x, h): one entry, a vector, a matrix (any shape must work), a product, whose partial
# derivatives differ from entry to entry, and a function whose curvature makes forward
# differences visibly worse at h = 1e-3.
GRADIENT_CASES = [
    (SUM_OF_SQUARES, np.array([1.5]), 1e-3),
    (SUM_OF_SINES, np.array([0.5, -1.0, 2.0]), 1e-3),
    (PRODUCT_OF_ENTRIES, np.array([[1.0, -2.0], [0.5, 3.0]]), 1e-4),
    (LOG_SUM_EXP, np.array([0.3, -0.7, 1.1, 0.0]), 1e-4),
    (WEIGHTED_CUBES, np.array([[0.4, -1.2, 2.0], [1.0, 0.1, -0.5]]), 1e-3),
]


def gradient_cases(seed):
    """Hidden cases: each function on a random array of a random shape, with h of 1e-3 or 1e-4."""
    rng = np.random.default_rng(seed)
    cases = []
    for f in (SUM_OF_SQUARES, SUM_OF_SINES, PRODUCT_OF_ENTRIES, LOG_SUM_EXP, WEIGHTED_CUBES):
        shape = tuple(rng.integers(1, 4, rng.integers(1, 3)))
        cases.append((f, rng.uniform(-1.5, 1.5, shape), float(rng.choice([1e-3, 1e-4]))))
    return cases


def _nudged(x, index, step):
    moved = np.array(x, dtype=np.float64)
    moved[index] += step
    return moved


def reference_numerical_grad(f, x, h):
    """Central differences: (f(x + h e_i) - f(x - h e_i)) / (2h) for every entry i of x."""
    x = np.asarray(x, dtype=np.float64)
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        grad[index] = (f(_nudged(x, index, h)) - f(_nudged(x, index, -h))) / (2 * h)
    return grad


def _forward(f, x, h):
    x = np.asarray(x, dtype=np.float64)
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        grad[index] = (f(_nudged(x, index, h)) - f(x)) / h
    return grad


def _all_at_once(f, x, h):
    x = np.asarray(x, dtype=np.float64)
    return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))


def _not_restored(f, x, h):
    # x[i] += h; f; x[i] -= 2h; f; and x[i] never goes back, so later entries see it moved.
    x = np.array(x, dtype=np.float64)
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        x[index] += h
        plus = f(x)
        x[index] -= 2 * h
        grad[index] = (plus - f(x)) / (2 * h)
    return grad


NUMERICAL_GRAD_MISCONCEPTIONS = [
    Misconception("a forward difference where a central one was asked",
                  _forward,
                  "Central differences nudge both ways: (f(x + h) - f(x - h)) / (2h), with an error of "
                  "order h**2 instead of h."),
    Misconception("divided by h instead of 2h",
                  lambda f, x, h: 2 * reference_numerical_grad(f, x, h),
                  "From x - h to x + h is a distance of 2h."),
    Misconception("every entry nudged at once: that is the slope along (1, 1, ...), one number for all",
                  _all_at_once,
                  "Nudge one entry at a time (a loop over np.ndindex(x.shape)), keeping the others fixed."),
    Misconception("an entry is not put back after it was nudged, so the next entries are measured at "
                  "a moved point",
                  _not_restored,
                  "Restore x[i] to its original value (or nudge a copy) before moving to the next entry."),
]


@exercise(answer=reference_numerical_grad, misconceptions=NUMERICAL_GRAD_MISCONCEPTIONS,
          hidden_cases=gradient_cases)
def check_numerical_grad(numerical_grad, cases=GRADIENT_CASES):
    """Check ``numerical_grad(f, x, h)``: central differences, one entry at a time, any shape of x."""
    check_function(numerical_grad, reference_numerical_grad, cases,
                   misconceptions=NUMERICAL_GRAD_MISCONCEPTIONS, rtol=1e-7, atol=1e-10)


# ---- choosing h ----------------------------------------------------------------------

def best_steps():
    """``{method: h}`` where truncation and round-off balance in float64: sqrt(eps) and eps**(1/3)."""
    return {"forward": EPS ** 0.5, "central": EPS ** (1 / 3)}


FACTOR = 30.0  # how far from the model's best step an answer may be


def _error_of_sin(method, h):
    x = 1.0
    if method == "forward":
        estimate = (np.sin(x + h) - np.sin(x)) / h
    else:
        estimate = (np.sin(x + h) - np.sin(x - h)) / (2 * h)
    return abs(estimate - np.cos(x))


ROUND_OFF = "an h so small that round-off dominates"
TRUNCATION = "an h so large that truncation dominates"
FORWARD_STEP_FOR_CENTRAL = "the best h of forward differences (about sqrt(eps) = 1.5e-8) used for central ones"
STEP_HINTS = {
    ROUND_OFF: "The two values of f that the difference subtracts (f(x + h) and f(x) for forward, f(x + h) "
               "and f(x - h) for central differences) agree in almost every digit, and their difference "
               "keeps only rounding errors, of size eps / h.",
    TRUNCATION: "The secant's slope is not the tangent's (error of order h for forward, h**2 for central "
                "differences).",
    FORWARD_STEP_FOR_CENTRAL: "The truncation error of central differences is smaller, so their best h is "
                              "larger: about eps**(1/3) = 6e-6.",
}


def _judge(method, h, best):
    """None if ``h`` is a good step for ``method``, otherwise ``(misconception, the errors it gives)``."""
    low, high = best[method] / FACTOR, best[method] * FACTOR
    if low <= h <= high:
        return None
    evidence = (f"On sin at x = 1, {method} differences with h = {h:.1e} are off by "
                f"{_error_of_sin(method, h):.1e}, with h = {best[method]:.1e} by "
                f"{_error_of_sin(method, best[method]):.1e}.")
    if method == "central" and best["forward"] / FACTOR <= h <= best["forward"] * FACTOR:
        name = FORWARD_STEP_FOR_CENTRAL
    else:
        name = ROUND_OFF if h < low else TRUNCATION
    return name, evidence


@exercise(answer=Answers(*best_steps().values()), misconceptions=[
    Misconception(ROUND_OFF, Answers(1e-14, best_steps()["central"]), STEP_HINTS[ROUND_OFF]),
    Misconception(TRUNCATION, Answers(1e-2, best_steps()["central"]), STEP_HINTS[TRUNCATION]),
    Misconception(FORWARD_STEP_FOR_CENTRAL, Answers(best_steps()["forward"], best_steps()["forward"]),
                  STEP_HINTS[FORWARD_STEP_FOR_CENTRAL])])
def check_step_sizes(h_forward, h_central):
    """Check the chosen steps: each within a factor of 30 of its method's best step in float64
    (None: not answered yet)."""
    best = best_steps()
    answers = {}
    for method, value in (("forward", h_forward), ("central", h_central)):
        h = as_float_array(answered(value), f"h_{method}")
        if h.shape != () or not np.isfinite(h) or h <= 0:
            raise CheckFailed(f"{FAIL_MARK} h_{method} should be one positive number, got {format_value(value)}.")
        answers[method] = float(h)
    problems = [(method, *problem) for method, h in answers.items() if (problem := _judge(method, h, best))]
    if problems:
        lines = [f"{method}: Likely misconception: {name}. {STEP_HINTS[name]} {evidence}"
                 for method, name, evidence in problems]
        _, name, evidence = problems[0]
        raise CheckFailed("\n".join([f"{FAIL_MARK} Not the best steps yet:"] + lines), name, evidence)
    print(f"{PASS_MARK} h_forward = {answers['forward']:.1e} and h_central = {answers['central']:.1e} "
          f"are good steps (the error model's best: {best['forward']:.1e} and {best['central']:.1e}).")
