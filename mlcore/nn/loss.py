"""Loss modules, as in ``torch.nn`` (chapters 1 and 2).

Each class stores its settings and calls the loss function of the same name in
``mlcore.nn.functional``, where the formula, the gradient and the checks live:
``nn.MSELoss()(y_hat, y)`` is ``F.mse_loss(y_hat, y)``.
"""

import numpy as np

from . import functional as F
from .functional._loss_inputs import check_reduction, constant_array
from .functional.losses_classification import check_ignore_index, check_label_smoothing
from .functional.losses_regression import check_beta, check_delta
from .module import Module

__all__ = [
    "MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "CrossEntropyLoss", "NLLLoss",
    "BCELoss", "BCEWithLogitsLoss",
]


class _Loss(Module):
    """A loss module: a Module with no parameters and a ``reduction``.

    Every setting is checked when the module is built, with the same words as the
    function would use at its first call, so a mistake shows where it was written.
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def _constant(self, name, value):
        """Check a weight-like setting (numbers that need no gradient) and return it as given."""
        constant_array(value, name, type(self).__name__, np.float64)
        return value


class MSELoss(_Loss):
    """Mean squared error ``1/N * sum_i (y_hat_i - y_i)^2`` (chapter 1); see ``F.mse_loss``."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error ``1/N * sum_i |y_hat_i - y_i|`` (chapter 1); see ``F.l1_loss``."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber loss: squared below ``delta``, absolute above (chapter 1); see ``F.huber_loss``."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        check_delta(delta, type(self).__name__)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """Smooth L1 loss: Huber loss divided by ``beta`` (chapter 1); see ``F.smooth_l1_loss``."""

    def __init__(self, reduction="mean", beta=1.0):
        super().__init__(reduction)
        check_beta(beta, type(self).__name__)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits and class indices or probabilities (chapter 2).

    ``loss_n = -log softmax(x_n)_{t_n}``, averaged; see ``F.cross_entropy`` for
    ``weight``, ``ignore_index`` and ``label_smoothing``.
    """

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        check_ignore_index(ignore_index, type(self).__name__)
        check_label_smoothing(label_smoothing, type(self).__name__)
        self.weight = self._constant("weight", weight)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """Negative log-likelihood ``-x_{n, t_n}`` of log-probabilities (chapter 2).

    See ``F.nll_loss``.
    """

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        check_ignore_index(ignore_index, type(self).__name__)
        self.weight = self._constant("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities (chapter 2); see ``F.binary_cross_entropy``."""

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.weight = self._constant("weight", weight)

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits, sigmoid included (chapter 2).

    See ``F.binary_cross_entropy_with_logits`` for ``weight`` and ``pos_weight``.
    """

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        self.weight = self._constant("weight", weight)
        self.pos_weight = self._constant("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)
