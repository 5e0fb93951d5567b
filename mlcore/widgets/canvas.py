"""Where a panel's figure is drawn: ipympl's canvas widget, or a PNG in an Image widget.

With ``%matplotlib widget`` (ipympl) the figure's canvas *is* a widget and
redraws in the browser. Without it (inline backend, a plain kernel, a static
export, the Agg backend of the tests) the panel draws with Agg and shows the
result as a PNG in an ``ipywidgets.Image``, refreshed after every change once
the panel is on screen. Either way the figure is created without pyplot, so it
is never shown twice and never becomes pyplot's "current figure".
"""

import io
import itertools
import warnings

import matplotlib
import numpy as np

from ..plots.cached_figure import BackgroundCachedFigure

__all__ = ["IPYMPL_BACKENDS", "ipympl_active", "new_panel_figure", "png_bytes", "uses_ipympl"]

IPYMPL_BACKENDS = {"widget", "ipympl", "module://ipympl.backend_nbagg"}

# ipympl's figure manager wants a number (pyplot's figure number); ours are
# never registered with pyplot, so any distinct number serves.
_figure_numbers = itertools.count(1)


def ipympl_active():
    """True when the notebook has run ``%matplotlib widget`` (ipympl is the backend)."""
    try:
        backend = matplotlib.get_backend(auto_select=False)
    except TypeError:  # matplotlib < 3.10 has no auto_select and never auto-selects here
        backend = matplotlib.rcParams["backend"]
    return str(backend).lower() in IPYMPL_BACKENDS


def new_panel_figure(figsize, *, ipympl=None):
    """A :class:`BackgroundCachedFigure` on ipympl's canvas if active, else on an Agg canvas.

    ``ipympl`` forces the choice (tests use it); by default :func:`ipympl_active` decides.
    """
    figure = BackgroundCachedFigure(figsize=figsize, layout="constrained")
    if ipympl_active() if ipympl is None else ipympl:
        from ipympl.backend_nbagg import Canvas, FigureManager

        canvas = Canvas(figure)
        with warnings.catch_warnings():
            # ipympl's own Toolbar passes its canvas on to traitlets, which
            # warns about it on every figure; nothing a panel user can act on.
            warnings.filterwarnings("ignore", r"Passing unrecognized arguments to super\(Toolbar\)",
                                    DeprecationWarning)
            FigureManager(canvas, next(_figure_numbers))
        # A panel is one picture with its own controls: no title bar, status
        # line, zoom toolbar or resize handle competing with them.
        canvas.header_visible = False
        canvas.footer_visible = False
        canvas.toolbar_visible = False
        canvas.resizable = False
        # Its title ("Figure") would still head the HTML picture stored for pages without widgets.
        canvas.manager.set_window_title("")
    else:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(figure)
    return figure


def uses_ipympl(figure):
    """True when ``figure`` is drawn by ipympl's canvas widget."""
    return type(figure.canvas).__module__.startswith("ipympl")


def png_bytes(figure):
    """The figure rendered by its Agg canvas, encoded as PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    # Agg's own draw, also for ipympl's canvas (an Agg subclass): ipympl's
    # draw would push the frame to the browser and, before the browser view
    # exists, store it as a malformed image URL that the view then fails to load.
    FigureCanvasAgg.draw(figure.canvas)
    pixels = np.asarray(figure.canvas.buffer_rgba())
    with io.BytesIO() as buffer:
        # Level 1 compresses almost as well as the default for flat plots, and
        # several times faster, which matters at every slider step.
        Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()
