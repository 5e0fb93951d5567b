"""Every check the exercises of chapter 2 (cross-entropy) call, in one place.

A test cell of ``exercises/02_cross_entropy.ipynb`` reads
``from mlcore.feedback.chapter02 import check_softmax`` and ``check_softmax(softmax)``.
"""

from .article_pairing import (check_article_fix, check_article_loss_weight_grad,
                              check_fit_linear_regression, check_mse_weight_grad)
from .cross_entropy import (check_binary_cross_entropy, check_cross_entropy_grad, check_softmax,
                            check_softmax_cross_entropy)
from .loss_choice import TASKS, check_choose_loss, check_why_cross_entropy

__all__ = [
    "check_softmax", "check_softmax_cross_entropy", "check_cross_entropy_grad",
    "check_binary_cross_entropy", "TASKS", "check_choose_loss", "check_why_cross_entropy",
    "check_mse_weight_grad", "check_article_loss_weight_grad", "check_article_fix",
    "check_fit_linear_regression",
]
