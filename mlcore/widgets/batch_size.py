"""Batch-size panel: batch, mini-batch and stochastic gradient descent on real data (chapter 3).

The problem is chapter 3's regression of disease progression on body-mass
index (scikit-learn's diabetes data, standardised), ``y_hat = w * bmi + b``
with the MSE. Each epoch shuffles the 442 patients and goes through them
once in mini-batches of ``batch_size`` (:func:`mlcore.data.minibatches`);
every batch makes one ``mlcore.optim.SGD`` update. A batch of all 442 is
(full-batch) gradient descent, one update per epoch; a batch of 1 is
stochastic gradient descent, 442 noisy updates per epoch.
"""

import math

import numpy as np

from ..data.diabetes import bmi_regression
from ..linear_sgd import excess_mse, fit_linear_sgd, least_squares
from matplotlib import patheffects

from ..plots.cached_figure import mark_dynamic
from ..plots.contour import contour_with_trajectory
from ..plots.style import COLORS, tidy
from .controls import choice, discrete_slider, log_slider
from .player import SteppedPanel
from .readout import table

__all__ = ["BATCH_SIZES", "BatchSizePanel", "START"]

BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 442)
EPOCH_CHOICES = (1, 2, 3, 5)
SEEDS = (0, 1, 2, 3)
START = (-1.0, 1.5)           # (w, b) before the first update
W_RANGE, B_RANGE = (-1.5, 2.0), (-1.25, 2.25)
EXCESS_RANGE = (1e-6, 1e1)
FRAMES = 80                   # at most this many frames when the panel plays


def mse_surface(X, y):
    """The MSE of ``y_hat = w * X[:, 0] + b * X[:, 1]`` as a function of meshgrids ``(w, b)``."""
    G, c, s = X.T @ X / len(y), X.T @ y / len(y), float(y @ y) / len(y)

    def mse(w, b):
        return G[0, 0] * w * w + 2 * G[0, 1] * w * b + G[1, 1] * b * b - 2 * (c[0] * w + c[1] * b) + s

    return mse


class BatchSizePanel(SteppedPanel):
    """Mini-batch SGD on the diabetes (w, b) regression: the path over the loss contours and the
    loss per update and per epoch (chapter 3).

    Settings: ``lr``, ``batch_size`` (1 ... 442), ``num_epochs`` and ``seed``
    (of the generator that shuffles). ``run`` is the
    :class:`~mlcore.linear_sgd.SGDRun` on show.
    """

    chapter = 3
    unit = "update"
    figsize = (8.4, 3.9)
    question = ("With the same number of epochs, how do the paths of batch sizes 442, 16 and 1 differ? "
                "Which makes the most updates, and which ends nearest the minimum?")

    def __init__(self, lr=0.1, batch_size=16, num_epochs=3, seed=0, *, caption=None):
        self.X, self.y = bmi_regression()
        self.best = least_squares(self.X, self.y)
        controls = {
            "lr": log_slider("learning rate lr", lr, 1e-3, 1.0),
            "batch_size": discrete_slider("batch size", list(BATCH_SIZES), batch_size),
            "num_epochs": choice("epochs", list(EPOCH_CHOICES), num_epochs),
            "seed": choice("shuffle seed", list(SEEDS), seed),
        }
        super().__init__(controls, caption=caption)

    # ------------------------------------------------------------------ build
    def _build(self):
        contour_ax, loss_ax = self.fig.subplots(1, 2, width_ratios=(1.0, 1.2))
        self.contour_ax, self.loss_ax = contour_ax, loss_ax
        self.contours = contour_with_trajectory(mse_surface(self.X, self.y), W_RANGE, B_RANGE,
                                                ax=contour_ax, levels=14, xlabel="slope w",
                                                ylabel="intercept b", title="path of (w, b) over the MSE")
        contour_ax.set_aspect("equal")
        # Over the path's yellow star (which ends there when the run converges), outlined to show on it.
        (self.best_marker,) = contour_ax.plot(*self.best, "+", color="white", markersize=12, mew=2, zorder=6,
                                              path_effects=[patheffects.withStroke(linewidth=3.5,
                                                                                   foreground=COLORS["black"])])
        mark_dynamic(self.best_marker)
        self.contours.path.set_linewidth(1.0)

        loss_ax.set_yscale("log")
        (self.update_line,) = loss_ax.plot([], [], "-", color=COLORS["blue"], lw=0.8, alpha=0.8,
                                           label="after each update")
        (self.epoch_line,) = loss_ax.plot([], [], "o-", color=COLORS["black"], lw=1.2, markersize=5,
                                          label="at the end of each epoch")
        self.diverged_text = loss_ax.text(0.97, 0.96, "diverges", transform=loss_ax.transAxes,
                                          ha="right", va="top", fontsize=12, fontweight="bold",
                                          color=COLORS["red"])
        mark_dynamic(self.update_line, self.epoch_line, self.diverged_text)
        loss_ax.set_xlim(-0.1, max(EPOCH_CHOICES) + 0.1)
        loss_ax.set_ylim(*EXCESS_RANGE)
        loss_ax.legend(loc="lower left")
        tidy(loss_ax, title="MSE above its minimum (log scale)", xlabel="epoch",
             ylabel="MSE − least-squares MSE")

    # -------------------------------------------------------------------- run
    def _run(self, state):
        self.batches_per_epoch = math.ceil(len(self.y) / state["batch_size"])
        self.run = fit_linear_sgd(self.X, self.y, state["lr"], state["batch_size"], state["num_epochs"],
                                  np.random.default_rng(state["seed"]), w0=START, limit=1e3)
        self.excess = np.maximum(excess_mse(self.X, self.y, self.run.weights), EXCESS_RANGE[0])
        self.contours.path.set_marker("o" if len(self.run.weights) <= 200 else "")
        self.diverged_text.set_visible(self.run.diverged_at is not None)
        updates = len(self.run.weights) - 1
        return updates, max(1, updates // FRAMES)

    def _show_frame(self, frame):
        run = self.run
        self.contours.set_trajectory(run.weights[:frame + 1])
        epochs = np.arange(frame + 1) / self.batches_per_epoch
        self.update_line.set_data(epochs, self.excess[:frame + 1])
        ends = run.epoch_ends[run.epoch_ends <= frame]
        self.epoch_line.set_data(ends / self.batches_per_epoch, self.excess[ends])
        self._fill_readout(frame)

    def _fill_readout(self, frame):
        state, run = self.state(), self.run
        w, b = run.weights[frame]
        size, n = state["batch_size"], len(self.y)
        kind = ("full-batch gradient descent" if size == n else
                "stochastic gradient descent" if size == 1 else "mini-batch SGD")
        last = f"; the last batch of each epoch has {n % size}" if n % size else ""
        text = (f"<b>{kind}</b>: N = {n} samples, batch size {size}: {self.batches_per_epoch} updates "
                f"per epoch{last}. Update {frame} of {len(run.weights) - 1}, lr = {state['lr']:.3g}.")
        if run.diverged_at is not None:
            text += (f" <b style='color:{COLORS['red']}'>diverges</b>: |(w, b)| passed 1000 after "
                     f"{run.diverged_at} updates.")
        self.readout.value = text + table(
            ["", "w", "b", "MSE − least-squares MSE"],
            [["now", f"{w:+.4f}", f"{b:+.4f}", f"{self.excess[frame]:.3g}"],
             ["least squares", f"{self.best[0]:+.4f}", f"{self.best[1]:+.4f}", "0"]])
