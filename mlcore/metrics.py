"""Accuracy: the fraction of samples whose highest class score is the true class (chapter 7).

A classifier's outputs are one score per class (logits, or the probabilities
softmax makes of them); its prediction is the class with the highest score,
``argmax`` along the class dimension. Accuracy compares those predictions with
the labels. Averaging the probabilities themselves measures confidence, not
correctness.
"""

import numpy as np

from .convert import to_numpy

__all__ = ["accuracy"]


def accuracy(scores, y):
    """The fraction of rows ``n`` where ``scores[n].argmax() == y[n]``, as a float (chapter 7).

    ``scores`` has shape ``(N, C)``: a score per class (logits or
    probabilities; both give the same argmax). ``y`` holds the true class
    indices, shape ``(N,)``. Tensors and arrays are both accepted.
    """
    scores, y = to_numpy(scores), to_numpy(y)
    if scores.ndim != 2 or scores.shape[1] < 2:
        raise ValueError(f"accuracy needs scores of shape (N, C), one score per class and C >= 2, but "
                         f"got shape {scores.shape}. For a binary classifier with one score z per sample, "
                         "the prediction is (z > 0); compare that with y.")
    if y.shape != (len(scores),):
        raise ValueError(f"y should hold one class index per row of scores, shape ({len(scores)},), but "
                         f"has shape {y.shape}. For one-hot labels pass y.argmax(1).")
    if y.dtype.kind not in "iub":
        raise TypeError(f"y should hold class indices (integers 0 ... C-1), but its dtype is {y.dtype}. "
                        "Labels are classes, not scores: convert them with y.astype(int).")
    return float(np.mean(scores.argmax(axis=1) == y))
