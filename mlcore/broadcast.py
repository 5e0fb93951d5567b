"""Undoing numpy broadcasting in the backward pass (chapter 5).

When ``a + b`` broadcasts ``b`` of shape (3,) against ``a`` of shape (4, 3),
every one of the 4 rows used the same ``b``. The gradient for ``b`` therefore
adds up the 4 row gradients. This is the only place in mlcore that does it.
"""


def unbroadcast(grad, shape):
    """Sum `grad` down to `shape`, reversing numpy's broadcasting rules."""
    if grad.shape == shape:
        return grad
    # Leading axes that broadcasting prepended.
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    # Axes that were stretched from length 1.
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad
