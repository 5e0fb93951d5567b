"""Function forms of the tensor operations: ``mlcore.exp(t)`` is ``t.exp()``, as in torch."""

from .tensor import Tensor, tensor


def _as_tensor(x):
    return x if isinstance(x, Tensor) else tensor(x)


def exp(x):
    return _as_tensor(x).exp()


def log(x):
    return _as_tensor(x).log()


def sqrt(x):
    return _as_tensor(x).sqrt()


def abs(x):
    return _as_tensor(x).abs()


def tanh(x):
    return _as_tensor(x).tanh()


def sigmoid(x):
    return _as_tensor(x).sigmoid()


def relu(x):
    return _as_tensor(x).relu()


def maximum(x, other):
    return _as_tensor(x).maximum(other)


def clamp(x, min=None, max=None):
    return _as_tensor(x).clamp(min, max)


def softmax(x, dim=-1):
    return _as_tensor(x).softmax(dim)


def log_softmax(x, dim=-1):
    return _as_tensor(x).log_softmax(dim)
