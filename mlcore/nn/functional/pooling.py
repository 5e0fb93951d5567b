"""``F.max_pool2d``: the largest value of every window (chapter 8).

Only the maximum of a window reaches the output, so only it receives
gradient; the other pixels of the window get none.
"""

import numpy as np

from ...tensor import Tensor
from ._checks import pair, require_tensor
from ._windows import batch_first, batch_last, offsets, output_size, windows

__all__ = ["max_pool2d"]


def max_pool2d(input, kernel_size, stride=None, padding=0):
    """Max over kh x kw windows of (N, C, H, W) or (C, H, W), as ``torch.nn.functional.max_pool2d``.

    `stride` defaults to `kernel_size` (windows side by side); `padding` adds
    -inf borders, so a padded pixel never wins. The gradient goes to the first
    maximum of each window in row-major order, the pixel PyTorch picks at a tie
    (and, as in PyTorch, a nan in a window is its maximum).
    """
    require_tensor("max_pool2d", "input", input)
    if input.ndim == 3:  # one image, as PyTorch allows
        return max_pool2d(input.unsqueeze(0), kernel_size, stride, padding).squeeze(0)
    kernel_size = pair("kernel_size", kernel_size)
    stride = kernel_size if stride is None else pair("stride", stride)
    padding = pair("padding", padding, minimum=0)
    _check_images(input)
    check_padding("max_pool2d()", kernel_size, padding)
    x = input.data
    out_size = output_size("max_pool2d", x.shape, kernel_size, stride, padding)
    padded = batch_last(x, padding, -np.inf)
    candidates = [windows(padded, kernel_size, stride)[..., i, j]
                  for i, j, _, _ in offsets(kernel_size, stride, out_size)]
    out = candidates[0].copy()
    for candidate in candidates[1:]:
        np.maximum(out, candidate, out=out)  # a nan is the maximum of its window, as in PyTorch
    # Windows side by side (stride >= kernel) share no pixel: each gradient is written, not added.
    overlap = stride[0] < kernel_size[0] or stride[1] < kernel_size[1]

    def backward(g):
        g = g.transpose(1, 2, 3, 0)  # batch-last, like `out`
        grad = np.zeros(padded.shape, dtype=g.dtype)
        targets = [grad[:, rows, cols] for _, _, rows, cols in offsets(kernel_size, stride, out_size)]
        for target, won in zip(targets, _winners(candidates, out)):
            if overlap:
                target += g * won
            else:
                np.multiply(g, won, out=target)
        return (batch_first(grad, padding),)

    return Tensor.from_op(batch_first(out, (0, 0)), (input,), "max_pool2d", backward)


def _winners(candidates, out):
    """For each position of the window, in order: where that position holds the window's winner.

    PyTorch's rule: going through the positions in row-major order, a value
    replaces the maximum so far if it is greater or nan. So the first maximum
    wins a tie, and in a window holding a nan (whose maximum is nan) the last
    nan wins. Every window has exactly one winner.
    """
    won = [np.equal(candidate, out) for candidate in candidates]
    taken = won[0].copy()
    for w in won[1:]:
        np.greater(w, taken, out=w)  # won here, and at no earlier position
        taken |= w
    nan_windows = ~taken  # only a nan equals nothing, itself included
    if nan_windows.any():
        for candidate, w in zip(reversed(candidates), reversed(won)):
            last_nan = np.isnan(candidate) & nan_windows
            w |= last_nan
            nan_windows &= ~last_nan
    return won


def check_padding(fn, kernel_size, padding):
    """Refuse padding over half the kernel, as PyTorch does (``nn.MaxPool2d`` checks it too)."""
    limit = (kernel_size[0] // 2, kernel_size[1] // 2)
    if padding[0] > limit[0] or padding[1] > limit[1]:
        raise ValueError(
            f"{fn}: padding {padding} must be at most half the kernel size {kernel_size}, as in "
            f"PyTorch; otherwise a window could hold only padding. Use a padding of at most "
            f"{limit} (height, width), or a larger kernel."
        )


def _check_images(input):
    if input.ndim != 4:
        raise ValueError(
            f"max_pool2d(): expected a batch of images of shape (N, C, H, W) or one image "
            f"(C, H, W), but got an input of shape {input.shape}."
        )
