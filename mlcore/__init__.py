"""mlcore: a small, readable numpy library that learns like PyTorch.

The course "How neural networks learn" builds on it chapter by chapter:
tensors that record their computation (chapters 4-5), layers (chapters 5, 7),
losses (chapters 1-2) and optimizers (chapters 3, 6). Its API and its numbers
mirror PyTorch's, so every result can be checked against ``torch`` one to one.

``import mlcore`` imports numpy and nothing heavier: plotting, widgets, torch
and the grader live in submodules that are imported only when asked for.
"""

import numpy as np

from . import autograd, nn, optim
from .compare import cmp
from .factories import arange, manual_seed, ones, rand, randn, tensor, zeros
from .gradcheck import GradcheckError, gradcheck
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .ops import abs, clamp, exp, log, log_softmax, maximum, relu, sigmoid, softmax, sqrt, tanh
from .tensor import Tensor

float32 = np.float32
float64 = np.float64
int64 = np.int64

__version__ = "0.1.0"
__all__ = [
    "Tensor", "tensor", "no_grad", "enable_grad", "is_grad_enabled", "autograd", "nn", "optim",
    "gradcheck", "GradcheckError", "cmp", "manual_seed", "zeros", "ones", "arange", "rand",
    "randn", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "maximum", "clamp",
    "softmax", "log_softmax", "float32", "float64", "int64",
]
