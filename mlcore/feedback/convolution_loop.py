"""Check for chapter 8's convolution written with loops: ``conv2d(x, w, b, stride, padding)`` on numpy arrays.

The reference is ``mlcore.nn.functional.conv2d`` (which the course checks
against ``torch.nn.functional.conv2d``): a cross-correlation of a batch
(N, C, H, W) with kernels (C_out, C, k, k), plus a bias per output channel.
The variants are the slips of a hand-written version; the one that matters
most is the flipped kernel, a true convolution, which is not what
frameworks compute.
"""

import numpy as np

import mlcore
import mlcore.nn.functional as F

from .checks import Misconception, check_function
from .registry import exercise

__all__ = ["KERNEL_FLIPPED", "INPUT_CHANNELS_NOT_SUMMED", "CONV_CASES", "check_conv2d", "reference_conv2d", "conv_cases"]

KERNEL_FLIPPED = "the kernel flipped (a true convolution, not the cross-correlation frameworks compute)"
INPUT_CHANNELS_NOT_SUMMED = "the sum over the input channels forgotten"


def reference_conv2d(x, w, b, stride=1, padding=0):
    """mlcore's ``F.conv2d`` on numpy arrays, as a numpy array (chapter 8)."""
    return F.conv2d(mlcore.tensor(x), mlcore.tensor(w), mlcore.tensor(b), stride=stride, padding=padding).data


def _flipped(x, w, b, stride=1, padding=0):
    return reference_conv2d(x, w[:, :, ::-1, ::-1].copy(), b, stride, padding)


def _padding_ignored(x, w, b, stride=1, padding=0):
    return reference_conv2d(x, w, b, stride, 0)


def _stride_ignored(x, w, b, stride=1, padding=0):
    return reference_conv2d(x, w, b, 1, padding)


def _bias_forgotten(x, w, b, stride=1, padding=0):
    return reference_conv2d(x, w, np.zeros_like(b), stride, padding)


def _bias_of_the_first_channel(x, w, b, stride=1, padding=0):
    return reference_conv2d(x, w, np.full_like(b, b[0]), stride, padding)


def _first_input_channel_only(x, w, b, stride=1, padding=0):
    return reference_conv2d(x[:, :1], w[:, :1], b, stride, padding)


def _last_input_channel_only(x, w, b, stride=1, padding=0):
    # y[n, o, i, j] = ... inside a loop over the channels, assigned (=) instead of added (+=).
    return reference_conv2d(x[:, -1:], w[:, -1:], b, stride, padding)


CONV_MISCONCEPTIONS = [
    Misconception(KERNEL_FLIPPED, _flipped,
                  "Deep-learning frameworks slide the kernel as it is: out[i, j] = sum over u, v of "
                  "w[u, v] * x[i + u, j + v]. Rotating it by 180 degrees first (x[i - u, j - v]) is the "
                  "convolution of mathematics, and F.conv2d does not do it."),
    Misconception("the padding ignored", _padding_ignored,
                  "Put `padding` rows and columns of zeros around each image first (np.pad on the last two "
                  "axes), then slide the kernel over the padded image."),
    Misconception("the stride ignored", _stride_ignored,
                  "The window starts every `stride` pixels: output (i, j) reads rows i * stride ... "
                  "i * stride + k - 1."),
    Misconception("the bias forgotten", _bias_forgotten, "Add b[o] to every value of output channel o."),
    Misconception("one bias for every output channel", _bias_of_the_first_channel,
                  "Each output channel o has its own bias b[o]."),
    Misconception(INPUT_CHANNELS_NOT_SUMMED + " (only the first one used)", _first_input_channel_only,
                  "Output channel o adds up the products of every input channel c with its slice w[o, c]: "
                  "the sum runs over c, u and v."),
    Misconception(INPUT_CHANNELS_NOT_SUMMED + " (each channel overwrites the last: = instead of +=)",
                  _last_input_channel_only,
                  "Only the last input channel survives: inside the loop over c, add to y[n, o, i, j] (+=), "
                  "or sum over c, u and v in one expression."),
]


def _case(rng, n, c, h, w, c_out, k, stride, padding):
    return (rng.normal(size=(n, c, h, w)), rng.normal(size=(c_out, c, k, k)), rng.normal(size=c_out), stride,
            padding)


def _visible_cases():
    rng = np.random.default_rng(8)
    # One image and one kernel with asymmetric weights, so a flip shows; two channels in and out;
    # padding 1 (the output keeps its size); stride 2 with padding, on a non-square image.
    return [_case(rng, 1, 1, 4, 4, 1, 3, 1, 0), _case(rng, 2, 2, 5, 5, 3, 3, 1, 0),
            _case(rng, 1, 2, 4, 5, 2, 3, 1, 1), _case(rng, 2, 1, 7, 6, 2, 3, 2, 1)]


CONV_CASES = _visible_cases()


def conv_cases(seed, count=4):
    """Hidden cases: random batches, channels, kernels of 1 to 5, strides 1 to 3 and paddings up to k // 2."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        k = int(rng.integers(1, 6))
        h, w = (int(v) for v in rng.integers(k, 10, 2))
        cases.append(_case(rng, int(rng.integers(1, 3)), int(rng.integers(1, 4)), h, w, int(rng.integers(1, 4)),
                           k, int(rng.integers(1, 4)), int(rng.integers(0, k // 2 + 1))))
    return cases


@exercise(answer=reference_conv2d, misconceptions=CONV_MISCONCEPTIONS, hidden_cases=conv_cases)
def check_conv2d(conv2d, cases=CONV_CASES):
    """Check ``conv2d(x, w, b, stride, padding)`` for x (N, C, H, W), w (C_out, C, k, k), b (C_out,)."""
    check_function(conv2d, reference_conv2d, cases, misconceptions=CONV_MISCONCEPTIONS)
