"""A matplotlib Figure that caches its static background (the live panels of every chapter).

Redrawing axes, ticks, labels and contours costs tens of milliseconds; moving a
line costs well under one. A panel therefore splits its figure in two layers:

* static artists (axes, ticks, labels, contours, reference curves) are drawn
  once and the rendered pixels are kept;
* dynamic artists (marked with :func:`mark_dynamic`, which sets matplotlib's
  ``animated`` flag) are drawn on top of those pixels at every draw;
* overlay artists (marked with :func:`mark_overlay`) change only now and then
  (an axis's tick labels): drawn over the background and kept with it, they
  are drawn again only when one of them has changed.

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

__all__ = ["BackgroundCachedFigure", "mark_dynamic", "mark_overlay"]


class BackgroundCachedFigure(Figure):
    """A Figure whose static layer is rendered once and reused (see module docstring).

    ``full_draws`` and ``fast_draws`` count the two kinds of draw; tests and the
    panel benchmark use them to check that a control change leaves the
    background alone. ``overlay_draws`` counts the draws of the overlay.
    """

    def __init__(self, *args, **kwargs):
        self._background = None
        self._background_key = None
        self._background_valid = False
        self._overlay = []
        self._with_overlay = None  # the background with the overlay drawn on it
        self.full_draws = 0
        self.fast_draws = 0
        self.overlay_draws = 0
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
            if self._with_overlay is not None and not self._overlay_changed():
                renderer.restore_region(self._with_overlay)
            else:
                renderer.restore_region(self._background)
                self._draw_overlay(renderer)
            self.fast_draws += 1
        else:
            super().draw(renderer)  # animated (dynamic and overlay) artists are left out
            self.full_draws += 1
            if hasattr(renderer, "copy_from_bbox"):
                self._background = renderer.copy_from_bbox(self.bbox)
                self._background_key = key
                self._background_valid = True
            self._draw_overlay(renderer)
        for artist in self.dynamic_artists():
            artist.draw(renderer)
        self.stale = False

    def dynamic_artists(self):
        """The artists drawn over the cached background at every draw, axes by axes, in z-order."""
        overlay = set(map(id, self._overlay))

        def drawn_each_time(children):
            return sorted((a for a in children if a.get_animated() and id(a) not in overlay),
                          key=lambda a: a.get_zorder())

        found = []
        for ax in self.axes:
            if ax.get_visible():
                found.extend(drawn_each_time(ax.get_children()))
        found.extend(drawn_each_time(self.get_children()))
        return [a for a in found if a.get_visible()]

    def _overlay_changed(self):
        # An animated artist still marks *itself* stale when it changes.
        return any(part.stale for artist in self._overlay for part in artist.findobj())

    def _draw_overlay(self, renderer):
        """Draw the overlay over the restored background and keep the result (Agg renderers)."""
        for artist in sorted(self._overlay, key=lambda a: a.get_zorder()):
            if artist.get_visible() and (artist.axes is None or artist.axes.get_visible()):
                artist.draw(renderer)
            for part in artist.findobj():
                part.stale = False  # drawn now; hidden ones were seen hidden
        self.overlay_draws += 1
        if hasattr(renderer, "copy_from_bbox"):
            self._with_overlay = renderer.copy_from_bbox(self.bbox)


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


def mark_overlay(*artists):
    """Mark artists that change only now and then (an axis's tick labels), to be kept with the background.

    Like :func:`mark_dynamic` they are drawn over the cached background, but
    the result is cached too, and they are drawn again only when one of them
    has changed; moving a dynamic artist costs nothing for them. Returns the
    first artist.
    """
    for artist in artists:
        if isinstance(artist.figure, BackgroundCachedFigure):
            _animate_tree(artist)
            artist.figure._overlay.append(artist)
    return artists[0] if artists else None


def _animate_tree(artist):
    # A composite such as a Legend: its texts report changes straight to the
    # axes, so each part must be animated too or it would invalidate the cache.
    artist.set_animated(True)
    for child in artist.get_children():
        _animate_tree(child)
