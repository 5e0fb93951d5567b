"""Every loss of ``mlcore.nn.functional``, as in ``torch.nn.functional`` (chapters 1 and 2).

Regression losses (chapter 1) live in ``losses_regression.py``, cross-entropy
and negative log-likelihood (chapter 2) in ``losses_classification.py``, and
binary cross-entropy (chapter 2) in ``losses_binary.py``.
"""

from .losses_binary import binary_cross_entropy, binary_cross_entropy_with_logits
from .losses_classification import cross_entropy, nll_loss
from .losses_regression import huber_loss, l1_loss, mse_loss, smooth_l1_loss

__all__ = [
    "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits",
]
