"""The operations on tensors, one module per kind of derivative rule (chapters 4 and 5).

Read them in this order; each opens by saying what its rules have in common.

- ``arithmetic.py``: + - * / ** and maximum, a table of one-line rules; broadcasting is undone once.
- ``elementwise.py``: exp, log, tanh, relu, clamp...: one input, derivative from x or the result.
- ``reductions.py``: sum, max, mean, softmax...: one gradient spread back over many values.
- ``shape.py``: reshape, permute, squeeze, x[i]: each gradient moved back to where its value was.
- ``matmul.py``: ``a @ b`` and the two matrix products of its backward pass.

Each operation is a function of tensors, and also a Tensor method: ``t.exp()``
is ``mlcore.exp(t)``, and ``a + b`` is ``arithmetic.add(a, b)``. The table at
the end of this file attaches them to Tensor.
"""

from ..tensor import Tensor
from . import arithmetic, elementwise, matmul, reductions, shape
from .arithmetic import maximum
from .elementwise import abs, clamp, exp, log, relu, sigmoid, sqrt, tanh
from .reductions import log_softmax, softmax

__all__ = ["exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "maximum", "clamp",
           "softmax", "log_softmax"]


def _reflected(op):
    """``other <op> self``: Python calls ``t.__rmul__(2)`` for ``2 * t``."""

    def method(self, other):
        return op(other, self)

    method.__name__ = method.__qualname__ = f"r{op.__name__}"
    return method


# Tensor method name -> the function that computes it.
_METHODS = {
    # arithmetic.py
    "__add__": arithmetic.add, "__radd__": _reflected(arithmetic.add),
    "__sub__": arithmetic.sub, "__rsub__": _reflected(arithmetic.sub),
    "__mul__": arithmetic.mul, "__rmul__": _reflected(arithmetic.mul),
    "__truediv__": arithmetic.div, "__rtruediv__": _reflected(arithmetic.div),
    "__pow__": arithmetic.pow, "__rpow__": _reflected(arithmetic.pow),
    "maximum": arithmetic.maximum,
    "__eq__": arithmetic.eq, "__ne__": arithmetic.ne, "__lt__": arithmetic.lt,
    "__le__": arithmetic.le, "__gt__": arithmetic.gt, "__ge__": arithmetic.ge,
    # elementwise.py
    "__neg__": elementwise.neg, "exp": elementwise.exp, "log": elementwise.log,
    "sqrt": elementwise.sqrt, "abs": elementwise.abs, "tanh": elementwise.tanh,
    "sigmoid": elementwise.sigmoid, "relu": elementwise.relu,
    "clamp": elementwise.clamp, "clip": elementwise.clamp,
    "to": elementwise.to, "double": elementwise.double, "float": elementwise.float,
    "long": elementwise.long,
    # reductions.py
    "sum": reductions.sum, "mean": reductions.mean, "max": reductions.max, "min": reductions.min,
    "argmax": reductions.argmax, "softmax": reductions.softmax,
    "log_softmax": reductions.log_softmax,
    # shape.py
    "reshape": shape.reshape, "view": shape.reshape, "flatten": shape.flatten,
    "unsqueeze": shape.unsqueeze, "squeeze": shape.squeeze, "permute": shape.permute,
    "transpose": shape.transpose, "T": property(shape.T), "__getitem__": shape.index,
    # matmul.py
    "__matmul__": matmul.matmul, "__rmatmul__": _reflected(matmul.matmul),
}

for _name, _function in _METHODS.items():
    setattr(Tensor, _name, _function)
