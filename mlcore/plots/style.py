"""The course's shared look: one colour per loss, light axes, small fonts (all chapters).

Colours come from the Okabe-Ito palette, which stays distinguishable for
colour-blind readers. Every plot of a given loss uses that loss's colour, so a
learner who met MSE in blue in chapter 1 finds it blue in chapter 7.
"""

import contextlib

import matplotlib

__all__ = ["COLORS", "LOSS_COLORS", "RC", "course_style", "tidy"]

COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "pink": "#CC79A7",
    "red": "#D55E00",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#7F7F7F",
}

LOSS_COLORS = {
    "mse": COLORS["blue"],
    "mae": COLORS["orange"],
    "huber": COLORS["green"],
    "smooth_l1": COLORS["pink"],
    "cross_entropy": COLORS["red"],
    "train": COLORS["blue"],
    "val": COLORS["orange"],
}

RC = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.0,
    "figure.dpi": 100,
}


@contextlib.contextmanager
def course_style():
    """Temporarily apply the course's rcParams; artists created inside keep the look."""
    with matplotlib.rc_context(RC):
        yield


def tidy(ax, *, title=None, xlabel=None, ylabel=None):
    """Set an axes' title and labels in one call; returns the axes."""
    if title is not None:
        ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    return ax
