"""Checks for chapter 3's learning rate: the critical rate ``2 / L`` of a quadratic, and predicting
whether a rate converges, oscillates or diverges.

On ``f(theta) = 1/2 theta^T H theta`` every step multiplies the part of theta
along an eigenvector of H by ``1 - lr * lambda``: the run converges when
every factor lies strictly between -1 and 1, that is for
``0 < lr < 2 / L`` with ``L`` the largest eigenvalue.
"""

import numpy as np

from ..descent import critical_rate as mlcore_critical_rate
from .checks import FAIL_MARK, PASS_MARK, CheckFailed, Misconception, check_function, normalise_choice
from .registry import exercise

__all__ = ["BEHAVIOUR_CURVATURE", "BEHAVIOUR_MISCONCEPTIONS", "BEHAVIOUR_RATES", "CRITICAL_CASES",
           "CRITICAL_MISCONCEPTIONS", "check_behaviour_predictions", "check_critical_rate", "critical_cases",
           "reference_behaviour", "reference_critical_rate", "reference_predictions"]


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

# f(theta) = 4 theta**2 from theta = 1: L = 8, so 1/L = 0.125 and 2/L = 0.25.
BEHAVIOUR_CURVATURE = 8.0
BEHAVIOUR_RATES = (0.01, 0.1, 0.125, 0.2, 0.25, 0.3)
BEHAVIOURS = ("converges", "oscillates", "diverges")


def reference_behaviour(lr, curvature=BEHAVIOUR_CURVATURE):
    """What gradient descent does on a parabola of curvature L: from the factor ``1 - lr * L``."""
    factor = abs(1.0 - lr * curvature)
    return "converges" if factor < 1 else "oscillates" if factor == 1 else "diverges"


def _why(lr, curvature=BEHAVIOUR_CURVATURE):
    factor = 1.0 - lr * curvature
    if factor == 0:
        return f"1 - lr·L = 1 - {lr:g}·{curvature:g} = 0: the first step lands on the minimum."
    if abs(factor) < 1:
        how = "from one side" if factor > 0 else "zig-zagging, the sign flips every step, but |factor| < 1"
        return f"1 - lr·L = {factor:+.3g}: theta shrinks by that factor every step, {how}."
    if abs(factor) == 1:
        return (f"1 - lr·L = {factor:+.3g}: theta flips sign and keeps its size, 1, -1, 1, ... for "
                "ever: this is lr = 2/L exactly.")
    return f"1 - lr·L = {factor:+.3g}: |theta| grows by {abs(factor):.3g} every step."


def reference_predictions():
    """``{lr: behaviour}`` for every rate of ``BEHAVIOUR_RATES``, by :func:`reference_behaviour`."""
    return {lr: reference_behaviour(lr) for lr in BEHAVIOUR_RATES}


# Each a set of predictions that makes the mistake, and is read as it by _behaviour_misconception.
BEHAVIOUR_MISCONCEPTIONS = [
    Misconception("the boundary was put at 1/L instead of 2/L", {**reference_predictions(), 0.2: "diverges"},
                  "A zig-zag whose size shrinks (|1 - lr·L| < 1) still converges."),
    Misconception("a shrinking zig-zag was called oscillating", {**reference_predictions(), 0.2: "oscillates"},
                  "It converges, since |1 - lr·L| < 1; only at lr = 2/L exactly does it bounce for ever."),
    Misconception("at exactly lr = 2/L the factor is -1", {**reference_predictions(), 0.25: "diverges"},
                  "theta bounces between 1 and -1 for ever: it neither converges nor diverges."),
]


@exercise(answer=reference_predictions(), misconceptions=BEHAVIOUR_MISCONCEPTIONS)
def check_behaviour_predictions(predictions):
    """Check ``predictions``, a dict ``{lr: 'converges' | 'oscillates' | 'diverges'}`` for every rate
    of ``BEHAVIOUR_RATES`` on ``f(theta) = 4 theta**2``; explain each wrong prediction."""
    if not isinstance(predictions, dict):
        raise CheckFailed(f"{FAIL_MARK} predictions should be a dict {{lr: behaviour}}, e.g. "
                          f"{{0.01: 'converges', ...}}; it is a {type(predictions).__name__}.")
    wrong = []
    for lr in BEHAVIOUR_RATES:
        if lr not in predictions:
            wrong.append(f"  lr = {lr:g}: no prediction; add predictions[{lr!r}].")
            continue
        try:
            said = normalise_choice(predictions[lr], BEHAVIOURS, name=f"predictions[{lr!r}]")
        except CheckFailed as error:
            wrong.append(f"  lr = {lr:g}: {error}")
            continue
        right = reference_behaviour(lr)
        if said != right:
            wrong.append(f"  lr = {lr:g}: not '{said}' but '{right}'. {_why(lr)}")
    if not wrong:
        print(f"{PASS_MARK} predictions: right for all {len(BEHAVIOUR_RATES)} rates.")
        return
    lines = [f"{FAIL_MARK} predictions are not right yet for {len(wrong)} of {len(BEHAVIOUR_RATES)} "
             "rates (L = 8, so 1/L = 0.125 and 2/L = 0.25):"]
    mistake = _behaviour_misconception(predictions)
    if mistake:
        lines.append(f"Likely misconception: {mistake.name}. {mistake.hint}")
    raise CheckFailed("\n".join(lines + wrong), mistake.name if mistake else None, wrong[0].strip())


def _behaviour_misconception(predictions):
    """The ``Misconception`` of ``BEHAVIOUR_MISCONCEPTIONS`` behind a set of predictions, if one explains them."""
    boundary, zigzag_oscillates, critical = BEHAVIOUR_MISCONCEPTIONS
    said = {lr: str.lower(str.strip(value)) for lr, value in predictions.items() if isinstance(value, str)}
    zigzag = [lr for lr in BEHAVIOUR_RATES if 0.125 < lr < 0.25]
    if zigzag and all(said.get(lr) == "diverges" for lr in zigzag):
        return boundary
    if zigzag and all(said.get(lr) == "oscillates" for lr in zigzag):
        return zigzag_oscillates
    if said.get(0.25) in ("converges", "diverges"):
        return critical
    return None
