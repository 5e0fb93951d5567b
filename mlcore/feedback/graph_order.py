"""Check for chapter 4's backward order: a reverse topological order of a small graph.

A graph is a dict ``{node: [its inputs]}`` of node names; ``backward_order(graph,
root)`` must list every node ``root`` depends on, ``root`` first, each once,
and every node before all of its inputs, which is the order in which
backward may visit them (each node's gradient is then complete before it is
passed on). Many orders are right, so this check judges the answer by those
rules rather than against one reference order; that judgement, and naming
the rule an answer breaks, is all its special logic. Its cases are data:
the graphs below.
"""

import numpy as np

from ..grading.checks import FAIL_MARK, PASS_MARK, CheckFailed

__all__ = ["GRAPHS", "check_backward_order", "chain_graph", "graph_cases", "is_backward_order"]

# name -> (graph, root). The chapter's example, a fan-out (x feeds three edges), a diamond
# (two paths from x to f), the neuron with its loss, and a node the root does not depend on.
GRAPHS = {
    "(x + y) * z": ({"f": ["q", "z"], "q": ["x", "y"], "x": [], "y": [], "z": []}, "f"),
    "x * x + x": ({"f": ["u", "x"], "u": ["x", "x"], "x": []}, "f"),
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


def is_backward_order(order, graph, root):
    """None if ``order`` is a valid backward order of ``graph`` from ``root``, otherwise the rule it breaks."""
    needed = _needed(graph, root)
    if not isinstance(order, (list, tuple)):
        return f"it should be a list of node names, but it is a {type(order).__name__}"
    if len(set(order)) < len(order):
        twice = sorted({node for node in order if order.count(node) > 1})
        return f"{', '.join(map(repr, twice))} appear more than once: a node visited once per path"
    extra = sorted(set(order) - needed)
    if extra:
        return (f"{', '.join(map(repr, extra))} do not lead to {root!r}, so backward never reaches "
                f"them: visit only what the root depends on")
    missing = sorted(needed - set(order))
    if missing:
        return f"{', '.join(map(repr, missing))} are missing"
    if order[0] != root:
        return f"it starts at {order[0]!r}, but backward starts at the root {root!r}"
    place = {node: i for i, node in enumerate(order)}
    for node in order:
        for parent in graph[node]:
            if place[parent] < place[node]:
                return f"{parent!r} comes before {node!r}, which is computed from it"
    return None


def check_backward_order(backward_order, cases=None):
    """Check ``backward_order(graph, root)`` on every graph of ``GRAPHS`` and a 3000-step chain."""
    if cases is None:
        cases = list(GRAPHS.values()) + [chain_graph(3000)]
    failures = []
    for graph, root in cases:
        label = (len(graph), _label(graph, root))
        try:
            order = backward_order({node: list(inputs) for node, inputs in graph.items()}, root)
        except RecursionError:
            failures.append((label, "it raised RecursionError: a recursive depth-first search stops at "
                                    "Python's recursion limit (about 1000 calls); keep your own stack "
                                    "(a list) instead of recursing", None))
            continue
        if isinstance(order, tuple):
            order = list(order)
        problem = is_backward_order(order, graph, root)
        if problem is None:
            continue
        # An order that breaks the rules one way round may keep them the other way.
        if isinstance(order, list) and is_backward_order(order[::-1], graph, root) is None:
            problem = ("every node comes after its inputs: that is the forward order. Likely "
                       "misconception: nodes visited in forward order; backward visits them the other "
                       "way round, root first, so that a node's gradient is complete before it is "
                       "passed on")
        failures.append((label, problem, order))
    if not failures:
        print(f"{PASS_MARK} backward_order: a valid order on all {len(cases)} graphs.")
        return
    (_, label), problem, order = min(failures, key=lambda failure: failure[0][0])
    lines = [f"{FAIL_MARK} backward_order is not right yet on {len(failures)} of {len(cases)} graphs.",
             f"Smallest failing graph: {label}"]
    if order is not None:
        lines.append(f"  your order: {_short(order)}")
    lines.append(f"  why: {problem}.")
    raise CheckFailed("\n".join(lines))


def _label(graph, root):
    if len(graph) > 12:
        return f"a chain of {len(graph) - 1} operations ending in {root!r}"
    return f"{graph}, root {root!r}"


def _short(order, width=120):
    text = repr(order)
    return text if len(text) <= width else text[:width - 3] + "..."
