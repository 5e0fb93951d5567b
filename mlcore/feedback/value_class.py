"""Check for chapter 4's micrograd-sized ``Value`` class, graded against PyTorch on expression programs.

A learner's class is never handed arbitrary code. It is driven by a
:class:`Program`, a small expression written as data: input values, then
steps ``(name, op, operands...)`` with ``op`` one of ``add``, ``mul`` and
``tanh``, the last step being the output. :func:`run_program` builds the
expression from any class that has ``+``, ``*`` and ``.tanh()`` (the
learner's ``Value``, ``torch.tensor``, mlcore's ``tensor``), so the same
program runs on the learner's class and on the reference, PyTorch. The result
compared is ``[output value, d output / d input for every input]``, which
:func:`gradients_by` computes with a class: the check drives the learner's
class with it (``checks.driven``), so that under mlcore-grade the class runs
in the learner's kernel and only those numbers come back.

The misconceptions are classes too: :class:`MicroValue` is a correct
micrograd-style ``Value``, and each variant below it changes one thing,
the way a learner might get it wrong.
"""

import functools
import math
from dataclasses import dataclass

import numpy as np

from .checks import Misconception, check_function, driven
from .registry import exercise

__all__ = ["MicroValue", "PROGRAMS", "Program", "VALUE_MISCONCEPTIONS", "check_value_class", "gradients_by",
           "make_program", "program_cases", "reference_gradients", "run_program"]

OPERATIONS = ("add", "mul", "tanh")


@dataclass(frozen=True)
class Program:
    """An expression as data: ``inputs`` ((name, value), ...) and ``steps`` ((name, op, operands...), ...)."""

    inputs: tuple
    steps: tuple

    def __post_init__(self):
        known = {name for name, _ in self.inputs}
        for name, op, *operands in self.steps:
            if op not in OPERATIONS or len(operands) != (1 if op == "tanh" else 2):
                raise ValueError(f"step {name!r}: {op!r} with {len(operands)} operands; the operations "
                                 f"are add and mul (two operands) and tanh (one).")
            if not set(operands) <= known:
                raise ValueError(f"step {name!r} reads {sorted(set(operands) - known)}, not computed yet.")
            known.add(name)

    def __repr__(self):
        symbols = {"add": "+", "mul": "*"}
        inputs = ", ".join(f"{name}={value:g}" for name, value in self.inputs)
        steps = "; ".join(f"{name} = tanh({operands[0]})" if op == "tanh"
                          else f"{name} = {operands[0]} {symbols[op]} {operands[1]}"
                          for name, op, *operands in self.steps)
        return f"[{inputs}: {steps}]"


def make_program(inputs, *steps):
    """A :class:`Program` from a dict of inputs and the steps."""
    return Program(tuple(inputs.items()), tuple(steps))


def run_program(program, make_input):
    """Build ``program`` with ``make_input(value)`` for each input; return ``{name: node}``."""
    nodes = {name: make_input(value) for name, value in program.inputs}
    for name, op, *operands in program.steps:
        first = nodes[operands[0]]
        nodes[name] = (first.tanh() if op == "tanh" else
                       first + nodes[operands[1]] if op == "add" else first * nodes[operands[1]])
    return nodes


def _result(program, nodes):
    output = nodes[program.steps[-1][0]]
    return [output.data] + [nodes[name].grad for name, _ in program.inputs]


def reference_gradients(program):
    """``[output, d output / d input...]`` of ``program`` by PyTorch's autograd, in float64."""
    import torch

    torch.set_num_threads(1)
    nodes = run_program(program, lambda value: torch.tensor(float(value), dtype=torch.float64,
                                                         requires_grad=True))
    output = nodes[program.steps[-1][0]]
    output.backward()
    return [output.item()] + [nodes[name].grad.item() for name, _ in program.inputs]


def gradients_by(Value, program):  # noqa: N803 -- a class, called as the learner calls theirs
    """``[output, d output / d input...]`` of ``program``, built with the class ``Value`` and its
    ``backward()``."""
    nodes = run_program(program, Value)
    nodes[program.steps[-1][0]].backward()
    return _result(program, nodes)


# (program): a product; a + a, the same node twice; a fan-out through different operations;
# a node used three times; micrograd's neuron; two tanh layers deep.
PROGRAMS = [
    make_program({"a": 2.0, "b": -3.0}, ("out", "mul", "a", "b")),
    make_program({"a": 3.0}, ("out", "add", "a", "a")),
    make_program({"a": 0.5, "b": -1.5}, ("c", "mul", "a", "b"), ("d", "add", "c", "a"), ("out", "tanh", "d")),
    make_program({"x": 0.8}, ("s", "tanh", "x"), ("p", "mul", "s", "x"), ("q", "add", "s", "p"),
            ("out", "mul", "q", "s")),
    make_program({"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432},
            ("x1w1", "mul", "x1", "w1"), ("x2w2", "mul", "x2", "w2"), ("s", "add", "x1w1", "x2w2"),
            ("n", "add", "s", "b"), ("out", "tanh", "n")),
    make_program({"x": 0.6, "w": -1.2, "v": 0.9}, ("h", "mul", "w", "x"), ("a", "tanh", "h"),
            ("g", "mul", "v", "a"), ("k", "add", "g", "x"), ("out", "tanh", "k")),
]


def program_cases(seed, count=6):
    """Hidden programs: two to four inputs, five to nine random steps on earlier values (so values fan
    out), the output computed from every input."""
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < count:
        inputs = {f"v{k}": round(float(rng.uniform(-1.5, 1.5)), 3) for k in range(rng.integers(2, 5))}
        names, steps = list(inputs), []
        for k in range(int(rng.integers(5, 10))):
            op = OPERATIONS[int(rng.integers(0, 3))]
            operands = [names[int(j)] for j in rng.integers(0, len(names), 1 if op == "tanh" else 2)]
            steps.append((f"t{k}", op, *operands))
            names.append(f"t{k}")
        if set(inputs) <= _ancestors(steps):
            cases.append(make_program(inputs, *steps))
    return cases


def _ancestors(steps):
    """The names the last step is computed from."""
    reads = {name: operands for name, _, *operands in steps}
    found, stack = set(), [steps[-1][0]]
    while stack:
        for operand in reads.get(stack.pop(), ()):
            if operand not in found:
                found.add(operand)
                stack.append(operand)
    return found


# ---- a correct micrograd-style Value, and the ways a learner's can differ ----------

class MicroValue:
    """A scalar that remembers how it was computed, as in micrograd (chapter 4's exercise).

    ``+``, ``*`` and ``tanh()`` each record their output's inputs and a
    ``_backward`` that passes the output's gradient on as local x upstream;
    ``backward()`` seeds ``grad = 1`` and visits the nodes in reverse
    topological order. Every ``grad`` accumulates (``+=``), as in PyTorch.
    """

    def __init__(self, data, _inputs=()):
        self.data = float(data)
        self.grad = 0.0
        self._inputs = _inputs
        self._backward = lambda: None

    def _pass(self, node, local):
        """Send local x upstream (this node's gradient) to ``node``."""
        node.grad += local * self.grad

    def _tanh_local(self, x, t):
        return 1 - t * t

    def __add__(self, other):
        out = type(self)(self.data + other.data, (self, other))

        def _backward():
            out._pass(self, 1.0)
            out._pass(other, 1.0)

        out._backward = _backward
        return out

    def __mul__(self, other):
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            out._pass(self, other.data)
            out._pass(other, self.data)

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = type(self)(t, (self,))

        def _backward():
            out._pass(self, out._tanh_local(self.data, t))

        out._backward = _backward
        return out

    def _order(self):
        """Every node this one depends on, inputs first (topological order), without recursion."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._inputs if child not in seen)
        return order

    def backward(self):
        self.grad = 1.0
        for node in reversed(self._order()):
            node._backward()


class OverwritingValue(MicroValue):
    def _pass(self, node, local):
        node.grad = local * self.grad


class NoUpstreamValue(MicroValue):
    def _pass(self, node, local):
        node.grad += local


class ForwardOrderValue(MicroValue):
    def backward(self):
        self.grad = 1.0
        for node in self._order():
            node._backward()


class UnorderedValue(MicroValue):
    """Passes the gradient on depth-first, without waiting for every path to arrive."""

    def backward(self):
        self.grad = 1.0
        stack = [self]
        while stack:
            node = stack.pop()
            node._backward()
            stack.extend(node._inputs)


class BreadthFirstValue(MicroValue):
    """Visits each node once, in the order a queue from the output reaches them: by distance, so a
    node can pass its gradient on before a longer path has brought its part."""

    def backward(self):
        self.grad = 1.0
        order, seen = [self], {self}
        for node in order:
            for child in node._inputs:
                if child not in seen:
                    seen.add(child)
                    order.append(child)
        for node in order:
            node._backward()


class InputTanhValue(MicroValue):
    def _tanh_local(self, x, t):
        return 1 - x * x


class UnseededValue(MicroValue):
    def backward(self):
        for node in reversed(self._order()):
            node._backward()


VALUE_MISCONCEPTIONS = [
    Misconception("gradient overwritten on fan-out instead of accumulated", OverwritingValue,
                  "A value used twice (a + a, or a in two operations) gets one contribution per use: "
                  "add them, child.grad += local * out.grad."),
    Misconception("the local gradient used without the upstream one", NoUpstreamValue,
                  "Each _backward passes local * out.grad, the output's own gradient times the local "
                  "derivative."),
    Misconception("nodes visited in forward order", ForwardOrderValue,
                  "Build the topological order (inputs first), then visit it reversed, from the output "
                  "back, so that every node's gradient is complete before its _backward runs."),
    Misconception("a node passes its gradient on before every path has reached it (no topological "
                  "order)", UnorderedValue,
                  "Visit the nodes in reverse topological order, each once, instead of walking from the "
                  "output along every path."),
    Misconception("nodes visited breadth-first (by distance from the output), which is not a topological "
                  "order", BreadthFirstValue,
                  "A queue visits a node as soon as its shortest path has reached it; when a longer path "
                  "reaches it later, its gradient has already been passed on. Visit the nodes in reverse "
                  "topological order: a depth-first post-order, reversed."),
    Misconception("tanh's local gradient written as 1 - x**2, with x its input: it is 1 - tanh(x)**2, "
                  "in terms of the output t", InputTanhValue,
                  "d tanh(x)/dx = 1 - t**2 with t = tanh(x)."),
    Misconception("backward() does not seed the output's gradient with 1", UnseededValue,
                  "d out / d out = 1: set self.grad = 1.0 before visiting the nodes."),
]


@exercise(answer=MicroValue, misconceptions=VALUE_MISCONCEPTIONS, hidden_cases=program_cases)
def check_value_class(Value, cases=PROGRAMS):  # noqa: N803 -- the learner's class is called Value
    """Check the learner's class ``Value`` against PyTorch: each program's output and input gradients."""
    check_function(driven(gradients_by, Value), reference_gradients, [(program,) for program in cases],
                   misconceptions=[Misconception(mistake.name, functools.partial(gradients_by, mistake.variant),
                                                 mistake.hint) for mistake in VALUE_MISCONCEPTIONS],
                   name="Value", rtol=1e-9, atol=1e-12)
