"""Check for chapter 8's flatten: ``flatten(x)`` turns a batch (N, C, H, W) into rows (N, C * H * W).

The reference is ``nn.Flatten()`` (PyTorch's order, row-major: value
(c, i, j) of an image lands at position c * H * W + i * W + j). The typical
mistake is the channels-last order, pixel by pixel with the channels
innermost, the layout of image files and of TensorFlow.
"""

import numpy as np

import mlcore
from mlcore import nn

from .checks import Misconception, check_function
from .pooling import CHANNELS_LAST
from .registry import exercise

__all__ = ["FLATTEN_CASES", "check_flatten", "reference_flatten", "flatten_cases"]


def reference_flatten(x):
    """``nn.Flatten()`` of a numpy batch (N, C, H, W): rows (N, C * H * W) (chapter 8)."""
    return nn.Flatten()(mlcore.tensor(x)).data


def _channels_last(x):
    return x.transpose(0, 2, 3, 1).reshape(len(x), -1)


def _columns_first(x):
    return x.transpose(0, 1, 3, 2).reshape(len(x), -1)


def _batch_flattened_too(x):
    return x.reshape(-1)


def _channels_kept(x):
    return x.reshape(len(x), x.shape[1], -1)


def _one_image_per_channel(x):
    return x.reshape(len(x) * x.shape[1], -1)


FLATTEN_MISCONCEPTIONS = [
    Misconception(CHANNELS_LAST + " (the values laid out pixel by pixel, channels innermost)", _channels_last,
                  "PyTorch's batches are channels-first, (N, C, H, W), and Flatten keeps that order: all of "
                  "channel 0 row by row, then channel 1... Value (c, i, j) goes to position c*H*W + i*W + j. "
                  "x.reshape(len(x), -1) does exactly that."),
    Misconception("column by column instead of row by row", _columns_first,
                  "Row-major order: within a channel the last index (the column) runs fastest."),
    Misconception("the batch flattened too", _batch_flattened_too,
                  "Keep one row per image: the result has shape (N, C * H * W)."),
    Misconception("one row per channel", _one_image_per_channel,
                  "All the channels of an image go into one row: shape (N, C * H * W)."),
    Misconception("the channels kept as an axis: reshape(N, C, -1)", _channels_kept,
                  "That flattens each map but keeps (N, C, H * W): one vector per image means one -1 for "
                  "everything after the batch axis, x.reshape(N, -1)."),
]

# A batch of 2 with 3 channels of 2 x 2 (values numbered in order, so a wrong order is easy to
# read off); one image with 2 channels of 2 x 3 (not square, so rows and columns differ).
FLATTEN_CASES = [np.arange(24.0).reshape(2, 3, 2, 2), np.arange(12.0).reshape(1, 2, 2, 3)]


def flatten_cases(seed, count=3):
    """Hidden cases: random batches of random shapes."""
    rng = np.random.default_rng(seed)
    return [rng.normal(size=tuple(int(v) for v in rng.integers(1, 5, 4))) for _ in range(count)]


@exercise(answer=reference_flatten, misconceptions=FLATTEN_MISCONCEPTIONS, hidden_cases=flatten_cases)
def check_flatten(flatten, cases=FLATTEN_CASES):
    """Check ``flatten(x)`` for a batch x of shape (N, C, H, W)."""
    check_function(flatten, reference_flatten, cases, misconceptions=FLATTEN_MISCONCEPTIONS)
