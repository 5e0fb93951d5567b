"""Sliding windows over a batch of images: im2col / col2im behind conv2d and max_pool2d (chapter 8).

A convolution or a pooling layer looks at every kh x kw window of every image.
``windows`` shows them all at once as a numpy view (no copy), so a layer
becomes one big matrix product or one running maximum, with no Python loop
over the output positions. ``im2col`` copies that view into a matrix with one
column per window; ``col2im`` is its backward: it adds each window's gradient
back onto the pixels the window covered. Overlapping windows share pixels, so
a pixel collects gradient from every window it appears in.

Inside these functions images are stored batch-last, (C, H, W, N), although
the layers take and return PyTorch's (N, C, H, W): then a window row of all N
images is one contiguous run of memory, which makes the copies and the
kh * kw shifted additions several times faster than on (N, C, H, W) rows of a
few pixels. Layers return (N, C, H, W) views of batch-last arrays, so the
next layer finds its input already batch-last and copies nothing.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def output_size(fn, input_shape, kernel_size, stride, padding):
    """(out_h, out_w) of a kernel sliding over an (N, C, H, W) input, PyTorch's formula."""
    (_, _, h, w), (kh, kw), (sh, sw), (ph, pw) = input_shape, kernel_size, stride, padding
    if kh > h + 2 * ph or kw > w + 2 * pw:
        raise ValueError(
            f"{fn}(): the {kh}x{kw} kernel does not fit in the input of height {h} and width "
            f"{w} (padded by {ph}, {pw}). Use a smaller kernel, more padding or larger images "
            f"(earlier pooling layers may have shrunk them)."
        )
    return (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1


def batch_last(x, padding, fill):
    """`x` (N, C, H, W) as a contiguous (C, H + 2 ph, W + 2 pw, N) array, bordered by `fill`."""
    (ph, pw), moved = padding, x.transpose(1, 2, 3, 0)
    if not (ph or pw):
        return np.ascontiguousarray(moved)  # no copy if x is a view of a batch-last array
    c, h, w, n = moved.shape
    shape = (c, h + 2 * ph, w + 2 * pw, n)
    # Zeros come from the system already zeroed, so only -inf borders need a pass of writes.
    padded = np.zeros(shape, x.dtype) if fill == 0 else np.full(shape, fill, x.dtype)
    padded[:, ph:ph + h, pw:pw + w] = moved
    return padded


def batch_first(x, padding):
    """Undo ``batch_last``: drop the border of (C, H', W', N) and view it as (N, C, H, W)."""
    (ph, pw), (_, h, w, _) = padding, x.shape
    return x[:, ph:h - ph, pw:w - pw].transpose(3, 0, 1, 2)


def windows(x, kernel_size, stride):
    """View of every window of a batch-last `x` (C, H, W, N): shape (C, out_h, out_w, N, kh, kw)."""
    (sh, sw) = stride
    return sliding_window_view(x, kernel_size, axis=(1, 2))[:, ::sh, ::sw]


def im2col(padded, kernel_size, stride):
    """Every window of a batch-last `padded` (C, H', W', N) as a column: (C * kh * kw, out_h * out_w * N).

    Row (c, i, j) holds pixel (i, j) of channel c of every window, so the
    flattened kernels (out_channels, C * kh * kw) times this matrix is the
    convolution: one matrix product for the whole batch. It is one copy of
    the ``windows`` view; the copy is what a matrix product needs.
    """
    c, (kh, kw) = padded.shape[0], kernel_size
    return windows(padded, kernel_size, stride).transpose(0, 4, 5, 1, 2, 3).reshape(c * kh * kw, -1)


def col2im(grad_columns, padded_shape, kernel_size, stride, out_size):
    """The backward of ``im2col``: sum column gradients onto a zero (C, H', W', N) image.

    `grad_columns` has ``im2col``'s shape. One vectorized add per position
    inside the window (kh * kw of them, never a loop over the windows):
    position (i, j) of every window lands on rows i, i + sh, ... and columns
    j, j + sw, ... of the padded input.
    """
    (kh, kw), (out_h, out_w) = kernel_size, out_size
    c, n = padded_shape[0], padded_shape[3]
    grad_columns = grad_columns.reshape(c, kh, kw, out_h, out_w, n)
    grad = np.zeros(padded_shape, dtype=grad_columns.dtype)
    for i, j, rows, cols in offsets(kernel_size, stride, out_size):
        grad[:, rows, cols] += grad_columns[:, i, j]
    return grad


def offsets(kernel_size, stride, out_size):
    """For each position (i, j) inside the window: the rows and columns it visits in all windows."""
    (kh, kw), (sh, sw), (out_h, out_w) = kernel_size, stride, out_size
    for i in range(kh):
        for j in range(kw):
            rows = slice(i, i + sh * (out_h - 1) + 1, sh)
            yield i, j, rows, slice(j, j + sw * (out_w - 1) + 1, sw)
