"""Checks for chapter 4's backward rules: repairing a broken rule, and a second backward() pass.

- ``swish(x) = x * sigmoid(x)`` written as one mlcore operation had a rule
  that returned the local gradient and forgot the upstream one; the learner
  writes ``swish_backward(x, g)``, checked against mlcore's autograd of
  ``x * x.sigmoid()`` with upstream ``g``.
- A second ``backward()`` through the same graph: in mlcore and PyTorch it
  raises (the first pass freed the values the rules need), or, with
  ``retain_graph=True``, adds the same gradients again; in a micrograd-style
  ``Value`` the intermediate nodes keep their gradients too, so the second
  pass adds more than the first. The numbers come from running both.
"""

import numpy as np

from ..factories import tensor
from .checks import Misconception, check_choice, check_function, check_value, choice_misconceptions
from .registry import Answers, exercise
from .unanswered import answered
from .value_class import MicroValue

__all__ = ["SWISH_CASES", "check_second_backward", "check_swish_backward", "micro_twice",
           "reference_swish_backward", "retained_twice", "swish_cases"]


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def reference_swish_backward(x, g):
    """d sum(g * x sigmoid(x)) / dx by mlcore's autograd: g (s + x s (1 - s)) with s = sigmoid(x)."""
    point = tensor(np.array(x, dtype=np.float64), requires_grad=True)
    (point * point.sigmoid() * tensor(np.array(g, dtype=np.float64))).sum().backward()
    return point.grad


# (x, g): an upstream of 1 (where the broken rule happens to be right), then upstreams that are
# not 1, on a vector and on a matrix, with negative and large inputs.
SWISH_CASES = [
    (np.array([0.5]), np.array([1.0])),
    (np.array([0.5]), np.array([2.0])),
    (np.array([-2.0, 0.0, 1.0, 3.0]), np.array([0.5, -1.0, 2.0, 0.1])),
    (np.array([[1.5, -0.3], [4.0, -6.0]]), np.array([[-2.0, 0.7], [1.0, 3.0]])),
]


def swish_cases(seed):
    """Hidden cases: random inputs in [-6, 6] and upstream gradients in [-3, 3], of a few shapes."""
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-6.0, 6.0, shape), rng.uniform(-3.0, 3.0, shape)) for shape in ((5,), (3, 4))]


SWISH_MISCONCEPTIONS = [
    Misconception("the local gradient used without the upstream one",
                  lambda x, g: _sigmoid(x) + x * _sigmoid(x) * (1 - _sigmoid(x)),
                  "A rule returns local x upstream: multiply by g, the gradient arriving from above "
                  "(here it is not 1)."),
    Misconception("the product rule's second term is missing: g * sigmoid(x)",
                  lambda x, g: g * _sigmoid(x),
                  "x * sigmoid(x) is a product of two functions of x: (u v)' = u' v + u v'."),
    Misconception("the product rule's first term is missing: g * x * sigmoid'(x)",
                  lambda x, g: g * x * _sigmoid(x) * (1 - _sigmoid(x)),
                  "(u v)' = u' v + u v', and here u' = 1, so sigmoid(x) itself is the first term."),
    Misconception("sigmoid's derivative written as sigmoid(x) * (1 - x): the chain-rule factor taken at "
                  "the wrong place (x instead of sigmoid(x))",
                  lambda x, g: g * (_sigmoid(x) + x * _sigmoid(x) * (1 - x)),
                  "sigmoid'(x) = s * (1 - s) with s = sigmoid(x)."),
]


@exercise(answer=reference_swish_backward, misconceptions=SWISH_MISCONCEPTIONS, hidden_cases=swish_cases)
def check_swish_backward(swish_backward, cases=SWISH_CASES):
    """Check ``swish_backward(x, g)``, the repaired rule of swish, against mlcore's autograd."""
    check_function(swish_backward, reference_swish_backward, cases, misconceptions=SWISH_MISCONCEPTIONS)


# ---- a second backward() ------------------------------------------------------------

def retained_twice(value=3.0):
    """x.grad after y = x * x, y.backward(retain_graph=True), then y.backward() again, in mlcore."""
    x = tensor(value, requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    return float(x.grad)


def micro_twice(a=2.0, b=3.0, c=4.0):
    """a.grad after L = (a * b) * c and L.backward() twice, with a micrograd-style Value."""
    va, vb, vc = MicroValue(a), MicroValue(b), MicroValue(c)
    loss = (va * vb) * vc
    loss.backward()
    loss.backward()
    return va.grad


SECOND_BACKWARD_EXPLANATIONS = {
    "a": "the first backward() frees the values the rules saved, so a second one raises; kept with "
         "retain_graph=True, the second pass adds the same gradients into .grad again. Gradients "
         "accumulate on purpose (a value used twice collects two contributions), which is why a "
         "training loop calls zero_grad() before each backward().",
    "b": "backward() never overwrites .grad: it adds into it (+=), so that the contributions of "
         "every path and every call sum up.",
    "c": "the second backward() does not run as the first did: the first freed the values the rules "
         "saved, so mlcore and PyTorch raise unless retain_graph=True. And a gradient that is kept "
         "accumulates whatever the node: a tensor with retain_grad() adds too, and so does micrograd's "
         "intermediate a*b, which is why its second pass sends a more than the first (grad_micro).",
    "d": "a freed graph does not give zero gradients: mlcore and PyTorch raise an error instead, so "
         "that the mistake cannot pass unnoticed.",
}


GRAD_RETAINED, GRAD_MICRO = retained_twice(), micro_twice()
_ONCE = 2 * 3.0  # d(x*x)/dx at x = 3, one pass
_FIRST = 3.0 * 4.0  # d L / d a = b c, one pass
RETAINED_MISCONCEPTIONS = [
    Misconception("the second backward() overwrote .grad: it adds into it", _ONCE,
                  "backward() accumulates: the second pass adds 2x = 6 again."),
    Misconception("the first gradient squared", _ONCE ** 2, "The passes add, they do not multiply."),
]
MICRO_MISCONCEPTIONS = [
    Misconception("each pass adds the same gradient, as in PyTorch with retain_graph: but micrograd's "
                  "intermediate node a*b keeps its gradient too, so in the second pass it holds 2c and sends "
                  "a twice as much", 2 * _FIRST,
                  "Follow the second pass by hand: L.grad = 1 again, (a*b).grad = c + c, a.grad += b * 2c."),
    Misconception("the second backward() changed nothing, or overwrote .grad", _FIRST,
                  "Every _backward adds (+=) into the gradients, also of intermediate nodes."),
]


@exercise(answer=Answers(GRAD_RETAINED, GRAD_MICRO, "a"), misconceptions=[
    *[Misconception(m.name, Answers(m.variant, GRAD_MICRO, "a"), m.hint) for m in RETAINED_MISCONCEPTIONS],
    *[Misconception(m.name, Answers(GRAD_RETAINED, m.variant, "a"), m.hint) for m in MICRO_MISCONCEPTIONS],
    *[Misconception(m.name, Answers(GRAD_RETAINED, GRAD_MICRO, m.variant), m.hint)
      for m in choice_misconceptions(SECOND_BACKWARD_EXPLANATIONS, "a")]])
def check_second_backward(grad_retained, grad_micro, why_second_backward):
    """Check the two predictions (numbers) and the explanation (a letter) of the second backward()
    (None: not answered yet)."""
    check_value(answered(grad_retained), GRAD_RETAINED, name="grad_retained", misconceptions=RETAINED_MISCONCEPTIONS)
    check_value(answered(grad_micro), GRAD_MICRO, name="grad_micro", misconceptions=MICRO_MISCONCEPTIONS)
    check_choice(answered(why_second_backward), "a", name="why_second_backward",
                 explanations=SECOND_BACKWARD_EXPLANATIONS)
