"""Every check the exercises of chapter 5 (backpropagation) call, in one place.

A test cell of ``exercises/05_backpropagation.ipynb`` reads
``from mlcore.feedback.chapter05 import check_linear_backward`` and
``check_linear_backward(linear_backward)``.
"""

from .accumulation import check_grad_versus_backward, check_train_steps
from .deep_stack import check_layer_gradient_norms, check_sigmoid_ratio, sigmoid_problem
from .gradient_shapes import check_gradient_shapes
from .layer_gradients import check_linear_backward, check_relu_backward, check_sigmoid_backward
from .mlp_backward import check_mlp_backward

__all__ = [
    "check_linear_backward", "check_sigmoid_backward", "check_relu_backward", "check_mlp_backward",
    "check_gradient_shapes", "check_layer_gradient_norms", "check_sigmoid_ratio", "sigmoid_problem",
    "check_train_steps", "check_grad_versus_backward",
]
