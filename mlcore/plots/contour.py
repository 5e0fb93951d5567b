"""A loss surface as contours with an optimizer's path over it (chapters 3 and 6).

The contours are the expensive part of the picture and never change while a
learner moves the learning rate or the start point, so they belong to the
static layer of a :class:`~mlcore.plots.cached_figure.BackgroundCachedFigure`:
rendered once, then reused while only the path is redrawn.
"""

import numpy as np

from .cached_figure import mark_dynamic
from .figures import subplots
from .style import COLORS, course_style, tidy

__all__ = ["ContourTrajectory", "contour_with_trajectory"]


class ContourTrajectory:
    """The artists of :func:`contour_with_trajectory`; ``set_trajectory`` moves the path.

    The artists change; the picture follows at the next draw. A panel draws
    after every control change; elsewhere call ``fig.canvas.draw_idle()``.
    """

    def __init__(self, ax, contours, path, start, end):
        self.ax = ax
        self.contours = contours
        self.path = path
        self.start = start
        self.end = end

    def set_trajectory(self, points):
        """Show the path through ``points``, an array of shape (steps, 2) of (x, y)."""
        points = np.asarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"a trajectory is an array of shape (steps, 2), got shape {points.shape}; "
                             "stack the parameter pairs with np.array(history).")
        self.path.set_data(points[:, 0], points[:, 1])
        visible = len(points) > 0
        self.start.set_visible(visible)
        self.end.set_visible(visible)
        if visible:
            self.start.set_data(points[:1, 0], points[:1, 1])
            self.end.set_data(points[-1:, 0], points[-1:, 1])
        return self


def _levels(z, levels, log_levels):
    if not np.isscalar(levels):
        return np.asarray(levels, dtype=np.float64)
    low, high = float(np.min(z)), float(np.max(z))
    if high <= low:
        raise ValueError(f"f is constant over the box (every value is {low:g}): nothing to contour; "
                         "widen xlim/ylim or check f.")
    if log_levels:
        # Log spacing above the minimum shows the valley of an ill-conditioned
        # function instead of spending every level on its steep walls.
        # The first level is the minimum itself, so the bottom of the valley is filled too.
        return low + np.concatenate([[0.0], np.geomspace(1e-3 * (high - low), high - low,
                                                         int(levels) - 1)])
    return np.linspace(low, high, int(levels))


def contour_with_trajectory(f, xlim, ylim, trajectory=None, *, ax=None, levels=20, log_levels=True,
                            resolution=150, xlabel="$w_1$", ylabel="$w_2$", title=None):
    """Contours of ``f(X, Y)`` over a box, with a gradient-descent path drawn on top.

    ``f`` takes two arrays of the same shape (a meshgrid) and returns the loss at
    each point, e.g. ``lambda w1, w2: 0.1 * w1**2 + 2 * w2**2``. Chapter 3 shows
    how the learning rate shapes the path; chapter 6 draws every optimizer on the
    same surface. Returns a :class:`ContourTrajectory`; call ``set_trajectory``
    with the new path and only the path is redrawn.
    """
    if ax is None:
        _, ax = subplots(figsize=(5.0, 4.0))
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    z = np.asarray(f(grid_x, grid_y), dtype=np.float64)
    if z.shape != grid_x.shape or not np.all(np.isfinite(z)):
        raise ValueError("f(X, Y) must return one finite value per grid point (an array shaped like X); "
                         f"got shape {z.shape}. Write f with numpy operations that work elementwise.")
    with course_style():
        contours = ax.contourf(grid_x, grid_y, z, levels=_levels(z, levels, log_levels),
                               cmap="viridis", alpha=0.85)
        (path,) = ax.plot([], [], "-o", color=COLORS["red"], markersize=3, linewidth=1.5)
        (start,) = ax.plot([], [], "o", color=COLORS["black"], markersize=7)
        (end,) = ax.plot([], [], "*", color=COLORS["yellow"], markeredgecolor=COLORS["black"],
                         markersize=12)
        mark_dynamic(path, start, end)
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
        ax.grid(False)
        tidy(ax, title=title, xlabel=xlabel, ylabel=ylabel)
    handle = ContourTrajectory(ax, contours, path, start, end)
    return handle.set_trajectory(np.empty((0, 2)) if trajectory is None else trajectory)
