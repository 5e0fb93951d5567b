"""Every check the exercises of chapter 6 (optimizers) call, in one place.

A test cell of ``exercises/06_optimizers.ipynb`` reads
``from mlcore.feedback.chapter06 import check_momentum_step`` and
``check_momentum_step(momentum_step)``. The problems the step checks drive the
learner's functions on are in :mod:`~mlcore.feedback.optimizer_problems`.
"""

from .momentum_tuning import check_momentum_converges, check_optimal_momentum
from .optimizer_choice import CHOICE_TASKS, check_optimizer_and_loss
from .optimizer_class import check_adagrad_class
from .optimizer_steps import (check_adam_decay_step, check_adam_step, check_first_step_without_correction,
                              check_momentum_step, check_rmsprop_step)

__all__ = [
    "check_momentum_step", "check_rmsprop_step", "check_adam_step", "check_first_step_without_correction",
    "check_adam_decay_step", "check_adagrad_class", "check_optimal_momentum", "check_momentum_converges",
    "CHOICE_TASKS", "check_optimizer_and_loss",
]
