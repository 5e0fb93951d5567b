"""``F.dropout``: zero random inputs while training, scale the rest up (chapter 7).

During training each element is kept with probability ``1 - p`` and divided
by ``1 - p`` ("inverted" dropout), so its expected value is unchanged and the
network needs no rescaling at evaluation time, where dropout does nothing.
The mask comes from mlcore's one generator, so ``mlcore.manual_seed`` repeats
it. The gradient flows through the kept elements only, scaled by the same
``1 / (1 - p)``: dropout is a multiplication by a random constant.
"""

import numbers

import numpy as np

from ...factories import generator
from ._checks import require_tensor

__all__ = ["dropout"]


def dropout(input, p=0.5, training=True, inplace=False):
    """``input * mask / (1 - p)`` with ``mask`` 1 with probability ``1 - p``, when ``training``;
    ``input`` itself otherwise; as ``torch.nn.functional.dropout`` (chapter 7)."""
    require_tensor("dropout", "input", input)
    p = check_probability(p)
    if inplace:
        raise ValueError("dropout(inplace=True) is not available: mlcore changes no tensor of a "
                         "graph in place. Leave inplace at False; the result is the same.")
    if not isinstance(training, (bool, np.bool_)):
        raise TypeError(f"dropout(training=...) takes True or False, got {training!r}; inside a "
                        "module pass self.training, which net.train() and net.eval() set.")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0  # every element dropped; torch returns zeros too, not nan from 0 / 0
    keep = generator().random(input.shape) >= p
    return input * (keep.astype(input.dtype) / (1.0 - p))


def check_probability(p):
    """``p`` as a float if it is a probability of dropping (0 <= p <= 1); else a ValueError that says so."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}. p is the "
                         "fraction of inputs set to zero while training: 0.5 drops half, 0.1 one in ten.")
    return float(p)
