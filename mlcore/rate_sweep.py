"""Chapter 7's rate sweep: one small network trained at several learning rates on noisy sin(pi x).

A network with two hidden layers of 32 tanh neurons (1153 weights) learns 16
noisy samples with Adam on the full batch for 300 epochs
(:func:`~mlcore.train.fit`); 200 other samples are the validation data. At a
small rate it underfits, at a middle one it overfits after a while, at a large
one its losses jump. The Curves panel shows these runs, and chapter 7's
exercises read them. Each run is computed once per process and kept.
"""

import functools

import numpy as np

from . import nn
from .data.curve import noisy_samples
from .data.dataloader import DataLoader
from .data.dataset import TensorDataset
from .optim import Adam
from .seeded import seeded
from .train import fit

__all__ = ["EPOCHS", "N_TRAIN", "N_VAL", "NOISE", "RATES", "curve_data", "curve_network", "training_run"]

RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
EPOCHS = 300
N_TRAIN, N_VAL, NOISE = 16, 200, 0.3


def curve_data(seed=0):
    """``(X_train, y_train, X_val, y_val)``: 16 and 200 noisy samples of sin(pi x), each of shape ``(N, 1)``."""
    rng = np.random.default_rng(seed)
    x, y = noisy_samples(N_TRAIN, NOISE, rng)
    x_val, y_val = noisy_samples(N_VAL, NOISE, rng)
    return x[:, None], y[:, None], x_val[:, None], y_val[:, None]


def curve_network():
    """1 -> 32 -> 32 -> 1 with tanh: 1153 weights for 16 samples, room to overfit."""
    return nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))


@functools.lru_cache(maxsize=None)
def training_run(lr, seed=0):
    """The :class:`~mlcore.train.History` of 300 epochs of full-batch Adam at ``lr`` on
    :func:`curve_data` (``seed``), from the weights ``mlcore.manual_seed(seed)`` gives
    :func:`curve_network`. Kept after the first call; treat it as read-only."""
    X, y, X_val, y_val = curve_data(seed)
    with seeded(seed):
        net = curve_network()
    return fit(net, nn.MSELoss(), Adam(net.parameters(), lr=lr), DataLoader(TensorDataset(X, y), len(y)),
               DataLoader(TensorDataset(X_val, y_val), len(y_val)), num_epochs=EPOCHS, progress=False)
