"""Checks for chapter 5's backward rules of one layer: ``linear_backward``, ``sigmoid_backward``, ``relu_backward``.

- ``linear_backward(dout, X, W)`` returns ``(dX, dW, db)`` for
  ``z = X @ W + b`` (``W`` of shape ``(in, out)``) and ``dout = dL/dz``:
  ``dout @ W.T``, ``X.T @ dout`` and ``dout`` summed over the batch.
- ``sigmoid_backward(dout, z)`` and ``relu_backward(dout, z)`` return
  ``dL/dz = dout * f'(z)``, the derivative taken at the pre-activation ``z``.

The references are mlcore's autograd (tests/test_feedback_backpropagation.py
holds them against PyTorch). Each misconception is a function below, written
the way the mistake is made. For ReLU, the derivative "at the
post-activation" ``relu(z) > 0`` is the same mask as ``z > 0``, so that
mistake is not a mistake there; it is one for sigmoid.
"""

import numpy as np

from ..factories import tensor
from .checks import Misconception, check_function
from .parts import check_parts, order_misconception
from .registry import exercise

__all__ = ["ACTIVATION_CASES", "LINEAR_CASES", "LINEAR_MISCONCEPTIONS", "LINEAR_PARTS", "RELU_MISCONCEPTIONS",
           "SIGMOID_MISCONCEPTIONS", "SQUARE_LINEAR_CASES", "activation_cases", "check_linear_backward",
           "check_relu_backward", "check_sigmoid_backward", "linear_cases", "reference_linear_backward",
           "reference_relu_backward", "reference_sigmoid_backward"]


def reference_linear_backward(dout, X, W):
    """``(dX, dW, db)`` by mlcore's autograd: the gradients of ``sum(dout * (X @ W + b))``."""
    x, w = tensor(np.array(X, dtype=np.float64), requires_grad=True), tensor(np.array(W, dtype=np.float64),
                                                                             requires_grad=True)
    b = tensor(np.zeros(np.shape(W)[1]), requires_grad=True)
    ((x @ w + b) * tensor(np.array(dout, dtype=np.float64))).sum().backward()
    return x.grad, w.grad, b.grad


def _activation_gradient(dout, z, method):
    point = tensor(np.array(z, dtype=np.float64), requires_grad=True)
    (getattr(point, method)() * tensor(np.array(dout, dtype=np.float64))).sum().backward()
    return point.grad


def reference_sigmoid_backward(dout, z):
    """``dout * sigmoid'(z)`` by mlcore's autograd."""
    return _activation_gradient(dout, z, "sigmoid")


def reference_relu_backward(dout, z):
    """``dout * relu'(z)`` by mlcore's autograd (relu'(0) = 0, as in PyTorch)."""
    return _activation_gradient(dout, z, "relu")


# ---- linear_backward ----------------------------------------------------------------

def _case(rng, n, n_in, n_out):
    return (np.round(rng.uniform(-2, 2, (n, n_out)), 1), np.round(rng.uniform(-2, 2, (n, n_in)), 1),
            np.round(rng.uniform(-1.5, 1.5, (n_in, n_out)), 1))


# (dout, X, W). Square: every size 2, where even a product with the wrong transposes runs (and can be
# named). Then one sample (where a sum over the batch is easy to forget), and batches whose three sizes
# all differ, so that only the right products have the right shapes.
SQUARE_LINEAR_CASES = [(np.array([[1.0, -2.0], [0.5, 1.0]]), np.array([[1.0, 2.0], [3.0, -1.0]]),
                        np.array([[0.5, -1.0], [2.0, 0.3]]))]
LINEAR_CASES = SQUARE_LINEAR_CASES + [
    (np.array([[0.5, -1.0]]), np.array([[1.0, -2.0, 0.5]]), np.array([[0.2, -0.4], [1.0, 0.5], [-1.5, 0.3]])),
    _case(np.random.default_rng(51), 4, 3, 2),
    _case(np.random.default_rng(52), 5, 2, 3),
]


def linear_cases(seed, shapes=((6, 4, 3), (3, 5, 2), (8, 2, 7))):
    """Hidden cases: ``(dout, X, W)`` of batch, input and output sizes ``shapes``."""
    rng = np.random.default_rng(seed)
    return [_case(rng, *shape) for shape in shapes]


def _dw_transposed(dout, X, W):
    return dout @ W.T, dout.T @ X, dout.sum(axis=0)


def _dw_x_doutT(dout, X, W):
    return dout @ W.T, X @ dout.T, dout.sum(axis=0)


def _dw_mean(dout, X, W):
    return dout @ W.T, X.T @ dout / len(X), dout.sum(axis=0)


def _db_not_summed(dout, X, W):
    return dout @ W.T, X.T @ dout, dout


def _db_first_sample(dout, X, W):
    return dout @ W.T, X.T @ dout, dout[0]


def _db_mean(dout, X, W):
    return dout @ W.T, X.T @ dout, dout.mean(axis=0)


def _db_keepdims(dout, X, W):
    return dout @ W.T, X.T @ dout, dout.sum(axis=0, keepdims=True)


def _parameters_first(dout, X, W):
    return X.T @ dout, dout.sum(axis=0), dout @ W.T


def _dx_transposed(dout, X, W):
    return W @ dout.T, X.T @ dout, dout.sum(axis=0)


def _dx_without_transpose(dout, X, W):
    return dout @ W, X.T @ dout, dout.sum(axis=0)


_TRANSPOSES = "transposes swapped"
_MEAN_TWICE = "the batch mean applied twice"
_NOT_SUMMED = "bias gradient not summed over the batch"

LINEAR_PARTS = [
    ("dX", [
        Misconception(f"{_TRANSPOSES} in dX (W·doutᵀ)", _dx_transposed,
                      "W·doutᵀ has shape (in, N): it is dXᵀ. dX must have X's shape (N, in): dout·Wᵀ."),
        Misconception(f"{_TRANSPOSES} in dX (dout·W, W not transposed)", _dx_without_transpose,
                      "dout (N, out) times W (in, out) only fits after transposing W: dX = dout·Wᵀ."),
    ]),
    ("dW", [
        Misconception(f"{_TRANSPOSES} in dW (doutᵀ·X)", _dw_transposed,
                      "doutᵀ·X has shape (out, in), the transpose of W's: dW = Xᵀ·dout, shape (in, out)."),
        Misconception(f"{_TRANSPOSES} in dW (X·doutᵀ)", _dw_x_doutT,
                      "X·doutᵀ pairs samples with samples (shape (N, N)); Xᵀ·dout sums input × gradient "
                      "over the batch and has W's shape (in, out)."),
        Misconception(f"{_MEAN_TWICE} in dW", _dw_mean,
                      "dout already holds the loss's 1/N (it is dL/dz of the mean loss); do not divide again."),
    ]),
    ("db", [
        Misconception(_NOT_SUMMED, _db_not_summed,
                      "b is added to every row of the batch, so its gradient collects every row's: "
                      "db = dout.sum(axis=0), shape (out,)."),
        Misconception(f"{_NOT_SUMMED}: the first sample's only", _db_first_sample,
                      "every sample's row contributes, not only the first: db = dout.sum(axis=0)."),
        Misconception(f"{_MEAN_TWICE} in db", _db_mean,
                      "dout already holds the loss's 1/N: sum over the batch, do not average again."),
        Misconception("the bias gradient kept as a row (keepdims=True): shape (1, out) instead of b's (out,)",
                      _db_keepdims,
                      "a gradient has the shape of its parameter, and b has shape (out,): dout.sum(axis=0), "
                      "without keepdims=True (a (1, out) gradient would turn b into a matrix when stepped)."),
    ]),
]

LINEAR_MISCONCEPTIONS = [order_misconception(_parameters_first, [label for label, _ in LINEAR_PARTS])] + [
    mistake for _, mistakes in LINEAR_PARTS for mistake in mistakes]


@exercise(answer=reference_linear_backward, misconceptions=LINEAR_MISCONCEPTIONS, hidden_cases=linear_cases)
def check_linear_backward(linear_backward, cases=LINEAR_CASES):
    """Check ``linear_backward(dout, X, W)`` → ``(dX, dW, db)``, each array on its own."""
    check_parts(linear_backward, reference_linear_backward, cases, LINEAR_PARTS,
                square_cases=SQUARE_LINEAR_CASES, name="linear_backward")


# ---- sigmoid_backward and relu_backward ---------------------------------------------

# (dout, z): a vector with z = 0 (where relu has no derivative and PyTorch uses 0) and z of both
# signs; upstream gradients that are not 1; a batch; and large |z|, where sigmoid saturates.
ACTIVATION_CASES = [
    (np.array([1.0, 1.0, 1.0]), np.array([-1.0, 0.0, 2.0])),
    (np.array([0.5, -2.0, 3.0, 1.5]), np.array([0.3, -0.8, 1.2, 0.0])),
    (np.array([[-1.0, 2.0], [0.5, 0.25]]), np.array([[2.5, -0.5], [-3.0, 0.7]])),
    (np.array([2.0, -1.0, 0.5]), np.array([-6.0, 8.0, 0.1])),
]


def activation_cases(seed, shapes=((7,), (3, 4))):
    """Hidden cases: ``(dout, z)`` with upstream gradients in [-3, 3] and z in [-5, 5] (and some exact zeros)."""
    rng = np.random.default_rng(seed)
    cases = []
    for shape in shapes:
        z = rng.uniform(-5, 5, shape)
        z.flat[::3] = 0.0
        cases.append((rng.uniform(-3, 3, shape), z))
    return cases


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _sigmoid_at_the_output(dout, z):
    a = _sigmoid(z)
    return dout * _sigmoid(a) * (1 - _sigmoid(a))


def _sigmoid_formula_on_z(dout, z):
    return dout * z * (1 - z)


def _upstream_only(dout, z):
    return dout


def _sigmoid_local_only(dout, z):
    return _sigmoid(z) * (1 - _sigmoid(z))


def _sigmoid_itself(dout, z):
    return dout * _sigmoid(z)


def _relu_of_gradient(dout, z):
    return np.maximum(dout, 0.0)


def _relu_one_at_zero(dout, z):
    return dout * (z >= 0)


def _relu_local_only(dout, z):
    return (z > 0).astype(np.float64)


def _relu_itself(dout, z):
    return dout * np.maximum(z, 0.0)


_FORGOTTEN = "the activation's derivative forgotten"
_LOCAL_ONLY = "the upstream gradient dropped"
_ITSELF = "the activation itself used instead of its derivative"

SIGMOID_MISCONCEPTIONS = [
    Misconception("the derivative taken at the post-activation instead of the pre-activation",
                  _sigmoid_at_the_output,
                  "σ'(z) = σ(z)(1 − σ(z)) is taken at z, the input of the sigmoid: with a = σ(z) it is "
                  "a(1 − a), not σ(a)(1 − σ(a))."),
    Misconception("σ'(z) written as z(1 − z): the formula a(1 − a) needs the output a = σ(z)", _sigmoid_formula_on_z,
                  "compute a = σ(z) first, then dout · a · (1 − a)."),
    Misconception(_FORGOTTEN, _upstream_only, "dL/dz = dL/da · σ'(z): multiply by the local slope."),
    Misconception(_LOCAL_ONLY, _sigmoid_local_only, "a rule returns local × upstream: multiply σ'(z) by dout."),
    Misconception(_ITSELF, _sigmoid_itself, "multiply by the slope σ(z)(1 − σ(z)), not by the value σ(z)."),
]

RELU_MISCONCEPTIONS = [
    Misconception(_FORGOTTEN, _upstream_only,
                  "relu passes the gradient only where the unit was on: dout · (z > 0)."),
    Misconception("the mask taken from the gradient instead of from z", _relu_of_gradient,
                  "relu'(z) depends on where z > 0 (the unit was on in the forward pass), not on the sign of "
                  "dout: dout · (z > 0)."),
    Misconception("relu'(0) taken as 1", _relu_one_at_zero,
                  "at z = 0 PyTorch and mlcore pass no gradient: use z > 0, not z >= 0."),
    Misconception(_LOCAL_ONLY, _relu_local_only, "a rule returns local × upstream: multiply the mask by dout."),
    Misconception(_ITSELF, _relu_itself, "multiply by the slope (1 where z > 0, else 0), not by max(z, 0)."),
]


@exercise(answer=reference_sigmoid_backward, misconceptions=SIGMOID_MISCONCEPTIONS,
          hidden_cases=activation_cases)
def check_sigmoid_backward(sigmoid_backward, cases=ACTIVATION_CASES):
    """Check ``sigmoid_backward(dout, z)`` against mlcore's autograd."""
    check_function(sigmoid_backward, reference_sigmoid_backward, cases, misconceptions=SIGMOID_MISCONCEPTIONS)


@exercise(answer=reference_relu_backward, misconceptions=RELU_MISCONCEPTIONS, hidden_cases=activation_cases)
def check_relu_backward(relu_backward, cases=ACTIVATION_CASES):
    """Check ``relu_backward(dout, z)`` against mlcore's autograd."""
    check_function(relu_backward, reference_relu_backward, cases, misconceptions=RELU_MISCONCEPTIONS)
