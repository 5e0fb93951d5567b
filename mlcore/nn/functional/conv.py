"""``F.conv2d``: a 2-D convolution as one matrix product (chapter 8).

im2col: copy every kh x kw window of every image into a column, then one
matrix product with the flattened kernels computes all outputs at once.
Its backward pass is two more matrix products: one gives the kernels'
gradient, the other the windows' gradient, which col2im folds back onto the
pixels. With stride 1 that second product and its fold are one convolution of
the output gradient with the flipped kernels: the gradient of a
cross-correlation (what every framework's "convolution" computes) is a true
convolution.
"""

from ...tensor import Tensor
from ._checks import pair, require_same_dtype, require_tensors
from ._windows import batch_first, batch_last, col2im, im2col, output_size

__all__ = ["conv2d"]


def conv2d(input, weight, bias=None, stride=1, padding=0):
    """Cross-correlate a batch of images with kernels, as ``torch.nn.functional.conv2d``.

    `input` (N, C, H, W) or a single image (C, H, W); `weight`
    (out_channels, C, kh, kw); `bias` (out_channels,). `stride` and `padding`
    (zeros) take an int or a pair (height, width). Output:
    (N, out_channels, (H + 2 * padding - kh) // stride + 1, ...).
    """
    require_tensors("conv2d", input, weight, bias)
    if input.ndim == 3:  # one image, as PyTorch allows
        return conv2d(input.unsqueeze(0), weight, bias, stride, padding).squeeze(0)
    stride, padding = pair("stride", stride), pair("padding", padding, minimum=0)
    _check(input, weight, bias)
    x, w = input.data, weight.data
    n = x.shape[0]
    out_channels, _, kh, kw = w.shape
    out_h, out_w = output_size("conv2d", x.shape, (kh, kw), stride, padding)
    padded = batch_last(x, padding, 0)
    padded_shape = padded.shape
    # One column per output pixel (of every image), one row per weight of a kernel.
    columns = im2col(padded, (kh, kw), stride)
    del padded  # the backward pass needs the columns, not the image
    kernels = w.reshape(out_channels, -1)
    out = kernels @ columns
    if bias is None:
        parents = (input, weight)
    else:
        out += bias.data[:, None]
        parents = (input, weight, bias)

    def backward(g):
        g_rows = g.transpose(1, 2, 3, 0).reshape(out_channels, -1)  # to the layout of `out`
        grad_x = grad_w = None
        if input.requires_grad:
            grad_x = _input_gradient(g, g_rows, w, kernels, stride, padding, padded_shape)
        if weight.requires_grad:
            grad_w = (g_rows @ columns.T).reshape(w.shape)
        if bias is None:
            return grad_x, grad_w
        return grad_x, grad_w, g_rows.sum(1) if bias.requires_grad else None

    out = batch_first(out.reshape(out_channels, out_h, out_w, n), (0, 0))
    return Tensor.from_op(out, parents, "conv2d", backward)


def _input_gradient(g, g_rows, w, kernels, stride, padding, padded_shape):
    """The gradient of the images: the output gradient `g` (N, out_channels, out_h, out_w) sent
    back through every window, (N, C, H, W).

    Each window's gradient is kernels.T @ g_rows, summed onto the pixels it
    covered (col2im). With stride 1 the same sum is itself a convolution: of
    `g`, padded by kh - 1 - padding, with the kernels flipped in both
    directions and in and out channels swapped: one im2col and one matrix
    product whose result has the size of the images, not of all the windows,
    so one pass over a large array is saved. Strided layers take col2im.
    """
    out_channels, c, kh, kw = w.shape
    (ph, pw), (_, _, out_h, out_w) = padding, g.shape
    if stride == (1, 1) and ph < kh and pw < kw:
        flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(c, out_channels * kh * kw)
        border = (kh - 1 - ph, kw - 1 - pw)
        grad = flipped @ im2col(batch_last(g, border, 0), (kh, kw), stride)
        return batch_first(grad.reshape(c, padded_shape[1] - 2 * ph, padded_shape[2] - 2 * pw, -1),
                           (0, 0))
    grad = col2im(kernels.T @ g_rows, padded_shape, (kh, kw), stride, (out_h, out_w))
    return batch_first(grad, padding)


def _check(input, weight, bias):
    x_shape, w_shape = input.data.shape, weight.data.shape
    if len(w_shape) != 4:
        raise ValueError(
            f"conv2d(): weight must have shape (out_channels, in_channels, kh, kw), but got "
            f"{w_shape}."
        )
    if len(x_shape) != 4:
        raise ValueError(
            f"conv2d(): expected a batch of images of shape (N, C, H, W) or one image (C, H, W), "
            f"but got an input of shape {x_shape}. Reshape flat rows back into images, e.g. "
            f"x.reshape(-1, {w_shape[1]}, height, width)."
        )
    if x_shape[1] != w_shape[1]:
        hint = (
            " The input looks channels-last (N, H, W, C); move the channels forward with "
            "x.permute(0, 3, 1, 2)." if x_shape[3] == w_shape[1] else
            f" Build the layer with in_channels={x_shape[1]}, or check the layer before it."
        )
        raise ValueError(
            f"conv2d(): expected {w_shape[1]} input channels, got {x_shape[1]}: the input has "
            f"shape {x_shape} (N, C, H, W) and the weight {w_shape} "
            f"(out_channels, in_channels, kh, kw).{hint}"
        )
    require_same_dtype("conv2d", input, weight)
    if bias is not None and bias.data.shape != w_shape[:1]:
        raise ValueError(
            f"conv2d(): bias of shape {bias.data.shape} does not fit weight of shape {w_shape}: "
            f"it needs one entry per output channel, shape ({w_shape[0]},)."
        )
