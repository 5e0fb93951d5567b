"""Monospace text stamped from cached glyph bitmaps: numbers that change at every slider step (chapter 4).

Matplotlib lays out and rasterises every glyph of a ``Text`` at every draw,
about a millisecond per text, so a panel that shows twenty changing numbers
spends most of its time on them. In a monospace font every character has
the same advance, so a line of text is its characters' bitmaps side by side:
:class:`StampText` renders each character once per size and resolution (with
matplotlib's own Agg text renderer) and afterwards only copies pixels. It
draws one image per text, a few microseconds of numpy and one ``draw_image``.
"""

import functools
import math

import numpy as np
from matplotlib import colors
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties

__all__ = ["StampText", "glyph_atlas"]

_PAD = 2  # pixels of room around each glyph, for antialiasing and overhangs


class _Atlas:
    """The bitmaps of single characters in the monospace font at one size, weight and resolution."""

    def __init__(self, fontsize, dpi, weight):
        self.prop = FontProperties(family="monospace", size=fontsize, weight=weight)
        self.dpi = dpi
        probe = RendererAgg(8, 8, dpi)
        width, _, _ = probe.get_text_width_height_descent("0" * 40, self.prop, ismath=False)
        _, height, descent = probe.get_text_width_height_descent("Ag|∂(", self.prop, ismath=False)
        self.advance = width / 40
        self.height = int(math.ceil(height)) + 2 * _PAD
        self.descent = descent
        self.cell_width = int(math.ceil(self.advance)) + 2 * _PAD
        self.line_step = int(round(1.25 * fontsize * dpi / 72))
        self._cells = {}

    def cell(self, char):
        """Coverage (0..1) of ``char`` in a cell ``height`` x ``cell_width``, pen at ``_PAD``."""
        if char not in self._cells:
            renderer = RendererAgg(self.cell_width, self.height, self.dpi)
            gc = renderer.new_gc()
            gc.set_foreground("black")
            # draw_text measures y from the top, as Text.draw passes it: the baseline sits
            # _PAD + descent above the cell's bottom.
            renderer.draw_text(gc, _PAD, self.height - _PAD - self.descent, char, self.prop, 0)
            gc.restore()
            self._cells[char] = np.asarray(renderer.buffer_rgba())[..., 3] / 255.0
        return self._cells[char]

    def coverage(self, text):
        """Coverage of the whole (possibly multi-line) ``text``, rows top to bottom."""
        lines = text.split("\n")
        width = int(math.ceil(max(len(line) for line in lines) * self.advance)) + 2 * _PAD
        height = self.height + self.line_step * (len(lines) - 1)
        canvas = np.zeros((height, width))
        for row, line in enumerate(lines):
            top = row * self.line_step
            for i, char in enumerate(line):
                if char == " ":
                    continue
                left = int(round(i * self.advance))
                block = canvas[top:top + self.height, left:left + self.cell_width]
                np.maximum(block, self.cell(char)[:, :block.shape[1]], out=block)
        return canvas


@functools.lru_cache(maxsize=16)
def glyph_atlas(fontsize, dpi, weight="normal"):
    """The shared :class:`_Atlas` for one monospace size, resolution and weight."""
    return _Atlas(fontsize, dpi, weight)


class StampText(Artist):
    """Monospace text at ``(x, y)`` in ``transform``'s coordinates, drawn from cached glyph bitmaps.

    ``ha`` is ``'left'``, ``'center'`` or ``'right'``; ``va`` is ``'top'``,
    ``'center'``, ``'bottom'`` or ``'baseline'`` (of the first line). The text
    looks like a matplotlib ``Text`` in the monospace family, without kerning
    (monospace has none) and with each glyph on whole pixels.
    """

    def __init__(self, x, y, text="", *, transform, fontsize=7.5, color="black", weight="normal",
                 ha="left", va="baseline", zorder=4):
        super().__init__()
        if ha not in ("left", "center", "right") or va not in ("top", "center", "bottom", "baseline"):
            raise ValueError(f"StampText takes ha in left/center/right and va in top/center/bottom/"
                             f"baseline, got ha={ha!r}, va={va!r}.")
        self._xy = (x, y)
        self._text = text
        self.fontsize = fontsize
        self.weight = weight
        self.ha, self.va = ha, va
        self._rgb = np.array(colors.to_rgb(color)) * 255
        self.set_transform(transform)
        self.set_zorder(zorder)

    def get_text(self):
        return self._text

    def set_text(self, text):
        self._text = str(text)
        self.stale = True

    def set_color(self, color):
        self._rgb = np.array(colors.to_rgb(color)) * 255
        self.stale = True

    def get_position(self):
        return self._xy

    def set_position(self, xy):
        self._xy = tuple(xy)
        self.stale = True

    def draw(self, renderer):
        if not self.get_visible() or not self._text:
            return
        atlas = glyph_atlas(self.fontsize, self.figure.dpi, self.weight)
        coverage = atlas.coverage(self._text)
        height, width = coverage.shape
        x, y = self.get_transform().transform(self._xy)
        left = {"left": x - _PAD, "center": x - width / 2, "right": x - width + _PAD}[self.ha]
        first_top = height - atlas.height  # the first line's cell starts this far above the bottom
        bottom = {"bottom": y - _PAD, "top": y - height + _PAD, "center": y - height / 2,
                  "baseline": y - first_top - _PAD - atlas.descent}[self.va]
        image = np.empty((height, width, 4), np.uint8)
        image[..., :3] = self._rgb
        image[..., 3] = np.round(coverage * 255 * (self.get_alpha() or 1.0))
        gc = renderer.new_gc()
        renderer.draw_image(gc, int(round(left)), int(round(bottom)), image[::-1])
        gc.restore()
        self.stale = False
