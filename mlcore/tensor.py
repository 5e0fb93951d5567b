"""The Tensor: a numpy array that remembers how it was computed (chapters 4 and 5).

Every operation below builds its result and, right beside it, the rule that
sends the gradient back to its inputs (``backward``): forward and backward are
read together, as in micrograd. A rule receives ``g``, the gradient of the final
output with respect to this operation's result, and returns one gradient per
parent, local derivative times ``g``. Shapes and semantics follow PyTorch, so
every result can be compared with ``torch`` one to one.
"""

import itertools
import numbers

import numpy as np

from . import autograd, grad_mode
from .broadcast import unbroadcast


# Creation numbers: a tensor is always created after its parents, so the backward
# pass can visit the graph newest first (see autograd.run_backward).
_created = itertools.count()


class Tensor:
    """An n-dimensional array with optional gradient tracking, like ``torch.Tensor``.

    Attributes: ``data`` (the numpy array itself), ``grad`` (numpy array or None),
    ``requires_grad``. Build one with :func:`mlcore.tensor`.
    """

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_op", "_backward", "_retains_grad",
                 "_number")
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
        self._number = next(_created)
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def from_op(data, parents, op, backward):
        """Return the tensor `op` computed as `data` from `parents`.

        `backward(g)` must return one gradient (or None) per parent: a new array
        or a view of `g`, never an array that lives on elsewhere (such as a
        parameter's data), since the engine may keep it as a leaf's ``.grad``.
        This is the one way mlcore operations, layers and losses join the graph.
        """
        out = Tensor.__new__(Tensor)
        # Reductions return numpy scalars; .data is always a real (writable) array.
        out.data = data if type(data) is np.ndarray else np.asarray(data)
        out.grad = None
        out._retains_grad = False
        out._number = next(_created)
        if grad_mode._enabled:
            out._parents = parents
            out._op = op
            for parent in parents:
                if parent.requires_grad:
                    out.requires_grad = True
                    out._backward = backward
                    return out
        else:
            out._parents = ()
            out._op = None
        out.requires_grad = False
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

    def __bool__(self):
        return bool(self.data)

    def __float__(self):
        return float(self.data)

    def __int__(self):
        return int(self.data)

    def __array__(self, dtype=None, copy=None):
        """Let numpy and matplotlib read the values: ``np.asarray(t)``, ``plt.plot(t)``."""
        return self.data if dtype is None else self.data.astype(dtype)

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

    # ------------------------------------------------- conversion and grads
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

    def zero_(self):
        """Fill the data with zeros in place."""
        self.data.fill(0)
        return self

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

    def backward(self, gradient=None, retain_graph=False):
        """Compute d self / d leaf for every leaf and add it into the leaf's ``.grad``.

        Gradients accumulate across calls, as in PyTorch: call ``zero_grad()``
        between training steps (chapter 5 shows what happens if you don't).
        """
        autograd.run_backward(self, self._initial_gradient(gradient), retain_graph=retain_graph)

    # ----------------------------------------------------- binary operators
    def _lift(self, other):
        """Wrap a Python number, list or array as a constant tensor."""
        if isinstance(other, Tensor):
            return other
        dtype = self.data.dtype
        # A Python scalar takes this tensor's float dtype, so float32 stays float32.
        if isinstance(other, (float, int, numbers.Number)) and dtype.kind == "f":
            return Tensor(np.array(other, dtype=dtype))
        other = np.asarray(other)
        # So do integer and boolean arrays, as in PyTorch (numpy would promote to float64).
        if other.dtype.kind in "biu" and dtype.kind == "f":
            other = other.astype(dtype)
        return Tensor(other)

    def __add__(self, other):
        other = self._lift(other)
        a, b = self, other

        def backward(g):
            return (unbroadcast(g, a.shape) if a.requires_grad else None,
                    unbroadcast(g, b.shape) if b.requires_grad else None)

        return Tensor.from_op(a.data + b.data, (a, b), "add", backward)

    def __sub__(self, other):
        other = self._lift(other)
        a, b = self, other

        def backward(g):
            return (unbroadcast(g, a.shape) if a.requires_grad else None,
                    unbroadcast(-g, b.shape) if b.requires_grad else None)

        return Tensor.from_op(a.data - b.data, (a, b), "sub", backward)

    def __mul__(self, other):
        other = self._lift(other)
        a, b = self, other

        def backward(g):
            return (unbroadcast(g * b.data, a.shape) if a.requires_grad else None,
                    unbroadcast(g * a.data, b.shape) if b.requires_grad else None)

        return Tensor.from_op(a.data * b.data, (a, b), "mul", backward)

    def __truediv__(self, other):
        other = self._lift(other)
        a, b = self, other
        with np.errstate(divide="ignore", invalid="ignore"):
            out = a.data / b.data

        def backward(g):
            return (unbroadcast(g / b.data, a.shape) if a.requires_grad else None,
                    unbroadcast(-g * out / b.data, b.shape) if b.requires_grad else None)

        return Tensor.from_op(out, (a, b), "div", backward)

    def __pow__(self, exponent):
        exponent = self._lift(exponent)
        a, b = self, exponent
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = a.data ** b.data

        def backward(g):
            ga = gb = None
            if a.requires_grad:
                local = b.data * a.data ** (b.data - 1)
                if not b.data.all():
                    # PyTorch: d a**0 / d a = 0, also at a == 0 where the formula gives 0 * inf.
                    local = np.where(b.data == 0, 0, local)
                ga = unbroadcast(g * local, a.shape)
            if b.requires_grad:
                # d a**b / d b = a**b * log(a); PyTorch defines it as 0 where a == 0 and b >= 0.
                gb = np.where((a.data == 0) & (b.data >= 0), 0, g * out * np.log(a.data))
                gb = unbroadcast(gb, b.shape)
            return ga, gb

        return Tensor.from_op(out, (a, b), "pow", backward)

    def __matmul__(self, other):
        other = self._lift(other)
        a, b = self, other
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError("matmul (@) needs tensors with at least one dimension; use * for scalars.")
        inner_a, inner_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
        if inner_a != inner_b:
            raise ValueError(
                f"matmul shape mismatch: {a.shape} @ {b.shape}. The last dimension of the left "
                f"operand ({inner_a}) must equal the {'second-to-last' if b.ndim > 1 else 'only'} "
                f"dimension of the right operand ({inner_b}). Did you mean to transpose one of them (.T)?"
            )

        def backward(g):
            # Treat 1-D operands as a row (left) or column (right) matrix, as matmul does.
            A = a.data[None, :] if a.ndim == 1 else a.data
            B = b.data[:, None] if b.ndim == 1 else b.data
            G = g[..., None] if b.ndim == 1 else g
            G = G[..., None, :] if a.ndim == 1 else G
            ga = gb = None
            if a.requires_grad:
                ga = G @ B.swapaxes(-1, -2)
                ga = unbroadcast(ga, A.shape).reshape(a.shape)
            if b.requires_grad:
                gb = A.swapaxes(-1, -2) @ G
                gb = unbroadcast(gb, B.shape).reshape(b.shape)
            return ga, gb

        return Tensor.from_op(a.data @ b.data, (a, b), "matmul", backward)

    def __radd__(self, other):
        return self._lift(other) + self

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rmul__(self, other):
        return self._lift(other) * self

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def __rpow__(self, other):
        return self._lift(other) ** self

    def __rmatmul__(self, other):
        return self._lift(other) @ self

    # In place: ``p -= lr * p.grad`` under no_grad() updates p itself, as in PyTorch.
    # Without these, Python would quietly rebind the name to a new tensor.
    def _inplace(self, other, ufunc):
        if self.requires_grad and grad_mode._enabled:
            raise RuntimeError(
                "In-place operation on a tensor that requires grad: the graph could not "
                "compute its gradient any more. Update parameters inside `with mlcore.no_grad():` "
                "(as optimizers do), or write `t = t - x` to build a new tensor."
            )
        ufunc(self.data, other.data if isinstance(other, Tensor) else other, out=self.data)
        return self

    def __iadd__(self, other):
        return self._inplace(other, np.add)

    def __isub__(self, other):
        return self._inplace(other, np.subtract)

    def __imul__(self, other):
        return self._inplace(other, np.multiply)

    def __itruediv__(self, other):
        return self._inplace(other, np.true_divide)

    def __neg__(self):
        return Tensor.from_op(-self.data, (self,), "neg", lambda g: (-g,))

    def __pos__(self):
        return self

    # Comparisons give boolean tensors with no gradient, as in PyTorch.
    def _compare(self, other, fn):
        other = other.data if isinstance(other, Tensor) else other
        return Tensor(fn(self.data, other))

    def __eq__(self, other):
        return self._compare(other, np.equal)

    def __ne__(self, other):
        return self._compare(other, np.not_equal)

    def __lt__(self, other):
        return self._compare(other, np.less)

    def __le__(self, other):
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        return self._compare(other, np.greater)

    def __ge__(self, other):
        return self._compare(other, np.greater_equal)

    # --------------------------------------------------- elementwise math
    # Each rule is one line of a table of derivatives, in terms of x or out.
    def exp(self):
        with np.errstate(over="ignore"):
            out = np.exp(self.data)
        return Tensor.from_op(out, (self,), "exp", lambda g: (g * out,))

    def log(self):
        x = self.data
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log(x)
        return Tensor.from_op(out, (self,), "log", lambda g: (g / x,))

    def sqrt(self):
        with np.errstate(invalid="ignore"):
            out = np.sqrt(self.data)
        return Tensor.from_op(out, (self,), "sqrt", lambda g: (g / (2 * out),))

    def abs(self):
        x = self.data
        return Tensor.from_op(np.abs(x), (self,), "abs", lambda g: (g * np.sign(x),))

    def tanh(self):
        out = np.tanh(self.data)
        return Tensor.from_op(out, (self,), "tanh", lambda g: (g * (1 - out * out),))

    def sigmoid(self):
        # 1 / (1 + e^-x) overflows for very negative x; this form never does.
        e = np.exp(-np.abs(self.data))
        out = np.where(self.data >= 0, 1, e) / (1 + e)
        return Tensor.from_op(out, (self,), "sigmoid", lambda g: (g * out * (1 - out),))

    def relu(self):
        out = np.maximum(self.data, 0)
        return Tensor.from_op(out, (self,), "relu", lambda g: (g * (out > 0),))

    def maximum(self, other):
        """Elementwise maximum; at ties each input gets half the gradient, as in PyTorch."""
        other = self._lift(other)
        a, b = self, other

        def backward(g):
            share = np.where(a.data > b.data, 1, np.where(a.data == b.data, 0.5, 0)).astype(g.dtype)
            return (unbroadcast(g * share, a.shape) if a.requires_grad else None,
                    unbroadcast(g * (1 - share), b.shape) if b.requires_grad else None)

        return Tensor.from_op(np.maximum(a.data, b.data), (a, b), "maximum", backward)

    def clamp(self, min=None, max=None):
        """Limit values to [min, max]; the gradient passes where min <= x <= max."""
        if min is None and max is None:
            raise ValueError("clamp() needs at least one of min or max.")
        x = self.data
        out = np.clip(x, min, max)

        def backward(g):
            inside = np.ones(x.shape, dtype=bool)
            if min is not None:
                inside &= x >= min
            if max is not None:
                inside &= x <= max
            return (g * inside,)

        return Tensor.from_op(out, (self,), "clamp", backward)

    clip = clamp

    # ------------------------------------------------------------ reductions
    @staticmethod
    def _dims(dim, axis, keepdim, keepdims):
        """Accept PyTorch's dim/keepdim and numpy's axis/keepdims spellings."""
        if axis is not None:
            dim = axis
        if keepdims is not None:
            keepdim = keepdims
        if isinstance(dim, list):
            dim = tuple(dim)
        return dim, keepdim

    def _expand_back(self, g, dim):
        """Stretch a reduced gradient back to this tensor's shape: each summed element gets it."""
        shape = self.data.shape
        if dim is not None:
            # Put back the reduced dims as length 1, so that g broadcasts along them.
            dims = [d % len(shape) for d in (dim if isinstance(dim, tuple) else (dim,))]
            g = g.reshape([1 if i in dims else n for i, n in enumerate(shape)])
        full = np.empty(shape, g.dtype)
        full[...] = g
        return full

    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = self._dims(dim, axis, keepdim, keepdims)
        out = self.data.sum(axis=dim, keepdims=keepdim)
        return Tensor.from_op(out, (self,), "sum", lambda g: (self._expand_back(g, dim),))

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = self._dims(dim, axis, keepdim, keepdims)
        total = self.data.sum(axis=dim, keepdims=keepdim)
        count = self.data.size // max(total.size, 1)
        # sum / count is how np.mean computes it, without np.mean's slow Python wrapper.
        return Tensor.from_op(total / count, (self,), "mean",
                              lambda g: (self._expand_back(g / count, dim),))

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """Largest value, overall or along `dim` (values only; see ``argmax`` for indices).

        The gradient goes to the position of the maximum. Over the whole tensor,
        ties share it evenly; along a dim it goes to the first maximum (PyTorch's choice).
        """
        dim, keepdim = self._dims(dim, axis, keepdim, keepdims)
        if isinstance(dim, tuple):
            raise ValueError("max() takes a single dim; call it once per dimension.")
        x = self.data
        if dim is None:
            out = x.max()

            def backward(g):
                at_max = x == out
                return (g * at_max / int(at_max.sum()),)
        else:
            index = np.expand_dims(x.argmax(axis=dim), dim)
            out = np.take_along_axis(x, index, axis=dim)
            if not keepdim:
                out = np.squeeze(out, axis=dim)

            def backward(g):
                grad = np.zeros(x.shape, x.dtype)
                np.put_along_axis(grad, index, g if keepdim else np.expand_dims(g, dim), axis=dim)
                return (grad,)

        return Tensor.from_op(out, (self,), "max", backward)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """Smallest value: built from max, since min(x) = -max(-x)."""
        return -((-self).max(dim, keepdim, axis=axis, keepdims=keepdims))

    def argmax(self, dim=None, keepdim=False):
        """Index of the largest value (no gradient), as ``torch.argmax``."""
        out = self.data.argmax(axis=dim)
        if keepdim and dim is not None:
            out = np.expand_dims(out, dim)
        return Tensor(out)

    # ------------------------------------------------------------ softmax
    def softmax(self, dim=-1):
        """exp(x_i) / sum_j exp(x_j) along `dim` (chapter 2), shifted by the max for stability."""
        shifted = self.data - self.data.max(axis=dim, keepdims=True)
        e = np.exp(shifted)
        out = e / e.sum(axis=dim, keepdims=True)

        def backward(g):
            return (out * (g - (g * out).sum(axis=dim, keepdims=True)),)

        return Tensor.from_op(out, (self,), "softmax", backward)

    def log_softmax(self, dim=-1):
        """x_i - log sum_j exp(x_j), via the log-sum-exp trick: finite even for logits of ±1000."""
        shifted = self.data - self.data.max(axis=dim, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))

        def backward(g):
            return (g - np.exp(out) * g.sum(axis=dim, keepdims=True),)

        return Tensor.from_op(out, (self,), "log_softmax", backward)

    # ------------------------------------------------------- shape changes
    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        original = self.shape
        try:
            out = self.data.reshape(shape)
        except ValueError:
            raise ValueError(
                f"cannot reshape a tensor of shape {original} ({self.data.size} elements) into "
                f"shape {shape}: the number of elements must stay the same."
            ) from None
        return Tensor.from_op(out, (self,), "reshape", lambda g: (g.reshape(original),))

    view = reshape

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge dims start_dim..end_dim into one, as ``torch.flatten``."""
        shape = self.shape
        if not shape:
            return self.reshape(1)
        start, end = start_dim % len(shape), end_dim % len(shape)
        merged = int(np.prod(shape[start:end + 1]))
        return self.reshape(shape[:start] + (merged,) + shape[end + 1:])

    def unsqueeze(self, dim):
        dim = dim if dim >= 0 else dim + self.ndim + 1
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim=None):
        if dim is None:
            return self.reshape(tuple(n for n in self.shape if n != 1))
        dim = dim % self.ndim
        if self.shape[dim] != 1:
            return self.reshape(self.shape)
        return self.reshape(self.shape[:dim] + self.shape[dim + 1:])

    def permute(self, *dims):
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        dims = tuple(d % self.ndim for d in dims)  # permute(0, -1, 1) is permute(0, 2, 1)
        inverse = tuple(np.argsort(dims))
        return Tensor.from_op(self.data.transpose(dims), (self,), "permute",
                              lambda g: (g.transpose(inverse),))

    def transpose(self, dim0, dim1):
        """Swap two dimensions, as ``torch.transpose``."""
        return Tensor.from_op(np.swapaxes(self.data, dim0, dim1), (self,), "transpose",
                              lambda g: (np.swapaxes(g, dim0, dim1),))

    @property
    def T(self):
        """All dimensions reversed (the matrix transpose for 2-D tensors)."""
        return Tensor.from_op(self.data.T, (self,), "transpose", lambda g: (g.T,))

    def __getitem__(self, index):
        index = _unwrap_index(index)
        x = self.data
        out = x[index]
        # Integer-array indexing may pick an element several times; np.add.at
        # adds each pick's gradient, where plain assignment would keep only one.
        advanced = _is_advanced(index)

        def backward(g):
            grad = np.zeros(x.shape, x.dtype)
            if advanced:
                np.add.at(grad, index, g)
            else:
                grad[index] = g
            return (grad,)

        return Tensor.from_op(out, (self,), "index", backward)

    def __setitem__(self, index, value):
        if self.requires_grad and grad_mode._enabled:
            raise RuntimeError(
                "In-place assignment into a tensor that requires grad would make its "
                "gradients wrong. Build a new tensor instead, or assign inside "
                "`with mlcore.no_grad():` if you mean to edit values outside of autograd."
            )
        self.data[_unwrap_index(index)] = value.data if isinstance(value, Tensor) else value

    # ---------------------------------------------------------------- dtype
    def to(self, dtype):
        """Cast to `dtype`; the gradient is cast back, as in PyTorch."""
        source, data = self.data.dtype, self.data.astype(dtype)
        if data.dtype.kind != "f":
            return Tensor(data)  # integers carry no gradient, as in PyTorch
        return Tensor.from_op(data, (self,), "to", lambda g: (g.astype(source),))

    def double(self):
        return self.to(np.float64)

    def float(self):
        """Cast to float32 (PyTorch's ``float`` means 32 bits)."""
        return self.to(np.float32)

    def long(self):
        return self.to(np.int64)


def _float_mode(array):
    """PyTorch prints whole numbers as ``1.`` and anything else with four decimals."""
    if array.dtype.kind != "f":
        return "maxprec_equal"
    finite = array[np.isfinite(array)]
    return "maxprec_equal" if np.array_equal(finite, np.round(finite)) else "fixed"


def _unwrap_index(index):
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def _is_advanced(index):
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, (np.ndarray, list)) for i in parts)


def tensor(data, requires_grad=False, dtype=None):
    """Create a tensor from a list, number, numpy array or tensor, copying the data.

    Floats default to float64 (PyTorch's default is float32; float64 makes
    every comparison with PyTorch exact to 1e-10). Integers stay int64.
    """
    if isinstance(data, Tensor):
        data = data.data
    try:
        array = np.array(data, dtype=dtype)
    except ValueError as error:  # numpy refuses ragged nested lists
        raise ValueError(f"Could not build a tensor from this data ({error}). {_RAGGED}") from None
    if array.dtype == object:
        raise TypeError(f"Could not build a tensor from this data: numpy made an array of "
                        f"Python objects. {_RAGGED}")
    return Tensor(array, requires_grad=requires_grad)


_RAGGED = "Check that every row of a nested list has the same length and holds numbers."

