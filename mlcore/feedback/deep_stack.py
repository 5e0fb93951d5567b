"""Checks for chapter 5's vanishing gradients: per-layer gradient norms of a deep stack, and their ratio.

``layer_gradient_norms(net, X, y)`` returns the Frobenius norm of every
Linear layer's weight gradient, first layer first, for
``F.mse_loss(net(X), y)``. Some of the networks the check hands over were
already used for a backward pass, as networks in a training loop are, so an
answer that forgets to clear ``.grad`` first adds an old gradient to the
new one. A network is not data: each case is a :class:`StackProblem`, which
the driver :func:`norms_of` builds (under mlcore-grade, in the learner's
kernel) into ``(net, X, y)`` for the learner's function. The stacks come from
:func:`mlcore.gradient_flow.deep_stack`; the reference is mlcore's autograd
(tests hold it against PyTorch). The ratio ``norms[0] / norms[-1]`` of the
chapter's 10-layer sigmoid stack is checked against
:func:`mlcore.gradient_flow.gradient_flow`.
"""

import functools
from dataclasses import dataclass

import numpy as np

from .. import nn
from ..factories import tensor
from ..gradient_flow import deep_stack, gradient_flow
from ..nn import functional as F
from .checks import Misconception, check_function, check_value, driven, driven_misconceptions
from .registry import exercise
from .unanswered import answered

__all__ = ["NORM_CASES", "NORM_MISCONCEPTIONS", "RATIO_MISCONCEPTIONS", "StackProblem", "check_layer_gradient_norms",
           "check_sigmoid_ratio", "measured_ratio", "norm_cases", "norms_of", "reference_layer_gradient_norms",
           "reference_norms", "sigmoid_problem"]


@dataclass(frozen=True)
class StackProblem:
    """A :func:`deep_stack` and a batch from ``seed``, as data; with ``used``, the net has already run
    ``backward()`` once on another batch, so its ``.grad`` holds that gradient."""

    depth: int
    activation: str
    init: str
    seed: int
    width: int = 6
    batch: int = 5
    used: bool = False

    def build(self):
        """``(net, X, y)``."""
        rng = np.random.default_rng(self.seed)
        net = deep_stack(self.depth, self.activation, self.init, width=self.width, generator=rng)
        shape = (self.batch, self.width)
        if self.used:
            F.mse_loss(net(tensor(rng.standard_normal(shape))), tensor(rng.standard_normal(shape))).backward()
        return net, tensor(rng.standard_normal(shape)), tensor(rng.standard_normal(shape))

    def __repr__(self):
        sizes = "" if (self.width, self.batch) == (6, 5) else f", width={self.width}, batch={self.batch}"
        return (f"StackProblem({self.depth}, {self.activation!r}, {self.init!r}, seed={self.seed}{sizes}"
                f"{', used=True' if self.used else ''})")


def sigmoid_problem():
    """The chapter's 10-layer sigmoid stack (Xavier, width 32) and its batch of 64: ``(net, X, y)``, the
    same numbers as ``gradient_flow(10, "sigmoid", "xavier")``."""
    rng = np.random.default_rng(0)
    net = deep_stack(10, "sigmoid", "xavier", generator=rng)
    return net, tensor(rng.standard_normal((64, 32))), tensor(rng.standard_normal((64, 32)))


def _linears(net):
    return [module for module in net if isinstance(module, nn.Linear)]


def reference_layer_gradient_norms(net, X, y):
    """``zero_grad()``, the MSE, ``backward()``, then ``‖weight.grad‖`` of every Linear layer, first first."""
    net.zero_grad()
    F.mse_loss(net(X), y).backward()
    return [float(np.linalg.norm(linear.weight.grad)) for linear in _linears(net)]


def norms_of(layer_gradient_norms, problem):
    """The driver: ``layer_gradient_norms(net, X, y)`` on the network and batch ``problem`` builds."""
    return layer_gradient_norms(*problem.build())


def reference_norms(problem):
    """:func:`reference_layer_gradient_norms` on ``problem``."""
    return norms_of(reference_layer_gradient_norms, problem)


# (problem): two fresh layers, then stacks that were used before, of each activation.
NORM_CASES = [(StackProblem(2, "tanh", "xavier", 601),), (StackProblem(3, "sigmoid", "xavier", 602, used=True),),
              (StackProblem(5, "relu", "he", 603, used=True),)]


def norm_cases(seed):
    """Hidden cases: used stacks of 4 to 12 layers, each activation and initialisation."""
    rng = np.random.default_rng(seed)
    return [(StackProblem(int(rng.integers(4, 13)), activation, init, int(rng.integers(10**6)), width=8,
                          used=True),)
            for activation, init in (("sigmoid", "xavier"), ("tanh", "normal"), ("relu", "he"))]


def _accumulated(net, X, y):
    F.mse_loss(net(X), y).backward()
    return [float(np.linalg.norm(linear.weight.grad)) for linear in _linears(net)]


def _output_first(net, X, y):
    return reference_layer_gradient_norms(net, X, y)[::-1]


def _bias_norms(net, X, y):
    net.zero_grad()
    F.mse_loss(net(X), y).backward()
    return [float(np.linalg.norm(linear.bias.grad)) for linear in _linears(net)]


def _weight_norms(net, X, y):
    return [float(np.linalg.norm(linear.weight.data)) for linear in _linears(net)]


def _squared_norms(net, X, y):
    return [norm ** 2 for norm in reference_layer_gradient_norms(net, X, y)]


NORM_MISCONCEPTIONS = [
    Misconception("gradients accumulated from a previous call", _accumulated,
                  "the network already holds a gradient from an earlier backward(); backward() adds to it. "
                  "Call net.zero_grad() first."),
    Misconception("the layers listed from the output back", _output_first,
                  "list the first layer (nearest the input) first: net[0]'s gradient, then the next."),
    Misconception("the bias's gradient instead of the weight's", _bias_norms,
                  "take the norm of linear.weight.grad, the (out, in) matrix."),
    Misconception("the norm of the weights instead of their gradients", _weight_norms,
                  "after backward(), the gradient is in linear.weight.grad; linear.weight is the weight itself."),
    Misconception("the squared norm", _squared_norms,
                  "the Frobenius norm is the square root of the sum of squares: np.linalg.norm(g)."),
]


@exercise(answer=reference_layer_gradient_norms, misconceptions=NORM_MISCONCEPTIONS, hidden_cases=norm_cases)
def check_layer_gradient_norms(layer_gradient_norms, cases=NORM_CASES):
    """Check ``layer_gradient_norms(net, X, y)`` against mlcore's autograd on stacks, some already used."""
    check_function(driven(norms_of, layer_gradient_norms), reference_norms, cases,
                   misconceptions=driven_misconceptions(norms_of, NORM_MISCONCEPTIONS))


@functools.lru_cache(maxsize=1)
def measured_ratio():
    """``norms[0] / norms[-1]`` of :func:`sigmoid_problem`'s stack, by :func:`gradient_flow`."""
    return float(gradient_flow(10, "sigmoid", "xavier").ratio)


RATIO_MISCONCEPTIONS = [
    Misconception("the ratio inverted (last layer over first)", 1 / measured_ratio(),
                  "the first layer's norm goes on top: norms[0] / norms[-1], a number far below 1."),
    Misconception("the bound 0.25 ** 10, not the measurement", 0.25 ** 10,
                  "0.25 is the largest slope of the sigmoid; the weights change the factor at every layer. "
                  "Measure the two norms."),
]


@exercise(answer=measured_ratio(), misconceptions=RATIO_MISCONCEPTIONS)
def check_sigmoid_ratio(ratio):
    """Check the measured ``norms[0] / norms[-1]`` of :func:`sigmoid_problem`'s stack (None: not answered yet)."""
    check_value(answered(ratio), measured_ratio(), name="ratio", rtol=1e-6, misconceptions=RATIO_MISCONCEPTIONS)
