"""``nn.Parameter``: a tensor that a Module learns (chapters 5 and 7)."""

import numpy as np

from ..tensor import Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A Tensor with ``requires_grad=True`` that a Module registers when assigned to it.

    ``self.weight = nn.Parameter(...)`` inside a Module puts the tensor in
    ``module.parameters()``, which is what an optimizer updates. The data is
    shared, not copied, as in ``torch.nn.Parameter``.
    """

    __slots__ = ()  # Tensor keeps its fields in slots; a subclass without this would add a __dict__

    def __init__(self, data, requires_grad=True):
        if isinstance(data, Tensor):
            data = data.data
        super().__init__(np.asarray(data), requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
