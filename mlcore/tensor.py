"""The Tensor: a numpy array that remembers how it was computed (chapters 4 and 5).

This is the core of mlcore's engine, and the first file to read. A Tensor holds
``data`` (a numpy array) and ``grad`` (the gradient that ``backward()`` puts
there). A tensor computed from tensors that require grad also holds the links
of the graph: its ``parents``, the name of its ``op``, and the backward rule
that turns the gradient of its value into one gradient per parent.
``Tensor.from_op`` is the one place where a result joins the graph.

The operations themselves (``+``, ``exp``, ``sum``, ``reshape``, ``@``...) live
in ``mlcore/ops/``, one module per kind of derivative rule, and
``mlcore/ops/__init__.py`` attaches them to Tensor as methods. ``backward()``
hands over to ``mlcore/autograd.py``, which runs the rules.
"""

import numpy as np

from . import autograd, grad_mode
from .autograd import clock
from .broadcast import broadcast_error


class Tensor:
    """An n-dimensional array with optional gradient tracking, like ``torch.Tensor``.

    Attributes: ``data`` (the numpy array itself), ``grad`` (numpy array or None),
    ``requires_grad``. Build one with :func:`mlcore.tensor`.
    """

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_op", "_backward", "_retains_grad",
                 "_number", "_version")
    # Make numpy hand mixed expressions to us (ndarray + Tensor -> Tensor.__radd__)
    # instead of silently turning the tensor into an array and dropping the graph.
    __array_ufunc__ = None
    # == compares elementwise, so hashing (dicts, sets) goes by identity, as in PyTorch.
    __hash__ = object.__hash__

    def __init__(self, data, requires_grad=False):
        self.data = data if isinstance(data, np.ndarray) else np.asarray(data)
        self.grad = None
        self.requires_grad = False
        self._parents = ()
        self._op = None
        self._backward = None
        self._retains_grad = False
        self._number = next(clock)  # creation time: see autograd.clock
        self._version = 0  # time of the last in-place change; 0: never changed
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def from_op(data, parents, op, backward):
        """Return the tensor `op` computed as `data` from `parents`.

        `backward(g)` must return one gradient (or None) per parent: a new array
        or a view of `g`, never an array that lives on elsewhere (such as a
        parameter's data), since the engine may keep it as a leaf's ``.grad``.
        It may read the parents' arrays and `data`: changing any of them in
        place afterwards makes ``backward()`` refuse to run. This is the one
        way mlcore operations, layers and losses join the graph.
        """
        out = Tensor.__new__(Tensor)
        # Reductions return numpy scalars; .data is always a real (writable) array.
        out.data = data if type(data) is np.ndarray else np.asarray(data)
        out.grad = None
        out._retains_grad = False
        out._number = next(clock)
        out._version = 0
        if grad_mode._enabled:
            for parent in parents:
                if parent.requires_grad:
                    out.requires_grad = True
                    out._parents = parents
                    out._op = op
                    out._backward = backward
                    return out
        # Nothing to differentiate: the result is a constant, a leaf that keeps no arrays alive.
        out.requires_grad = False
        out._parents = ()
        out._op = None
        out._backward = None
        return out

    # ----------------------------------------------------------- properties
    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def is_leaf(self):
        """True for tensors the user created (or that need no grad), as in PyTorch."""
        return self._backward is None

    @property
    def op(self):
        """Name of the operation that made this tensor (None for a leaf); chapter 4 draws it."""
        return self._op

    @property
    def parents(self):
        """The tensors this one was computed from; chapter 4 draws these edges."""
        return self._parents

    def size(self, dim=None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self):
        return self.data.size

    def dim(self):
        return self.data.ndim

    def __len__(self):
        return len(self.data)

    def __pos__(self):
        return self  # +t is t, as in PyTorch: no operation, no node

    # ----------------------------------------------------------- conversions
    def __bool__(self):
        return bool(self.data)

    def __float__(self):
        return float(self.data)

    def __int__(self):
        return int(self.data)

    def __array__(self, dtype=None, copy=None):
        """Let numpy and matplotlib read the values: ``np.asarray(t)`` shares the array,
        ``np.array(t)`` copies it (so a recorded trajectory does not change as training goes on)."""
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            if copy is False:
                raise ValueError(f"Cannot read a {self.dtype} tensor as {np.dtype(dtype)} without "
                                 "copying; leave out copy=False.")
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4,
                               floatmode=_float_mode(self.data))
        extras = []
        if self.dtype not in (np.float64, np.int64):
            extras.append(f"dtype={self.dtype}")
        if self._backward is not None:
            extras.append(f"op='{self._op}'")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one element, but this one has shape "
                f"{self.shape}. Reduce it first (e.g. .sum() or .mean()) or index one element."
            )
        return self.data.item()

    def numpy(self):
        """The underlying numpy array (shared, not copied), as ``torch.Tensor.numpy``."""
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on a tensor that requires grad: changing the array "
                "would silently change the graph. Use tensor.detach().numpy() instead."
            )
        return self.data

    def tolist(self):
        return self.data.tolist()

    # --------------------------------------------------------- graph and grads
    def detach(self):
        """A tensor sharing this one's data but cut off from the graph."""
        return Tensor(self.data)

    def requires_grad_(self, requires_grad=True):
        """Turn gradient tracking on or off for this leaf tensor, in place."""
        if requires_grad and not np.issubdtype(self.data.dtype, np.floating):
            raise TypeError(
                f"Only floating-point tensors can require gradients, but this one has dtype "
                f"{self.dtype}. Create it with floats (e.g. [1.0, 2.0]) or dtype=mlcore.float64."
            )
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad can only be changed on leaf tensors; this one was computed by "
                f"'{self._op}'. Use .detach() to make a new leaf."
            )
        self.requires_grad = requires_grad
        return self

    def retain_grad(self):
        """Keep ``.grad`` on this intermediate result after backward (chapter 5)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad() needs a tensor that requires grad.")
        self._retains_grad = not self.is_leaf
        return self

    def backward(self, gradient=None, retain_graph=False):
        """Compute d self / d leaf for every leaf and add it into the leaf's ``.grad``.

        Gradients accumulate across calls, as in PyTorch: call ``zero_grad()``
        between training steps (chapter 5 shows what happens if you don't).
        """
        autograd.run_backward(self, self._initial_gradient(gradient), retain_graph=retain_graph)

    def _initial_gradient(self, gradient):
        if not self.requires_grad:
            raise RuntimeError(
                "This tensor does not require grad and has no graph, so there is nothing to "
                "backpropagate. Create the inputs with requires_grad=True, and do not compute "
                "the loss inside mlcore.no_grad()."
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() on an output of shape {self.shape} needs a `gradient` argument: "
                    "the gradient of the final scalar with respect to this output. Either reduce "
                    "to a scalar first (loss = out.mean() or out.sum()), or pass "
                    f"gradient=numpy.ones({self.shape}) to get the gradient of out.sum()."
                )
            # d out / d out = 1. (np.ones, written in Python, takes twice as long.)
            return np.array(1, dtype=self.data.dtype).reshape(self.data.shape)
        gradient = np.asarray(gradient.data if isinstance(gradient, Tensor) else gradient,
                              dtype=self.data.dtype)
        if gradient.shape != self.shape:
            raise RuntimeError(
                f"backward(gradient=...) got a gradient of shape {gradient.shape} for an output "
                f"of shape {self.shape}; they must be the same shape."
            )
        return gradient

    # ------------------------------------------------------- in-place changes
    # ``p -= lr * p.grad`` under no_grad() updates p itself, as in PyTorch (without
    # these methods Python would quietly rebind the name to a new tensor). Each one
    # stamps the tensor, so that a graph that read the old values refuses backward().
    def _check_in_place(self, what):
        if self.requires_grad and grad_mode._enabled:
            raise RuntimeError(
                f"{what} on a tensor that requires grad: its gradient could not be computed "
                "any more. Update parameters inside `with mlcore.no_grad():` (as optimizers "
                "do), or build a new tensor instead (t = t - x)."
            )

    def _in_place(self, ufunc, other):
        self._check_in_place("In-place arithmetic")
        other = other.data if isinstance(other, Tensor) else other
        try:
            ufunc(self.data, other, out=self.data)
        except ValueError:
            raise broadcast_error(f"in-place {ufunc.__name__}", self.shape, np.shape(other)) from None
        autograd.increment_version(self)
        return self

    def __iadd__(self, other):
        return self._in_place(np.add, other)

    def __isub__(self, other):
        return self._in_place(np.subtract, other)

    def __imul__(self, other):
        return self._in_place(np.multiply, other)

    def __itruediv__(self, other):
        return self._in_place(np.true_divide, other)

    def __setitem__(self, index, value):
        self._check_in_place("Assignment into elements")
        self.data[as_index(index)] = value.data if isinstance(value, Tensor) else value
        autograd.increment_version(self)

    def zero_(self):
        """Fill the data with zeros in place."""
        self._check_in_place("zero_()")
        self.data.fill(0)
        autograd.increment_version(self)
        return self


def as_index(index):
    """An index with every Tensor in it replaced by its array: ``t[mask]``, ``t[rows, cols]``."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def _float_mode(array):
    """PyTorch prints whole numbers as ``1.`` and anything else with four decimals."""
    if array.dtype.kind != "f":
        return "maxprec_equal"
    finite = array[np.isfinite(array)]
    return "maxprec_equal" if np.array_equal(finite, np.round(finite)) else "fixed"
