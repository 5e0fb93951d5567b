"""Schedule panel: the learning rate per epoch under four schedules, and what each does to the loss (ch. 3).

Every curve is a real training run: mini-batch SGD (``mlcore.optim.SGD``,
batches of 64) on chapter 3's diabetes regression ``y_hat = w * bmi + b``,
with a scheduler from ``mlcore.optim.lr_scheduler`` stepped once per epoch.
The noise of the mini-batches keeps a constant rate bouncing around the
minimum at a height that grows with the rate; a rate that decays lets the
bouncing die down. All four schedules are drawn, the chosen one in bold.
"""

import functools

import numpy as np

from ..data.diabetes import bmi_regression
from ..linear_sgd import excess_mse, fit_linear_sgd_runs
from ..optim import lr_scheduler
from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, tidy
from .batch_size import START
from .controls import choice, log_slider, slider
from .player import SteppedPanel
from .readout import table

__all__ = ["BATCH_SIZE", "NUM_EPOCHS", "SCHEDULES", "LRSchedulePanel", "make_scheduler"]

BATCH_SIZE = 64
NUM_EPOCHS = 30
SEED = 0
SCHEDULES = {"constant": "constant", "step": "StepLR", "exponential": "ExponentialLR",
             "cosine": "CosineAnnealingLR"}
SCHEDULE_COLORS = {"constant": COLORS["grey"], "step": COLORS["blue"], "exponential": COLORS["green"],
                   "cosine": COLORS["pink"]}
# The settings each schedule reads, so that a run is recomputed only when one of them changes.
PARAMETERS = {"constant": (), "step": ("step_size", "step_gamma"), "exponential": ("exp_gamma",),
              "cosine": ("T_max",)}
LR_RANGE = (1e-3, 1.0)
EXCESS_RANGE = (1e-8, 1e2)   # the constant rate at lr = 1 bounces up to about 17
RATE_TOP = 1.45              # the rate plot's top: room for the legend above the rates, which are all <= 1


def make_scheduler(name, optimizer, *, settings):
    """The ``mlcore.optim.lr_scheduler`` object for schedule ``name`` with the panel's settings,
    or None for the constant rate (no scheduler at all)."""
    if name == "constant":
        return None
    if name == "step":
        return lr_scheduler.StepLR(optimizer, step_size=settings["step_size"], gamma=settings["step_gamma"])
    if name == "exponential":
        return lr_scheduler.ExponentialLR(optimizer, gamma=settings["exp_gamma"])
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=settings["T_max"])
    raise ValueError(f"unknown schedule {name!r}; choose one of {', '.join(SCHEDULES)}.")


def _excess(value):
    return f"{value:.3g}" if np.isfinite(value) else "diverged"


class LRSchedulePanel(SteppedPanel):
    """Four learning-rate schedules side by side: the rate per epoch and the training loss per epoch
    (chapter 3).

    Settings: ``lr`` (the rate at epoch 0), ``schedule`` (the one drawn in
    bold: ``'constant'``, ``'step'``, ``'exponential'`` or ``'cosine'``),
    ``step_size`` and ``step_gamma`` (StepLR), ``exp_gamma`` (ExponentialLR)
    and ``T_max`` (CosineAnnealingLR). ``rates[name]`` and ``losses[name]``
    hold each schedule's curves, one value per epoch 0 ... 30.
    """

    chapter = 3
    unit = "epoch"
    figsize = (8.4, 3.7)
    question = ("At lr = 0.3, where does the constant rate's loss stop falling? Which schedule ends "
                "lowest after 30 epochs, and why does decaying the rate help at all?")

    def __init__(self, lr=0.1, schedule="step", step_size=10, step_gamma=0.5, exp_gamma=0.9, T_max=30,
                 *, caption=None):
        self.X, self.y = bmi_regression()
        self._runs = {}
        controls = {
            "lr": log_slider("initial lr", lr, *LR_RANGE),
            "schedule": choice("schedule", list(SCHEDULES), schedule),
            "step_size": choice("StepLR step_size", [5, 10, 15], step_size),
            "step_gamma": slider("StepLR γ", step_gamma, 0.1, 0.9, 0.05),
            "exp_gamma": slider("ExponentialLR γ", exp_gamma, 0.7, 0.99, 0.01),
            "T_max": choice("Cosine T_max", [10, 20, 30], T_max),
        }
        super().__init__(controls, caption=caption)

    # ------------------------------------------------------------------ build
    def _build(self):
        rate_ax, loss_ax = self.fig.subplots(1, 2)
        self.rate_ax, self.loss_ax = rate_ax, loss_ax
        self.rate_lines, self.loss_lines = {}, {}
        for name, label in SCHEDULES.items():
            color = SCHEDULE_COLORS[name]
            (self.rate_lines[name],) = rate_ax.plot([], [], drawstyle="steps-post", color=color,
                                                    label=label)
            (self.loss_lines[name],) = loss_ax.plot([], [], color=color, label=label)
        (self.rate_marker,) = rate_ax.plot([], [], "o", color=COLORS["black"], markersize=6)
        (self.loss_marker,) = loss_ax.plot([], [], "o", color=COLORS["black"], markersize=6)
        mark_dynamic(*self.rate_lines.values(), *self.loss_lines.values(), self.rate_marker,
                     self.loss_marker)
        for ax in (rate_ax, loss_ax):
            ax.set_xlim(-0.5, NUM_EPOCHS + 0.5)
        # Every schedule multiplies the initial rate, so lr / initial lr needs no new axis limits
        # when the initial rate changes.
        rate_ax.set_ylim(0.0, RATE_TOP)
        rate_ax.set_yticks(np.linspace(0.0, 1.0, 6))
        loss_ax.set_yscale("log")
        loss_ax.set_ylim(*EXCESS_RANGE)
        rate_ax.legend(loc="upper center", ncol=2)
        tidy(rate_ax, title="learning rate per epoch", xlabel="epoch", ylabel="lr / initial lr")
        tidy(loss_ax, title=f"training MSE above its minimum (batches of {BATCH_SIZE})", xlabel="epoch",
             ylabel="MSE − least-squares MSE")

    # -------------------------------------------------------------------- run
    def _run(self, state):
        keys = {name: (name, state["lr"], *(state[p] for p in PARAMETERS[name])) for name in SCHEDULES}
        stale = [name for name, key in keys.items() if key not in self._runs]
        if stale:
            self._runs = {key: self._runs[key] for key in keys.values() if key in self._runs}
            runs = fit_linear_sgd_runs(
                self.X, self.y, state["lr"], BATCH_SIZE, NUM_EPOCHS, np.random.default_rng(SEED), w0=START,
                schedules=[functools.partial(make_scheduler, name, settings=state) for name in stale])
            for name, run in zip(stale, runs):
                self._runs[keys[name]] = self._curves(run)
        self.rates = {name: self._runs[key][0] for name, key in keys.items()}
        self.losses = {name: self._runs[key][1] for name, key in keys.items()}
        for name in SCHEDULES:
            bold = name == state["schedule"]
            for line in (self.rate_lines[name], self.loss_lines[name]):
                line.set_linewidth(2.6 if bold else 1.0)
                line.set_alpha(1.0 if bold else 0.45)
                line.set_zorder(3 if bold else 2)
        return NUM_EPOCHS

    def _curves(self, run):
        """Rate of every epoch (the rate its updates use) and MSE above the minimum after it."""
        rates = np.full(NUM_EPOCHS + 1, np.nan)
        ends = run.epoch_ends
        firsts = np.flatnonzero(np.diff(np.append(-1, run.epochs)) != 0)
        rates[run.epochs[firsts]] = run.lrs[firsts]
        rates[NUM_EPOCHS] = rates[NUM_EPOCHS - 1]  # the last step of the stairs
        losses = np.full(NUM_EPOCHS + 1, np.nan)
        losses[:len(ends)] = np.maximum(excess_mse(self.X, self.y, run.weights[ends]), EXCESS_RANGE[0])
        return rates, losses

    def _show_frame(self, frame):
        epochs = np.arange(frame + 1)
        for name in SCHEDULES:
            self.rate_lines[name].set_data(epochs, self.rates[name][:frame + 1] / self.state()["lr"])
            shown = np.isfinite(self.losses[name][:frame + 1])
            self.loss_lines[name].set_data(epochs[shown], self.losses[name][:frame + 1][shown])
        chosen = self.state()["schedule"]
        self.rate_marker.set_data([frame], [self.rates[chosen][frame] / self.state()["lr"]])
        self.loss_marker.set_data([frame], [self.losses[chosen][frame]])
        rows = [[SCHEDULES[name] + (" ◀" if name == chosen else ""),
                 *(f"{self.rates[name][e]:.4g}" for e in (0, 10, 20)),
                 _excess(self.losses[name][frame])] for name in SCHEDULES]
        self.readout.value = (f"epoch {frame}: rate and MSE above the minimum after it"
                              + table(["schedule", "lr at epoch 0", "10", "20",
                                       f"excess MSE at epoch {frame}"], rows))
