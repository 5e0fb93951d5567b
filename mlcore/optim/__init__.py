"""Optimizers and learning-rate schedules, mirroring ``torch.optim`` (chapters 3 and 6).

Every optimizer updates parameters in place from their ``.grad`` and has ``step()``,
``zero_grad()``, ``state_dict()``, ``load_state_dict()`` and ``param_groups``;
``mlcore.optim.lr_scheduler`` changes the learning rate as training goes on.
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "RMSprop", "Adagrad", "Adam", "AdamW", "lr_scheduler"]
