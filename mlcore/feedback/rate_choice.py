"""Check for chapter 7's rate sweep: ``pick_rate(histories)`` picks the learning rate whose run reached
the lowest validation loss at any epoch (the epoch early stopping would keep).

``histories`` maps each rate to a dict of its ``train_loss`` and ``val_loss``
lists. The visible cases are the chapter's sweep (:mod:`mlcore.rate_sweep`,
seed 0) and three small made-up sweeps that tell the usual wrong rules apart.
"""

import numpy as np

from ..rate_sweep import RATES, training_run
from .checks import Misconception, check_function
from .registry import exercise

__all__ = ["MADE_UP_CASES", "RATE_MISCONCEPTIONS", "check_pick_rate", "rate_cases", "reference_pick_rate",
           "sweep_histories", "visible_rate_cases"]


def sweep_histories(seed):
    """``{lr: {"train_loss": [...], "val_loss": [...]}}`` of :mod:`mlcore.rate_sweep`'s runs."""
    return {lr: {"train_loss": list(training_run(lr, seed).train_loss),
                 "val_loss": list(training_run(lr, seed).val_loss)} for lr in RATES}


def _pick(histories, score):
    return float(min(histories, key=lambda lr: score(histories[lr])))


def reference_pick_rate(histories):
    """The rate whose lowest validation loss is the lowest."""
    return _pick(histories, lambda h: np.min(h["val_loss"]))


def _by_training_loss(histories):
    return _pick(histories, lambda h: np.min(h["train_loss"]))


def _by_last_validation_loss(histories):
    return _pick(histories, lambda h: h["val_loss"][-1])


def _by_last_training_loss(histories):
    return _pick(histories, lambda h: h["train_loss"][-1])


RATE_MISCONCEPTIONS = [
    Misconception("picked by the training loss: validation measured on training data", _by_training_loss,
                  "The training loss rewards the run that fits its own 16 samples best, overfitting "
                  "included. Compare the validation losses."),
    Misconception("picked by the last validation loss, not the lowest", _by_last_validation_loss,
                  "With early stopping every run keeps the weights of its best epoch: compare each "
                  "run's lowest validation loss, min(h['val_loss'])."),
    Misconception("picked by the last training loss", _by_last_training_loss,
                  "Use the validation loss, and its lowest value over the epochs."),
]


def _made_up(val_losses, train_losses):
    return {lr: {"train_loss": list(t), "val_loss": list(v)} for lr, v, t in zip((0.01, 0.1, 1.0), val_losses,
                                                                                 train_losses)}


# Made-up sweeps of three rates where the lowest validation loss, the last validation loss, the
# lowest training loss and the last training loss each pick another rate.
MADE_UP_CASES = [
    (_made_up(([0.9, 0.5, 0.4], [0.8, 0.3, 0.6], [0.7, 0.45, 0.35]),
              ([0.9, 0.5, 0.3], [0.7, 0.2, 0.1], [0.6, 0.05, 0.4])),),
    (_made_up(([0.5, 0.3, 0.2], [0.4, 0.25, 0.5], [0.6, 0.1, 0.9]),
              ([0.5, 0.3, 0.2], [0.3, 0.1, 0.05], [0.5, 0.3, 0.25])),),
]


def visible_rate_cases():
    """The chapter's sweep (seven training runs, made on the first call) and :data:`MADE_UP_CASES`."""
    return [(sweep_histories(0),)] + MADE_UP_CASES


def rate_cases(seed, count=3):
    """Hidden cases: made-up sweeps of four rates, each run falling and then rising at random."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        histories = {}
        for lr in (0.001, 0.01, 0.1, 1.0):
            epochs = np.arange(1, 21)
            turn = rng.uniform(3, 20)
            val = rng.uniform(0.1, 0.5) + rng.uniform(0.0, 0.02) * (epochs - turn) ** 2 / turn
            train = val * rng.uniform(0.2, 0.9) / np.sqrt(epochs)
            histories[lr] = {"train_loss": list(train), "val_loss": list(val)}
        cases.append((histories,))
    return cases


@exercise(answer=reference_pick_rate, misconceptions=RATE_MISCONCEPTIONS, hidden_cases=rate_cases)
def check_pick_rate(pick_rate, cases=None):
    """Check ``pick_rate(histories)``, by default on the chapter's sweep and on made-up ones."""
    check_function(pick_rate, reference_pick_rate, visible_rate_cases() if cases is None else cases,
                   misconceptions=RATE_MISCONCEPTIONS)
