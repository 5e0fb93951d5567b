"""Checks for chapter 6's momentum theory: the optimal (alpha*, beta*) and where momentum converges.

The references are :mod:`mlcore.momentum_theory`'s, which
tests/test_momentum_theory.py holds against the eigenvalues PyTorch computes
for the iteration matrix and against runs of ``mlcore.optim.SGD``.
"""

import numpy as np

from ..momentum_theory import momentum_rate, optimal_momentum
from .checks import Misconception, check_function
from .registry import exercise

__all__ = ["CONVERGES_CASES", "CONVERGES_MISCONCEPTIONS", "OPTIMUM_CASES", "OPTIMUM_MISCONCEPTIONS",
           "check_momentum_converges", "check_optimal_momentum", "converges_cases", "optimum_cases",
           "reference_momentum_converges", "reference_optimal_momentum"]


def reference_optimal_momentum(L, mu):
    """``(alpha*, beta*) = ((2 / (sqrt L + sqrt mu))^2, ((sqrt kappa - 1) / (sqrt kappa + 1))^2)``."""
    alpha, beta, _ = optimal_momentum(L, mu)
    return np.array([alpha, beta])


def _with(alpha, beta):
    def optimum(L, mu):
        return np.array([alpha(L, mu), beta(L, mu)])
    return optimum


def _alpha(L, mu):
    return (2 / (np.sqrt(L) + np.sqrt(mu))) ** 2


def _beta(L, mu):
    return ((np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1)) ** 2


OPTIMUM_MISCONCEPTIONS = [
    Misconception("beta* given without its square (that is the rate)",
                  _with(_alpha, lambda L, mu: (np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1)),
                  "The rate is (sqrt(kappa) - 1) / (sqrt(kappa) + 1); beta* is its square."),
    Misconception("kappa instead of sqrt(kappa) in beta*", _with(_alpha, lambda L, mu: ((L / mu - 1) / (L / mu + 1)) ** 2),
                  "beta* = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))**2: the square roots are what make momentum "
                  "faster than gradient descent's (kappa - 1) / (kappa + 1)."),
    Misconception("gradient descent's best rate 2 / (L + mu) as alpha*", _with(lambda L, mu: 2 / (L + mu), _beta),
                  "With momentum the best step is (2 / (sqrt(L) + sqrt(mu)))**2, larger than 2 / (L + mu)."),
    Misconception("alpha* without its square", _with(lambda L, mu: 2 / (np.sqrt(L) + np.sqrt(mu)), _beta),
                  "alpha* = (2 / (sqrt(L) + sqrt(mu)))**2: a step has the units of 1 / curvature."),
]

# (L, mu): the chapter's bowl (kappa 10), a round bowl (alpha* = 1 / L, beta* = 0), kappa = 100
# with L = 1, and a flat one.
OPTIMUM_CASES = [(3.0, 0.3), (2.0, 2.0), (1.0, 0.01), (10.0, 0.001)]


def optimum_cases(seed):
    """Hidden cases: random curvatures with condition numbers from 1 to 10**5."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(4):
        L = float(10.0 ** rng.uniform(-1, 2))
        cases.append((L, L / float(10.0 ** rng.uniform(0, 5))))
    return cases


@exercise(answer=reference_optimal_momentum, misconceptions=OPTIMUM_MISCONCEPTIONS, hidden_cases=optimum_cases)
def check_optimal_momentum(optimal_momentum, cases=OPTIMUM_CASES):
    """Check ``optimal_momentum(L, mu) -> (alpha, beta)``."""
    check_function(optimal_momentum, reference_optimal_momentum, cases, misconceptions=OPTIMUM_MISCONCEPTIONS,
                   rtol=1e-9)


# ---- where momentum converges --------------------------------------------------------------

def reference_momentum_converges(alpha, beta, lam):
    """Whether momentum with step ``alpha`` and momentum ``beta`` converges along a curvature ``lam``:
    every eigenvalue of the iteration matrix inside the unit circle. Algebra gives
    ``0 <= beta < 1`` and ``0 < alpha lam < 2 (1 + beta)``."""
    return bool(momentum_rate(alpha, beta, [lam]) < 1.0)


def _gd_edge(alpha, beta, lam):
    return bool(0 < alpha * lam < 2 and beta < 1)


def _no_beta_limit(alpha, beta, lam):
    return bool(0 < alpha * lam < 2 * (1 + beta))


def _no_factor_two(alpha, beta, lam):
    return bool(0 < alpha * lam < 1 + beta and beta < 1)


CONVERGES_MISCONCEPTIONS = [
    Misconception("gradient descent's limit alpha * lam < 2 kept", _gd_edge,
                  "Momentum moves the edge: along a curvature lam it converges for alpha * lam < 2 (1 + beta), "
                  "so beta = 0.9 allows steps almost twice as long as gradient descent's."),
    Misconception("the limit beta < 1 forgotten", _no_beta_limit,
                  "With beta >= 1 the velocity never forgets: the eigenvalues' product is beta, so one of them has "
                  "|sigma| >= 1 and the iterates do not settle."),
    Misconception("the factor 2 missing from 2 (1 + beta)", _no_factor_two,
                  "Work out where an eigenvalue reaches -1: sigma = -1 solves sigma^2 - (1 + beta - alpha lam) sigma "
                  "+ beta = 0 when alpha lam = 2 (1 + beta)."),
]

# (alpha, beta, lam): inside and just past gradient descent's edge, past momentum's edge,
# beta at and above 1, and a step between 1 + beta and 2 (1 + beta).
CONVERGES_CASES = [
    (0.5, 0.0, 3.0), (0.7, 0.0, 3.0), (0.7, 0.5, 3.0), (1.1, 0.5, 3.0), (0.1, 1.0, 3.0), (0.1, 1.2, 3.0),
    (0.55, 0.5, 3.0), (1.0, 0.9, 2.0), (2.0, 0.9, 2.0),
]


def converges_cases(seed):
    """Hidden cases: random steps, momenta (some of them >= 1) and curvatures."""
    rng = np.random.default_rng(seed)
    return [(float(rng.uniform(0.01, 2.0)), float(rng.uniform(0.0, 1.1)), float(rng.uniform(0.5, 3.0)))
            for _ in range(12)]


@exercise(answer=reference_momentum_converges, misconceptions=CONVERGES_MISCONCEPTIONS,
          hidden_cases=converges_cases)
def check_momentum_converges(momentum_converges, cases=CONVERGES_CASES):
    """Check ``momentum_converges(alpha, beta, lam) -> bool``."""
    check_function(momentum_converges, reference_momentum_converges, cases,
                   misconceptions=CONVERGES_MISCONCEPTIONS)
