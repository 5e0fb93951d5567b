"""Curves panel: one training run as training and validation loss curves, and how to read them (chapter 7).

A network with two hidden layers of 32 tanh neurons learns noisy samples of
``sin(pi x)`` from 16 training points, with Adam on the full batch, for up to
300 epochs (:func:`~mlcore.train.fit`); 200 other samples are the validation
data. The learning rate and the number of epochs are the controls. The three
shapes to recognise:

* underfitting: both losses still high, close together (a rate too small, or
  too few epochs);
* overfitting: the training loss keeps falling while the validation loss turns
  and rises, the gap grows (where early stopping would stop is marked);
* a rate too high: spikes and jumps, and a loss that settles high or rises.

The runs are :mod:`mlcore.rate_sweep`'s, each computed once per process and
kept: the rates are the slider's few positions, so the panel answers at once.
"""

import numpy as np

from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, LOSS_COLORS, tidy
from ..rate_sweep import EPOCHS, N_TRAIN, RATES, training_runs
from .base import Panel
from .controls import discrete_slider
from .readout import table

__all__ = ["CurvesPanel", "LOSS_LIMITS"]

# The axis holds every run of the sweep whole: the highest spike, lr = 1's 112, is what guided task 3 asks about.
LOSS_LIMITS = (1e-2, 300.0)


class CurvesPanel(Panel):
    """Training and validation MSE of one run, for a learning rate and a number of epochs (chapter 7).

    Controls: ``lr`` (log-spaced, :data:`RATES`) and ``num_epochs`` (10 ... 300).
    Setting: ``seed`` (data and initial weights). :meth:`curves` gives the
    numbers on show.
    """

    chapter = 7
    figsize = (8.0, 3.5)
    question = ("Which shape do you see at lr = 0.001, at lr = 0.01 and at lr = 1: both losses high, "
                "a growing gap, or jumps? Where would early stopping have stopped?")

    def __init__(self, lr=0.01, num_epochs=EPOCHS, seed=0, *, caption=None):
        self.seed = seed
        self.runs = training_runs(seed)
        controls = {
            "lr": discrete_slider("learning rate lr", list(RATES), lr),
            "num_epochs": discrete_slider("epochs", list(range(10, EPOCHS + 1, 10)), num_epochs),
        }
        super().__init__(controls, settings={"seed": seed}, caption=caption)

    def _build(self):
        ax = self.ax = self.fig.add_subplot()
        (self.train_line,) = ax.plot([], [], color=LOSS_COLORS["train"], lw=1.6, label="training")
        (self.val_line,) = ax.plot([], [], color=LOSS_COLORS["val"], lw=1.6, label="validation")
        (self.best_mark,) = ax.plot([], [], "v", color=COLORS["red"], ms=9,
                                    label="lowest validation loss (early stopping keeps it)")
        ax.set_yscale("log")
        ax.set_ylim(*LOSS_LIMITS)
        ax.set_xlim(0, EPOCHS)
        ax.legend(loc="upper right")
        tidy(ax, title="MSE after each epoch (log scale)", xlabel="epoch", ylabel="MSE")
        mark_dynamic(self.train_line, self.val_line, self.best_mark)

    def _update(self, state):
        curves = self.curves()
        epochs = np.arange(1, len(curves["train_loss"]) + 1)
        self.train_line.set_data(epochs, np.clip(curves["train_loss"], *LOSS_LIMITS))
        self.val_line.set_data(epochs, np.clip(curves["val_loss"], *LOSS_LIMITS))
        best = curves["best_epoch"]
        self.best_mark.set_data([best], [np.clip(curves["val_loss"][best - 1], *LOSS_LIMITS)])
        last = len(epochs)
        self.readout.value = (
            f"Adam, lr = {state['lr']:g}, {last} epochs of full-batch training on {N_TRAIN} samples. "
            f"Lowest validation MSE at epoch {best}."
            + table(["", "training MSE", "validation MSE"],
                    [[f"epoch {last}", f"{curves['train_loss'][-1]:.4f}", f"{curves['val_loss'][-1]:.4f}"],
                     [f"epoch {best}", f"{curves['train_loss'][best - 1]:.4f}",
                      f"{curves['val_loss'][best - 1]:.4f}"]]))

    def curves(self):
        """The run on show: ``train_loss`` and ``val_loss`` per epoch up to ``num_epochs``, and
        ``best_epoch``, the epoch (from 1) of the lowest validation loss among them."""
        state = self.state()
        history = self.runs[state["lr"]]
        shown = slice(0, state["num_epochs"])
        train, val = np.array(history.train_loss[shown]), np.array(history.val_loss[shown])
        return {"train_loss": train, "val_loss": val, "best_epoch": int(np.argmin(val)) + 1}
