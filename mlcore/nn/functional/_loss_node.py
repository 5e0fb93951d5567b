"""How a fused loss joins the graph: its value and its two derivative rules (chapters 1 and 2).

A loss computes its value in numpy and states two rules: d loss / d input and
d loss / d target, each a function of the upstream gradient ``g``. ``loss_node``
does the wiring that every such loss shares: the prediction is always a parent;
the target is one only when it is a Tensor (as in PyTorch, a target that requires
grad receives a gradient); and each rule runs only when its parent needs it.
"""

from ...tensor import Tensor


def loss_node(fn_name, out, input, target, grad_input, grad_target):
    """The loss value ``out`` as a Tensor made by ``fn_name`` from ``input`` and ``target``.

    ``target`` is the target Tensor, or None for a numpy array or list (a constant).
    ``grad_input(g)`` and ``grad_target(g)`` return the gradients for the prediction
    and the target; the target's is given the target's dtype.
    """
    if target is None:
        # The prediction is the only parent, so backward runs only if it requires grad.
        return Tensor.from_op(out, (input,), fn_name, lambda g: (grad_input(g),))

    def backward(g):
        return (grad_input(g) if input.requires_grad else None,
                grad_target(g).astype(target.dtype, copy=False) if target.requires_grad else None)

    return Tensor.from_op(out, (input, target), fn_name, backward)
