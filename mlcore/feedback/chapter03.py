"""Every check the exercises of chapter 3 (gradient descent and the learning rate) call, in one place.

A test cell of ``exercises/03_gradient_descent.ipynb`` reads
``from mlcore.feedback.chapter03 import check_gradient_descent`` and
``check_gradient_descent(gradient_descent)``. The gradients the checks pass to
the learner's code are in :mod:`~mlcore.feedback.descent_problems`.
"""

from .gradient_descent import check_goldilocks_rate, check_gradient_descent, check_steps_to_tolerance
from .learning_rate import check_critical_rate, check_predict_behaviour
from .minibatches import check_minibatches, check_sgd_linear_regression
from .schedules import check_cosine_lr, check_rates_per_update, check_step_decay
from .stopping import check_should_stop

__all__ = [
    "check_gradient_descent", "check_critical_rate", "check_predict_behaviour",
    "check_steps_to_tolerance", "check_goldilocks_rate", "check_minibatches", "check_step_decay",
    "check_cosine_lr", "check_rates_per_update", "check_sgd_linear_regression", "check_should_stop",
]
