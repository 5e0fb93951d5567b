"""``nn.MaxPool2d``: keep the largest value of each window, halving an image's size (chapter 8)."""

from .functional._checks import pair
from .functional.pooling import check_padding, max_pool2d
from .module import Module

__all__ = ["MaxPool2d"]


class MaxPool2d(Module):
    """Max over kh x kw windows, as ``torch.nn.MaxPool2d``; `stride` defaults to `kernel_size`."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        # Checked now, so a mistake shows where the layer is built; kept as given, so
        # that the printed layer reads as PyTorch's does.
        check_padding("MaxPool2d", pair("kernel_size", kernel_size),
                      pair("padding", padding, minimum=0))
        if stride is not None:
            pair("stride", stride)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def forward(self, input):
        return max_pool2d(input, self.kernel_size, self.stride, self.padding)

    def extra_repr(self):
        # dilation and ceil_mode are fixed at PyTorch's defaults; printed so the summaries match.
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation=1, ceil_mode=False")
