"""Activation functions of ``torch.nn.functional``: relu, tanh, sigmoid, softmax, log_softmax.

They are the Tensor methods (where forward and backward are written side by
side) under their ``F.`` names; chapters 5 and 7 use them between layers,
chapter 2 uses softmax and log_softmax to turn scores into probabilities.
"""

from ... import functions

__all__ = ["relu", "tanh", "sigmoid", "softmax", "log_softmax"]


def relu(input):
    """max(x, 0) elementwise; the gradient is 1 where x > 0 and 0 elsewhere."""
    return functions.relu(input)


def tanh(input):
    """tanh(x) elementwise; its derivative is 1 - tanh(x)**2."""
    return functions.tanh(input)


def sigmoid(input):
    """1 / (1 + exp(-x)) elementwise; its derivative is s * (1 - s)."""
    return functions.sigmoid(input)


def softmax(input, dim):
    """exp(x) / sum(exp(x)) along `dim` (probabilities that sum to 1, chapter 2).

    `dim` is required: PyTorch deprecated guessing it, because the guess is
    wrong for some shapes. For a batch of scores (batch, classes) use dim=1.
    """
    return functions.softmax(input, dim)


def log_softmax(input, dim):
    """log(softmax(x)) along `dim`, computed stably (chapter 2); `dim` is required too."""
    return functions.log_softmax(input, dim)
