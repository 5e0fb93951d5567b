"""The feedback of chapter 4's exercise checks (mlcore.feedback.chapter04).

- Misconceptions the chapter names, written here as a learner would write
  them (not as the registry's variants), are named with the smallest failing
  case. That every registered variant is recognised as itself, and that the
  right answers pass, is tests/test_feedback.py's, for every chapter.
- The references agree with PyTorch (float64).
"""

import collections
import math

import numpy as np
import pytest
import torch

from mlcore.feedback import backward_rules, chain_rule, graph_order, numerical_gradients, value_class
from mlcore.feedback.chapter04 import (FUNCTIONS, GRAPHS, check_backward_order, check_composite_slope,
                                       check_fan_out, check_local_gradients, check_numerical_grad,
                                       check_second_backward, check_step_sizes, check_swish_backward,
                                       check_value_class)
from mlcore.feedback.value_class import MicroValue, Program, make_program, program_cases, run_program
from mlcore.feedback.checks import NOT_ANSWERED, CheckFailed, NotAnswered
from oracle import RTOL64


def failure(check, *answer):
    """The message of the CheckFailed that ``check(*answer)`` must raise."""
    with pytest.raises(CheckFailed) as raised:
        check(*answer)
    return str(raised.value)


# ---- correct answers, as learners write them ------------------------------------------------

LOCAL = {"df/ds": -6.0, "ds/dq": 1.0, "ds/dz": 1.0, "dq/dx": -3.0, "dq/dy": 2.0}
GRADS = {"x": 18.0, "y": -12.0, "z": -6.0}


def backward_order(graph, root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((parent, False) for parent in graph[node] if parent not in seen)
    return order[::-1]


class Value:
    """A learner's micrograd Value, written independently of the feedback's MicroValue."""

    def __init__(self, data, _children=()):
        self.data = data
        self.grad = 0.0
        self._prev = set(_children)
        self._backward = lambda: None

    # type(self): a variant below overrides only the method it gets wrong.
    def __add__(self, other):
        out = type(self)(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)
        out = type(self)(t, (self,))

        def _backward():
            self.grad += (1 - t ** 2) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)
        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


# ---- the misconceptions chapter 4 names -------------------------------------------------------

def test_f_prime_at_x_instead_of_at_g_x_is_named_with_the_smallest_case():
    def at_x(outer, inner, x):
        return FUNCTIONS[outer][1](x) * FUNCTIONS[inner][1](x)
    message = failure(check_composite_slope, at_x)
    assert "the chain-rule factors multiplied in the wrong place: f'(x) instead of f'(g(x))" in message
    assert "Smallest failing case: at_x(outer='sin', inner='square', x=[1.5])" in message
    assert "expected: [-1.884521]" in message


def test_the_wrong_place_is_named_in_the_local_gradients_by_hand():
    message = failure(check_local_gradients, dict(LOCAL, **{"df/ds": 4.0}), GRADS)
    assert "the derivative of s**2 taken at x instead of at s" in message and "df/ds = 2*s" in message
    message = failure(check_local_gradients, LOCAL, {"x": -12.0, "y": 8.0, "z": 4.0})
    assert "multiplied in the wrong place" in message


def test_local_gradient_without_upstream_is_named_by_hand_in_value_and_in_the_rule():
    message = failure(check_local_gradients, LOCAL, {"x": -3.0, "y": 2.0, "z": 1.0})
    assert "Likely misconception: the local gradient used without the upstream one." in message

    class NoUpstream(Value):
        def __mul__(self, other):
            out = NoUpstream(self.data * other.data, (self, other))

            def _backward():
                self.grad += other.data
                other.grad += self.data
            out._backward = _backward
            return out

        def __add__(self, other):
            out = NoUpstream(self.data + other.data, (self, other))

            def _backward():
                self.grad += 1.0
                other.grad += 1.0
            out._backward = _backward
            return out

        def tanh(self):
            t = math.tanh(self.data)
            out = NoUpstream(t, (self,))

            def _backward():
                self.grad += 1 - t ** 2
            out._backward = _backward
            return out
    message = failure(check_value_class, NoUpstream)
    assert "Likely misconception: the local gradient used without the upstream one." in message
    assert "Smallest failing case: Value(program=[a=0.5, b=-1.5: c = a * b; d = c + a; out = tanh(d)])" \
        in message

    def local_only(x, g):
        s = 1 / (1 + np.exp(-x))
        return s + x * s * (1 - s)
    message = failure(check_swish_backward, local_only)
    assert "the local gradient used without the upstream one" in message
    assert "Smallest failing case: local_only(x=[0.5], g=[2.])" in message


def test_overwriting_on_fan_out_is_named_for_numbers_and_for_the_value_class():
    assert "gradient overwritten on fan-out instead of accumulated" in failure(check_fan_out, 1.0, 7.0)
    assert "gradient overwritten on fan-out instead of accumulated" in failure(check_fan_out, 2.0, 3.0)
    assert "only one edge of a*a counted" in failure(check_fan_out, 2.0, 4.0)

    class Overwriting(Value):
        def __add__(self, other):
            out = Overwriting(self.data + other.data, (self, other))

            def _backward():
                self.grad = out.grad
                other.grad = out.grad
            out._backward = _backward
            return out

        def __mul__(self, other):
            out = Overwriting(self.data * other.data, (self, other))

            def _backward():
                self.grad = other.data * out.grad
                other.grad = self.data * out.grad
            out._backward = _backward
            return out

        def tanh(self):
            t = math.tanh(self.data)
            out = Overwriting(t, (self,))

            def _backward():
                self.grad = (1 - t * t) * out.grad
            out._backward = _backward
            return out
    message = failure(check_value_class, Overwriting)
    assert "Likely misconception: gradient overwritten on fan-out instead of accumulated." in message
    assert "Smallest failing case: Value(program=[a=3: out = a + a])" in message
    assert "expected: [6., 2.]" in message and "got:      [6., 1.]" in message


def test_forward_difference_where_central_was_asked_is_named():
    def forward(f, x, h):
        grad = np.zeros_like(x)
        base = f(x)
        for i in np.ndindex(x.shape):
            bumped = x.copy()
            bumped[i] += h
            grad[i] = (f(bumped) - base) / h
        return grad
    message = failure(check_numerical_grad, forward)
    assert "Likely misconception: a forward difference where a central one was asked." in message
    assert "Smallest failing case: forward(f=sum_of_squares, x=[1.5], h=0.001)" in message


def test_an_h_so_small_that_round_off_dominates_is_named_with_its_errors():
    message = failure(check_step_sizes, 1e-14, 1e-5)
    assert "an h so small that round-off dominates" in message
    assert "with h = 1.0e-14 are off by" in message and "forward" in message
    message = failure(check_step_sizes, 1e-8, 1e-13)
    assert "central: Likely misconception: an h so small that round-off dominates" in message


def test_other_bad_steps_are_told_apart():
    assert "an h so large that truncation dominates" in failure(check_step_sizes, 1e-2, 1e-5)
    assert "the best h of forward differences (about sqrt(eps)" in failure(check_step_sizes, 1e-8, 1e-8)
    assert "one positive number" in failure(check_step_sizes, -1e-8, 1e-5)


def test_nodes_visited_in_forward_order_are_named_for_the_order_and_for_the_value_class():
    def forward_order(graph, root):
        return backward_order(graph, root)[::-1]
    message = failure(check_backward_order, forward_order)
    assert "Likely misconception: nodes visited in forward order" in message
    assert "Smallest failing graph: {'f': ['u', 'x'], 'u': ['x', 'x'], 'x': []}, root 'f'" in message \
        or "Smallest failing graph: {'f': ['s', 'e']" in message or "Smallest failing graph: {'f': ['u']" in message

    class ForwardOrder(Value):
        def backward(self):
            topo, visited = [], set()

            def build(v):
                if v not in visited:
                    visited.add(v)
                    for child in v._prev:
                        build(child)
                    topo.append(v)
            build(self)
            self.grad = 1.0
            for v in topo:
                v._backward()
    assert "Likely misconception: nodes visited in forward order." in failure(check_value_class, ForwardOrder)


def test_other_order_mistakes_are_explained():
    def every_path(graph, root):
        order, stack = [], [root]
        while stack:
            node = stack.pop(0)
            order.append(node)
            stack.extend(graph[node])
        return order
    assert "appear more than once: a node visited once per path" in failure(check_backward_order, every_path)

    def recursive(graph, root):
        order = []

        def visit(node):
            if node not in order:
                for parent in graph[node]:
                    visit(parent)
                order.append(node)
        visit(root)
        return order[::-1]
    message = failure(check_backward_order, recursive)
    assert "RecursionError" in message and "a chain of 3000 operations" in message

    def all_nodes(graph, root):
        return backward_order(graph, root) + [node for node in graph if node not in
                                              backward_order(graph, root)]
    assert "do not lead to 'f'" in failure(check_backward_order, all_nodes)


def test_a_breadth_first_order_is_named_and_a_depth_first_preorder_is_not_taken_for_one():
    def breadth_first(graph, root):
        order, seen, queue = [], {root}, collections.deque([root])
        while queue:
            node = queue.popleft()
            order.append(node)
            for parent in graph[node]:
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)
        return order

    def preorder(graph, root):
        order, seen, stack = [], set(), [root]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                order.append(node)
                stack.extend(graph[node])
        return order

    message = failure(check_backward_order, breadth_first)
    assert "Likely misconception: breadth-first (distance from the root) is not a topological order." in message
    assert ("Smallest failing graph: {'f': ['x', 'u'], 'u': ['x', 'x'], 'x': []}, root 'f'\n"
            "  your order: ['f', 'x', 'u']\n  why: 'x' comes before 'u', which is computed from it; your order "
            "lists the nodes by their distance from 'f'") in message
    # On its hidden graphs too: the visible x + x * x is not the only graph it fails on.
    hidden = failure(check_backward_order, breadth_first, graph_order.graph_cases(seed=403))
    assert "Likely misconception: breadth-first (distance from the root)" in hidden
    # A depth-first preorder happens to list x * x + x by distance too, but not the diamond it fails.
    assert "Likely misconception: an input visited before a node computed from it" in \
        failure(check_backward_order, preorder)


def test_a_value_class_that_walks_breadth_first_is_named():
    class Queued(Value):
        def __init__(self, data, _children=()):
            super().__init__(data, _children)
            self._children = tuple(_children)     # in order: a set's order would decide the numbers

        def backward(self):
            self.grad, queue, seen = 1.0, collections.deque([self]), {self}
            while queue:
                node = queue.popleft()
                node._backward()
                for child in node._children:
                    if child not in seen:
                        seen.add(child)
                        queue.append(child)

    message = failure(check_value_class, Queued)
    assert ("Likely misconception: nodes visited breadth-first (by distance from the output), which is not a "
            "topological order.") in message


def test_the_round_off_hint_names_the_two_values_each_method_subtracts():
    message = failure(check_step_sizes, 1e-14, numerical_gradients.best_steps()["central"])
    assert "f(x + h) and f(x) for forward, f(x + h) and f(x - h) for central differences" in message


def test_the_second_backward_predictions_and_why():
    message = failure(check_second_backward, 6.0, 36.0, "a")
    assert "the second backward() overwrote .grad" in message
    message = failure(check_second_backward, 12.0, 24.0, "a")
    assert "micrograd's intermediate node a*b keeps its gradient too" in message
    message = failure(check_second_backward, 12.0, 36.0, "b")
    assert "not the best choice" in message and "adds into it (+=)" in message
    # "Only leaves accumulate" is a plausible wrong answer, explained by both halves of the question.
    message = failure(check_second_backward, 12.0, 36.0, "c")
    assert "raise unless retain_graph=True" in message and "(grad_micro)" in message


def test_answers_that_are_not_numbers_or_dicts_are_refused_clearly():
    assert "should be a dict with the keys" in failure(check_local_gradients, [1, 2], GRADS)
    assert "has no entry for 'dq/dy'" in failure(check_local_gradients,
                                                 {k: v for k, v in LOCAL.items() if k != "dq/dy"}, GRADS)
    assert "it should be a number, not a string" in failure(check_fan_out, "two", 7.0)


@pytest.mark.parametrize("check, answers", [
    (check_local_gradients, (None, GRADS)), (check_local_gradients, (LOCAL, None)),
    (check_fan_out, (None, 7.0)), (check_fan_out, (2.0, None)),
    (check_step_sizes, (None, 6e-6)), (check_step_sizes, (1.5e-8, None)),
    (check_second_backward, (None, 36.0, "a")), (check_second_backward, (12.0, None, "a")),
    (check_second_backward, (12.0, 36.0, None)),
], ids=["local", "grads", "grad_b", "grad_c", "h_forward", "h_central", "grad_retained", "grad_micro", "why"])
def test_a_value_left_at_none_is_not_answered_in_one_line(check, answers):
    # The student version assigns None above the solution region, so every name exists.
    with pytest.raises(NotAnswered) as raised:
        check(*answers)
    assert raised.value._render_traceback_() == [f"\N{BALLOT X} {NOT_ANSWERED}"]


# ---- the references agree with PyTorch ----------------------------------------------------------

TORCH = {"square": torch.square, "sin": torch.sin, "exp": torch.exp, "sigmoid": torch.sigmoid,
         "tanh": torch.tanh}


@pytest.mark.parametrize("outer,inner,x", chain_rule.composite_cases(seed=7))
def test_the_composite_reference_is_torchs_derivative(outer, inner, x):
    point = torch.tensor(x, requires_grad=True)
    TORCH[outer](TORCH[inner](point)).sum().backward()
    np.testing.assert_allclose(chain_rule.reference_composite_slope(outer, inner, x), point.grad.numpy(),
                               rtol=RTOL64, atol=1e-15)


def test_the_graph_by_hand_is_torchs():
    x, y, z = (torch.tensor(v, requires_grad=True) for v in (2.0, -3.0, 3.0))
    ((x * y + z) ** 2).backward()
    assert [x.grad.item(), y.grad.item(), z.grad.item()] == [GRADS[k] for k in "xyz"]
    a = torch.tensor(3.0, requires_grad=True)
    (a * a + a).backward()
    assert a.grad.item() == 7.0
    assert chain_rule.GRADIENTS == GRADS and chain_rule.LOCAL_GRADIENTS == LOCAL
    assert (chain_rule.GRAD_B, chain_rule.GRAD_C) == (2.0, 7.0)


@pytest.mark.parametrize("f,x,h", numerical_gradients.GRADIENT_CASES)
def test_central_differences_agree_with_torchs_gradient_to_their_accuracy(f, x, h):
    torch_f = {"sum_of_squares": lambda t: (t ** 2).sum(), "sum_of_sines": lambda t: t.sin().sum(),
               "product_of_entries": lambda t: t.prod(), "log_sum_exp": lambda t: t.logsumexp(0),
               "weighted_cubes": lambda t: (torch.arange(1, t.numel() + 1).reshape(t.shape) * t ** 3).sum()}
    point = torch.tensor(x, requires_grad=True)
    torch_f[repr(f)](point).backward()
    # Central differences are off by about h**2 |f'''| / 6: with h <= 1e-3 and these cubes, up to 4e-5.
    np.testing.assert_allclose(numerical_gradients.reference_numerical_grad(f, x, h), point.grad.numpy(),
                               rtol=1e-4, atol=1e-8)


def test_value_programs_run_alike_on_the_reference_value_mlcore_and_torch():
    import mlcore
    for prog in value_class.PROGRAMS + program_cases(seed=9):
        expected = value_class.reference_gradients(prog)
        np.testing.assert_allclose(value_class.gradients_by(MicroValue, prog), expected, rtol=1e-12)
        nodes = run_program(prog, lambda v: mlcore.tensor(v, requires_grad=True))
        nodes[prog.steps[-1][0]].backward()
        got = [nodes[prog.steps[-1][0]].item()] + [float(nodes[n].grad) for n, _ in prog.inputs]
        np.testing.assert_allclose(got, expected, rtol=RTOL64)


def test_programs_are_data_and_refuse_what_they_cannot_run():
    prog = value_class.PROGRAMS[2]
    assert isinstance(prog, Program) and repr(prog) == "[a=0.5, b=-1.5: c = a * b; d = c + a; out = tanh(d)]"
    with pytest.raises(ValueError, match="the operations are add and mul"):
        make_program({"a": 1.0}, ("b", "sub", "a", "a"))
    with pytest.raises(ValueError, match="not computed yet"):
        make_program({"a": 1.0}, ("b", "mul", "a", "c"))
    assert all(set(name for name, _ in p.inputs) <= {o for _, _, *ops in p.steps for o in ops}
               for p in program_cases(seed=3))


def test_the_swish_reference_and_the_second_backward_numbers_are_torchs():
    x, g = backward_rules.SWISH_CASES[3]
    point = torch.tensor(x, requires_grad=True)
    (point * torch.sigmoid(point) * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(backward_rules.reference_swish_backward(x, g), point.grad.numpy(), rtol=RTOL64)
    a = torch.tensor(3.0, requires_grad=True)
    y = a * a
    y.backward(retain_graph=True)
    y.backward()
    assert backward_rules.retained_twice() == a.grad.item() == 12.0
    with pytest.raises(RuntimeError, match="second time"):
        z = torch.tensor(3.0, requires_grad=True) ** 2
        z.backward()
        z.backward()
    assert backward_rules.micro_twice() == 3 * 3.0 * 4.0


def test_graphs_of_the_order_check_are_valid_dags_with_their_root():
    for graph, root in list(GRAPHS.values()) + graph_order.graph_cases(seed=1):
        assert root in graph and all(p in graph for inputs in graph.values() for p in inputs)
        assert graph_order.is_backward_order(backward_order(graph, root), graph, root) is None


def test_orders_that_miss_a_node_or_start_elsewhere_are_explained():
    def without_inputs(graph, root):
        return [node for node in backward_order(graph, root) if graph[node]]
    assert "are missing" in failure(check_backward_order, without_inputs)

    def root_last_but_one(graph, root):
        order = backward_order(graph, root)
        return order[1:2] + order[:1] + order[2:]
    assert "but backward starts at the root" in failure(check_backward_order, root_last_but_one)
