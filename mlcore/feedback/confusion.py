"""Checks for chapter 8's confusion matrix and the accuracy read from it.

``confusion_matrix(y_true, y_pred, num_classes)``: entry (i, j) counts the
samples of true class i predicted as j (scikit-learn's convention, rows are
the truth). ``accuracy_from_confusion(M)``: the share of samples on the
diagonal.
"""

import numpy as np

from .checks import Misconception, check_function
from .registry import exercise

__all__ = ["CONFUSION_CASES", "ACCURACY_CASES", "check_confusion_matrix", "check_accuracy_from_confusion",
           "reference_confusion_matrix", "reference_accuracy_from_confusion", "confusion_cases",
           "confusion_accuracy_cases"]


def reference_confusion_matrix(y_true, y_pred, num_classes):
    """Counts (num_classes, num_classes): row i, column j holds the samples of class i predicted as j (chapter 8)."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return matrix


def _transposed(y_true, y_pred, num_classes):
    return reference_confusion_matrix(y_true, y_pred, num_classes).T


def _fractions(y_true, y_pred, num_classes):
    return reference_confusion_matrix(y_true, y_pred, num_classes) / len(y_true)


def _rows_normalised(y_true, y_pred, num_classes):
    matrix = reference_confusion_matrix(y_true, y_pred, num_classes).astype(np.float64)
    return matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)


def _diagonal_only(y_true, y_pred, num_classes):
    return np.diag(np.diag(reference_confusion_matrix(y_true, y_pred, num_classes)))


def _assigned_not_counted(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes))
    matrix[np.asarray(y_true), np.asarray(y_pred)] = 1  # a repeated pair is written once, not added
    return matrix


CONFUSION_MISCONCEPTIONS = [
    Misconception("rows and columns swapped (rows predicted, columns true)", _transposed,
                  "Row i is the true class, column j the prediction: M[y_true[n], y_pred[n]] += 1."),
    Misconception("fractions of all samples instead of counts", _fractions, "Count the samples; do not divide."),
    Misconception("each row divided by its total (per-class recall)", _rows_normalised,
                  "Count the samples; do not divide."),
    Misconception("only the right answers counted", _diagonal_only,
                  "The mistakes are the point of a confusion matrix: count every sample in its (true, "
                  "predicted) cell, off the diagonal too."),
    Misconception("M[y_true, y_pred] = 1 with fancy indexing, which writes a repeated pair once", _assigned_not_counted,
                  "Indexed assignment does not accumulate: use np.add.at(M, (y_true, y_pred), 1), or a loop."),
]

# Three classes, a few samples with repeated (true, predicted) pairs; a class never predicted;
# every prediction wrong.
CONFUSION_CASES = [
    (np.array([0, 0, 1, 2, 2, 2, 1]), np.array([0, 1, 1, 2, 2, 0, 1]), 3),
    (np.array([0, 1, 1, 3]), np.array([0, 0, 0, 3]), 4),
    (np.array([1, 0]), np.array([0, 1]), 2),
]


def confusion_cases(seed, count=3):
    """Hidden cases: random labels and predictions that are right about two times in three."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        k, n = int(rng.integers(2, 11)), int(rng.integers(5, 60))
        y_true = rng.integers(0, k, n)
        y_pred = np.where(rng.random(n) < 2 / 3, y_true, rng.integers(0, k, n))
        cases.append((y_true, y_pred, k))
    return cases


@exercise(answer=reference_confusion_matrix, misconceptions=CONFUSION_MISCONCEPTIONS,
          hidden_cases=confusion_cases)
def check_confusion_matrix(confusion_matrix, cases=CONFUSION_CASES):
    """Check ``confusion_matrix(y_true, y_pred, num_classes)``."""
    check_function(confusion_matrix, reference_confusion_matrix, cases, misconceptions=CONFUSION_MISCONCEPTIONS)


def reference_accuracy_from_confusion(matrix):
    """The share of samples on the diagonal of a confusion matrix of counts (chapter 8)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    return float(np.trace(matrix) / matrix.sum())


def _mean_recall(matrix):
    matrix = np.asarray(matrix, dtype=np.float64)
    return float(np.mean(np.diag(matrix) / np.maximum(matrix.sum(axis=1), 1)))


def _correct_count(matrix):
    return float(np.trace(np.asarray(matrix)))


def _mean_of_diagonal(matrix):
    return float(np.mean(np.diag(np.asarray(matrix, dtype=np.float64))))


def _percentage(matrix):
    return 100.0 * reference_accuracy_from_confusion(matrix)


ACCURACY_MISCONCEPTIONS = [
    Misconception("the mean of the per-class accuracies (balanced accuracy)", _mean_recall,
                  "Accuracy weighs every sample once: all the right answers (the diagonal) over all the "
                  "samples (the whole matrix). Averaging per-class rates weighs classes instead."),
    Misconception("the number of right answers, not their share", _correct_count, "Divide by the number of samples."),
    Misconception("the mean of the diagonal", _mean_of_diagonal,
                  "That divides by the number of classes; divide by the number of samples, the sum of all entries."),
    Misconception("the accuracy as a percentage (90 instead of 0.9)", _percentage,
                  "The accuracy is a share between 0 and 1, as mlcore.metrics.accuracy returns it: do not "
                  "multiply by 100 (write the % only when you print it)."),
]

# Unequal class sizes (so the per-class mean differs), and the chapter's shape of 10 classes.
ACCURACY_CASES = [np.array([[5, 1, 0], [2, 1, 0], [0, 0, 3]]), np.array([[1, 1], [0, 8]]),
                  reference_confusion_matrix(np.arange(40) % 10, (np.arange(40) * 3) % 10, 10)]


def confusion_accuracy_cases(seed):
    """Hidden cases: the confusion matrices of :func:`confusion_cases`."""
    return [reference_confusion_matrix(*case) for case in confusion_cases(seed)]


@exercise(answer=reference_accuracy_from_confusion, misconceptions=ACCURACY_MISCONCEPTIONS,
          hidden_cases=confusion_accuracy_cases)
def check_accuracy_from_confusion(accuracy_from_confusion, cases=ACCURACY_CASES):
    """Check ``accuracy_from_confusion(M)`` for a confusion matrix of counts."""
    check_function(accuracy_from_confusion, reference_accuracy_from_confusion, [(m,) for m in cases],
                   misconceptions=ACCURACY_MISCONCEPTIONS)
