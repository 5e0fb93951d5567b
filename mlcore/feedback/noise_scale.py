"""The check of chapter 1's derivation exercise: the Laplace noise scale of greatest likelihood.

For fixed predictions, the negative log-likelihood of Laplace noise with scale
``b`` is ``N log(2b) + sum|r_i| / b`` (chapter 1.6). Its derivative in ``b``,
``N / b - sum|r_i| / b**2``, is 0 at ``b = sum|r_i| / N``: the best scale is the MAE,
as the best Gaussian variance is the MSE.
"""

import numpy as np

from .cases import REGRESSION_CASES, regression_cases
from .checks import Misconception, check_function
from ..nn import functional as F
from .reference import value_of
from .registry import exercise
from .regression_losses import element_count, residual


def reference_laplace_scale(y_hat, y):
    """The scale ``b`` that minimises the Laplace NLL of ``y`` around ``y_hat``: mlcore's MAE."""
    return value_of(F.l1_loss, y_hat, y)


def _summed(y_hat, y):
    return np.sum(np.abs(residual(y_hat, y)))


LAPLACE_SCALE_MISCONCEPTIONS = [
    Misconception("the sum of |r| was not divided by N",
                  lambda y_hat, y: _summed(y_hat, y),
                  "The N log(2b) term contributes N / b to the derivative: N / b = sum|r| / b**2 "
                  "gives b = sum|r| / N."),
    Misconception("the equation was solved upside down: N / sum|r|",
                  lambda y_hat, y: element_count(y_hat) / _summed(y_hat, y),
                  "From N / b = sum|r| / b**2, multiply both sides by b**2 / N: b = sum|r| / N."),
    Misconception("the derivative of log(2b) was taken as 2 / b, not 1 / b",
                  lambda y_hat, y: _summed(y_hat, y) / (2 * element_count(y_hat)),
                  "log(2b) = log 2 + log b, so its derivative is 1 / b: the 2 does not matter."),
    Misconception("this is the Gaussian's answer, the root of the MSE",
                  lambda y_hat, y: np.sqrt(np.mean(residual(y_hat, y) ** 2)),
                  "Gaussian noise's best spread is sqrt(MSE); the Laplace density has |r| / b in its "
                  "exponent, not r**2 / (2 sigma**2), so its best scale is a mean of |r|."),
    Misconception("the MSE was returned (the Gaussian's best variance)",
                  lambda y_hat, y: np.mean(residual(y_hat, y) ** 2),
                  "The Laplace NLL holds |r|, not r**2: differentiate N log(2b) + sum|r| / b in b."),
]


@exercise(answer=reference_laplace_scale, misconceptions=LAPLACE_SCALE_MISCONCEPTIONS,
          hidden_cases=regression_cases)
def check_laplace_scale(laplace_scale, cases=REGRESSION_CASES):
    """Check ``laplace_scale(y_hat, y)``, the b of least Laplace NLL, against mlcore's MAE."""
    check_function(laplace_scale, reference_laplace_scale, cases, misconceptions=LAPLACE_SCALE_MISCONCEPTIONS)
