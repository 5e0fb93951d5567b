"""The check of chapter 1's debugging exercise: the MSE of ``(N, 1)`` predictions against ``(N,)`` targets.

``y_hat - y`` with those shapes broadcasts to an ``(N, N)`` matrix of every
prediction against every target (chapter 1.9), so the plain ``np.mean((y_hat - y)**2)``
is the loss of a model that predicts the mean. The learner's ``column_mse`` must
compare each prediction with its own target.
"""

import numpy as np

from .checks import Misconception, check_function
from ..nn import functional as F
from .reference import value_of
from .registry import exercise

# (y_hat of shape (N, 1), y of shape (N,)): one sample, where the broadcast bug
# gives the right number, chapter 1's worked example, and chapter 1.9's data.
COLUMN_CASES = [
    (np.array([[2.0]]), np.array([1.0])),
    (np.array([[1.0], [2.0], [3.0]]), np.array([1.0, 2.0, 5.0])),
    (np.array([[1.0], [2.0], [3.0], [4.0]]), np.array([1.2, 1.9, 3.2, 3.9])),
]


def column_cases(seed, sizes=(5, 8)):
    """``(y_hat, y)`` pairs of shapes ``(N, 1)`` and ``(N,)``, normal numbers."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(0.0, 2.0, (n, 1)), rng.normal(0.0, 2.0, n)) for n in sizes]


def reference_column_mse(y_hat, y):
    """mlcore's ``mse_loss`` of the predictions flattened to ``(N,)`` against the targets."""
    return value_of(F.mse_loss, np.reshape(y_hat, -1), y)


def _flat(y_hat):
    return np.reshape(y_hat, -1)


COLUMN_MSE_MISCONCEPTIONS = [
    Misconception("y_hat - y broadcast to an (N, N) matrix: every prediction was compared with every target",
                  lambda y_hat, y: np.mean((y_hat - y) ** 2),
                  "(N, 1) minus (N,) is (N, N). Give both the same shape first: y_hat.reshape(-1) "
                  "(or y_hat[:, 0]) against y, or y_hat against y.reshape(-1, 1)."),
    Misconception("the (N, N) matrix was averaged over axis 0, which leaves one number per target",
                  lambda y_hat, y: np.mean((y_hat - y) ** 2, axis=0),
                  "The (N, N) matrix is the bug itself; make the shapes equal before subtracting."),
    Misconception("the squared errors were returned one per sample, not averaged",
                  lambda y_hat, y: (_flat(y_hat) - y) ** 2,
                  "A loss is one number: take the mean of the squared errors."),
    Misconception("the sum was not averaged",
                  lambda y_hat, y: np.sum((_flat(y_hat) - y) ** 2),
                  "MSE is the mean: divide by N (np.mean does both)."),
]


@exercise(answer=reference_column_mse, misconceptions=COLUMN_MSE_MISCONCEPTIONS, hidden_cases=column_cases)
def check_column_mse(column_mse, cases=COLUMN_CASES):
    """Check ``column_mse(y_hat, y)`` (shapes ``(N, 1)`` and ``(N,)``) against mlcore's ``mse_loss``."""
    check_function(column_mse, reference_column_mse, cases, misconceptions=COLUMN_MSE_MISCONCEPTIONS)
