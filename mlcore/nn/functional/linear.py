"""``F.linear``: the affine map x @ W.T + b of a fully connected layer (chapters 5 and 7).

One fused operation instead of a matmul, a transpose and an add: the forward
pass and the three gradient formulas of backpropagation sit side by side.
"""

import numpy as np

from ...tensor import Tensor
from ._checks import require_same_dtype, require_tensors

__all__ = ["linear"]


def linear(input, weight, bias=None):
    """Return ``input @ weight.T + bias``, as ``torch.nn.functional.linear``.

    `input` has shape (..., in_features) (usually (batch, in_features)), `weight`
    (out_features, in_features) and `bias` (out_features,). With g the gradient
    of the output, backpropagation (chapter 5) gives
    grad_input = g @ W, grad_weight = g.T @ x and grad_bias = g summed over the batch.
    """
    require_tensors("linear", input, weight, bias)
    x, w = input.data, weight.data
    _check_weight_and_bias(input, weight, bias)
    try:
        out = x @ w.T
    except ValueError:  # numpy checks the sizes anyway; say which layer size to change
        raise ValueError(_feature_mismatch(x.shape, w.shape)) from None
    if bias is None:
        parents = (input, weight)
    else:
        out += bias.data
        parents = (input, weight, bias)

    def backward(g):
        # Every leading dimension (batch, sequence, ...) holds examples: flatten them
        # into rows. A batch (N, in_features) already is rows, and needs no reshape.
        g_rows, x_rows = (g, x) if g.ndim == 2 else (_as_rows(g), _as_rows(x))
        grad_x = g @ w if input.requires_grad else None
        grad_w = g_rows.T @ x_rows if weight.requires_grad else None
        if bias is None:
            return grad_x, grad_w
        return grad_x, grad_w, g_rows.sum(0) if bias.requires_grad else None

    return Tensor.from_op(out, parents, "linear", backward)


def _as_rows(a):
    return a.reshape(-1, a.shape[-1])


def _check_weight_and_bias(input, weight, bias):
    """Refuse a weight that is not a matrix of the input's dtype, or a bias that does not fit it."""
    w_shape = weight.data.shape
    if len(w_shape) != 2:
        raise ValueError(
            f"linear(): the weight must be a matrix of shape (out_features, in_features), one "
            f"row per output feature, but it has shape {w_shape}. For a single output, use "
            "shape (1, in_features)."
        )
    require_same_dtype("linear", input, weight)
    if bias is not None and bias.data.shape != w_shape[:1]:
        raise ValueError(
            f"linear(): bias of shape {bias.data.shape} does not fit weight of shape {w_shape}: "
            f"it needs one entry per output feature, shape ({w_shape[0]},)."
        )


def _feature_mismatch(x_shape, w_shape):
    out_features, in_features = w_shape
    message = (
        f"linear(): input of shape {x_shape} does not fit weight of shape {w_shape}. The weight "
        f"of a Linear layer is (out_features, in_features), so it expects inputs whose last "
        f"dimension is {in_features}"
    )
    if not x_shape:
        return message + ", but the input is a single number (0-d). Give it a shape, e.g. (1, 1)."
    message += f", but the input's last dimension is {x_shape[-1]}."
    if len(x_shape) > 2 and int(np.prod(x_shape[1:])) == in_features:
        return message + " Did you forget to flatten the images first (nn.Flatten())?"
    return message + (
        f" Build the layer with in_features={x_shape[-1]}, or check the output size of the "
        f"layer before it."
    )
