"""Predictions next to targets, each error drawn as a vertical bar (chapter 1)."""

import numpy as np
from matplotlib.collections import LineCollection

from .cached_figure import mark_dynamic
from .figures import subplots
from .style import COLORS, course_style, tidy

__all__ = ["ErrorBars", "predictions_with_error_bars"]


class ErrorBars:
    """The artists of :func:`predictions_with_error_bars`; ``update`` moves them in place.

    The artists change; the picture follows at the next draw. A panel draws
    after every control change; elsewhere call ``fig.canvas.draw_idle()``.
    """

    def __init__(self, ax, x, y, targets, predictions, bars):
        self.ax = ax
        self.x = x
        self.y = y
        self.targets = targets
        self.predictions = predictions
        self.bars = bars

    def update(self, y_hat):
        """Show new predictions ``y_hat`` (one per target) and their errors."""
        y_hat = _column(y_hat, "y_hat", len(self.x))
        self.predictions.set_ydata(y_hat)
        self.bars.set_segments(_segments(self.x, self.y, y_hat))
        return self


def _segments(x, y, y_hat):
    """One vertical segment per sample, from (x, y) to (x, y_hat)."""
    return np.stack([np.stack([x, y], axis=1), np.stack([x, y_hat], axis=1)], axis=1)


def _column(values, name, size=None):
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if size is not None and values.size != size:
        raise ValueError(f"{name} has {values.size} values but there are {size} targets; "
                         "pass one prediction per target.")
    return values


def predictions_with_error_bars(x, y, y_hat, *, ax=None, xlabel="x", ylabel="y", title=None):
    """Plot targets ``y`` (dots) and predictions ``y_hat`` (rings) at inputs ``x``.

    Each sample's error ``y_hat - y`` is the vertical bar joining the two. This is
    chapter 1's picture of *error* (one sample) before it is aggregated into a
    *loss* (one number). Returns an :class:`ErrorBars` whose ``update(y_hat)``
    moves the predictions and bars in place.
    """
    x = _column(x, "x")
    y = _column(y, "y", x.size)
    y_hat = _column(y_hat, "y_hat", x.size)
    if ax is None:
        _, ax = subplots()
    with course_style():
        bars = ax.add_collection(LineCollection(_segments(x, y, y_hat), colors=COLORS["red"],
                                                linewidths=2.0,
                                                label="error $\\hat y - y$"))
        (targets,) = ax.plot(x, y, "o", color=COLORS["black"], label="target $y$")
        (predictions,) = ax.plot(x, y_hat, "o", markerfacecolor="white",
                                 color=COLORS["blue"], markeredgewidth=2, label="prediction $\\hat y$")
        mark_dynamic(bars, predictions)
        tidy(ax, title=title, xlabel=xlabel, ylabel=ylabel)
    return ErrorBars(ax, x, y, targets, predictions, bars)
