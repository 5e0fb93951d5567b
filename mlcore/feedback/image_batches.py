"""Check for chapter 8's debugging exercise: ``prepare_batch(images)`` turns image files' pixels into the
network's input.

Images as files store them, ``uint8`` of shape (N, H, W, C) with values 0 to
255 (channels last), become float64 of shape (N, C, H, W) in [0, 1]. The
exercise shows a version with the classic bug, ``reshape`` where a
``transpose`` is needed: it runs, and it cuts the pixels into the wrong
images. The reference is ``np.transpose(images, (0, 3, 1, 2)) / 255``
(``torch.permute``'s order).
"""

import numpy as np

from .checks import Misconception, check_function
from .pooling import CHANNELS_LAST
from .registry import exercise

__all__ = ["RESHAPED_NOT_TRANSPOSED", "BATCH_CASES", "check_prepare_batch", "reference_prepare_batch", "batch_cases"]

RESHAPED_NOT_TRANSPOSED = "reshape instead of transpose (the values cut anew, not the axis moved)"


def reference_prepare_batch(images):
    """A channels-last ``uint8`` batch (N, H, W, C) as channels-first floats (N, C, H, W) in [0, 1] (chapter 8)."""
    return np.transpose(images, (0, 3, 1, 2)) / 255.0


def _reshaped(images):
    n, h, w, c = images.shape
    return images.reshape(n, c, h, w) / 255.0


def _height_and_width_swapped(images):
    return np.transpose(images, (0, 3, 2, 1)) / 255.0


def _wrong_direction(images):
    # (0, 2, 3, 1) is the inverse permutation, channels-first to channels-last.
    return np.transpose(images, (0, 2, 3, 1)) / 255.0


def _not_scaled(images):
    return np.transpose(images, (0, 3, 1, 2)).astype(np.float64)


def _floor_divided(images):
    return np.transpose(images, (0, 3, 1, 2)) // 255


BATCH_MISCONCEPTIONS = [
    Misconception(RESHAPED_NOT_TRANSPOSED, _reshaped,
                  "reshape keeps the values in their order in memory and only cuts them anew: pixel after "
                  "pixel, (R, G, B, R, G, B, ...), so 'channel 0' gets the first third of the pixels' values, "
                  "mixed colours. np.transpose(images, (0, 3, 1, 2)) (x.permute(0, 3, 1, 2)) moves the "
                  "channel axis forward."),
    Misconception("height and width swapped: transpose(0, 3, 2, 1)", _height_and_width_swapped,
                  "That moves the channels forward but turns every image on its diagonal: keep height before "
                  "width, (0, 3, 1, 2)."),
    Misconception(CHANNELS_LAST + ": transpose(0, 2, 3, 1), the other direction", _wrong_direction,
                  "(0, 2, 3, 1) turns channels-first into channels-last. Axis i of the result is axis "
                  "axes[i] of the input: the channels, axis 3, come second: (0, 3, 1, 2)."),
    Misconception("the pixels not scaled to [0, 1]", _not_scaled, "Divide the 0 ... 255 values by 255."),
    Misconception("floor division // 255 (every pixel below 255 becomes 0)", _floor_divided,
                  "Divide with /, which gives floats: // on integers rounds down to whole numbers."),
]


def _visible_cases():
    # Height, width and channels all differ, so that every wrong order shows (with C = 1, reshape
    # and transpose would give the same array).
    rng = np.random.default_rng(8)
    return [(rng.integers(0, 256, (2, 4, 5, 3), dtype=np.uint8),), (rng.integers(0, 256, (1, 2, 6, 4), dtype=np.uint8),)]


BATCH_CASES = _visible_cases()


def batch_cases(seed, count=3):
    """Hidden cases: random uint8 batches with 2 to 4 channels and unequal sizes."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        h = int(rng.integers(2, 9))
        shape = (int(rng.integers(1, 4)), h, h + int(rng.integers(1, 4)), int(rng.integers(2, 5)))
        cases.append((rng.integers(0, 256, shape, dtype=np.uint8),))
    return cases


@exercise(answer=reference_prepare_batch, misconceptions=BATCH_MISCONCEPTIONS, hidden_cases=batch_cases)
def check_prepare_batch(prepare_batch, cases=BATCH_CASES):
    """Check ``prepare_batch(images)`` for a ``uint8`` batch (N, H, W, C)."""
    check_function(prepare_batch, reference_prepare_batch, cases, misconceptions=BATCH_MISCONCEPTIONS)
