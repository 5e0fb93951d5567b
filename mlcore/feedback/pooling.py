"""Checks for chapter 8's max pooling written by hand: the forward pass, and its backward pass.

``max_pool2d(x, k)`` takes the maximum of every k x k window, side by side
(stride k), of a batch (N, C, H, W). ``max_pool2d_backward(x, grad_out, k)``
sends each window's upstream gradient to the position of its maximum (the
first in reading order at a tie, as PyTorch does). The references are
``mlcore.nn.functional.max_pool2d`` and its autograd.
"""

import numpy as np

import mlcore
import mlcore.nn.functional as F

from .checks import Misconception, check_function
from .registry import exercise

__all__ = ["POOL_GRADIENT_SPREAD", "CHANNELS_LAST", "POOL_CASES", "POOL_BACKWARD_CASES", "check_max_pool2d",
           "check_max_pool2d_backward", "reference_max_pool2d", "reference_max_pool2d_backward", "pool_cases",
           "pool_backward_cases"]

POOL_GRADIENT_SPREAD = "the pool gradient spread to every element instead of the argmax"
CHANNELS_LAST = "channels-last against channels-first confusion"


def reference_max_pool2d(x, k):
    """mlcore's ``F.max_pool2d(x, k)`` on a numpy array (chapter 8)."""
    return F.max_pool2d(mlcore.tensor(x), k).data


def reference_max_pool2d_backward(x, grad_out, k):
    """The gradient of ``sum(max_pool2d(x, k) * grad_out)`` with respect to ``x``, by mlcore's autograd."""
    x_t = mlcore.tensor(x, requires_grad=True)
    F.max_pool2d(x_t, k).backward(np.asarray(grad_out, dtype=np.float64))
    return x_t.grad


def _windows(x, k):
    """(N, C, H // k, W // k, k, k): the windows side by side (rows and columns past a multiple of k dropped)."""
    n, c, h, w = x.shape
    x = x[:, :, :h // k * k, :w // k * k]
    return x.reshape(n, c, h // k, k, w // k, k).transpose(0, 1, 2, 4, 3, 5)


def _average_pool(x, k):
    return _windows(x, k).mean(axis=(4, 5))


def _channels_last_pool(x, k):
    # Unpacks (N, C, H, W) as (N, H, W, C), so it pools over channels and height.
    return reference_max_pool2d(x.transpose(0, 3, 1, 2), k).transpose(0, 2, 3, 1)


def _overlapping_windows(x, k):
    return F.max_pool2d(mlcore.tensor(x), k, stride=1).data


def _across_windows(x, k):
    # reshape(n, c, H // k, k, W // k, k) numbers the windows on axes 2 and 4 and the pixels within
    # a window on axes 3 and 5; the maximum over axes (2, 4) compares the same pixel of every window.
    n, c, h, w = x.shape
    return x[:, :, :h // k * k, :w // k * k].reshape(n, c, h // k, k, w // k, k).max(axis=(2, 4))


POOL_MISCONCEPTIONS = [
    Misconception("the average instead of the maximum", _average_pool,
                  "Max pooling keeps the largest value of each window: .max over the window, not .mean."),
    Misconception(CHANNELS_LAST, _channels_last_pool,
                  "The batch is channels-first, (N, C, H, W): the windows lie in the last two axes, height "
                  "and width. Reading the shape as (N, H, W, C) pools over the channels instead."),
    Misconception("overlapping windows (stride 1)", _overlapping_windows,
                  "The windows lie side by side: window (i, j) covers rows k*i ... k*i + k - 1, so the "
                  "output is (H // k) x (W // k)."),
    Misconception("the maximum taken across windows (axes 2 and 4) instead of within each window", _across_windows,
                  "After x.reshape(n, c, H // k, k, W // k, k), axes 2 and 4 number the windows and axes 3 and 5 "
                  "the pixels inside one window: take .max(axis=(3, 5)). The result then has shape "
                  "(N, C, H // k, W // k)."),
]


def _spread(x, grad_out, k):
    grad = np.zeros_like(x)
    n, c, h, w = x.shape
    grad[:, :, :h // k * k, :w // k * k] = np.repeat(np.repeat(grad_out, k, axis=2), k, axis=3)
    return grad


def _averaged(x, grad_out, k):
    return _spread(x, grad_out, k) / k ** 2


def _every_maximum(x, grad_out, k):
    grad = _spread(x, grad_out, k)
    pooled = np.repeat(np.repeat(reference_max_pool2d(x, k), k, axis=2), k, axis=3)
    n, c, h, w = x.shape
    grad[:, :, :h // k * k, :w // k * k] *= x[:, :, :h // k * k, :w // k * k] == pooled
    return grad


def _ones_at_the_maxima(x, grad_out, k):
    return reference_max_pool2d_backward(x, np.ones_like(grad_out), k)


def _by_window_argmax(x, grad_out, k, pick):
    # Routes each window's gradient to the pixel (u, v) = pick(index of the maximum, window side, k * k
    # values of the window in reading order).
    grad = np.zeros_like(x, dtype=np.float64)
    n, c, h, w = x.shape
    for i in range(h // k):
        for j in range(w // k):
            window = x[:, :, i * k:(i + 1) * k, j * k:(j + 1) * k].reshape(n, c, k * k)
            for a in range(n):
                for b in range(c):
                    u, v = pick(window[a, b], k)
                    grad[a, b, i * k + u, j * k + v] += grad_out[a, b, i, j]
    return grad


def _last_of_a_tie(values, k):
    return divmod(len(values) - 1 - int(np.argmax(values[::-1])), k)


def _row_and_column_swapped(values, k):
    return divmod(int(np.argmax(values)), k)[::-1]


def _last_maximum(x, grad_out, k):
    return _by_window_argmax(x, grad_out, k, _last_of_a_tie)


def _argmax_unravelled_swapped(x, grad_out, k):
    return _by_window_argmax(x, grad_out, k, _row_and_column_swapped)


POOL_BACKWARD_MISCONCEPTIONS = [
    Misconception(POOL_GRADIENT_SPREAD, _spread,
                  "Only a window's maximum reached the output, so only it receives the upstream gradient; "
                  "the other k*k - 1 pixels of the window get 0."),
    Misconception("the gradient averaged over the window (the backward of average pooling)", _averaged,
                  "That is the gradient of the mean. The maximum takes the whole upstream gradient; the "
                  "others get 0."),
    Misconception("every maximum of a tie given the gradient", _every_maximum,
                  "When a window holds its maximum twice, only the first in reading order (row by row) "
                  "gets the gradient, as in PyTorch: the gradient of a window is never counted twice."),
    Misconception("a 1 at the maximum instead of the upstream gradient", _ones_at_the_maxima,
                  "Chain rule: the maximum's gradient is the window's upstream gradient grad_out[n, c, i, j], "
                  "times 1."),
    Misconception("the last maximum of a tie given the gradient", _last_maximum,
                  "At a tie PyTorch and mlcore pick the first maximum in reading order (row by row), the one "
                  "np.argmax of the flattened window returns; a comparison with >= keeps the last one instead."),
    Misconception("row and column swapped when unravelling the argmax", _argmax_unravelled_swapped,
                  "Index a of the flattened k x k window (row by row) is row a // k, column a % k: "
                  "divmod(a, k) or np.unravel_index(a, (k, k)), in that order."),
]


def _visible_inputs():
    # Two channels of 4 x 4; a batch of two with 2 channels, where height and width differ; a
    # window with a tie (two 5s in its first channel); a 5 x 5 image, whose last row and column
    # no 2 x 2 window covers; 3 x 3 windows. Every case has at least k channels, so that code
    # which reads the shape as channels-last runs on it too (and is told why it is wrong).
    rng = np.random.default_rng(8)
    tie = np.array([[[1.0, 5.0, 2.0, 0.0], [5.0, 3.0, 1.0, 4.0], [0.0, 2.0, 6.0, 6.0], [1.0, 1.0, 2.0, 3.0]],
                    [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 8.0, 7.0], [6.0, 5.0, 4.0, 3.0]]])
    return [(rng.normal(size=(1, 2, 4, 4)), 2), (rng.normal(size=(2, 2, 4, 6)), 2), (tie[None], 2),
            (rng.normal(size=(1, 3, 5, 5)), 2), (rng.normal(size=(1, 3, 6, 6)), 3)]


POOL_CASES = _visible_inputs()
POOL_BACKWARD_CASES = [(x, np.random.default_rng(i).normal(size=reference_max_pool2d(x, k).shape), k)
                       for i, (x, k) in enumerate(POOL_CASES)]


def pool_cases(seed, count=4):
    """Hidden cases: random batches with values from a few integers (so windows tie), k of 2 or 3."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        k = int(rng.integers(2, 4))
        shape = (int(rng.integers(1, 3)), int(rng.integers(1, 4)), *(int(v) for v in rng.integers(k, 3 * k + 2, 2)))
        cases.append((rng.integers(0, 4, shape).astype(np.float64), k))
    return cases


def pool_backward_cases(seed, count=4):
    """Hidden cases for the backward pass: ``pool_cases`` with random upstream gradients."""
    rng = np.random.default_rng(seed + 1)
    return [(x, rng.normal(size=reference_max_pool2d(x, k).shape), k) for x, k in pool_cases(seed, count)]


@exercise(answer=reference_max_pool2d, misconceptions=POOL_MISCONCEPTIONS, hidden_cases=pool_cases)
def check_max_pool2d(max_pool2d, cases=POOL_CASES):
    """Check ``max_pool2d(x, k)``: the maximum of every k x k window, stride k, of x (N, C, H, W)."""
    check_function(max_pool2d, reference_max_pool2d, cases, misconceptions=POOL_MISCONCEPTIONS)


@exercise(answer=reference_max_pool2d_backward, misconceptions=POOL_BACKWARD_MISCONCEPTIONS,
          hidden_cases=pool_backward_cases)
def check_max_pool2d_backward(max_pool2d_backward, cases=POOL_BACKWARD_CASES):
    """Check ``max_pool2d_backward(x, grad_out, k)``: the gradient with respect to x."""
    check_function(max_pool2d_backward, reference_max_pool2d_backward, cases,
                   misconceptions=POOL_BACKWARD_MISCONCEPTIONS)
