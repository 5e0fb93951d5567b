"""Differentiable functions of ``mlcore.nn``, mirroring ``torch.nn.functional``."""

from .activations import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
