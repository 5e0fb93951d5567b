"""Checks for chapter 8's sizes and counts: the output size of a convolution or pooling layer, the
parameters of a convolution, and the input size of the articles' first Linear layer for 28 x 28 images.

References: ``(H + 2p - k) // s + 1`` (PyTorch's formula, which ``mlcore.nn.functional``
uses) and ``C_out * (C_in * k * k + 1)`` (what ``nn.Conv2d`` holds). The
variants are the usual slips, each named.
"""

import math

import numpy as np

from .checks import Misconception, check_function, check_value
from .registry import exercise
from .unanswered import answered

__all__ = ["PADDING_FORGOTTEN", "BIAS_PER_POSITION", "SIZE_CASES", "PARAMETER_CASES", "check_output_size",
           "check_conv_parameters", "reference_output_size", "reference_conv_parameters", "size_cases",
           "parameter_cases", "MNIST_IN_FEATURES", "check_mnist_in_features", "reference_in_features"]

PADDING_FORGOTTEN = "padding forgotten in the size formula"
BIAS_PER_POSITION = "the bias counted once per position"


# ---- output size ---------------------------------------------------------------------------

def reference_output_size(h, k, p, s):
    """Rows of the output of a k x k window sliding by s over h rows padded by p on each side (chapter 8)."""
    return (h + 2 * p - k) // s + 1


def _padding_forgotten(h, k, p, s):
    return (h - k) // s + 1


def _padding_on_one_side(h, k, p, s):
    return (h + p - k) // s + 1


def _plus_one_forgotten(h, k, p, s):
    return (h + 2 * p - k) // s


def _rounded_up(h, k, p, s):
    return math.ceil((h + 2 * p - k) / s) + 1


def _stride_ignored(h, k, p, s):
    return h + 2 * p - k + 1


def _true_division(h, k, p, s):
    return (h + 2 * p - k) / s + 1


SIZE_MISCONCEPTIONS = [
    Misconception(PADDING_FORGOTTEN, _padding_forgotten,
                  "Padding adds p rows above and p below: the window slides over H + 2p rows, so the formula "
                  "is (H + 2p - k) // s + 1."),
    Misconception("the padding counted on one side only", _padding_on_one_side,
                  "p zeros go on both sides of the image: H + 2p, not H + p."),
    Misconception("the + 1 forgotten", _plus_one_forgotten,
                  "(H + 2p - k) // s counts the steps between window positions; the first position is "
                  "one more: + 1."),
    Misconception("rounded up instead of down", _rounded_up,
                  "A window that would stick out past the padded image is not used: round down, with //."),
    Misconception("the stride ignored", _stride_ignored,
                  "The window moves s pixels at a time, so there are (H + 2p - k) // s steps, not H + 2p - k."),
    Misconception("true division / instead of floor division //", _true_division,
                  "A window either fits or it does not: (7 - 2) / 2 + 1 = 3.5 rows cannot exist. Round the "
                  "number of steps down with //, as the layers do: (H + 2p - k) // s + 1."),
]

# (h, k, p, s). The articles' convolution (padding keeps 32) and pooling; an odd size that
# pooling rounds down (7 -> 3); a padded, strided 3x3 (16 -> 8) and the same without padding;
# padding on a size that an up-rounding would change; a 1x1 kernel with stride 2.
SIZE_CASES = [(32, 5, 2, 1), (32, 2, 0, 2), (7, 2, 0, 2), (16, 3, 1, 2), (16, 3, 0, 2), (10, 3, 1, 3), (9, 1, 0, 2)]


def size_cases(seed, count=8):
    """Hidden cases: random sizes, kernels, paddings at most half the kernel, and strides."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        k = int(rng.integers(1, 8))
        p = int(rng.integers(0, k // 2 + 1))
        cases.append((int(rng.integers(k, 65)), k, p, int(rng.integers(1, 4))))
    return cases


@exercise(answer=reference_output_size, misconceptions=SIZE_MISCONCEPTIONS, hidden_cases=size_cases)
def check_output_size(output_size, cases=SIZE_CASES):
    """Check ``output_size(h, k, p, s)``: the output rows of a convolution or pooling layer."""
    check_function(output_size, reference_output_size, cases, misconceptions=SIZE_MISCONCEPTIONS)


# ---- parameter count -----------------------------------------------------------------------

def reference_conv_parameters(in_channels, out_channels, kernel_size, out_height, out_width):
    """The weights and biases of ``nn.Conv2d(in_channels, out_channels, kernel_size)`` (chapter 8); the output
    size does not enter: the same kernels and biases serve every position."""
    return out_channels * (in_channels * kernel_size ** 2 + 1)


def _bias_per_position(in_channels, out_channels, kernel_size, out_height, out_width):
    return out_channels * in_channels * kernel_size ** 2 + out_channels * out_height * out_width


def _in_channels_forgotten(in_channels, out_channels, kernel_size, out_height, out_width):
    return out_channels * (kernel_size ** 2 + 1)


def _bias_forgotten(in_channels, out_channels, kernel_size, out_height, out_width):
    return out_channels * in_channels * kernel_size ** 2


def _kernel_side_not_squared(in_channels, out_channels, kernel_size, out_height, out_width):
    return out_channels * (in_channels * kernel_size + 1)


def _bias_per_kernel_slice(in_channels, out_channels, kernel_size, out_height, out_width):
    return out_channels * in_channels * (kernel_size ** 2 + 1)


def _bias_per_input_channel(in_channels, out_channels, kernel_size, out_height, out_width):
    return out_channels * in_channels * kernel_size ** 2 + in_channels


def _no_weight_sharing(in_channels, out_channels, kernel_size, out_height, out_width):
    return out_channels * (in_channels * kernel_size ** 2 + 1) * out_height * out_width


PARAMETER_MISCONCEPTIONS = [
    Misconception(BIAS_PER_POSITION, _bias_per_position,
                  "Like the kernel, the bias is shared by every position: one bias per output channel, "
                  "out_channels of them, whatever the size of the output."),
    Misconception("the input channels forgotten", _in_channels_forgotten,
                  "Each kernel covers all in_channels input channels: in_channels * k * k weights per kernel."),
    Misconception("the bias forgotten", _bias_forgotten,
                  "nn.Conv2d has a bias by default: one per output channel, + out_channels."),
    Misconception("the kernel counted as k weights, not k * k", _kernel_side_not_squared,
                  "A k x k kernel has k * k weights per input channel."),
    Misconception("no weight sharing (a kernel for every position)", _no_weight_sharing,
                  "A convolution uses the same kernels at every position: that is weight sharing, and why its "
                  "parameter count does not depend on the image size."),
    Misconception("a bias per kernel slice (per input channel of each kernel)", _bias_per_kernel_slice,
                  "A kernel's k x k slices, one per input channel, are summed into one output channel, which "
                  "gets one bias: out_channels * (in_channels * k * k + 1), not out_channels * in_channels * "
                  "(k * k + 1)."),
    Misconception("a bias per input channel", _bias_per_input_channel,
                  "The biases belong to the outputs: one per output channel, out_channels of them, not "
                  "in_channels."),
]

# (in_channels, out_channels, kernel_size, out_height, out_width): the articles' three
# convolutions (32 x 32, 16 x 16, 8 x 8 outputs), the one-channel first layer, and a 1x1 kernel.
PARAMETER_CASES = [(3, 32, 5, 32, 32), (32, 32, 5, 16, 16), (32, 64, 5, 8, 8), (1, 32, 5, 32, 32), (4, 2, 1, 6, 3)]


def parameter_cases(seed, count=6):
    """Hidden cases: random channel counts, kernel sizes and output sizes."""
    rng = np.random.default_rng(seed)
    return [tuple(int(v) for v in (rng.integers(1, 65), rng.integers(1, 129), rng.integers(1, 8),
                                   rng.integers(1, 40), rng.integers(1, 40))) for _ in range(count)]


@exercise(answer=reference_conv_parameters, misconceptions=PARAMETER_MISCONCEPTIONS,
          hidden_cases=parameter_cases)
def check_conv_parameters(conv_parameters, cases=PARAMETER_CASES):
    """Check ``conv_parameters(in_channels, out_channels, kernel_size, out_height, out_width)``."""
    check_function(conv_parameters, reference_conv_parameters, cases, misconceptions=PARAMETER_MISCONCEPTIONS)


# ---- the articles' network on 28 x 28 images (a prediction) ---------------------------------

def reference_in_features(size=28):
    """What the first Linear of the articles' network needs for ``size`` x ``size`` images (chapter 8): the
    convolutions keep the size, each 2x2 pooling halves it, rounded down, and 64 channels remain."""
    for _ in range(3):
        size = reference_output_size(reference_output_size(size, 5, 2, 1), 2, 0, 2)
    return 64 * size * size


MNIST_IN_FEATURES = reference_in_features(28)

IN_FEATURES_MISCONCEPTIONS = [
    Misconception("7 / 2 rounded up to 4 (or the 32 x 32 network's 1024 kept)", 64 * 4 * 4,
                  "28 -> 14 -> 7, and a 2x2 pooling of 7 rows keeps 7 // 2 of them: the last row has no pair."),
    Misconception("the pixels of the image, or 64 x 3.5 x 3.5 without rounding", 28 * 28,
                  "Flatten sees the last pooling's output, 64 maps whose size is rounded down (7 // 2), not "
                  "the image."),
    Misconception("32 channels instead of the last convolution's 64", 32 * 3 * 3,
                  "The last convolution makes 64 maps, and Flatten lays out all of them."),
    Misconception("one pooling too few: 64 x 7 x 7", 64 * 7 * 7,
                  "Each of the three convolutions is followed by a pooling: 28 -> 14 -> 7 -> one more halving."),
    Misconception(PADDING_FORGOTTEN + " (28 -> 24 -> 12 -> 8 -> 4 -> 0)", 0,
                  "padding=2 keeps the size through each 5x5 convolution: 28 -> 28, pooled to 14."),
]


@exercise(answer=MNIST_IN_FEATURES, misconceptions=IN_FEATURES_MISCONCEPTIONS)
def check_mnist_in_features(value):
    """Check the predicted ``in_features`` of the first Linear for 28 x 28 images (MNIST) (None: not answered yet)."""
    check_value(answered(value), MNIST_IN_FEATURES, name="mnist_in_features", misconceptions=IN_FEATURES_MISCONCEPTIONS)
