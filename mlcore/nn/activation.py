"""Activation layers: ReLU, Tanh and Sigmoid as modules, for ``Sequential`` (chapters 5 and 7)."""

from .functional.activations import relu, sigmoid, tanh
from .module import Module

__all__ = ["ReLU", "Tanh", "Sigmoid"]


class ReLU(Module):
    """max(x, 0) elementwise, as ``torch.nn.ReLU``."""

    def forward(self, input):
        return relu(input)


class Tanh(Module):
    """tanh(x) elementwise, as ``torch.nn.Tanh``."""

    def forward(self, input):
        return tanh(input)


class Sigmoid(Module):
    """1 / (1 + exp(-x)) elementwise, as ``torch.nn.Sigmoid``."""

    def forward(self, input):
        return sigmoid(input)
