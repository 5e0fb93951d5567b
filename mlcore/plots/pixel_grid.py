"""A grid of coloured cells drawn straight as pixels: a heatmap that changes at every slider step (chapter 5).

``imshow`` resamples its data to the screen through matplotlib's image
pipeline at every draw, about 20 ms for a panel-sized axes. A heatmap whose
cells fill an axes exactly needs none of that: :class:`PixelGrid` repeats
each cell's colour over the pixels it covers (an index lookup in numpy) and
hands the result to the renderer in one ``draw_image``, a millisecond or less.
The grid always fills its axes; its number of rows and columns may change
from one draw to the next.
"""

import numpy as np
from matplotlib import colors
from matplotlib.artist import Artist

__all__ = ["PixelGrid", "shades"]


def shades(values, color, *, background="white"):
    """RGBA (uint8) cells for ``values`` in [0, 1]: from ``background`` (0) to ``color`` (1)."""
    low = np.array(colors.to_rgb(background))
    high = np.array(colors.to_rgb(color))
    t = np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0)[..., None]
    rgba = np.empty(t.shape[:-1] + (4,), np.uint8)
    rgba[..., :3] = np.round(255 * (low + t * (high - low)))
    rgba[..., 3] = 255
    return rgba


def _spans(cells, pixels):
    """How many of ``pixels`` each of ``cells`` equal parts covers (they add up to ``pixels``)."""
    edges = (np.arange(cells + 1) * pixels) // cells
    return np.diff(edges)


class PixelGrid(Artist):
    """RGBA cells ``(rows, columns, 4)`` (uint8, row 0 at the bottom) filling ``ax``; ``set_cells`` changes them."""

    def __init__(self, ax, cells=None):
        super().__init__()
        self.ax = ax
        self._cells = np.zeros((1, 1, 4), np.uint8) if cells is None else np.asarray(cells, np.uint8)
        ax.add_artist(self)
        self.set_zorder(0.5)

    def get_cells(self):
        return self._cells

    def set_cells(self, cells):
        cells = np.asarray(cells)
        if cells.ndim != 3 or cells.shape[2] != 4 or cells.dtype != np.uint8:
            raise ValueError(f"cells must be an RGBA array of shape (rows, columns, 4) and dtype uint8 "
                             f"(see shades()), got shape {cells.shape} and dtype {cells.dtype}.")
        self._cells = cells
        self.stale = True

    def draw(self, renderer):
        if not self.get_visible():
            return
        box = self.ax.bbox
        left, bottom = int(round(box.x0)), int(round(box.y0))
        width, height = int(round(box.x1)) - left, int(round(box.y1)) - bottom
        rows, columns = self._cells.shape[:2]
        # Cell k covers the pixels from k * size // cells up to the next one's; the renderer takes
        # rows from the bottom up, as the cells are stored.
        image = np.repeat(np.repeat(self._cells, _spans(rows, height), axis=0), _spans(columns, width), axis=1)
        gc = renderer.new_gc()
        renderer.draw_image(gc, left, bottom, image)
        gc.restore()
        self.stale = False
