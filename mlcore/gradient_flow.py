"""How far gradients reach back into a deep stack of layers: one gradient norm per layer (chapter 5).

A deep stack is ``depth`` blocks ``Linear(width, width)`` followed by an
activation, trained on nothing in particular: a seeded batch of standard
normal inputs ``X`` and targets ``Y``, with the MSE. One ``backward()`` gives
every layer's weight gradient; the chapter compares their sizes (Frobenius
norms). Backwards through block ``l`` the gradient is multiplied by the
activation's derivative at that block's pre-activations and by its weights,
so the norms of the blocks multiply: a factor below 1 per block makes the
first layers' gradients vanish, a factor above 1 makes them explode.

The starting weights come from ``mlcore.nn.init`` (biases start at zero):
``"normal"`` draws N(0, sigma^2), ``"xavier"`` is Glorot's ``xavier_normal_``
(std ``sqrt(2 / (fan_in + fan_out))``), ``"he"`` is ``kaiming_normal_`` for ReLU
(std ``sqrt(2 / fan_in)``). All draws come from ``np.random.default_rng(seed)``,
so a stack depends on its settings alone and mlcore's global generator is
left as it was.
"""

from dataclasses import dataclass

import numpy as np

from . import nn
from .factories import tensor
from .nn import functional as F

__all__ = ["ACTIVATION_MODULES", "INITS", "GradientFlow", "deep_stack", "gradient_flow", "initialise"]

ACTIVATION_MODULES = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
INITS = ("normal", "xavier", "he")
# Across the whole stack, a factor of 10 between the first and the last layer's gradient norms
# counts as vanishing (or exploding); so do norms beyond these everywhere, when the signal
# itself shrinks or grows through every layer and takes the gradients with it.
RATIO_LIMIT = 10.0
TINY, HUGE = 1e-4, 1e3


def _check(depth, activation, init, sigma):
    if not (isinstance(depth, (int, np.integer)) and depth >= 1):
        raise ValueError(f"depth is the number of Linear layers, a whole number >= 1; got {depth!r}.")
    if activation not in ACTIVATION_MODULES:
        raise ValueError(f"unknown activation {activation!r}; use one of {list(ACTIVATION_MODULES)}.")
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; use one of {list(INITS)} ('normal' draws N(0, sigma²)).")
    if init == "normal" and not sigma > 0:
        raise ValueError(f"sigma is the standard deviation of the normal weights; it must be > 0, got {sigma!r}.")


def initialise(weight, init, sigma, generator):
    """Fill ``weight`` in place by ``init`` (see the module docstring) from ``generator``; return it."""
    if init == "normal":
        return nn.init.normal_(weight, 0.0, sigma, generator=generator)
    if init == "xavier":
        return nn.init.xavier_normal_(weight, generator=generator)
    return nn.init.kaiming_normal_(weight, nonlinearity="relu", generator=generator)


def deep_stack(depth, activation="sigmoid", init="xavier", sigma=1.0, width=32, generator=None):
    """``nn.Sequential`` of ``depth`` blocks ``Linear(width, width)`` + ``activation``, initialised by
    ``init`` (see the module docstring) from ``generator`` (a numpy Generator; default: seed 0)."""
    _check(depth, activation, init, sigma)
    rng = np.random.default_rng(0) if generator is None else generator
    blocks = []
    for _ in range(depth):
        linear = nn.Linear(width, width)
        initialise(linear.weight, init, sigma, rng)
        nn.init.zeros_(linear.bias)
        blocks += [linear, ACTIVATION_MODULES[activation]()]
    return nn.Sequential(*blocks)


@dataclass
class GradientFlow:
    """What one backward pass through a deep stack gives.

    ``norms[l]`` is the Frobenius norm of layer ``l``'s weight gradient (layer
    0 is the first, nearest the input); ``activations[l]`` the outputs of
    block ``l``'s activation (batch x width); ``ratio`` is
    ``norms[0] / norms[-1]``: below 1 the gradient shrinks on its way back to
    the first layer, above 1 it grows.
    """

    loss: float
    norms: np.ndarray
    activations: list

    @property
    def ratio(self):
        # A last layer with no gradient at all (every unit dead) makes the ratio inf, or nan for 0/0.
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(self.norms[0] / self.norms[-1])

    @property
    def dead(self):
        """Per layer, how many units are 0 for every sample of the batch (a dead ReLU passes no
        gradient back, whatever the input)."""
        return np.array([int(np.sum(np.all(a == 0, axis=0))) for a in self.activations])

    def behaviour(self):
        """``'vanishing'``, ``'exploding'`` or ``'stable'``: the first layer's gradient at least
        ``RATIO_LIMIT`` times smaller or larger than the last one's, or every norm below ``TINY``
        or above ``HUGE``."""
        if self.ratio < 1 / RATIO_LIMIT or self.norms.max() < TINY:
            return "vanishing"
        if self.ratio > RATIO_LIMIT or self.norms.max() > HUGE:
            return "exploding"
        return "stable"


def gradient_flow(depth, activation="sigmoid", init="xavier", sigma=1.0, width=32, batch=64, seed=0):
    """The :class:`GradientFlow` of :func:`deep_stack` with these settings, on a batch drawn after
    the weights from ``np.random.default_rng(seed)``: forward, the MSE and ``backward()``.

    The weights are made as bare Parameters and the blocks run as ``F.linear``
    and the activation, the same computation as ``deep_stack(...)(X)`` (a
    test checks it) without building ``depth`` Linear modules, each of which
    would first draw default weights only to have them replaced.
    """
    _check(depth, activation, init, sigma)
    rng = np.random.default_rng(seed)
    weights = [initialise(nn.Parameter(np.empty((width, width))), init, sigma, rng) for _ in range(depth)]
    biases = [nn.Parameter(np.zeros(width)) for _ in range(depth)]
    X = tensor(rng.standard_normal((batch, width)))
    Y = tensor(rng.standard_normal((batch, width)))
    act = ACTIVATION_MODULES[activation]()
    activations = []
    out = X
    for weight, bias in zip(weights, biases):
        out = act(F.linear(out, weight, bias))
        activations.append(out.data)
    loss = F.mse_loss(out, Y)
    loss.backward()
    norms = np.array([np.linalg.norm(weight.grad) for weight in weights])
    return GradientFlow(loss.item(), norms, activations)
