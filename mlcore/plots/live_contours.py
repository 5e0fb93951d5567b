"""Contours of a surface that a control can swap, redrawn over a cached background (chapter 6).

:func:`~mlcore.plots.contour.contour_with_trajectory` puts the contours in the
static layer, which suits a picture whose surface never changes. A panel that
swaps the surface (the optimizer race) or reshapes it (the momentum panel's
condition number) must not redraw its whole background at every change, so
here the contours are dynamic artists: the bands are one RGBA image and the
level lines one LineCollection, both replaced in place.

The look is chapter 3's bowl panel: log-spaced levels from the highest value
in the box down ``decades`` decades, bands coloured viridis from the outer to
the inner band mixed with white so that paths stand out, thin white level lines.
"""

import contourpy
import matplotlib
import numpy as np
from matplotlib.collections import LineCollection

from .cached_figure import mark_dynamic

__all__ = ["LiveContours", "band_colors", "log_levels"]

LEVELS = 14


def log_levels(top, decades, count=LEVELS):
    """``count`` levels from ``top`` down to ``top * 10**-decades``, evenly spaced in log, highest first."""
    if not top > 0:
        raise ValueError(f"log-spaced levels need a highest value above 0, got {top!r}: the surface must "
                         "rise above its minimum 0 somewhere in the box.")
    return top * np.geomspace(1.0, 10.0 ** -decades, count)


def band_colors(count=LEVELS):
    """RGBA colours of the bands, outermost first: viridis from 1 to 0, mixed with white (chapter 3)."""
    return 0.3 + 0.7 * matplotlib.colormaps["viridis"](np.linspace(1.0, 0.0, count))


class LiveContours:
    """Bands and level lines of ``f`` over the box ``xlim`` x ``ylim`` of ``ax``; :meth:`show` swaps ``f``.

    Both artists are dynamic, so a new surface costs one image and one set of
    lines, not a redraw of the axes. The axes limits are set once, here.
    """

    def __init__(self, ax, xlim, ylim, *, resolution=241):
        self.ax = ax
        self.xs = np.linspace(*xlim, resolution)
        self.ys = np.linspace(*ylim, resolution)
        self.grid = np.meshgrid(self.xs, self.ys)
        self.image = ax.imshow(np.full((resolution, resolution, 4), 255, dtype=np.uint8), extent=(*xlim, *ylim), origin="lower",
                               interpolation="none", aspect="auto", zorder=0)
        self.lines = ax.add_collection(LineCollection([], colors="white", linewidths=0.5, zorder=0.5))
        mark_dynamic(self.image, self.lines)
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
        ax.grid(False)
        self.levels = None
        self._drawn = {}

    def show(self, f, *, decades=4, top=None, key=None):
        """Draw the contours of ``f(W1, W2)`` (numpy, elementwise); levels as :func:`log_levels`
        from ``top`` (default: the highest value on the grid). Returns the levels.

        With a ``key``, the picture is kept, and showing the same key again reuses it.
        """
        if key is not None and key in self._drawn:
            image, segments, self.levels = self._drawn[key]
            self.image.set_data(image)
            self.lines.set_segments(segments)
            return self.levels
        z = np.asarray(f(*self.grid), dtype=np.float64)
        if z.shape != self.grid[0].shape or not np.all(np.isfinite(z)):
            raise ValueError("f(W1, W2) must return one finite value per grid point; write it with "
                             "elementwise numpy operations.")
        levels = log_levels(float(z.max()) if top is None else top, decades)
        ascending = levels[::-1]
        # Band k lies between levels k and k + 1 (highest first); above the top level: white.
        above = len(levels) - np.searchsorted(ascending, z, side="right")
        colors = np.vstack([np.ones((1, 4)), band_colors(len(levels))])
        # Bytes, not floats: matplotlib then skips a conversion and draws the image 3x faster.
        image = np.round(255 * colors[above]).astype(np.uint8)
        generator = contourpy.contour_generator(self.xs, self.ys, z, line_type="Separate")
        segments = [line for level in levels for line in generator.lines(level)]
        self.image.set_data(image)
        self.lines.set_segments(segments)
        self.levels = levels
        if key is not None:
            self._drawn[key] = (image, segments, levels)
        return levels
