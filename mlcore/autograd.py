"""Reverse-mode automatic differentiation over the recorded graph (chapters 4 and 5).

Each tensor made by an operation remembers its parents and a ``backward``
function that turns the gradient of the output into one gradient per parent
(local gradient times upstream gradient: the chain rule). ``run_backward``
below visits the graph once, from the output back to the leaves, in reverse
topological order (children before parents), so that a node's gradient is
complete (all paths through it summed) before it is passed on.

A rule reads the arrays its operation was computed from, so changing one of
them in place between the forward and the backward pass would make the
gradient silently wrong. Every in-place change stamps the tensor with the time
of the change (``increment_version``), and ``run_backward`` refuses a node
whose inputs or result were changed after it was made, as PyTorch does.
"""

import itertools
from heapq import heappop, heappush

import numpy as np

# One clock for the whole engine. Each tensor takes a number from it when it is
# created (``Tensor._number``): a tensor is always created after its parents, so
# the backward pass can visit the graph newest first. An in-place change takes a
# number too (``Tensor._version``), so "changed after this node was made" is
# one comparison.
clock = itertools.count(1)
# The time of the most recent in-place change anywhere: nodes made after it need no check.
_last_change = 0


def increment_version(tensor):
    """Record that `tensor`'s data was just changed in place, as ``torch.autograd.graph.increment_version``.

    Tensor's in-place operations call it, and so do optimizers, which update
    ``p.data`` through numpy: a graph that used the old values then refuses
    to run backward() instead of computing a wrong gradient.
    """
    global _last_change
    tensor._version = _last_change = next(clock)


def _graph_freed(grad):
    raise RuntimeError(
        "Trying to backward through the graph a second time. The first backward() "
        "freed the values it saved for the chain rule. Build the graph again with a "
        "new forward pass, or call backward(retain_graph=True) the first time if you "
        "really need two backward passes (and remember that .grad then adds up)."
    )


def _changed_after_use(node):
    """The error for a node whose backward rule would read values changed since its forward pass."""
    if node._version > node._number:
        which = "its result"
    else:
        i, changed = next((i, t) for i, t in enumerate(node._parents) if t._version > node._number)
        which = f"its input {i} (shape {changed.shape})"
    return RuntimeError(
        f"Cannot compute the gradient through '{node._op}': {which} was changed in place after "
        f"'{node._op}' was computed (by x[...] = ..., +=, zero_() or an optimizer step). Its "
        "backward rule reads those values, so the gradient would be silently wrong. PyTorch "
        "refuses too: \"one of the variables needed for gradient computation has been modified "
        "by an inplace operation\". Change tensors before the forward pass, or change a copy "
        "(mlcore.tensor(t) copies), or run the forward pass again after the change."
    )


def _bad_rule(node, what):
    return RuntimeError(
        f"The backward rule of '{node._op}' returned {what}. A rule must return one "
        "gradient per input, each of that input's shape (or None), e.g. with "
        "mlcore.broadcast.unbroadcast for an input that was broadcast."
    )


# Gradients through a domain error (log(0) = -inf, ...) are inf or nan, as in
# PyTorch, which does not warn about them either. (As a decorator, errstate
# costs half of what a `with` block costs on every call.)
@np.errstate(divide="ignore", invalid="ignore", over="ignore")
def run_backward(root, gradient, retain_graph=False, inputs=None):
    """Propagate `gradient` (d root / d root) from `root` back through the graph.

    Without `inputs`, leaves (tensors a user created with ``requires_grad=True``)
    accumulate the result into ``.grad``, as PyTorch does, and so do tensors that
    called ``retain_grad()``. With `inputs`, nothing's ``.grad`` is touched:
    the gradients of `inputs` are returned as a dict {tensor: array}.
    """
    wanted = None if inputs is None else set(inputs)
    found = {}
    grads = {root: gradient}
    # A heap of the computed tensors waiting for their gradient, newest first. A
    # tensor is always created after the tensors it is computed from, so when the
    # newest waiting tensor comes up, everything computed from it has already
    # passed its gradient back: its gradient is complete. (This is a topological
    # order, found without recursion, so a chain of 100,000 operations is fine.)
    waiting = [] if root._backward is None else [(-root._number, root)]
    last_change = _last_change
    while waiting:
        node = heappop(waiting)[1]
        # The rule reads the values the node was computed from: were any changed since?
        if node._number < last_change and any(
                t._version > node._number for t in (node, *node._parents)):
            raise _changed_after_use(node)
        grad = grads.pop(node)
        if wanted is None:
            if node._retains_grad:
                _accumulate(node, grad)
        elif node in wanted:
            found[node] = grad
        parent_grads = node._backward(grad)
        if not retain_graph:
            node._backward = _graph_freed
        parents = node._parents
        if len(parent_grads) != len(parents):
            raise _bad_rule(node, f"{len(parent_grads)} gradients for {len(parents)} inputs")
        for parent, parent_grad in zip(parents, parent_grads):
            if parent_grad is None or not parent.requires_grad:
                continue
            if parent_grad.shape != parent.data.shape:
                raise _bad_rule(node, f"a gradient of shape {parent_grad.shape} for an input "
                                      f"of shape {parent.data.shape}")
            if parent in grads:
                # Not +=: the same array may have been handed to several parents.
                grads[parent] = grads[parent] + parent_grad
            else:
                grads[parent] = parent_grad
                if parent._backward is not None:
                    heappush(waiting, (-parent._number, parent))
    # What is left are the leaves' gradients, complete. Storing them only now means
    # that a pass which fails half-way (a freed graph) changes no .grad at all.
    if wanted is None:
        _store_leaf_gradients(grads, gradient, retain_graph)
    else:
        found.update((leaf, grad) for leaf, grad in grads.items() if leaf in wanted)
    return found


def _store_leaf_gradients(grads, root_gradient, retain_graph):
    """Add each leaf's gradient into its ``.grad`` (a first gradient is stored, not added).

    A first gradient is kept as it is when no one else can see it, as PyTorch
    does: an array that a backward rule made for this leaf alone. Any other is
    copied, so that adding into one ``.grad`` later cannot change another array:
    the caller's `root_gradient`, a view of another array, an array handed to
    two leaves, or anything a retained graph may still use.
    """
    stored = set()
    for leaf, grad in grads.items():
        if leaf.grad is not None:
            leaf.grad += grad
        elif (type(grad) is np.ndarray and grad.base is None and grad is not root_gradient
              and not retain_graph and grad.dtype == leaf.data.dtype and id(grad) not in stored):
            leaf.grad = grad
            stored.add(id(grad))
        else:
            leaf.grad = np.array(grad, dtype=leaf.data.dtype)


def _accumulate(node, grad):
    # Copy on first store: the array goes on to this node's backward rule.
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
    for i, t in enumerate(inputs):
        if t not in found:
            raise RuntimeError(
                f"Input {i} (shape {t.shape}) was not used to compute the output, so it has "
                "no gradient. Check that you passed the tensors the loss was computed from."
            )
    # Fresh arrays of each input's dtype: a rule may return a read-only broadcast view.
    return [np.array(found[t], dtype=t.data.dtype) for t in inputs]
