"""One epoch of mini-batches: shuffled, every sample exactly once (chapter 3).

This is what ``torch.utils.data.DataLoader(dataset, batch_size, shuffle=True)``
does for one epoch, written for numpy arrays and numpy's random generator.
"""

import numbers

import numpy as np

__all__ = ["check_batch_size", "index_batches", "minibatches"]


def check_batch_size(batch_size, num_samples):
    """``batch_size`` as an int, or a ValueError saying what a batch size is (chapters 3 and 7)."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, got {batch_size!r}; 1 is stochastic "
                         f"gradient descent, {num_samples} (all the samples) is full-batch gradient descent.")
    return int(batch_size)


def index_batches(order, batch_size, drop_last=False):
    """Consecutive slices of ``batch_size`` sample numbers from ``order``; the last one is shorter
    when ``batch_size`` does not divide ``len(order)``, unless ``drop_last`` leaves it out."""
    stop = len(order) - len(order) % batch_size if drop_last else len(order)
    for start in range(0, stop, batch_size):
        yield order[start:start + batch_size]


def minibatches(X, y, batch_size, rng):
    """Yield ``(X_batch, y_batch)`` pairs that go once through the ``N`` samples of ``X`` and ``y``
    in the random order ``rng.permutation(N)`` (chapter 3).

    Every batch has ``batch_size`` samples except the last, which has the
    ``N % batch_size`` left over when ``batch_size`` does not divide ``N``. X
    and y are indexed with the same permutation, so each input keeps its
    target, and neither array is changed. Each call draws a new order from
    ``rng``: call it once per epoch with the same generator.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}; give one target per row of X.")
    batch_size = check_batch_size(batch_size, len(X))
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}; make one with "
                        "rng = np.random.default_rng(seed) and pass the same one every epoch.")
    for batch in index_batches(rng.permutation(len(X)), batch_size):
        yield X[batch], y[batch]
