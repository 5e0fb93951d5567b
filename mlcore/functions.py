"""Function forms of the tensor operations, as in torch: ``mlcore.exp(t)`` is ``t.exp()``.

Each accepts a tensor, or anything :func:`mlcore.tensor` accepts (a number, a
list, a numpy array), which is then a constant with no gradient.
"""

from .tensor import Tensor, tensor


def _as_tensor(x):
    return x if isinstance(x, Tensor) else tensor(x)


def exp(x):
    """e to the power x, elementwise; d/dx = exp(x) (chapter 4)."""
    return _as_tensor(x).exp()


def log(x):
    """Natural logarithm, elementwise; d/dx = 1/x. nan below 0 and -inf at 0, as in torch (chapter 2)."""
    return _as_tensor(x).log()


def sqrt(x):
    """Square root, elementwise; d/dx = 1 / (2 sqrt(x)) (chapter 4)."""
    return _as_tensor(x).sqrt()


def abs(x):
    """Absolute value, elementwise; d/dx = sign(x), 0 at the kink (chapter 1's MAE)."""
    return _as_tensor(x).abs()


def tanh(x):
    """Hyperbolic tangent, elementwise; d/dx = 1 - tanh(x)^2 (chapter 5)."""
    return _as_tensor(x).tanh()


def sigmoid(x):
    """1 / (1 + e^-x), elementwise; d/dx = s (1 - s), which vanishes for large |x| (chapter 2)."""
    return _as_tensor(x).sigmoid()


def relu(x):
    """max(x, 0), elementwise; d/dx = 1 where x > 0, else 0 (chapter 5)."""
    return _as_tensor(x).relu()


def maximum(x, other):
    """Elementwise maximum of two tensors; ties split the gradient evenly, as in torch (chapter 4)."""
    return _as_tensor(x).maximum(other)


def clamp(x, min=None, max=None):
    """x limited to [min, max]; the gradient passes only where min <= x <= max (chapter 4)."""
    return _as_tensor(x).clamp(min, max)


def softmax(x, dim):
    """exp(x_i) / sum_j exp(x_j) along `dim`: logits to probabilities (chapter 2).

    `dim` is required, as in ``torch.softmax``: guessing it is how a batch gets
    normalised across samples instead of across classes.
    """
    return _as_tensor(x).softmax(dim)


def log_softmax(x, dim):
    """log(softmax(x)) along `dim`, computed stably with log-sum-exp (chapter 2)."""
    return _as_tensor(x).log_softmax(dim)
