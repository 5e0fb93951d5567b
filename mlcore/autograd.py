"""Reverse-mode automatic differentiation over the recorded graph (chapters 4 and 5).

Each tensor made by an operation remembers its parents and a ``backward``
function that turns the gradient of the output into one gradient per parent
(local gradient times upstream gradient: the chain rule). ``backward`` below
visits the graph once, from the output back to the leaves, in reverse
topological order, so that a node's gradient is complete (all paths through it
summed) before it is passed on.
"""

import numpy as np


def topological_order(root):
    """Return the nodes that lead to `root` and require grad, parents before children.

    Iterative depth-first search: a chain of 100,000 operations would overflow
    Python's recursion limit with the recursive version micrograd uses.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in node._parents:
            if parent.requires_grad and id(parent) not in visited:
                stack.append((parent, False))
    return order


def _graph_freed(grad):
    raise RuntimeError(
        "Trying to backward through the graph a second time. The first backward() "
        "freed the values it saved for the chain rule. Build the graph again with a "
        "new forward pass, or call backward(retain_graph=True) the first time if you "
        "really need two backward passes (and remember that .grad then adds up)."
    )


def run_backward(root, gradient, retain_graph=False, inputs=None):
    """Propagate `gradient` (d root / d root) from `root` back through the graph.

    Leaves (tensors a user created with ``requires_grad=True``) accumulate the
    result into ``.grad``, as PyTorch does. If `inputs` is given, their
    gradients are returned instead and no ``.grad`` is touched.
    """
    wanted = None if inputs is None else {id(t): i for i, t in enumerate(inputs)}
    found = [None] * (0 if inputs is None else len(inputs))
    grads = {id(root): gradient}
    for node in reversed(topological_order(root)):
        grad = grads.pop(id(node), None)
        if grad is None:
            continue
        if wanted is not None and id(node) in wanted:
            found[wanted[id(node)]] = grad
        backward = node._backward
        if backward is None:
            if wanted is None:
                _accumulate(node, grad)
            continue
        if wanted is None and node._retains_grad:
            _accumulate(node, grad)
        parent_grads = backward(grad)
        if not retain_graph:
            node._backward = _graph_freed
        for parent, parent_grad in zip(node._parents, parent_grads):
            if parent_grad is None or not parent.requires_grad:
                continue
            key = id(parent)
            # Not +=: the same array may have been handed to several parents.
            grads[key] = grads[key] + parent_grad if key in grads else parent_grad
    return found


def _accumulate(node, grad):
    # Copy on first store: a backward rule may hand the same array to two parents.
    if node.grad is None:
        node.grad = np.array(grad, dtype=node.data.dtype)
    else:
        node.grad += grad


def grad(outputs, inputs, grad_outputs=None, retain_graph=False):
    """Return d outputs / d inputs as a list of numpy arrays, without touching ``.grad``.

    The twin of ``torch.autograd.grad`` (chapter 5): ``grad(loss, list(net.parameters()))``.
    """
    inputs = list(inputs)
    if not inputs:
        raise ValueError("grad() needs at least one input to differentiate with respect to.")
    gradient = outputs._initial_gradient(grad_outputs)
    found = run_backward(outputs, gradient, retain_graph=retain_graph, inputs=inputs)
    for i, (t, g) in enumerate(zip(inputs, found)):
        if g is None:
            raise RuntimeError(
                f"Input {i} (shape {t.shape}) was not used to compute the output, so it has "
                "no gradient. Check that you passed the tensors the loss was computed from."
            )
    return found
