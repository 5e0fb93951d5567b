"""``nn.Dropout``: a layer that behaves differently in training and in evaluation (chapter 7).

In training mode (``net.train()``, the default) it zeroes each input with
probability ``p`` and scales the others by ``1 / (1 - p)``; in evaluation mode
(``net.eval()``) it passes its input through unchanged. It is why the mode
matters: validation measured in training mode sees a randomly thinned network.
"""

from .functional.dropout import check_probability, dropout
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Randomly zero inputs with probability ``p`` while training, as ``torch.nn.Dropout``."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p = check_probability(p)
        if inplace:
            raise ValueError("Dropout(inplace=True) is not available: mlcore changes no tensor of a "
                             "graph in place. Leave inplace at False; the result is the same.")
        self.inplace = False

    def forward(self, input):
        return dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
