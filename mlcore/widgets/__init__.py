"""Live panels for JupyterLab: controls on the picture, redrawn in place (imported only on request).

Run ``%matplotlib widget`` (ipympl) first in a notebook for the fastest
panels; without it they still work and show a PNG that follows the controls.
``import mlcore`` does not import this package, so the library never needs
matplotlib or ipywidgets.

``__all__`` lists the panels and nothing else. It is the one registry of
panels: the tests, ``benchmarks/bench_panels.py`` and the chapter tests read
it (each panel's class attribute ``chapter`` says which chapter must show it),
so a new chapter's panel is covered as soon as it is added there. To write
one, subclass :class:`~mlcore.widgets.base.Panel` (see its docstring).

Every panel builds with no arguments, exposes ``.controls`` (name -> widget)
and ``.fig``, and ``state()``/``set_state()`` its settings;
``type(panel)(**panel.state())`` rebuilds it. A test or a notebook drives it
by setting ``panel.controls[name].value``.
"""

from .accumulation import AccumulationPanel
from .adam_moments import AdamMomentsPanel
from .backprop_step import BackpropStepPanel
from .backward_step import BackwardStepPanel
from .base import Diverged, Panel  # noqa: F401  (the base class later chapters' panels extend)
from .batch_size import BatchSizePanel
from .capacity import CapacityPanel
from .chain_rule import ChainRulePanel
from .convolution import ConvolutionPanel
from .curves import CurvesPanel
from .error_bars import ErrorBarPanel
from .feature_maps import FeatureMapPanel
from .finite_differences import FiniteDifferencePanel
from .gradient_flow import GradientFlowPanel
from .learning_rate import LearningRatePanel
from .logsumexp import LogSumExpPanel
from .loss_shape import LossShapePanel
from .lr_schedule import LRSchedulePanel
from .momentum import MomentumPanel
from .optimizer_race import OptimizerRacePanel
from .outlier import OutlierPanel
from .playground import PlaygroundPanel
from .quadratic_bowl import QuadraticBowlPanel
from .saturation import SaturationPanel
from .softmax import SoftmaxPanel
from .training import TrainingPanel

__all__ = ["OutlierPanel", "LossShapePanel", "ErrorBarPanel", "SoftmaxPanel", "SaturationPanel",
           "LogSumExpPanel", "LearningRatePanel", "QuadraticBowlPanel", "LRSchedulePanel",
           "BatchSizePanel", "ChainRulePanel", "BackwardStepPanel", "FiniteDifferencePanel",
           "BackpropStepPanel", "GradientFlowPanel", "AccumulationPanel",
           "OptimizerRacePanel", "MomentumPanel", "AdamMomentsPanel",
           "PlaygroundPanel", "CapacityPanel", "CurvesPanel",
           "ConvolutionPanel", "FeatureMapPanel", "TrainingPanel"]
