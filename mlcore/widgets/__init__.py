"""Live panels for JupyterLab: controls on the picture, redrawn in place (imported only on request).

Run ``%matplotlib widget`` (ipympl) first in a notebook for the fastest
panels; without it they still work and show a PNG that follows the controls.
``import mlcore`` does not import this package, so the library never needs
matplotlib or ipywidgets.

``__all__`` lists the panels and nothing else: the tests and
``benchmarks/bench_panels.py`` check every name in it, so a new chapter's panel
is covered as soon as it is added there. To write one, subclass
:class:`~mlcore.widgets.base.Panel` (see its docstring).

Every panel builds with no arguments, exposes ``.controls`` (name -> widget)
and ``.fig``, and ``state()``/``set_state()`` its settings. A test or a
notebook drives it by setting ``panel.controls[name].value``.
"""

from .base import Diverged, Panel  # noqa: F401  (the base class later chapters' panels extend)
from .convolution import ConvolutionPanel
from .error_bars import ErrorBarPanel
from .feature_maps import FeatureMapPanel
from .logsumexp import LogSumExpPanel
from .loss_shape import LossShapePanel
from .outlier import OutlierPanel
from .saturation import SaturationPanel
from .softmax import SoftmaxPanel
from .training import TrainingPanel

__all__ = ["OutlierPanel", "LossShapePanel", "ErrorBarPanel", "SoftmaxPanel", "SaturationPanel", "LogSumExpPanel",
           "ConvolutionPanel", "FeatureMapPanel", "TrainingPanel"]
