"""Checks for chapter 3's learning rate: the critical rate ``2 / L`` of a quadratic, and predicting
whether a rate converges, oscillates or diverges.

On ``f(theta) = 1/2 theta^T H theta`` every step multiplies the part of theta
along an eigenvector of H by ``1 - lr * lambda``: the run converges when
every factor lies strictly between -1 and 1, that is for
``0 < lr < 2 / L`` with ``L`` the largest eigenvalue.
"""

import numpy as np

from ..descent import critical_rate as mlcore_critical_rate
from .checks import (FAIL_MARK, PASS_MARK, CheckFailed, Misconception, call_answer, check_function, format_call,
                     normalise_choice)
from .registry import exercise

__all__ = ["BEHAVIOUR_CASES", "BEHAVIOUR_CURVATURE", "BEHAVIOUR_MISCONCEPTIONS", "BEHAVIOUR_RATES",
           "CRITICAL_CASES", "CRITICAL_MISCONCEPTIONS", "behaviour_cases", "check_critical_rate",
           "check_predict_behaviour", "critical_cases", "reference_behaviour", "reference_critical_rate"]


def reference_critical_rate(H):
    """``2 / L``, L the largest eigenvalue of the symmetric matrix H (:func:`mlcore.descent.critical_rate`)."""
    return mlcore_critical_rate(H)


def _eigenvalues(H):
    return np.linalg.eigvalsh(np.atleast_2d(H))


CRITICAL_MISCONCEPTIONS = [
    Misconception("the smallest eigenvalue was used, not the largest",
                  lambda H: 2.0 / _eigenvalues(H)[0],
                  "The steepest direction diverges first: L is the largest eigenvalue."),
    Misconception("1/L was returned: that rate lands in one step, but 2/L is where divergence starts",
                  lambda H: 1.0 / _eigenvalues(H)[-1],
                  "The factor 1 - lr * L reaches -1, the edge of divergence, at lr = 2 / L."),
    Misconception("the largest diagonal entry was used instead of the largest eigenvalue",
                  lambda H: 2.0 / np.max(np.diag(np.atleast_2d(H))),
                  "A rotated bowl has off-diagonal entries, and its curvature along the steepest "
                  "direction is larger than any diagonal entry: use np.linalg.eigvalsh(H)[-1]."),
    Misconception("the largest eigenvalue L was returned, not 2 / L",
                  lambda H: _eigenvalues(H)[-1], "The critical rate is 2 / L."),
    Misconception("2 * L was computed instead of 2 / L", lambda H: 2.0 * _eigenvalues(H)[-1],
                  "The steeper the bowl, the smaller the safe rate: divide, 2 / L."),
]

# H: one parameter (the chapter's theta**2 has H = [[2]]), an axis-aligned bowl, the chapter's
# rotated bowl (eigenvalues 3 and 0.3) whose diagonal hides its steepest direction, and 3-D.
CRITICAL_CASES = [
    np.array([[2.0]]),
    np.diag([1.0, 10.0]),
    np.array([[2.325, 1.1691343], [1.1691343, 0.975]]),
    np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]]),
]


def critical_cases(seed, sizes=(2, 3, 4)):
    """Hidden cases: random symmetric positive definite matrices ``A A^T + 0.1 I``."""
    rng = np.random.default_rng(seed)
    matrices = []
    for n in sizes:
        A = rng.normal(size=(n, n))
        matrices.append(A @ A.T + 0.1 * np.eye(n))
    return matrices


@exercise(answer=reference_critical_rate, misconceptions=CRITICAL_MISCONCEPTIONS, hidden_cases=critical_cases)
def check_critical_rate(critical_rate, cases=CRITICAL_CASES):
    """Check ``critical_rate(H)``, the largest rate at which gradient descent on
    ``1/2 theta^T H theta`` still does not diverge."""
    check_function(critical_rate, reference_critical_rate, [(H,) for H in cases],
                   misconceptions=CRITICAL_MISCONCEPTIONS)


# ---- converge, oscillate or diverge --------------------------------------------------------

# The learner writes predict_behaviour(lr, L): what gradient descent does on a parabola of
# curvature L at the rate lr, decided from the factor 1 - lr * L alone. The visible cases are
# f(theta) = 4 theta**2 (L = 8, so 1/L = 0.125 and 2/L = 0.25) at a rate in every regime and
# on both edges; the hidden ones use other curvatures, so a table of answers for L = 8 does not
# pass. Curvatures and rates are powers of two times eighths, so that lr * L is exact and the
# edges 1/L and 2/L are met exactly in floating point.
BEHAVIOUR_CURVATURE = 8.0
BEHAVIOUR_RATES = (0.01, 0.1, 0.125, 0.2, 0.25, 0.3)
BEHAVIOUR_CASES = [(lr, BEHAVIOUR_CURVATURE) for lr in BEHAVIOUR_RATES]
BEHAVIOURS = ("converges", "oscillates", "diverges")


def reference_behaviour(lr, L):  # noqa: N803 -- the chapter's name for the curvature
    """What gradient descent does on a parabola of curvature ``L`` at rate ``lr``, from the
    factor ``1 - lr * L`` that every step multiplies ``theta - theta*`` by."""
    factor = abs(1.0 - lr * L)
    return "converges" if factor < 1 else "oscillates" if factor == 1 else "diverges"


def behaviour_cases(seed):
    """Hidden cases: two random curvatures (powers of two from 1/4 to 16), each at a rate below
    1/L, at 1/L, between 1/L and 2/L, at 2/L and above 2/L."""
    rng = np.random.default_rng(seed)
    cases = []
    for exponent in rng.choice(np.arange(-2, 5), size=2, replace=False):
        L = 2.0 ** int(exponent)
        eighths = (int(rng.integers(1, 8)), 8, int(rng.integers(9, 16)), 16, int(rng.integers(17, 24)))
        cases.extend((k / 8 / L, L) for k in eighths)
    return cases


def _factor_meaning(lr, L):  # noqa: N803
    """The factor ``1 - lr * L`` of a case and what it does to ``theta - theta*``, without the verdict."""
    factor = 1.0 - lr * L
    return (f"each step multiplies theta - theta* by 1 - lr·L = 1 - {lr:g}·{L:g} = {factor:+.3g}; "
            f"what does that do to |theta - theta*| after many steps?")


def _boundary_at_one_over_l(lr, L):  # noqa: N803
    return "converges" if lr * L <= 1 else "oscillates" if lr * L == 2 else "diverges"


def _zigzag_oscillates(lr, L):  # noqa: N803
    return "converges" if lr * L <= 1 else "oscillates" if lr * L <= 2 else "diverges"


def _critical_diverges(lr, L):  # noqa: N803
    return "converges" if lr * L < 2 else "diverges"


BEHAVIOUR_MISCONCEPTIONS = [
    Misconception("the boundary was put at 1/L instead of 2/L", _boundary_at_one_over_l,
                  "A zig-zag whose size shrinks (|1 - lr·L| < 1) still converges."),
    Misconception("a shrinking zig-zag was called oscillating", _zigzag_oscillates,
                  "It converges, since |1 - lr·L| < 1; only at lr = 2/L exactly does it bounce for ever."),
    Misconception("at exactly lr = 2/L the factor is -1", _critical_diverges,
                  "theta bounces between 1 and -1 for ever: it neither converges nor diverges."),
]


@exercise(answer=reference_behaviour, misconceptions=BEHAVIOUR_MISCONCEPTIONS, hidden_cases=behaviour_cases)
def check_predict_behaviour(predict_behaviour, cases=BEHAVIOUR_CASES):
    """Check ``predict_behaviour(lr, L)``, one of 'converges', 'oscillates' and 'diverges', on every
    case ``(lr, L)``. A wrong answer is shown with its factor ``1 - lr * L`` only, not with the
    right word, so that the feedback does not hand out the answer."""
    name = getattr(predict_behaviour, "__name__", "predict_behaviour")
    said, wrong = {}, []
    for lr, L in cases:
        call = format_call(name, reference_behaviour, (lr, L))
        try:
            said[lr, L] = normalise_choice(call_answer(predict_behaviour, lr, L), BEHAVIOURS, name=call)
        except CheckFailed as error:
            wrong.append(f"  {error}")
            continue
        if said[lr, L] != reference_behaviour(lr, L):
            wrong.append(f"  {call} = '{said[lr, L]}' is not right: {_factor_meaning(lr, L)}")
    if not wrong:
        print(f"{PASS_MARK} {name}: right on all {len(cases)} cases.")
        return
    lines = [f"{FAIL_MARK} {name} is not right yet on {len(wrong)} of {len(cases)} cases."]
    # The first mistake that gives the learner's word on every case the learner answered.
    mistake = next((m for m in BEHAVIOUR_MISCONCEPTIONS
                    if said and all(m.variant(lr, L) == word for (lr, L), word in said.items())), None)
    if mistake:
        lines.append(f"Likely misconception: {mistake.name}. {mistake.hint}")
    raise CheckFailed("\n".join(lines + wrong), mistake.name if mistake else None, wrong[0].strip())
