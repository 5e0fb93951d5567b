"""Static matplotlib helpers that the chapters share (imported only on request).

``import mlcore`` does not import this package, so the library itself never
needs matplotlib. Each helper draws one of the course's recurring pictures and
returns a small object whose ``update``/``set_...`` method changes the picture
in place, which is what the live panels of :mod:`mlcore.widgets` build on.
"""

from .cached_figure import BackgroundCachedFigure, mark_dynamic, mark_overlay
from .contour import ContourTrajectory, contour_with_trajectory
from .error_bars import ErrorBars, predictions_with_error_bars
from .graph import GraphPicture, draw_graph
from .live_scale import LiveLogYScale, LiveYScale
from .loss_curves import LossCurves, loss_curves
from .network import NetworkPicture, draw_network
from .style import COLORS, LOSS_COLORS, course_style

__all__ = [
    "loss_curves", "LossCurves", "contour_with_trajectory", "ContourTrajectory",
    "predictions_with_error_bars", "ErrorBars", "BackgroundCachedFigure", "mark_dynamic", "mark_overlay",
    "LiveLogYScale", "LiveYScale", "draw_graph", "GraphPicture", "draw_network", "NetworkPicture",
    "COLORS", "LOSS_COLORS", "course_style",
]
