"""Broadcasting: the forward rule's error message, and undoing it in the backward pass (chapter 5).

When ``a + b`` broadcasts ``b`` of shape (3,) against ``a`` of shape (4, 3),
every one of the 4 rows used the same ``b``. The gradient for ``b`` therefore
adds up the 4 row gradients: ``unbroadcast`` below, the only place in mlcore
that does it. Shapes that do not broadcast get ``broadcast_error``'s message.
"""

import numpy as np


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


def broadcast_error(op, a, b):
    """The ValueError for shapes `a` and `b` that do not broadcast: where they clash, the rule, a fix."""
    clash = next((i for i in range(1, min(len(a), len(b)) + 1)
                  if a[-i] != b[-i] and a[-i] != 1 and b[-i] != 1), None)
    if clash is None:  # they broadcast, to a shape that `a op= b` cannot store in a
        return ValueError(
            f"{op}: shapes {a} and {b} broadcast to {np.broadcast_shapes(a, b)}, which does not "
            f"fit into the tensor of shape {a} that is changed in place. Write t = t + x (a new "
            "tensor) instead of t += x, or give x a shape that broadcasts to the tensor's."
        )
    if len(a) == len(b) == 2 and a == b[::-1]:
        fix = "These are each other's transpose: did you mean to use .T on one of them?"
    else:
        fix = ("Check how each operand was made. To pair every element of one with every element "
               "of the other, give one of them a dimension of size 1, e.g. x.unsqueeze(1) or "
               "x.reshape(...).")
    return ValueError(
        f"{op}: shapes {a} and {b} do not broadcast together. Broadcasting lines the shapes up "
        "from their last dimension; two sizes fit if they are equal or one of them is 1 (a "
        f"missing dimension counts as 1). Here dimension -{clash} has size {a[-clash]} in the "
        f"first and {b[-clash]} in the second. {fix}"
    )
