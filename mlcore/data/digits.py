"""Real images that ship with scikit-learn: the 1,797 handwritten digits of ``load_digits`` (chapter 8).

Each digit is 8 x 8 pixels of ink counts 0 ... 16 (UCI's optical digits,
bundled with scikit-learn, so nothing is downloaded). Chapter 8's network was
written for 32 x 32 images: three poolings take 32 to 4, and 64 channels of
4 x 4 are the 1024 inputs of its first Linear layer. :func:`digit_images`
therefore upsamples each digit by repeating every pixel in a 4 x 4 block
(nearest-neighbour), which adds no information but keeps the network exactly
as the article wrote it.
"""

import numbers

import numpy as np

__all__ = ["digit_images", "stratified_split"]

SOURCE_SIZE = 8


def digit_images(size=32, channels=1, dtype=np.float32):
    """``(X, y)``: the digits as images of shape (1797, channels, size, size), values in [0, 1], and
    their labels 0 ... 9 (chapter 8).

    ``size`` must be a multiple of 8: each pixel becomes a (size / 8) x (size / 8)
    block. ``channels=3`` repeats the grey image in three identical channels,
    the input an RGB network such as the CIFAR-10 one expects.
    """
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < SOURCE_SIZE \
            or size % SOURCE_SIZE:
        raise ValueError(f"size must be a multiple of {SOURCE_SIZE} (the digits are {SOURCE_SIZE}x"
                         f"{SOURCE_SIZE} and each pixel is repeated in a square block), e.g. 32; got {size!r}.")
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grey) or 3 (the grey image in each of R, G and B); "
                         f"got {channels!r}.")
    from sklearn.datasets import load_digits  # scikit-learn is part of the course's install

    digits = load_digits()
    factor = size // SOURCE_SIZE
    images = digits.images.astype(dtype) / 16.0  # ink counts 0 ... 16 -> [0, 1]
    images = images.repeat(factor, axis=1).repeat(factor, axis=2)[:, None]
    return np.ascontiguousarray(images.repeat(channels, axis=1)), digits.target.astype(np.int64)


def stratified_split(X, y, test_fraction=0.2, seed=0):
    """``(X_train, X_test, y_train, y_test)``: a seeded random split in which every class keeps its
    share in both parts (chapter 8), scikit-learn's ``train_test_split(..., stratify=y)``.

    With ten classes of about 180 images each, a plain random split could
    leave one digit rarer in the test set than in training; a stratified one
    cannot, so the test accuracy weighs every digit as the data does.
    """
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real) \
            or not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction is the share of samples held out for testing, strictly between "
                         f"0 and 1 (0.2 for an 80/20 split); got {test_fraction!r}.")
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=test_fraction, stratify=y, random_state=seed)
