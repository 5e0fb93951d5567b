"""Reading the graph behind a result: its nodes, its edges, and backward one edge at a time (chapter 4).

Every tensor an operation makes remembers the name of that operation
(``.op``) and the tensors it was computed from (``.parents``). Those two
attributes are the whole computational graph; this module only reads them.

:func:`backward_steps` replays a backward pass edge by edge, calling the same
backward rule of each operation that ``Tensor.backward()`` calls, so that
chapter 4 can show every ``local x upstream = downstream`` product the engine
computes. :func:`rule_source` finds where that rule is written, so the chapter
quotes the engine itself rather than a copy of it.
"""

import ast
import inspect
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["BackwardStep", "backward_rule", "backward_steps", "graph_edges", "graph_nodes",
           "rule_source", "source_location"]


def graph_nodes(root):
    """Every tensor ``root`` was computed from, ``root`` included, each once, parents before children.

    That is a topological order of the graph. It is found by an explicit
    depth-first search, without recursion, so a chain of 100,000 operations
    is fine (micrograd's recursive version stops at Python's recursion limit).
    """
    _check_tensor(root, "graph_nodes")
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        # Reversed, so that the first input is finished first and comes first in the order.
        stack.extend((parent, False) for parent in reversed(node.parents) if parent not in seen)
    return order


def graph_edges(nodes):
    """The edges among ``nodes`` as ``(parent, child, position)``: ``child.parents[position] is parent``.

    ``x * x`` has two edges from ``x``, at positions 0 and 1: the gradient
    reaches ``x`` along both, and the two contributions add.
    """
    return [(parent, child, position) for child in nodes
            for position, parent in enumerate(child.parents)]


def backward_rule(node):
    """The function the engine calls to send ``node``'s gradient to its parents (None for a leaf).

    It takes the upstream gradient ``g`` (d root / d node) and returns one
    gradient per parent. Tensors keep it privately (``_backward``); this is
    the one place outside the engine that reads it.
    """
    _check_tensor(node, "backward_rule")
    return None if node.is_leaf else node._backward


def rule_source(node, *, operation=False):
    """``(path, line, text)`` of the backward rule of the operation that made ``node``: the file
    (relative to the folder that holds ``mlcore``), its first line and its source text.

    Most operations are one entry of a table of derivatives in ``mlcore/ops/``
    (``mul = binary("mul", np.multiply, lambda g, a, b, out: g * b, ...)``):
    then the rule is that entry, its forward function and its gradients side
    by side. With ``operation=True``, the whole function that builds the
    operation and its ``backward`` (for a table entry, ``binary`` or
    ``unary``, which apply the entry's gradients in the backward pass). Found
    from the function objects at run time, so it always shows the engine as it is.
    """
    rule = backward_rule(node)
    if rule is None:
        raise ValueError("a leaf tensor was made by no operation, so it has no backward rule; "
                         "pass a tensor computed from others (e.g. x * y).")
    builder = _enclosing_function(rule)
    entry = None if operation else _table_entry(rule, node.op)
    if entry is not None:
        return entry
    path, first = source_location(builder if operation else rule)
    lines, _ = inspect.getsourcelines(builder if operation else rule)
    return path, first, textwrap.dedent("".join(lines)).strip()


def _table_entry(rule, name):
    """``(path, line, text)`` of the module-level line ``name = ...`` that defines the operation
    whose backward is ``rule``, or None when the operation is written as a function of its own."""
    module = inspect.getmodule(rule)
    for statement in ast.parse(inspect.getsource(module)).body:
        if isinstance(statement, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == name for target in statement.targets):
            path, _ = source_location(rule)
            lines = inspect.getsource(module).splitlines()[statement.lineno - 1:statement.end_lineno]
            return path, statement.lineno, "\n".join(lines)
    return None


def source_location(function):
    """``(path, line)`` where ``function`` is written: the file relative to the folder that holds
    ``mlcore`` (``mlcore/autograd.py``) and its first line, looking through decorators."""
    function = inspect.unwrap(function)
    path = Path(inspect.getsourcefile(function)).resolve()
    root = Path(__file__).resolve().parent.parent
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    return shown.as_posix(), inspect.getsourcelines(function)[1]


def _enclosing_function(rule):
    """The function whose body defines ``rule`` (``binary`` for the ``backward`` of ``mul``), or
    ``rule`` itself when it cannot be found from its qualified name."""
    outer = rule.__qualname__.split(".<locals>.")[0]
    found = inspect.getmodule(rule)
    for part in outer.split("."):
        found = getattr(found, part, None)
    return found if inspect.isfunction(found) else rule


@dataclass(frozen=True)
class BackwardStep:
    """One edge of a backward pass: ``node`` sends ``downstream = local * upstream`` to ``parent``.

    ``local`` is d node / d parent, ``upstream`` d root / d node (complete by
    then), and ``total`` the parent's gradient after this contribution was
    added: when a value fans out, its contributions arrive one by one and sum.
    """

    node: object
    parent: object
    position: int
    local: float
    upstream: float
    downstream: float
    total: float


def backward_steps(root):
    """The backward pass from the scalar ``root``, one :class:`BackwardStep` per edge that carries a gradient.

    Nodes are visited in reverse topological order, every node after all the
    nodes computed from it, so that its gradient is complete before it is
    passed on; the order matches ``Tensor.backward()`` up to the order of
    independent branches. Each step calls the operation's own backward rule
    twice, with the upstream gradient (the downstream gradient) and with 1
    (the local derivative), and checks that their ratio is the upstream.
    Nothing is stored in ``.grad`` and the graph is not freed.
    """
    _check_tensor(root, "backward_steps")
    nodes = graph_nodes(root)
    _check_scalars(nodes)
    if not root.requires_grad:
        raise ValueError("root does not require grad, so backward has nothing to do: create an input "
                         "with requires_grad=True and compute root from it.")
    gradients = {root: 1.0}
    steps = []
    for node in reversed(nodes):
        rule = backward_rule(node)
        if rule is None or node not in gradients:
            continue
        upstream = gradients[node]
        shape = node.data.shape
        downstream = rule(np.full(shape, upstream, dtype=node.data.dtype))
        local = rule(np.ones(shape, dtype=node.data.dtype))
        for position, (parent, down, loc) in enumerate(zip(node.parents, downstream, local)):
            if down is None or not parent.requires_grad:
                continue
            total = gradients.get(parent, 0.0) + float(down)
            gradients[parent] = total
            steps.append(BackwardStep(node, parent, position, float(loc), upstream, float(down), total))
    return steps


def _check_tensor(value, caller):
    if not (hasattr(value, "parents") and hasattr(value, "op") and hasattr(value, "data")):
        raise TypeError(f"{caller} needs an mlcore Tensor (the result of operations on tensors), "
                        f"got {type(value).__name__}. Build it with mlcore.tensor(..., requires_grad=True) "
                        "and mlcore operations.")


def _check_scalars(nodes):
    for node in nodes:
        if node.data.size != 1:
            raise ValueError(
                f"backward_steps shows graphs of single numbers, but a node of this graph "
                f"('{node.op or 'leaf'}') has shape {node.shape}. Step through a scalar expression "
                "(as chapter 4 does), or use backward() for tensors.")
