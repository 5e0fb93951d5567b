"""Chapter 7's rate sweep: one small network trained at several learning rates on noisy sin(pi x).

A network with two hidden layers of 32 tanh neurons (1153 weights) learns 16
noisy samples with Adam on the full batch for 300 epochs
(:func:`~mlcore.train.fit`); 200 other samples are the validation data. At a
small rate it underfits, at a middle one it overfits after a while, at a large
one its losses jump. The Curves panel shows these runs, and chapter 7's
exercises read them. Each run is computed once per process and kept.
"""

import numpy as np

from . import nn
from .data.curve import noisy_samples
from .data.dataloader import DataLoader
from .data.dataset import TensorDataset
from .optim import Adam
from .seeded import seeded
from .train import fit

__all__ = ["EPOCHS", "N_TRAIN", "N_VAL", "NOISE", "RATES", "curve_data", "curve_network", "training_run",
           "training_runs"]

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


# Every run is kept, by (lr, seed): a run is a pure function of the two, and the Curves panel, the
# chapter's exercises and their checks all read the same ones.
_RUNS = {}


def training_run(lr, seed=0):
    """The :class:`~mlcore.train.History` of 300 epochs of full-batch Adam at ``lr`` on
    :func:`curve_data` (``seed``), from the weights ``mlcore.manual_seed(seed)`` gives
    :func:`curve_network`. Kept after the first call; treat it as read-only."""
    key = (float(lr), int(seed))
    if key not in _RUNS:
        X, y, X_val, y_val = curve_data(seed)
        with seeded(seed):
            net = curve_network()
        _RUNS[key] = fit(net, nn.MSELoss(), Adam(net.parameters(), lr=lr), DataLoader(TensorDataset(X, y), len(y)),
                         DataLoader(TensorDataset(X_val, y_val), len(y_val)), num_epochs=EPOCHS, progress=False)
    return _RUNS[key]


def training_runs(seed=0, progress=True):
    """``{lr: History}``: :func:`training_run` at every rate of :data:`RATES`. With ``progress``, a
    ``tqdm`` bar shows the rate and its best validation loss if the runs take more than a second."""
    todo = [lr for lr in RATES if (float(lr), int(seed)) not in _RUNS]
    if progress and todo:
        from tqdm.auto import tqdm

        with tqdm(todo, desc="rate sweep", unit="run", delay=1.0) as bar:
            for lr in bar:
                bar.set_postfix({"lr": lr, "best val_loss": f"{min(training_run(lr, seed).val_loss):.4g}"},
                                refresh=False)
    return {lr: training_run(lr, seed) for lr in RATES}
