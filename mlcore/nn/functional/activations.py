"""Activation functions of ``torch.nn.functional``: relu, tanh, sigmoid, softmax, log_softmax.

They are the function forms of the Tensor methods (where forward and backward
are written side by side), under their ``F.`` names: ``F.relu`` is ``mlcore.relu``.
Chapters 5 and 7 use them between layers; chapter 2 uses softmax and
log_softmax to turn scores into probabilities.
"""

from ...ops import log_softmax, relu, sigmoid, softmax, tanh

__all__ = ["relu", "tanh", "sigmoid", "softmax", "log_softmax"]
