"""A matplotlib Figure that caches its static background (the live panels of every chapter).

Redrawing axes, ticks, labels and contours costs tens of milliseconds; moving a
line costs well under one. A panel therefore splits its figure in two layers:

* static artists (axes, ticks, labels, contours, reference curves) are drawn
  once and the rendered pixels are kept;
* dynamic artists (marked with :func:`mark_dynamic`, which sets matplotlib's
  ``animated`` flag) are drawn on top of those pixels at every draw.

Matplotlib already keeps the two apart: an animated artist is left out of the
normal draw, and changing it does not mark its figure stale. So the cache is
valid exactly until a static artist changes (for example ``ax.set_ylim``), which
marks the figure stale; the next draw then renders everything again. Works with
any canvas built on Agg (the Agg backend, the inline backend, ipympl); other
renderers (PDF, SVG) simply draw everything every time.

Only public matplotlib is used: the ``stale`` property (extended, not
replaced), ``set_animated`` and the Agg renderer's ``copy_from_bbox`` /
``restore_region`` of matplotlib's blitting guide. tests/test_plots.py checks
the two behaviours of plain matplotlib the cache relies on, so a matplotlib
release that changed them would fail there first.
"""

from matplotlib.figure import Figure

__all__ = ["BackgroundCachedFigure", "mark_dynamic"]


class BackgroundCachedFigure(Figure):
    """A Figure whose static layer is rendered once and reused (see module docstring).

    ``full_draws`` and ``fast_draws`` count the two kinds of draw; tests and the
    panel benchmark use them to check that a control change leaves the
    background alone.
    """

    def __init__(self, *args, **kwargs):
        self._background = None
        self._background_key = None
        self._background_valid = False
        self.full_draws = 0
        self.fast_draws = 0
        super().__init__(*args, **kwargs)

    # matplotlib's own public ``stale`` property, extended: only static artists
    # propagate staleness up to the figure (an animated artist's stops at
    # itself, see Artist.stale), so a stale figure means a stale background.
    @property
    def stale(self):
        return Figure.stale.fget(self)

    @stale.setter
    def stale(self, value):
        if value:
            self._background_valid = False
        Figure.stale.fset(self, value)

    @property
    def background_valid(self):
        """True while the cached static layer still matches the figure."""
        return self._background_valid and self._background is not None

    def draw(self, renderer):
        if not self.get_visible():
            return
        key = (id(renderer), renderer.width, renderer.height, self.dpi)
        if self.background_valid and key == self._background_key:
            renderer.restore_region(self._background)
            self.fast_draws += 1
        else:
            super().draw(renderer)  # animated (dynamic) artists are left out
            self.full_draws += 1
            if hasattr(renderer, "copy_from_bbox"):
                self._background = renderer.copy_from_bbox(self.bbox)
                self._background_key = key
                self._background_valid = True
        for artist in self.dynamic_artists():
            artist.draw(renderer)
        self.stale = False

    def dynamic_artists(self):
        """The artists drawn over the cached background, axes by axes, in z-order."""
        found = []
        for ax in self.axes:
            if ax.get_visible():
                found.extend(sorted((a for a in ax.get_children() if a.get_animated()),
                                    key=lambda a: a.get_zorder()))
        found.extend(sorted((a for a in self.get_children() if a.get_animated()),
                            key=lambda a: a.get_zorder()))
        return [a for a in found if a.get_visible()]


def mark_dynamic(*artists):
    """Mark artists that a panel updates, so they are redrawn over the cached background.

    Only on a :class:`BackgroundCachedFigure`: on an ordinary Figure an
    animated artist would not be drawn at all, so there this does nothing.
    Returns the first artist, for ``line = mark_dynamic(ax.plot(...)[0])``.
    """
    for artist in artists:
        if isinstance(artist.figure, BackgroundCachedFigure):
            _animate_tree(artist)
    return artists[0] if artists else None


def _animate_tree(artist):
    # A composite such as a Legend: its texts report changes straight to the
    # axes, so each part must be animated too or it would invalidate the cache.
    artist.set_animated(True)
    for child in artist.get_children():
        _animate_tree(child)
