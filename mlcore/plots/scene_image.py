"""A static picture per scene, rendered once and then drawn as pixels (the live panels of chapter 4).

A panel whose choice control swaps one whole picture for another (chapter
4's step-through shows one of several computational graphs) cannot keep
each picture in the cached background of a
:class:`~mlcore.plots.cached_figure.BackgroundCachedFigure`: there is only one
background, and redrawing a graph of boxes and labels costs 80 ms or more.

A :class:`SceneImage` sits over an axes and holds one drawing function per
scene. The first time a scene is drawn at a given size and resolution, its
function draws into an off-screen figure of exactly the axes' size and the
pixels are kept; every later draw copies those pixels, about a millisecond.
Mark the SceneImage dynamic: switching scenes then leaves the cached
background alone. A change of resolution (ipympl on a high-density screen)
renders the scene again, at the new one.
"""

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .style import course_style

__all__ = ["SceneImage", "render_scene"]


def render_scene(draw, xlim, ylim, width, height, dpi, *, whole_figure=False):
    """RGBA pixels (rows top to bottom) of a scene ``width`` x ``height`` pixels at ``dpi``.

    An axes scene is ``draw(ax)`` on a transparent axes that fills the picture,
    with data limits ``xlim``, ``ylim`` and no axis lines; a whole-figure
    scene is ``draw(figure)`` on a blank off-screen figure of that size.
    """
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    FigureCanvasAgg(figure)
    with course_style():
        if whole_figure:
            draw(figure)
        else:
            figure.patch.set_alpha(0.0)
            ax = figure.add_axes((0.0, 0.0, 1.0, 1.0))
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)
            ax.set_axis_off()
            ax.patch.set_alpha(0.0)
            draw(ax)
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba()).copy()


class SceneImage(Artist):
    """The pixels of the selected scene, drawn over ``ax``; ``scenes`` maps a key to ``draw(ax)``.

    ``select(key)`` chooses the scene. The draw functions see an axes with the
    limits of ``ax`` and its size in pixels, so data coordinates in a scene
    match those of the artists drawn over it. With ``whole_figure=True`` a
    scene is ``draw(figure)`` on a figure of the panel's size and the image
    covers the whole figure: give it to the first axes, and it is drawn under
    every other dynamic artist.
    """

    def __init__(self, ax, scenes, scene=None, *, whole_figure=False):
        super().__init__()
        if not scenes:
            raise ValueError("a SceneImage needs at least one scene: scenes={'name': draw_function}.")
        self.ax = ax
        self.scenes = scenes
        self.scene = next(iter(self.scenes)) if scene is None else scene
        self.whole_figure = whole_figure
        self.renders = 0
        self._pixels = {}
        ax.add_artist(self)
        self.set_zorder(-1.0)

    def select(self, scene):
        """Show ``scene`` (a key of ``scenes``) from the next draw on."""
        if scene not in self.scenes:
            raise ValueError(f"no scene {scene!r}; the scenes are {list(self.scenes)}.")
        self.scene = scene

    def _box(self):
        box = self.figure.bbox if self.whole_figure else self.ax.bbox
        left, bottom = int(round(box.x0)), int(round(box.y0))
        return left, bottom, int(round(box.x1)) - left, int(round(box.y1)) - bottom

    def pixels(self, scene=None):
        """The RGBA pixels of ``scene`` (default: the selected one) at the figure's present size and
        resolution, rendered on first use."""
        scene = self.scene if scene is None else scene
        _, _, width, height = self._box()
        key = (scene, width, height, self.figure.dpi)
        if key not in self._pixels:
            self._pixels[key] = render_scene(self.scenes[scene], self.ax.get_xlim(), self.ax.get_ylim(),
                                             width, height, self.figure.dpi,
                                             whole_figure=self.whole_figure)
            self.renders += 1
        return self._pixels[key]

    def draw(self, renderer):
        if not self.get_visible():
            return
        left, bottom, _, _ = self._box()
        gc = renderer.new_gc()
        renderer.draw_image(gc, left, bottom, self.pixels()[::-1])
        gc.restore()
        self.stale = False
