"""``nn.Linear``: a fully connected layer, y = x @ W.T + b (chapters 5 and 7)."""

import math

import numpy as np

from . import init
from .functional._checks import flag, float_dtype, size
from .functional.linear import linear
from .module import Module
from .parameter import Parameter

__all__ = ["Linear"]


class Linear(Module):
    """Every output is a weighted sum of all inputs plus a bias, as ``torch.nn.Linear``.

    ``weight`` has shape (out_features, in_features) and ``bias`` (out_features,),
    PyTorch's order, so weights copy across in either direction. Both start
    uniform in [-1/sqrt(in_features), 1/sqrt(in_features)], PyTorch's default.
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        self.in_features = size("in_features", in_features)
        self.out_features = size("out_features", out_features)
        bias = flag("Linear", "bias", bias, "bias=False builds the layer without a bias.")
        dtype = float_dtype("Linear", dtype)
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        self.register_parameter(
            "bias", Parameter(np.empty(out_features, dtype=dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw new weights and biases from PyTorch's default distributions."""
        init_weight_and_bias(self.weight, self.bias)

    def forward(self, input):
        return linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


def init_weight_and_bias(weight, bias):
    """PyTorch's default for Linear and Conv2d: weight and bias uniform in ±1/sqrt(fan_in).

    The weight uses kaiming_uniform_ with a=sqrt(5), which works out to that
    bound; the bias then uses the same bound.
    """
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init.calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)
