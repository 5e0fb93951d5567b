"""Check for chapter 5's complete backward pass of a 2-layer MLP, graded against PyTorch.

The network of the exercise is the chapter's: ``z1 = X @ W1 + b1``,
``h = tanh(z1)``, ``logits = h @ W2 + b2``, ``L = cross_entropy(logits, y)``
(mean over the N samples, ``y`` class indices), with every ``W`` of shape
``(in, out)``. ``mlp_backward(X, y, W1, b1, W2, b2)`` returns
``(dW1, db1, dW2, db2)``. The reference is PyTorch's autograd on the same
arrays in float64; hidden tests use shapes the learner has not seen. Each
misconception below is a whole backward pass with one mistake in it.
"""

import numpy as np

from .checks import Misconception
from .parts import check_parts, order_misconception
from .registry import exercise

__all__ = ["MLP_CASES", "MLP_MISCONCEPTIONS", "MLP_PARTS", "SQUARE_MLP_CASES", "check_mlp_backward", "mlp_cases",
           "reference_mlp_backward"]


def reference_mlp_backward(X, y, W1, b1, W2, b2):
    """``(dW1, db1, dW2, db2)`` by PyTorch's autograd (float64)."""
    import torch

    torch.set_num_threads(1)
    params = [torch.tensor(np.asarray(p, dtype=np.float64), requires_grad=True) for p in (W1, b1, W2, b2)]
    tw1, tb1, tw2, tb2 = params
    logits = torch.tanh(torch.tensor(np.asarray(X, dtype=np.float64)) @ tw1 + tb1) @ tw2 + tb2
    torch.nn.functional.cross_entropy(logits, torch.tensor(np.asarray(y, dtype=np.int64))).backward()
    return tuple(p.grad.numpy() for p in params)


def _case(rng, n, n_in, hidden, classes):
    return (np.round(rng.uniform(-2, 2, (n, n_in)), 2), rng.integers(0, classes, n),
            np.round(rng.normal(0, 0.8, (n_in, hidden)), 2), np.round(rng.uniform(-0.5, 0.5, hidden), 2),
            np.round(rng.normal(0, 0.8, (hidden, classes)), 2), np.round(rng.uniform(-0.5, 0.5, classes), 2))


# (X, y, W1, b1, W2, b2). Square: every size 3, where even the wrong transposes run and can be named;
# then two samples of two classes, and a batch whose sizes all differ.
SQUARE_MLP_CASES = [_case(np.random.default_rng(501), 3, 3, 3, 3)]
MLP_CASES = SQUARE_MLP_CASES + [_case(np.random.default_rng(502), 2, 2, 3, 2),
                                _case(np.random.default_rng(503), 5, 4, 3, 2)]


def mlp_cases(seed, shapes=((7, 5, 4, 3), (4, 2, 6, 5), (10, 3, 8, 4))):
    """Hidden cases with (N, in, hidden, classes) ``shapes``."""
    rng = np.random.default_rng(seed)
    return [_case(rng, *shape) for shape in shapes]


# ---- one backward pass, with one switch per mistake -----------------------------------

def _backward(X, y, W1, b1, W2, b2, *, mean=1, slope="pre", sum_bias=True, transpose_dw=False):
    z1 = X @ W1 + b1
    h = np.tanh(z1)
    logits = h @ W2 + b2
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    dlogits = p / len(X) ** mean
    dh = dlogits @ W2.T
    local = {"pre": 1 - h ** 2, "post": 1 - np.tanh(h) ** 2, "z": 1 - z1 ** 2, "none": 1.0}[slope]
    dz1 = dh * local

    def weight(inputs, delta):
        return delta.T @ inputs if transpose_dw else inputs.T @ delta

    def bias(delta):
        return delta.sum(axis=0) if sum_bias else delta

    return weight(X, dz1), bias(dz1), weight(h, dlogits), bias(dlogits)


def _mean_twice(X, y, W1, b1, W2, b2):
    return _backward(X, y, W1, b1, W2, b2, mean=2)


def _mean_forgotten(X, y, W1, b1, W2, b2):
    return _backward(X, y, W1, b1, W2, b2, mean=0)


def _slope_forgotten(X, y, W1, b1, W2, b2):
    return _backward(X, y, W1, b1, W2, b2, slope="none")


def _slope_at_the_output(X, y, W1, b1, W2, b2):
    return _backward(X, y, W1, b1, W2, b2, slope="post")


def _slope_with_z(X, y, W1, b1, W2, b2):
    return _backward(X, y, W1, b1, W2, b2, slope="z")


def _bias_not_summed(X, y, W1, b1, W2, b2):
    return _backward(X, y, W1, b1, W2, b2, sum_bias=False)


def _transposes_swapped(X, y, W1, b1, W2, b2):
    return _backward(X, y, W1, b1, W2, b2, transpose_dw=True)


def _output_layer_first(X, y, W1, b1, W2, b2):
    # In the order backpropagation computes them.
    dW1, db1, dW2, db2 = _backward(X, y, W1, b1, W2, b2)
    return dW2, db2, dW1, db1


_COMMON = [
    Misconception("the batch mean applied twice", _mean_twice,
                  "dlogits = (softmax − one_hot) / N already holds the mean; the weight gradients are sums "
                  "over the batch of input × delta, with no second 1/N."),
    Misconception("the mean over the batch forgotten", _mean_forgotten,
                  "the loss is the mean over N samples, so dlogits = (softmax(logits) − one_hot(y)) / N."),
]
_HIDDEN = [
    Misconception("the activation's derivative forgotten", _slope_forgotten,
                  "dz1 = dh ⊙ tanh'(z1) = dh ⊙ (1 − h²): backward through tanh multiplies by its slope."),
    Misconception("the derivative taken at the post-activation instead of the pre-activation",
                  _slope_at_the_output,
                  "tanh'(z1) = 1 − tanh(z1)² = 1 − h²: use h itself, not tanh(h)."),
    Misconception("1 − tanh² written with z1 instead of h: 1 − z1²", _slope_with_z,
                  "the slope of tanh at z1 is 1 − tanh(z1)², which is 1 − h²."),
]
_TRANSPOSE = Misconception("transposes swapped", _transposes_swapped,
                           "deltaᵀ·inputs has shape (out, in); dW = inputsᵀ·delta has W's shape (in, out).")
_BIAS = Misconception("bias gradient not summed over the batch", _bias_not_summed,
                      "each b is added to every row, so db = delta.sum(axis=0), of b's shape.")

MLP_PARTS = [("dW1", [_TRANSPOSE] + _COMMON + _HIDDEN), ("db1", [_BIAS] + _COMMON + _HIDDEN),
             ("dW2", [_TRANSPOSE] + _COMMON), ("db2", [_BIAS] + _COMMON)]
# Every mistake once, as the check names it: each part's list repeats the mistakes that show in it.
MLP_MISCONCEPTIONS = [order_misconception(_output_layer_first, [label for label, _ in MLP_PARTS]),
                      _TRANSPOSE, _BIAS, *_COMMON, *_HIDDEN]


@exercise(answer=reference_mlp_backward, misconceptions=MLP_MISCONCEPTIONS, hidden_cases=mlp_cases)
def check_mlp_backward(mlp_backward, cases=MLP_CASES):
    """Check ``mlp_backward(X, y, W1, b1, W2, b2)`` → ``(dW1, db1, dW2, db2)`` against PyTorch."""
    check_parts(mlp_backward, reference_mlp_backward, cases, MLP_PARTS, square_cases=SQUARE_MLP_CASES,
                name="mlp_backward")
