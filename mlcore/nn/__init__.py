"""Neural-network building blocks, mirroring ``torch.nn`` (chapters 1-2, 5 and 7).

Layers hold parameters and call the differentiable functions in
``mlcore.nn.functional``; loss modules wrap the loss functions there.
"""

from . import functional, init
from .activation import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .module import Module
from .parameter import Parameter
from .pooling import *  # noqa: F401,F403
