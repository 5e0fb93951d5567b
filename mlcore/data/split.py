"""Holding data out: a random split into training and validation samples (chapter 7).

The validation samples are never trained on, so the loss on them estimates
the loss on new data; the training loss cannot, because the weights were
fitted to those very samples. One permutation orders both ``X`` and ``y``, so
every input keeps its label.
"""

import numbers

import numpy as np

__all__ = ["train_val_split"]


def train_val_split(X, y, val_fraction, rng):
    """``(X_train, y_train, X_val, y_val)``: the samples in the random order ``rng.permutation(N)``,
    the first ``round(val_fraction * N)`` of them for validation and the rest for training (chapter 7).

    Inputs and labels are indexed with the same permutation, so ``y_val[i]`` is
    the label of ``X_val[i]``; neither array is changed.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}; give one label per row of X.")
    if isinstance(val_fraction, bool) or not isinstance(val_fraction, numbers.Real) \
            or not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction is the share of samples held out, strictly between 0 and 1 "
                         f"(0.2 keeps one in five for validation); got {val_fraction!r}.")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}; make one with "
                        "rng = np.random.default_rng(seed).")
    n_val = int(round(val_fraction * len(X)))
    if not 1 <= n_val <= len(X) - 1:
        raise ValueError(f"{val_fraction} of {len(X)} samples leaves {n_val} for validation and "
                         f"{len(X) - n_val} for training; each needs at least one.")
    order = rng.permutation(len(X))
    val, train = order[:n_val], order[n_val:]
    return X[train], y[train], X[val], y[val]
