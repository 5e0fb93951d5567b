"""Error-bar panel: per-sample errors and the one number a reduction makes of them (chapter 1).

An *error* belongs to one sample (``y_hat - y``); a *loss* is one number for
the whole data set. The panel draws each error as a bar, each sample's loss as
a column, and the aggregate that PyTorch's ``reduction`` argument asks for:
``'mean'`` (the default), ``'sum'``, or ``'none'`` (no aggregate: the
per-sample vector itself). With the default data and line (``w = 1, b = 0``) it
shows the course's facts: MSE 4/3, and L1 with ``reduction='sum'`` 2.0.
"""

import math

import numpy as np

import mlcore
import mlcore.nn.functional as F

from ..plots.cached_figure import mark_dynamic
from ..plots.error_bars import predictions_with_error_bars
from ..plots.live_scale import LiveYScale
from ..plots.style import COLORS, LOSS_COLORS, tidy
from .base import Panel
from .controls import choice, slider

__all__ = ["ErrorBarPanel", "nice_limit"]

LOSSES = {"mse": F.mse_loss, "mae": F.l1_loss}
CALLS = {"mse": "F.mse_loss", "mae": "F.l1_loss"}


def nice_limit(value):
    """The smallest of 1, 2, 5 times a power of ten that is at least ``value`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(value))
    return next(power * step for step in (1.0, 2.0, 5.0, 10.0) if power * step >= value)


class ErrorBarPanel(Panel):
    """Predictions of the line ``y_hat = w x + b`` with error bars, and the loss (chapter 1).

    Settings: ``w``, ``b`` (the line), ``loss`` (``'mse'`` or ``'mae'``) and
    ``reduction`` (``'mean'``, ``'sum'`` or ``'none'``). ``x`` and ``y`` replace
    the default data, inputs ``[1, 2, 3]`` with targets ``[1, 2, 5]``.
    """

    chapter = 1
    figsize = (8.0, 3.7)
    question = ("Switch the reduction from mean to sum: by what factor does the loss change, "
                "and why? Which w and b make the MSE as small as possible?")

    def __init__(self, w=1.0, b=0.0, loss="mse", reduction="mean", *, x=(1.0, 2.0, 3.0),
                 y=(1.0, 2.0, 5.0), caption=None):
        self.x = np.asarray(x, dtype=np.float64).reshape(-1)
        self.y = np.asarray(y, dtype=np.float64).reshape(-1)
        if self.x.size == 0 or self.x.shape != self.y.shape:
            raise ValueError(f"x and y must be non-empty and of the same length, got {self.x.size} "
                             f"inputs and {self.y.size} targets.")
        controls = {
            "w": slider("slope w", w, -1.0, 3.0, 0.05),
            "b": slider("intercept b", b, -3.0, 3.0, 0.05),
            "loss": choice("loss", [("MSE", "mse"), ("MAE (L1)", "mae")], loss),
            "reduction": choice("reduction", ["mean", "sum", "none"], reduction),
        }
        data = {"x": tuple(float(v) for v in self.x), "y": tuple(float(v) for v in self.y)}
        super().__init__(controls, settings=data, caption=caption)

    def _build(self):
        data_ax, loss_ax = self.fig.subplots(1, 2, width_ratios=(3, 2))
        self.error_bars = predictions_with_error_bars(self.x, self.y, self.y, ax=data_ax)
        span = np.ptp(self.x) or 1.0
        self._line_x = np.array([self.x.min() - 0.2 * span, self.x.max() + 0.2 * span])
        self.model_line = mark_dynamic(data_ax.plot(self._line_x, self._line_x, color=COLORS["blue"],
                                                    linewidth=1.2, alpha=0.6,
                                                    label="model ŷ = w x + b")[0])
        # Fixed limits that hold every prediction of every slider setting: new
        # limits would redraw the cached background at every jump.
        data_ax.set_xlim(*self._line_x)
        data_ax.set_ylim(*self._prediction_limits())
        # Above both plots, where no line of any slider setting can run through it.
        self.fig.legend(*data_ax.get_legend_handles_labels(), loc="outside upper center", ncol=4)
        tidy(data_ax, title="errors: one per sample", xlabel="x", ylabel="y")

        n = self.x.size
        self.sample_bars = loss_ax.bar(np.arange(n), np.zeros(n))
        self.total_bar = loss_ax.bar([n + 0.5], [0.0], color=COLORS["red"])[0]
        self.total_text = loss_ax.text(n + 0.5, 0.0, "", ha="center", va="bottom")
        # The loss axis follows the line from 0.5 to several hundred; its top
        # moves over the cached background instead of redrawing it.
        self.loss_scale = LiveYScale(loss_ax)
        for artist in (*self.sample_bars, self.total_bar, self.total_text):
            artist.set_transform(self.loss_scale.transform)
        mark_dynamic(*self.sample_bars, self.total_bar, self.total_text)
        # Each sample is labelled by its input, the x of the left plot.
        loss_ax.set_xticks(list(range(n)) + [n + 0.5], [f"x={x:g}" for x in self.x] + ["loss"])
        loss_ax.set_xlim(-0.7, n + 1.2)
        tidy(loss_ax, title="per-sample loss and the reduction", xlabel="sample")
        self.loss_ax = loss_ax

    def _prediction_limits(self):
        """y limits holding every target and every prediction ``w x + b`` the sliders allow."""
        (w_low, w_high), (b_low, b_high) = ((self.controls[name].min, self.controls[name].max)
                                            for name in ("w", "b"))
        predictions = np.concatenate([w * self.x + b for w in (w_low, w_high) for b in (b_low, b_high)])
        low, high = min(predictions.min(), self.y.min()), max(predictions.max(), self.y.max())
        margin = 0.05 * (high - low)
        return low - margin, high + margin

    def _update(self, state):
        y_hat = mlcore.tensor(state["w"] * self.x + state["b"])
        y = mlcore.tensor(self.y)
        loss_fn = LOSSES[state["loss"]]
        per_sample = loss_fn(y_hat, y, reduction="none").data
        result = loss_fn(y_hat, y, reduction=state["reduction"])

        self.error_bars.update(y_hat.data)
        self.model_line.set_ydata(state["w"] * self._line_x + state["b"])
        for bar, height in zip(self.sample_bars, per_sample):
            bar.set_height(height)
        reduced = state["reduction"] != "none"
        total = float(result.item()) if reduced else 0.0
        self.total_bar.set_visible(reduced)
        self.total_bar.set_height(total)
        self.total_text.set_position((self.total_bar.get_x() + 0.4, total))
        self.total_text.set_text(f"{state['reduction']}\n{total:.4g}" if reduced else "none:\nno total")
        self.loss_scale.set_top(self.loss_top(y_hat, y, loss_fn))

        for bar in self.sample_bars:
            bar.set_color(LOSS_COLORS[state["loss"]])
        call = f"{CALLS[state['loss']]}(y_hat, y, reduction={state['reduction']!r})"
        value = np.array2string(result.data, precision=4) if not reduced else f"{total:.4f}"
        self.readout.value = (f"<code>y_hat = {np.array2string(y_hat.data, precision=3)}</code><br>"
                              f"<code>{call} = {value}</code>")

    @staticmethod
    def loss_top(y_hat, y, loss_fn):
        """The top of the loss axis: a round number above the largest bar that ``loss_fn`` could
        draw under any reduction.

        Switching mean/sum compares bars on one scale (the sum is n times the
        mean); each loss has its own, since squares of big errors would dwarf
        their absolute values.
        """
        highest = max(float(loss_fn(y_hat, y, reduction=reduction).data.max()) for reduction in ("none", "sum"))
        return nice_limit(1.15 * highest) if highest > 0 else 1.0
