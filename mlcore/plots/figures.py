"""Creating the figures of the static helpers (all chapters)."""

from .cached_figure import BackgroundCachedFigure
from .style import course_style

__all__ = ["subplots"]


def subplots(nrows=1, ncols=1, *, figsize=(6.0, 3.6)):
    """``plt.subplots`` in the course style, on a figure that caches its static background.

    The figure is made by pyplot, so a notebook shows it the usual way (once,
    at the end of the cell); helpers call this only when given no ``ax``.
    With ``%matplotlib widget`` its ipympl canvas shows no "Figure 1" header,
    and the picture stored for pages without widgets no "Figure" title above it:
    words that mean nothing in a lesson.
    """
    import matplotlib.pyplot as plt

    with course_style():
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize, layout="constrained",
                                 FigureClass=BackgroundCachedFigure)
    if hasattr(fig.canvas, "header_visible"):  # ipympl's canvas widget
        fig.canvas.header_visible = False
        fig.canvas.manager.set_window_title("")  # the title over the stored HTML picture
    return fig, axes
