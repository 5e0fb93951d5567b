"""Initialising weights, with the formulas of ``torch.nn.init`` (chapters 5 and 7).

The scale of the starting weights decides whether signals and gradients keep
their size through many layers (chapter 5: vanishing and exploding gradients).
Xavier/Glorot and Kaiming/He choose the spread from the number of inputs
(fan_in) and outputs (fan_out) of a layer. Every function fills the tensor in
place from mlcore's seeded generator (``mlcore.manual_seed``), or from the numpy
Generator passed as ``generator=`` (as PyTorch's ``generator=`` argument: the
draw then neither reads nor advances the global stream), and returns it.
"""

import math
import numbers

import numpy as np

from .. import factories
from ..autograd import increment_version
from ..tensor import Tensor

__all__ = [
    "calculate_gain", "calculate_fan_in_and_fan_out", "uniform_", "normal_", "zeros_", "ones_",
    "constant_", "kaiming_uniform_", "kaiming_normal_", "xavier_uniform_", "xavier_normal_",
]

_GAIN_ONE = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
             "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity, param=None):
    """The factor by which `nonlinearity` should scale the standard deviation, as in PyTorch.

    1 for linear layers and sigmoid, 5/3 for tanh, sqrt(2) for relu,
    sqrt(2 / (1 + slope**2)) for leaky_relu (slope `param`, default 0.01), 3/4 for selu.
    """
    if nonlinearity in _GAIN_ONE:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"Unsupported nonlinearity {nonlinearity!r}; choose one of {', '.join(_GAIN_ONE)}, "
        f"tanh, relu, leaky_relu, selu."
    )


def calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out): inputs and outputs feeding one weight, as PyTorch counts them.

    A Linear weight (out, in) has fan_in = in and fan_out = out; a Conv2d weight
    (out, in, kh, kw) has fan_in = in * kh * kw and fan_out = out * kh * kw.
    """
    _require_tensor(tensor, "calculate_fan_in_and_fan_out")
    if tensor.ndim < 2:
        raise ValueError(
            f"Fan in and fan out can not be computed for a tensor with fewer than 2 dimensions "
            f"(this one has shape {tensor.shape}); initialise biases with uniform_ or zeros_."
        )
    receptive_field = int(np.prod(tensor.shape[2:]))
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _require_tensor(tensor, fn):
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"{fn} works on an mlcore Tensor, such as layer.weight, but got "
            f"{type(tensor).__name__}. Wrap an array first: w = mlcore.tensor(array), or "
            "nn.Parameter(array) for a weight to learn."
        )


def _fill(tensor, values):
    """Write `values` into the tensor's own array (an optimizer may hold references to it)."""
    tensor.data[...] = values
    increment_version(tensor)  # a graph built on the old values must not backpropagate
    return tensor


def _generator(generator, fn):
    """The generator to draw from: ``generator`` (a numpy Generator) or mlcore's global one."""
    if generator is None:
        return factories.generator()
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"{fn}: generator must be a numpy Generator, e.g. np.random.default_rng(0), "
                        f"but got {type(generator).__name__}. Leave it out to draw from mlcore's "
                        "generator (seeded by mlcore.manual_seed).")
    return generator


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with numbers drawn uniformly from [a, b)."""
    _require_tensor(tensor, "uniform_")
    if not a <= b:
        raise ValueError(
            f"uniform_ draws from [a, b), so a must not exceed b, but got a={a} > b={b}. "
            f"Swap them: uniform_(tensor, {b}, {a})."
        )
    return _fill(tensor, _generator(generator, "uniform_").uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with numbers drawn from the normal distribution N(mean, std**2)."""
    _require_tensor(tensor, "normal_")
    if not std >= 0:
        raise ValueError(
            f"normal_ needs a standard deviation std >= 0, but got std={std}: it is the spread "
            "of the numbers around the mean (std=0 fills with the mean itself)."
        )
    return _fill(tensor, _generator(generator, "normal_").normal(mean, std, tensor.shape))


def constant_(tensor, val):
    """Fill with the value `val`."""
    _require_tensor(tensor, "constant_")
    return _fill(tensor, val)


def zeros_(tensor):
    """Fill with zeros."""
    return constant_(tensor, 0)


def ones_(tensor):
    """Fill with ones."""
    return constant_(tensor, 1)


def _kaiming_std(tensor, a, mode, nonlinearity):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode!r} not supported, please use one of 'fan_in', 'fan_out'.")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He initialisation, uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan).

    With ``a=sqrt(5)`` (leaky_relu gain sqrt(1/3)) the bound is 1 / sqrt(fan_in):
    PyTorch's default for Linear and Conv2d weights.
    """
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He initialisation, normal: N(0, std**2) with std = gain / sqrt(fan)."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def _xavier_std(tensor, gain):
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot initialisation, uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    bound = math.sqrt(3.0) * _xavier_std(tensor, gain)
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot initialisation, normal: N(0, std**2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    return normal_(tensor, 0.0, _xavier_std(tensor, gain), generator)
