"""A y axis whose range may move at every slider step without redrawing the background (all chapters).

New axis limits mean new ticks, and new ticks mean that the figure's cached
static background is drawn again: about 50 ms, where moving a bar costs well
under one. For a quantity that starts at 0 (a loss, a count) the axes' own
limits can stay fixed at [0, 1] instead. The artists that show the quantity
are drawn through a transform that divides by the top, and the tick labels,
tick marks and grid lines of the y axis are an overlay on the cached
background (:func:`~mlcore.plots.cached_figure.mark_overlay`): changing the
top changes that transform and redraws those few artists, once.

Artists keep their true values (a bar's ``get_height()`` is the loss itself);
only the picture is scaled. :class:`LiveLogYScale` does the same for a log axis
between two positive values (chapter 6's race, whose loss range follows the
surface).
"""

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.markers import TICKLEFT
from matplotlib.ticker import MaxNLocator
from matplotlib.scale import LogTransform
from matplotlib.transforms import Affine2D, IdentityTransform, blended_transform_factory

from .cached_figure import mark_overlay

__all__ = ["LiveLogYScale", "LiveYScale"]


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
        self.labels, self.ticks, self.grid = _overlay_y_axis(ax, nbins + 2)
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
        _show_ticks(self, fractions, [f"{value:.{decimals}f}" for value in values])
        # No grid line at 0, where the x axis is.
        self.grid.set_segments([[(0.0, f), (1.0, f)] for f in fractions if f > 0.0])
        return self


class LiveLogYScale:
    """A log y axis of ``ax`` from ``bottom`` to ``top`` (both > 0), with ``set_range`` as cheap as moving
    a line (chapter 6).

    Like :class:`LiveYScale`: the axes' own limits stay [0, 1], artists are put on the scale with
    ``artist.set_transform(scale.transform)`` and keep their true values, and the labels (powers of
    ten, at most ``max_labels``), tick marks and grid lines are an overlay on the cached background.
    """

    def __init__(self, ax, bottom, top, *, max_labels=7):
        self.ax = ax
        self.bottom = self.top = None
        self.max_labels = max_labels
        self._scale = Affine2D()
        # log10 of y, then the affine map of [log10 bottom, log10 top] onto the axes' [0, 1].
        self.transform = blended_transform_factory(IdentityTransform(), LogTransform(10)) + self._scale + ax.transData
        self.labels, self.ticks, self.grid = _overlay_y_axis(ax, max_labels)
        self.set_range(bottom, top)

    def tick_values(self, bottom, top):
        """The powers of ten from ``bottom`` to ``top`` whose exponents are multiples of ``k``, with ``k``
        as small as keeps them to ``max_labels`` (as a log axis labels every 1st, 2nd or 3rd decade)."""
        low, high = int(np.ceil(np.log10(bottom) - 1e-9)), int(np.floor(np.log10(top) + 1e-9))
        every = max(1, int(np.ceil((high - low + 1) / self.max_labels)))
        exponents = np.arange(low, high + 1)
        return 10.0 ** exponents[exponents % every == 0]

    def set_range(self, bottom, top):
        """Show values from ``bottom`` to ``top`` (0 < bottom < top) on the log axis; returns self."""
        bottom, top = float(bottom), float(top)
        if not 0.0 < bottom < top:
            raise ValueError(f"a log axis runs between two positive values, bottom < top; got bottom={bottom}, "
                             f"top={top}.")
        if (bottom, top) == (self.bottom, self.top):
            return self
        self.bottom, self.top = bottom, top
        low, high = np.log10(bottom), np.log10(top)
        self._scale.clear().translate(0.0, -low).scale(1.0, 1.0 / (high - low))
        values = self.tick_values(bottom, top)
        fractions = (np.log10(values) - low) / (high - low)
        _show_ticks(self, fractions, [f"$\\mathdefault{{10^{{{round(np.log10(value))}}}}}$" for value in values])
        # No grid line on the bottom edge, where the x axis is.
        self.grid.set_segments([[(0.0, f), (1.0, f)] for f in fractions if f > 1e-9])
        return self


def _overlay_y_axis(ax, count):
    """``count`` tick labels, one line of tick marks and one collection of grid lines for ``ax``'s y axis,
    in the current style, as an overlay; the axes' own y ticks go, and its limits become [0, 1]."""
    ax.set_ylim(0.0, 1.0)
    ax.set_yticks([])  # no static ticks, so no static horizontal grid lines either
    rc = matplotlib.rcParams
    # Where matplotlib puts a tick label: its pad beyond the tick mark.
    label_transform, va, ha = ax.get_yaxis_text1_transform(rc["ytick.major.pad"] + rc["ytick.major.size"])
    color = rc["ytick.color"] if rc["ytick.labelcolor"] == "inherit" else rc["ytick.labelcolor"]
    labels = [ax.text(0.0, 0.0, "", transform=label_transform, va=va, ha=ha, fontsize=rc["ytick.labelsize"],
                      color=color)
              for _ in range(count)]
    ticks = ax.plot([], [], linestyle="none", marker=TICKLEFT, transform=ax.get_yaxis_transform(),
                    markersize=rc["ytick.major.size"], markeredgewidth=rc["ytick.major.width"],
                    color=rc["ytick.color"], clip_on=False)[0]
    grid = ax.add_collection(LineCollection(
        [], transform=ax.get_yaxis_transform(), colors=rc["grid.color"], alpha=rc["grid.alpha"],
        linewidths=rc["grid.linewidth"], linestyles=rc["grid.linestyle"], zorder=0.5))
    mark_overlay(*labels, ticks, grid)
    return labels, ticks, grid


def _show_ticks(scale, fractions, texts):
    """Put ``scale``'s labels ``texts`` and its tick marks at ``fractions`` of the axes' height; hide the
    labels left over."""
    for label, text, fraction in zip(scale.labels, texts, fractions):
        label.set_position((0.0, fraction))
        label.set_text(text)
    for index, label in enumerate(scale.labels):
        label.set_visible(index < len(texts))
    scale.ticks.set_data(np.zeros_like(fractions), fractions)
