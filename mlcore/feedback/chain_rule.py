"""Checks for chapter 4's chain rule: a composite's derivative, local gradients by hand, fan-out.

- ``composite_slope(outer, inner, x)`` is d/dx f(g(x)) = f'(g(x)) g'(x), for
  functions named in :data:`FUNCTIONS` (the exercise notebook imports the
  same table).
- The graph ``f = (x y + z)^2`` at ``x = 2, y = -3, z = 3`` worked by hand:
  its local gradients and the gradients of ``f``.
- Fan-out: ``b = a + a`` and ``c = a a + a`` at ``a = 3``: every edge into
  ``a`` brings a contribution, and they add.

The references are mlcore's autograd where mlcore has the operation and
the derivative table otherwise (sin); tests/test_feedback_chain_rule.py holds
both against PyTorch.
"""

import numpy as np

from ..factories import tensor
from .checks import FAIL_MARK, CheckFailed, Misconception, check_function, check_value
from .registry import Answers, exercise
from .unanswered import answered

__all__ = ["FUNCTIONS", "GRADIENTS", "GRAD_B", "GRAD_C", "LOCAL_GRADIENTS", "check_composite_slope",
           "check_fan_out", "check_local_gradients", "composite_cases", "reference_composite_slope"]


# The functions of the exercise, each with its derivative (module-level functions, so that a check
# can name them and another process can find them).
def square(u):
    return u ** 2


def square_slope(u):
    return 2 * u


def sine(u):
    return np.sin(u)


def sine_slope(u):
    return np.cos(u)


def exponential(u):
    return np.exp(u)


def sigmoid(u):
    return 1 / (1 + np.exp(-u))


def sigmoid_slope(u):
    return sigmoid(u) * (1 - sigmoid(u))


def hyperbolic_tangent(u):
    return np.tanh(u)


def hyperbolic_tangent_slope(u):
    return 1 - np.tanh(u) ** 2


FUNCTIONS = {
    "square": (square, square_slope),
    "sin": (sine, sine_slope),
    "exp": (exponential, exponential),
    "sigmoid": (sigmoid, sigmoid_slope),
    "tanh": (hyperbolic_tangent, hyperbolic_tangent_slope),
}

# ---- 1. the derivative of a composite -----------------------------------------------

# (outer, inner, x): sin(x^2) at one point and at a few (where the wrong-place mistake shows), a
# composite through exp, and tanh(sigmoid(x)), whose factors are both below 1.
COMPOSITE_CASES = [
    ("sin", "square", np.array([1.5])),
    ("sin", "square", np.array([-1.0, 0.5, 2.0])),
    ("square", "exp", np.array([0.0, 1.0, -0.7])),
    ("tanh", "sigmoid", np.array([-2.0, 0.3, 1.2])),
]


def composite_cases(seed):
    """Hidden cases: every pair of functions at five random points in [-2, 2]."""
    rng = np.random.default_rng(seed)
    return [(outer, inner, rng.uniform(-2.0, 2.0, 5)) for outer in FUNCTIONS for inner in FUNCTIONS
            if outer != inner]


def _mlcore_composite(outer, inner, x):
    """d/dx f(g(x)) by mlcore's autograd, for the functions mlcore has."""
    ops = {"square": lambda t: t ** 2, "exp": lambda t: t.exp(), "sigmoid": lambda t: t.sigmoid(),
           "tanh": lambda t: t.tanh()}
    point = tensor(np.array(x, dtype=np.float64), requires_grad=True)
    ops[outer](ops[inner](point)).sum().backward()
    return point.grad


def reference_composite_slope(outer, inner, x):
    """d/dx f(g(x)) = f'(g(x)) g'(x), elementwise; by mlcore's autograd unless sin is involved."""
    if "sin" not in (outer, inner):
        return _mlcore_composite(outer, inner, x)
    (_, df), (g, dg) = FUNCTIONS[outer], FUNCTIONS[inner]
    return df(g(x)) * dg(x)


COMPOSITE_MISCONCEPTIONS = [
    Misconception(
        "the chain-rule factors multiplied in the wrong place: f'(x) instead of f'(g(x))",
        lambda outer, inner, x: FUNCTIONS[outer][1](x) * FUNCTIONS[inner][1](x),
        "The outer function sees u = g(x), not x: evaluate its derivative there, f'(g(x)), then "
        "multiply by g'(x)."),
    Misconception(
        "the inner derivative g'(x) is missing",
        lambda outer, inner, x: FUNCTIONS[outer][1](FUNCTIONS[inner][0](x)),
        "A change dx changes u by g'(x) dx first: multiply f'(g(x)) by g'(x)."),
    Misconception(
        "f(g(x)) g'(x): the outer function itself, not its derivative",
        lambda outer, inner, x: FUNCTIONS[outer][0](FUNCTIONS[inner][0](x)) * FUNCTIONS[inner][1](x),
        "Use the second entry of FUNCTIONS[outer], its derivative."),
    Misconception(
        "the composition taken the other way round: g'(f(x)) f'(x)",
        lambda outer, inner, x: FUNCTIONS[inner][1](FUNCTIONS[outer][0](x)) * FUNCTIONS[outer][1](x),
        "In f(g(x)) the inner function g acts first."),
]


@exercise(answer=reference_composite_slope, misconceptions=COMPOSITE_MISCONCEPTIONS,
          hidden_cases=composite_cases)
def check_composite_slope(composite_slope, cases=COMPOSITE_CASES):
    """Check ``composite_slope(outer, inner, x)``, d/dx f(g(x)) elementwise, against autograd."""
    check_function(composite_slope, reference_composite_slope, cases,
                   misconceptions=COMPOSITE_MISCONCEPTIONS)


# ---- 2. local gradients by hand ------------------------------------------------------

# f = s^2 with s = q + z and q = x * y, at these inputs.
GRAPH_INPUTS = {"x": 2.0, "y": -3.0, "z": 3.0}
LOCAL_NAMES = ("df/ds", "ds/dq", "ds/dz", "dq/dx", "dq/dy")
GRADIENT_NAMES = ("x", "y", "z")


def _graph_by_autograd():
    """``(local, grads)`` of the exercise's graph, each local gradient by its own backward pass."""
    x, y, z = (tensor(GRAPH_INPUTS[k], requires_grad=True) for k in "xyz")
    q = x * y
    q.retain_grad()
    s = q + z
    s.retain_grad()
    f = s ** 2
    f.backward()
    local = {"df/ds": float(s.grad), "ds/dq": float(q.grad) / float(s.grad),
             "ds/dz": float(z.grad) / float(s.grad), "dq/dx": float(x.grad) / float(q.grad),
             "dq/dy": float(y.grad) / float(q.grad)}
    return local, {"x": float(x.grad), "y": float(y.grad), "z": float(z.grad)}


LOCAL_GRADIENTS, GRADIENTS = _graph_by_autograd()
_x, _y, _z = (GRAPH_INPUTS[k] for k in "xyz")
_s = _x * _y + _z

# Wrong answers, as the dicts a learner would fill in.
LOCAL_MISCONCEPTIONS = [
    Misconception("the chain-rule factors multiplied in the wrong place: the derivative of s**2 taken at x "
                  "instead of at s", dict(LOCAL_GRADIENTS, **{"df/ds": 2 * _x}),
                  f"The square node sees s = x*y + z = {_s:g}: df/ds = 2*s."),
    Misconception("the local gradients of the product swapped (dq/dx = x)",
                  dict(LOCAL_GRADIENTS, **{"dq/dx": _x, "dq/dy": _y}),
                  "q = x*y changes by y for each unit of x: dq/dx = y."),
]
GRADIENT_MISCONCEPTIONS = [
    Misconception("the local gradient used without the upstream one",
                  {"x": LOCAL_GRADIENTS["dq/dx"], "y": LOCAL_GRADIENTS["dq/dy"], "z": LOCAL_GRADIENTS["ds/dz"]},
                  "Each gradient is local x upstream: df/dx = dq/dx * ds/dq * df/ds."),
    Misconception("the chain-rule factors multiplied in the wrong place: the derivative of s**2 taken at x "
                  "(2x) instead of at s (2s)", {"x": 2 * _x * _y, "y": 2 * _x * _x, "z": 2 * _x},
                  f"The square node sees s = x*y + z = {_s:g}: df/ds = 2*s = {2 * _s:g}."),
]


def _numbers(answer, names, what):
    if not isinstance(answer, dict):
        raise CheckFailed(f"{FAIL_MARK} {what} should be a dict with the keys {list(names)}; "
                          f"it is a {type(answer).__name__}.")
    missing = [name for name in names if name not in answer]
    if missing:
        raise CheckFailed(f"{FAIL_MARK} {what} has no entry for {', '.join(repr(m) for m in missing)}; "
                          f"fill in every key of {list(names)}.")
    return [answer[name] for name in names]


def _as_lists(misconceptions, names):
    """The misconceptions with their dicts as the lists of numbers ``check_value`` compares."""
    return [Misconception(m.name, [m.variant[k] for k in names], m.hint) for m in misconceptions]


@exercise(answer=Answers(LOCAL_GRADIENTS, GRADIENTS), misconceptions=[
    *[Misconception(m.name, Answers(m.variant, GRADIENTS), m.hint) for m in LOCAL_MISCONCEPTIONS],
    *[Misconception(m.name, Answers(LOCAL_GRADIENTS, m.variant), m.hint) for m in GRADIENT_MISCONCEPTIONS]])
def check_local_gradients(local, grads):
    """Check the local gradients (dict over ``LOCAL_NAMES``) and the gradients of f (dict over x, y, z),
    against mlcore's autograd (None: not answered yet)."""
    check_value(_numbers(answered(local), LOCAL_NAMES, "local"), [LOCAL_GRADIENTS[k] for k in LOCAL_NAMES],
                name=f"local gradients {list(LOCAL_NAMES)}",
                misconceptions=_as_lists(LOCAL_MISCONCEPTIONS, LOCAL_NAMES))
    check_value(_numbers(answered(grads), GRADIENT_NAMES, "grads"), [GRADIENTS[k] for k in GRADIENT_NAMES],
                name="gradients [df/dx, df/dy, df/dz]",
                misconceptions=_as_lists(GRADIENT_MISCONCEPTIONS, GRADIENT_NAMES))


# ---- 3. fan-out ---------------------------------------------------------------------

FAN_OUT_A = 3.0


def _fan_out_by_autograd():
    a = tensor(FAN_OUT_A, requires_grad=True)
    (a + a).backward()
    doubled = float(a.grad)
    a = tensor(FAN_OUT_A, requires_grad=True)
    (a * a + a).backward()
    return doubled, float(a.grad)


GRAD_B, GRAD_C = _fan_out_by_autograd()
OVERWRITTEN = "gradient overwritten on fan-out instead of accumulated"
OVERWRITTEN_HINT = ("Every edge into a brings its own contribution, and the gradient is their sum: "
                    "a.grad += ..., not a.grad = ... .")
ONE_EDGE = ("only one edge of a*a counted: both inputs of the product are a, and each brings a "
            "contribution (a*a has slope 2a)")
WITHOUT_PLUS_A = "the gradient of a*a alone, without the + a"
# The wrong grad_c of each mistake: the three edges into a bring 1 (from + a), 3 and 3 (from the two
# inputs of a*a); overwriting keeps only the last edge visited, which may be either kind.
_GRAD_C_MISCONCEPTIONS = [
    Misconception(OVERWRITTEN, 1.0, OVERWRITTEN_HINT),
    Misconception(OVERWRITTEN, FAN_OUT_A, OVERWRITTEN_HINT),
    Misconception(ONE_EDGE, FAN_OUT_A + 1.0, "d(a*a)/da = a + a = 2a."),
    Misconception(WITHOUT_PLUS_A, 2 * FAN_OUT_A, "c = a*a + a: the + a edge brings 1 more."),
]


@exercise(answer=Answers(GRAD_B, GRAD_C), misconceptions=[
    Misconception(OVERWRITTEN, Answers(1.0, GRAD_C), OVERWRITTEN_HINT),
    *[Misconception(m.name, Answers(GRAD_B, m.variant), m.hint) for m in _GRAD_C_MISCONCEPTIONS[2:]]])
def check_fan_out(grad_b, grad_c):
    """Check d b / d a for b = a + a and d c / d a for c = a * a + a, at a = 3 (by mlcore's autograd;
    None: not answered yet)."""
    check_value(answered(grad_b), GRAD_B, name="grad_b (d b/d a for b = a + a)",
                misconceptions=[Misconception(OVERWRITTEN, 1.0, OVERWRITTEN_HINT)])
    check_value(answered(grad_c), GRAD_C, name="grad_c (d c/d a for c = a*a + a)",
                misconceptions=_GRAD_C_MISCONCEPTIONS)
