"""Check for chapter 4's backward order: a reverse topological order of a small graph.

A graph is a dict ``{node: [its inputs]}`` of node names; ``backward_order(graph,
root)`` must list every node ``root`` depends on, ``root`` first, each once,
and every node before all of its inputs, which is the order in which
backward may visit them (each node's gradient is then complete before it is
passed on). Many orders are right, so this check judges the answer by those
rules rather than against one reference order; that judgement, and naming
the rule an answer breaks, is all its special logic (an order that breaks
the topological rule is named more precisely when it is a forward order, or
lists the nodes by their distance from the root on every graph it fails, as a
breadth-first search does). Each rule is a
misconception, with a ``backward_order`` that breaks it (for the registry,
whose right answer is :func:`reference_backward_order`). Its cases are data:
the graphs below.
"""

import numpy as np

from .checks import FAIL_MARK, PASS_MARK, CheckFailed, Misconception, call_answer
from .registry import exercise

__all__ = ["BACKWARD_ORDER_MISCONCEPTIONS", "GRAPHS", "check_backward_order", "chain_graph", "graph_cases",
           "is_backward_order", "reference_backward_order"]

# name -> (graph, root). The chapter's example, a fan-out (x feeds three edges), the same with
# the sum's inputs the other way round (x, one edge from f, is also an input of u: an order by
# distance from the root lists it too early), a diamond (two paths from x to f), the neuron with
# its loss, and a node the root does not depend on.
GRAPHS = {
    "(x + y) * z": ({"f": ["q", "z"], "q": ["x", "y"], "x": [], "y": [], "z": []}, "f"),
    "x * x + x": ({"f": ["u", "x"], "u": ["x", "x"], "x": []}, "f"),
    "x + x * x": ({"f": ["x", "u"], "u": ["x", "x"], "x": []}, "f"),
    "diamond": ({"f": ["s", "e"], "s": ["x"], "e": ["x"], "x": []}, "f"),
    "neuron and loss": ({"L": ["e", "2"], "e": ["a", "y"], "a": ["z"], "z": ["u", "b"], "u": ["w", "x"],
                         "w": [], "x": [], "b": [], "y": [], "2": []}, "L"),
    "unused node": ({"f": ["u"], "u": ["x"], "x": [], "g": ["x"]}, "f"),
}


def chain_graph(length):
    """A chain x0 -> x1 -> ... of ``length`` operations: deeper than Python's recursion limit."""
    graph = {"x0": []}
    for k in range(1, length + 1):
        graph[f"x{k}"] = [f"x{k - 1}"]
    return graph, f"x{length}"


def graph_cases(seed, count=4, size=12):
    """Hidden cases: random graphs of ``size`` nodes where each node reads one to three earlier ones."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        names = [f"n{k}" for k in range(size)]
        graph = {names[0]: []}
        for k in range(1, size):
            graph[names[k]] = [names[int(j)] for j in rng.integers(0, k, rng.integers(1, 4))]
        cases.append((graph, names[-1]))
    return cases


def _needed(graph, root):
    """The nodes ``root`` depends on, itself included (an explicit stack: graphs may be deep)."""
    seen, stack = {root}, [root]
    while stack:
        for parent in graph[stack.pop()]:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def reference_backward_order(graph, root):
    """One backward order: the nodes in depth-first post-order (inputs first), reversed."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((parent, False) for parent in graph[node] if parent not in seen)
    return order[::-1]


# The rules a backward order keeps; each broken one is a misconception (named in the report).
RECURSIVE = "a recursive search, which stops at Python's recursion limit"
ONCE_PER_PATH = "a node visited once per path instead of once"
UNREACHABLE = "nodes visited that the root does not depend on"
MISSING = "nodes the root depends on left out"
NOT_FROM_ROOT = "the order does not start at the root"
INPUT_FIRST = "an input visited before a node computed from it (no topological order)"
BREADTH_FIRST = "breadth-first (distance from the root) is not a topological order"
FORWARD = "nodes visited in forward order"


def _broken_rule(order, graph, root):
    """None if ``order`` is a valid backward order of ``graph`` from ``root``, otherwise
    ``(misconception or None, why)``: the first rule it breaks, or that it is the forward order."""
    broken = _first_broken_rule(order, graph, root)
    # An order that breaks the rules one way round may keep them the other way.
    if (broken is not None and isinstance(order, (list, tuple))
            and _first_broken_rule(order[::-1], graph, root) is None):
        return FORWARD, "every node comes after its inputs: that is the forward order"
    return broken


def _distances(graph, root):
    """The fewest edges from ``root`` to every node it depends on (a breadth-first search)."""
    distance, queue = {root: 0}, [root]
    for node in queue:
        for parent in graph[node]:
            if parent not in distance:
                distance[parent] = distance[node] + 1
                queue.append(parent)
    return distance


def _by_distance(order, graph, root):
    """Whether ``order`` lists the nodes by their distance from ``root``, nearest first."""
    distance = _distances(graph, root)
    steps = [distance[node] for node in order]
    return all(a <= b for a, b in zip(steps, steps[1:]))


def _first_broken_rule(order, graph, root):
    needed = _needed(graph, root)
    if not isinstance(order, (list, tuple)):
        return None, f"it should be a list of node names, but it is a {type(order).__name__}"
    if len(set(order)) < len(order):
        twice = sorted({node for node in order if order.count(node) > 1})
        return ONCE_PER_PATH, f"{', '.join(map(repr, twice))} appear more than once: a node visited once per path"
    extra = sorted(set(order) - needed)
    if extra:
        return UNREACHABLE, (f"{', '.join(map(repr, extra))} do not lead to {root!r}, so backward never "
                             f"reaches them: visit only what the root depends on")
    missing = sorted(needed - set(order))
    if missing:
        return MISSING, f"{', '.join(map(repr, missing))} are missing"
    if order[0] != root:
        return NOT_FROM_ROOT, f"it starts at {order[0]!r}, but backward starts at the root {root!r}"
    place = {node: i for i, node in enumerate(order)}
    for node in order:
        for parent in graph[node]:
            if place[parent] < place[node]:
                return INPUT_FIRST, f"{parent!r} comes before {node!r}, which is computed from it"
    return None


def is_backward_order(order, graph, root):
    """None if ``order`` is a valid backward order of ``graph`` from ``root``, otherwise the rule it breaks."""
    broken = _broken_rule(order, graph, root)
    return None if broken is None else broken[1]


# ---- the misconceptions, as the backward_order a learner would write -----------------

def _recursive(graph, root):
    order = []

    def visit(node):
        if node not in order:
            for parent in graph[node]:
                visit(parent)
            order.append(node)
    visit(root)
    return order[::-1]


def _every_path(graph, root):
    order, queue = [], [root]
    while queue:
        node = queue.pop(0)
        order.append(node)
        queue.extend(graph[node])
    return order


def _every_node(graph, root):
    order = reference_backward_order(graph, root)
    return order + [node for node in graph if node not in order]


def _without_leaves(graph, root):
    return [node for node in reference_backward_order(graph, root) if graph[node]]


def _second_first(graph, root):
    order = reference_backward_order(graph, root)
    return order[1:2] + order[:1] + order[2:]


def _preorder(graph, root):
    # Each node as the search first reaches it: an input shared by two paths comes too early.
    order, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            order.append(node)
            stack.extend(graph[node])
    return order


def _breadth_first(graph, root):
    # Each node once, in the order a queue reaches it: nearest to the root first.
    return list(_distances(graph, root))


def _forward(graph, root):
    return reference_backward_order(graph, root)[::-1]


BACKWARD_ORDER_MISCONCEPTIONS = [
    Misconception(RECURSIVE, _recursive,
                  "A recursive depth-first search stops at Python's recursion limit (about 1000 calls); keep "
                  "your own stack (a list) instead of recursing."),
    Misconception(ONCE_PER_PATH, _every_path,
                  "Keep a set of the nodes already visited: a node's gradient is passed on once, after every "
                  "path has brought its part."),
    Misconception(UNREACHABLE, _every_node,
                  "Start at the root and follow the inputs: backward never reaches a node the root does not "
                  "depend on."),
    Misconception(MISSING, _without_leaves,
                  "Every node the root depends on gets a gradient, the inputs (leaves) too."),
    Misconception(NOT_FROM_ROOT, _second_first,
                  "Backward starts at the root, whose gradient is 1, and passes it on from there."),
    Misconception(INPUT_FIRST, _preorder,
                  "A node may pass its gradient on only when every node computed from it has: build the "
                  "topological order (inputs first, a depth-first post-order), then reverse it."),
    Misconception(BREADTH_FIRST, _breadth_first,
                  "A queue visits the nodes by distance from the root, but x + x * x reads x from f directly "
                  "and through u: x's gradient is complete only after u has sent its part. Order by "
                  "dependencies, not by distance: a depth-first post-order, reversed."),
    Misconception(FORWARD, _forward,
                  "Backward visits the nodes the other way round, root first, so that a node's gradient is "
                  "complete before it is passed on."),
]
_HINTS = {mistake.name: mistake.hint for mistake in BACKWARD_ORDER_MISCONCEPTIONS}


def _visible_graphs():
    return list(GRAPHS.values()) + [chain_graph(3000)]


@exercise(answer=reference_backward_order, misconceptions=BACKWARD_ORDER_MISCONCEPTIONS, hidden_cases=graph_cases)
def check_backward_order(backward_order, cases=None):
    """Check ``backward_order(graph, root)`` on every graph of ``GRAPHS`` and a 3000-step chain."""
    cases = _visible_graphs() if cases is None else cases
    failures = []
    for graph, root in cases:
        label = (len(graph), _label(graph, root))
        try:
            order = call_answer(backward_order, {node: list(inputs) for node, inputs in graph.items()}, root)
        except RecursionError:
            failures.append((label, RECURSIVE, "it raised RecursionError", None, graph, root))
            continue
        order = list(order) if isinstance(order, tuple) else order
        broken = _broken_rule(order, graph, root)
        if broken is not None:
            failures.append((label, *broken, order, graph, root))
    if not failures:
        print(f"{PASS_MARK} backward_order: a valid order on all {len(cases)} graphs.")
        return
    breadth_first = all(name == INPUT_FIRST and _by_distance(order, graph, root)
                        for _, name, _, order, graph, root in failures)
    (_, label), name, problem, order, _, root = min(failures, key=lambda failure: failure[0][0])
    if breadth_first:
        # Every failing order lists the nodes by distance from the root (a search that goes deep
        # first can do that on one small graph, but not on every graph it fails).
        name, problem = BREADTH_FIRST, (f"{problem}; your order lists the nodes by their distance from "
                                        f"{root!r}, and a node near the root can still be an input of one "
                                        f"further away")
    case = [f"Smallest failing graph: {label}"]
    if order is not None:
        case.append(f"  your order: {_short(order)}")
    case.append(f"  why: {problem}.")
    lines = [f"{FAIL_MARK} backward_order is not right yet on {len(failures)} of {len(cases)} graphs."]
    if name is not None:
        lines.append(f"Likely misconception: {name}. {_HINTS[name]}")
    raise CheckFailed("\n".join(lines + case), name, "\n".join(case))


def _label(graph, root):
    if len(graph) > 12:
        return f"a chain of {len(graph) - 1} operations ending in {root!r}"
    return f"{graph}, root {root!r}"


def _short(order, width=120):
    text = repr(order)
    return text if len(text) <= width else text[:width - 3] + "..."
