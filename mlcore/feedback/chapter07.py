"""Every check the exercises of chapter 7 (training a network) call, in one place.

A test cell of ``exercises/07_training.ipynb`` reads
``from mlcore.feedback.chapter07 import check_train`` and ``check_train(train)``.
The problems the checks train the learner's code on are in
:mod:`~mlcore.feedback.training_problems`.
"""

from .accuracy import check_accuracy
from .broken_loops import BUGS, check_broken_loops
from .curve_reading import SHAPES, check_curve_readings, reading_histories
from .early_stopping import check_early_stopping
from .evaluation import check_evaluate
from .rate_choice import check_pick_rate, sweep_histories
from .splitting import check_train_val_split
from .training_loop import check_fit, check_train

__all__ = [
    "check_train", "check_train_val_split", "check_accuracy", "check_evaluate", "check_fit",
    "check_early_stopping", "check_curve_readings", "check_broken_loops", "check_pick_rate",
    "BUGS", "SHAPES", "reading_histories", "sweep_histories",
]
