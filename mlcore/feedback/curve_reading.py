"""Check for chapter 7's curve reading: four training histories, each underfitting, overfitting or
trained with a rate too high.

The histories are real runs of :mod:`mlcore.rate_sweep` (on the data of seed
1, which the chapter does not show) at four rates. Every explanation quotes
numbers read from the run it explains.
"""

import functools

import numpy as np

from ..rate_sweep import training_run
from .checks import Misconception, check_choices
from .registry import exercise
from .unanswered import answered

__all__ = ["READINGS", "READING_MISCONCEPTIONS", "RIGHT_READINGS", "SHAPES", "check_curve_readings", "explanations",
           "reading_histories"]

SHAPES = ("underfitting", "overfitting", "rate too high")
SEED = 1
# letter: (learning rate, the shape its curves have)
READINGS = {"A": (0.03, "overfitting"), "B": (0.001, "underfitting"), "C": (1.0, "rate too high"),
            "D": (0.3, "rate too high")}
RIGHT_READINGS = {letter: shape for letter, (_, shape) in READINGS.items()}


def reading_histories():
    """``{letter: {"train_loss": array, "val_loss": array}}``: the four runs to read (300 epochs each)."""
    histories = {}
    for letter, (lr, _) in READINGS.items():
        run = training_run(lr, SEED)
        histories[letter] = {"train_loss": np.array(run.train_loss), "val_loss": np.array(run.val_loss)}
    return histories


def _facts(history):
    train, val = history["train_loss"], history["val_loss"]
    best = int(np.argmin(val))
    jump = train.max() / train[0]
    peak = f", after jumping to {train.max():.1f} ({jump:.0f} times its start)" if jump > 1.5 else ""
    return (f"its training loss goes from {train[0]:.2f} to {train[-1]:.3f}{peak}; its validation loss "
            f"is lowest, {val[best]:.3f}, at epoch {best + 1} and ends at {val[-1]:.3f}")


_WHAT_IT_LOOKS_LIKE = {
    "underfitting": "underfitting keeps both losses high and close together, usually still falling",
    "overfitting": "overfitting shows as a validation loss that turns and rises while the training loss "
                   "keeps falling, so that the gap grows",
    "rate too high": "a rate too high shows as jumps far above the starting loss, or a loss that rises, "
                     "and often a worse end than a smaller rate reaches",
}


def _explanations(letter, history):
    facts = _facts(history)
    return {shape: (f"{facts}." if shape == READINGS[letter][1] else
                    f"{_WHAT_IT_LOOKS_LIKE[shape]}; {letter} is different: {facts}.")
            for shape in SHAPES}


@functools.lru_cache(maxsize=1)
def explanations():
    """``{letter: {shape: why}}``, each quoting the numbers of the run it explains (trained on the first call)."""
    return {letter: _explanations(letter, history) for letter, history in reading_histories().items()}


# Each wrong reading of one letter, the others right. Their hints, which quote the runs, are the check's.
READING_MISCONCEPTIONS = [Misconception(f"readings[{letter!r}]: chose {shape!r}", {**RIGHT_READINGS, letter: shape})
                          for letter in sorted(READINGS) for shape in SHAPES if shape != READINGS[letter][1]]


@exercise(answer=RIGHT_READINGS, misconceptions=READING_MISCONCEPTIONS)
def check_curve_readings(readings):
    """Check ``readings``, a dict that names the shape of each history: ``{"A": "overfitting", ...}``
    (None: not answered yet)."""
    check_choices(answered(readings), RIGHT_READINGS, name="readings", explanations=explanations())
