"""``nn.Conv2d``: a layer of small kernels that slide over images (chapter 8)."""

import numpy as np

from .functional._checks import flag, float_dtype, pair, size
from .functional.conv import conv2d
from .linear import init_weight_and_bias
from .module import Module
from .parameter import Parameter

__all__ = ["Conv2d"]


class Conv2d(Module):
    """2-D convolution with `out_channels` kernels of size `kernel_size`, as ``torch.nn.Conv2d``.

    ``weight`` has shape (out_channels, in_channels, kh, kw) and ``bias``
    (out_channels,), initialised as PyTorch does: uniform in ±1/sqrt(fan_in)
    with fan_in = in_channels * kh * kw. `kernel_size`, `stride` and
    `padding` take an int or a pair (height, width).
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True,
                 dtype=None):
        super().__init__()
        self.in_channels = size("in_channels", in_channels)
        self.out_channels = size("out_channels", out_channels)
        self.kernel_size = pair("kernel_size", kernel_size)
        self.stride = pair("stride", stride)
        self.padding = pair("padding", padding, minimum=0)
        bias = flag("Conv2d", "bias", bias, "bias=False builds the layer without a bias.")
        dtype = float_dtype("Conv2d", dtype)
        shape = (out_channels, in_channels) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        self.register_parameter(
            "bias", Parameter(np.empty(out_channels, dtype=dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw new kernels and biases from PyTorch's default distributions."""
        init_weight_and_bias(self.weight, self.bias)

    def forward(self, input):
        return conv2d(input, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.bias is None:
            text += ", bias=False"
        return text
