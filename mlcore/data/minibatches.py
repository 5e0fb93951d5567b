"""One epoch of mini-batches: shuffled, every sample exactly once (chapter 3).

This is what ``torch.utils.data.DataLoader(dataset, batch_size, shuffle=True)``
does for one epoch, written for numpy arrays and numpy's random generator.
"""

import numbers

import numpy as np

__all__ = ["minibatches"]


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
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, got {batch_size!r}; "
                         f"1 is stochastic gradient descent, len(X) = {len(X)} is full batch.")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}; make one with "
                        "rng = np.random.default_rng(seed) and pass the same one every epoch.")
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        yield X[batch], y[batch]
