"""Training and validation loss against the step or epoch (chapters 3, 6 and 7)."""

import numpy as np

from .cached_figure import mark_dynamic
from .figures import subplots
from .style import LOSS_COLORS, course_style, tidy

__all__ = ["LossCurves", "loss_curves"]


class LossCurves:
    """The artists of :func:`loss_curves`; ``update`` moves them in place.

    The artists change; the picture follows at the next draw. A panel draws
    after every control change; elsewhere call ``fig.canvas.draw_idle()``.
    """

    def __init__(self, ax, train_line, val_line):
        self.ax = ax
        self.train_line = train_line
        self.val_line = val_line

    def update(self, train, val=None, *, rescale=True):
        """Show new loss histories; with ``rescale`` the axes limits follow the data."""
        self.train_line.set_data(*_steps_and_values(train, "train"))
        if val is not None:
            self.val_line.set_data(*_steps_and_values(val, "val"))
        self.val_line.set_visible(val is not None)
        if rescale:
            self.ax.relim(visible_only=True)
            self.ax.autoscale_view()
        return self


def _steps_and_values(losses, name):
    values = np.asarray(losses, dtype=np.float64).reshape(-1)
    if values.size == 0:
        return np.empty(0), np.empty(0)
    # Non-finite losses (a diverged run) are left out of the line rather than
    # breaking the axes limits; the caller reports the divergence.
    steps = np.arange(values.size, dtype=np.float64)
    finite = np.isfinite(values)
    if not finite.any():
        raise ValueError(f"{name} losses contain no finite value: the run diverged from the "
                         "start; lower the learning rate or check the loss.")
    return steps[finite], values[finite]


def loss_curves(train, val=None, *, ax=None, log_y=False, xlabel="epoch", ylabel="loss",
                title=None):
    """Plot a training loss history and, optionally, a validation one.

    Chapter 7 draws train and validation curves to show under- and overfitting;
    chapters 3 and 6 draw the loss per step of gradient descent and of each
    optimizer. ``log_y`` puts the loss on a log scale (useful when it spans
    decades). Returns a :class:`LossCurves` whose ``update`` moves the curves in place.
    """
    if ax is None:
        _, ax = subplots()
    with course_style():
        (train_line,) = ax.plot([], [], color=LOSS_COLORS["train"], label="train")
        (val_line,) = ax.plot([], [], color=LOSS_COLORS["val"], label="validation")
        mark_dynamic(train_line, val_line)
        if log_y:
            ax.set_yscale("log")
        tidy(ax, title=title, xlabel=xlabel, ylabel=ylabel)
        curves = LossCurves(ax, train_line, val_line).update(train, val)
        ax.legend(handles=[train_line, val_line] if val is not None else [train_line],
                  loc="upper right")
    return curves
