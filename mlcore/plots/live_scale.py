"""A y axis from 0 to a top that may move at every slider step without redrawing the background (all chapters).

New axis limits mean new ticks, and new ticks mean that the figure's cached
static background is drawn again: about 50 ms, where moving a bar costs well
under one. For a quantity that starts at 0 (a loss, a count) the axes' own
limits can stay fixed at [0, 1] instead. The artists that show the quantity
are drawn through a transform that divides by the top, and the tick labels,
tick marks and grid lines of the y axis are an overlay on the cached
background (:func:`~mlcore.plots.cached_figure.mark_overlay`): changing the
top changes that transform and redraws those few artists, once.

Artists keep their true values (a bar's ``get_height()`` is the loss itself);
only the picture is scaled.
"""

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.markers import TICKLEFT
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Affine2D

from .cached_figure import mark_overlay

__all__ = ["LiveYScale"]


class LiveYScale:
    """The y axis of ``ax`` from 0 to ``top``, with ``set_top`` as cheap as moving a line.

    Artists drawn in data coordinates are put on this scale with
    ``artist.set_transform(scale.transform)``. Build it inside
    :func:`~mlcore.plots.style.course_style` so that its ticks and grid take
    the course's look.
    """

    def __init__(self, ax, top=1.0, *, nbins=5):
        self.ax = ax
        self.top = None
        self._locator = MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10])
        self._scale = Affine2D()
        self.transform = self._scale + ax.transData
        ax.set_ylim(0.0, 1.0)
        ax.set_yticks([])  # no static ticks, so no static horizontal grid lines either
        rc = matplotlib.rcParams
        # Where matplotlib puts a tick label: its pad beyond the tick mark.
        label_transform, va, ha = ax.get_yaxis_text1_transform(rc["ytick.major.pad"] + rc["ytick.major.size"])
        color = rc["ytick.color"] if rc["ytick.labelcolor"] == "inherit" else rc["ytick.labelcolor"]
        self.labels = [ax.text(0.0, 0.0, "", transform=label_transform, va=va, ha=ha,
                               fontsize=rc["ytick.labelsize"], color=color)
                       for _ in range(nbins + 2)]
        self.ticks = ax.plot([], [], linestyle="none", marker=TICKLEFT, transform=ax.get_yaxis_transform(),
                             markersize=rc["ytick.major.size"], markeredgewidth=rc["ytick.major.width"],
                             color=rc["ytick.color"], clip_on=False)[0]
        self.grid = ax.add_collection(LineCollection(
            [], transform=ax.get_yaxis_transform(), colors=rc["grid.color"], alpha=rc["grid.alpha"],
            linewidths=rc["grid.linewidth"], linestyles=rc["grid.linestyle"], zorder=0.5))
        mark_overlay(*self.labels, self.ticks, self.grid)
        self.set_top(top)

    def tick_values(self, top):
        """The tick values from 0 to ``top``, at round numbers."""
        values = self._locator.tick_values(0.0, top)
        return values[(values >= 0.0) & (values <= top * (1 + 1e-9))]

    def set_top(self, top):
        """Show values from 0 to ``top`` (> 0); returns self."""
        top = float(top)
        if not top > 0.0:
            raise ValueError(f"the top of the axis must be positive, got {top}.")
        if top == self.top:
            return self
        self.top = top
        self._scale.clear().scale(1.0, 1.0 / top)
        values = self.tick_values(top)
        fractions = values / top
        # One number of decimals for every label, as matplotlib's own ticks have.
        decimals = max(len(f"{value:g}".partition(".")[2]) for value in values)
        for label, value, fraction in zip(self.labels, values, fractions):
            label.set_position((0.0, fraction))
            label.set_text(f"{value:.{decimals}f}")
        for index, label in enumerate(self.labels):
            label.set_visible(index < len(values))
        self.ticks.set_data(np.zeros_like(fractions), fractions)
        # No grid line at 0, where the x axis is.
        self.grid.set_segments([[(0.0, f), (1.0, f)] for f in fractions if f > 0.0])
        return self
