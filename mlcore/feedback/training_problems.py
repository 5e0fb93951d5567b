"""The hidden problems chapter 7's checks train the learner's code on: data, networks, a loader.

Each is a named function of a seed, so that a check (and the referee that
runs the learner's code apart from the judging) builds the same problem from
the case alone, and so that the failure message can name it.
"""

import numpy as np

from .. import nn
from ..data.dataloader import DataLoader
from ..data.dataset import TensorDataset
from ..factories import tensor
from ..seeded import seeded

__all__ = ["numbered_samples", "problem_data", "problem_loader", "problem_network", "validation_data"]


def problem_data(seed, n=24):
    """``(X, y)``: ``n`` points in the plane, labelled 1 where ``x1 * x2 > 0`` (a small XOR), as arrays."""
    rng = np.random.default_rng([seed, 7])
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.int64)


def validation_data(seed, n=30):
    """``(X_val, y_val)`` as tensors: other points of the same problem, never trained on."""
    X, y = problem_data(seed + 1000, n)
    return tensor(X), tensor(y)


def problem_network(seed, dropout=0.0):
    """2 -> 8 (tanh) -> dropout -> 2 class scores, with the weights ``mlcore.manual_seed(seed)`` gives
    (mlcore's generator is put back afterwards)."""
    with seeded(seed):
        return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Dropout(dropout), nn.Linear(8, 2))


def problem_loader(seed, batch_size, n=24):
    """Batches of :func:`problem_data` in its stored order (no shuffling, so every run sees the same)."""
    X, y = problem_data(seed, n)
    return DataLoader(TensorDataset(X, y), batch_size=batch_size)


def numbered_samples(n):
    """``(X, y)`` whose rows carry their own number: ``X[i] = [i, i + 0.5]``, ``y[i] = 10 i``."""
    i = np.arange(n, dtype=np.float64)
    return np.column_stack([i, i + 0.5]), 10 * np.arange(n)
