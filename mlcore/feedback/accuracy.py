"""Check for chapter 7's ``accuracy(logits, y)``: the share of rows whose highest score is the label.

The reference is :func:`mlcore.metrics.accuracy` (argmax along the class
dimension, compared with the labels, averaged). The variants are the usual
ways to get it wrong, most of all averaging probabilities instead of
counting correct predictions.
"""

import numpy as np

from ..metrics import accuracy as reference_accuracy
from .checks import Misconception, check_function
from .registry import exercise

__all__ = ["ACCURACY_CASES", "ACCURACY_MISCONCEPTIONS", "WITHOUT_ARGMAX", "accuracy_cases", "check_accuracy",
           "mean_true_class_probability"]

WITHOUT_ARGMAX = "accuracy from probabilities without argmax"


def _softmax(logits):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def mean_true_class_probability(logits, y):
    """The mean softmax probability of the true class: a confidence, not an accuracy."""
    return float(np.mean(_softmax(logits)[np.arange(len(y)), y]))


def _probability_over_half(logits, y):
    return float(np.mean(_softmax(logits)[np.arange(len(y)), y] > 0.5))


def _error_rate(logits, y):
    return 1.0 - reference_accuracy(logits, y)


def _count(logits, y):
    return float(np.sum(np.argmax(logits, axis=1) == y))


ACCURACY_MISCONCEPTIONS = [
    Misconception(WITHOUT_ARGMAX + " (the mean probability of the true class)", mean_true_class_probability,
                  "That measures how confident the network is, not how often it is right. The prediction "
                  "is the class with the highest score, logits.argmax(axis=1); accuracy is the share of "
                  "predictions equal to y."),
    Misconception(WITHOUT_ARGMAX + " (a true class counted as right when its probability passes 0.5)",
                  _probability_over_half,
                  "With three or more classes the highest score can be below 0.5 and still be the "
                  "prediction: compare logits.argmax(axis=1) with y."),
    Misconception("the error rate, 1 - accuracy", _error_rate, "Count the rows where the prediction equals y."),
    Misconception("the number of correct predictions, not their share", _count, "Divide by len(y): np.mean(...)."),
]

# (logits, y): two classes, four samples (3 right); three classes where the right class of row 1
# has probability below 0.5; a single row; a batch where every prediction is wrong.
ACCURACY_CASES = [
    (np.array([[2.0, 1.0], [0.5, 1.5], [3.0, -1.0], [0.0, 0.2]]), np.array([0, 1, 1, 1])),
    (np.array([[1.0, 0.2, 0.9], [0.1, 0.6, 0.5], [-1.0, 2.0, 0.0], [0.3, 0.2, 0.1], [0.0, 0.0, 3.0]]),
     np.array([0, 1, 2, 1, 2])),
    (np.array([[0.2, -0.4]]), np.array([0])),
    (np.array([[5.0, 0.0, 0.0], [0.0, 5.0, 0.0]]), np.array([2, 0])),
]


def accuracy_cases(seed, sizes=((12, 3), (30, 10), (7, 2))):
    """Hidden cases: random logits and labels."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(0.0, 2.0, (n, c)), rng.integers(0, c, n)) for n, c in sizes]


@exercise(answer=reference_accuracy, misconceptions=ACCURACY_MISCONCEPTIONS, hidden_cases=accuracy_cases)
def check_accuracy(accuracy, cases=ACCURACY_CASES):
    """Check ``accuracy(logits, y)`` on logits of shape (N, C) and labels of shape (N,)."""
    check_function(accuracy, reference_accuracy, cases, misconceptions=ACCURACY_MISCONCEPTIONS)
