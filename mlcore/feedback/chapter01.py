"""Every check the exercises of chapter 1 (errors and losses) call, in one place.

A test cell of ``exercises/01_errors_and_losses.ipynb`` reads
``from mlcore.feedback.chapter01 import check_mse`` and ``check_mse(mse)``.
"""

from .best_constant import check_best_constant, check_most_outlier_sensitive
from .noise_scale import check_laplace_scale
from .regression_gradients import check_huber_grad, check_mae_grad, check_mse_grad
from .regression_losses import check_huber, check_l1_loss, check_mae, check_mse
from .shape_bug import check_column_mse

__all__ = [
    "check_mse", "check_mae", "check_huber", "check_l1_loss",
    "check_mse_grad", "check_mae_grad", "check_huber_grad",
    "check_best_constant", "check_most_outlier_sensitive",
    "check_column_mse", "check_laplace_scale",
]
