"""Arithmetic: + - * / ** and maximum, with broadcasting (chapters 4 and 5).

Each operation is one line of a table of derivatives: its numpy function, then
its gradient with respect to each input, written with ``g`` (the gradient of
the result), ``a`` and ``b`` (the inputs' arrays) and ``out`` (the result).
Those are the chain rule's "local derivative times upstream gradient".

``binary`` turns a line into an operation. In the backward pass it applies an
input's rule only if that input requires grad, and sums the gradient down to
the input's shape (``unbroadcast``): broadcasting is undone here, once, for
every line of the table.

``a - b`` is ``a + (-b)`` and ``a / b`` is ``a * b**-1``; they keep lines of
their own so that each is one node of the graph, as in PyTorch. Comparisons
(``a < b``, ...) are at the end: their results are booleans, with no gradient.
"""

import numpy as np

from ..broadcast import broadcast_error, unbroadcast
from ..factories import lift
from ..tensor import Tensor


def binary(name, forward, grad_a, grad_b):
    """The operation `name`: ``out = forward(a, b)``; ``grad_a(g, a, b, out)`` is g times d out / d a."""

    def operation(a, b):
        if not isinstance(a, Tensor):
            a = lift(a, b if isinstance(b, Tensor) else None)
        if not isinstance(b, Tensor):
            b = lift(b, a)
        x, y = a.data, b.data
        try:
            out = forward(x, y)
        except ValueError:
            raise broadcast_error(name, x.shape, y.shape) from None

        def backward(g):
            return (unbroadcast(grad_a(g, x, y, out), x.shape) if a.requires_grad else None,
                    unbroadcast(grad_b(g, x, y, out), y.shape) if b.requires_grad else None)

        return Tensor.from_op(out, (a, b), name, backward)

    operation.__name__ = operation.__qualname__ = name
    return operation


def quiet(fn):
    """`fn` giving inf and nan without warnings (1 / 0 = inf), as numpy's defaults do in PyTorch."""
    return np.errstate(divide="ignore", invalid="ignore", over="ignore")(fn)


def _pow_grad_base(g, a, b, out):
    """d a**b / d a = b * a**(b - 1); PyTorch makes it 0 where b == 0, also at a == 0 (0 * inf)."""
    local = b * a ** (b - 1)
    if not b.all():
        local = np.where(b == 0, 0, local)
    return g * local


def _pow_grad_exponent(g, a, b, out):
    """d a**b / d b = a**b * log(a); PyTorch defines it as 0 where a == 0 and b >= 0."""
    return np.where((a == 0) & (b >= 0), 0, g * out * np.log(a))


def _maximum_share(g, x, other):
    """g where x is the maximum, half of g at a tie, 0 where it lost (a nan never loses), as PyTorch."""
    return np.where(x < other, 0, np.where(x == other, 0.5 * g, g))


# ----------------------------------------------------- the table of derivatives
# Each entry: the name, the forward function, then g * d out/d a and g * d out/d b.
add = binary("add", np.add, lambda g, a, b, out: g, lambda g, a, b, out: g)
sub = binary("sub", np.subtract, lambda g, a, b, out: g, lambda g, a, b, out: -g)
mul = binary("mul", np.multiply, lambda g, a, b, out: g * b, lambda g, a, b, out: g * a)
div = binary("div", quiet(np.true_divide), lambda g, a, b, out: g / b, lambda g, a, b, out: -g * out / b)
pow = binary("pow", quiet(np.power), _pow_grad_base, _pow_grad_exponent)
maximum = binary("maximum", np.maximum, lambda g, a, b, out: _maximum_share(g, a, b),
                 lambda g, a, b, out: _maximum_share(g, b, a))
maximum.__doc__ = ("Elementwise maximum of two tensors; ties split the gradient evenly, as in "
                   "torch (chapter 4).")


# --------------------------------------------------- comparisons: no gradient
def comparison(name, ufunc):
    """``a <name> b`` elementwise: a boolean tensor with no gradient, as in PyTorch."""

    def compare(a, b):
        other = b.data if isinstance(b, Tensor) else b
        try:
            return Tensor(ufunc(a.data, other))
        except ValueError:
            raise broadcast_error(name, a.shape, np.shape(other)) from None

    compare.__name__ = compare.__qualname__ = name
    return compare


eq = comparison("eq", np.equal)
ne = comparison("ne", np.not_equal)
lt = comparison("lt", np.less)
le = comparison("le", np.less_equal)
gt = comparison("gt", np.greater)
ge = comparison("ge", np.greater_equal)
