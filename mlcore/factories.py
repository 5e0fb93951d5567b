"""Making tensors: zeros, ones, ranges and seeded random numbers.

All of mlcore's randomness (random tensors, layer initialisation) comes from
one numpy Generator, so ``mlcore.manual_seed(0)`` makes a notebook repeatable.
"""

import numpy as np

from .tensor import Tensor

_generator = np.random.default_rng(0)


def manual_seed(seed):
    """Reseed mlcore's random generator (like ``torch.manual_seed``) and return it."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def generator():
    """The numpy Generator behind every random number mlcore draws."""
    return _generator


def _shape(size):
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


def zeros(*size, requires_grad=False, dtype=np.float64):
    return Tensor(np.zeros(_shape(size), dtype=dtype), requires_grad=requires_grad)


def ones(*size, requires_grad=False, dtype=np.float64):
    return Tensor(np.ones(_shape(size), dtype=dtype), requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None):
    return Tensor(np.arange(start, end, step, dtype=dtype) if end is not None
                  else np.arange(start, dtype=dtype))


def rand(*size, requires_grad=False, dtype=np.float64):
    """Uniform numbers in [0, 1) from the seeded generator."""
    return Tensor(_generator.random(_shape(size)).astype(dtype), requires_grad=requires_grad)


def randn(*size, requires_grad=False, dtype=np.float64):
    """Standard normal numbers from the seeded generator."""
    return Tensor(_generator.standard_normal(_shape(size)).astype(dtype), requires_grad=requires_grad)
