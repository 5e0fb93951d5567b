"""Matrix multiplication ``a @ b`` (chapters 4 and 5).

For matrices, out = A @ B gives the two products of backpropagation:
d loss / d A = G @ B.T and d loss / d B = A.T @ G, where G is the gradient of
out. A 1-D operand is treated as a row (on the left) or a column (on the
right), as matmul does, and leading "batch" dimensions broadcast, so the
rule reshapes and undoes broadcasting around those two products.
"""

from ..broadcast import broadcast_error, unbroadcast
from ..factories import lift
from ..tensor import Tensor


def matmul(a, b):
    """a @ b, as ``torch.matmul``: matrix product, with 1-D and batched operands."""
    a, b = lift(a, b if isinstance(b, Tensor) else None), lift(b, a if isinstance(a, Tensor) else None)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul (@) needs tensors with at least one dimension; use * for scalars.")
    inner_a, inner_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if inner_a != inner_b:
        raise ValueError(
            f"matmul shape mismatch: {a.shape} @ {b.shape}. The last dimension of the left "
            f"operand ({inner_a}) must equal the {'second-to-last' if b.ndim > 1 else 'only'} "
            f"dimension of the right operand ({inner_b}). Did you mean to transpose one of them (.T)?"
        )
    x, y = a.data, b.data
    try:
        out = x @ y
    except ValueError:  # the sizes fit, so the batch dimensions do not
        raise broadcast_error("matmul's batch dimensions", x.shape[:-2], y.shape[:-2]) from None

    def backward(g):
        # Treat 1-D operands as a row (left) or column (right) matrix, as matmul does.
        A = x[None, :] if x.ndim == 1 else x
        B = y[:, None] if y.ndim == 1 else y
        G = g[..., None] if y.ndim == 1 else g
        G = G[..., None, :] if x.ndim == 1 else G
        ga = gb = None
        if a.requires_grad:
            ga = unbroadcast(G @ B.swapaxes(-1, -2), A.shape).reshape(x.shape)
        if b.requires_grad:
            gb = unbroadcast(A.swapaxes(-1, -2) @ G, B.shape).reshape(y.shape)
        return ga, gb

    return Tensor.from_op(out, (a, b), "matmul", backward)
