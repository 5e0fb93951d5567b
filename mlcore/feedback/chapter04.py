"""Every check the exercises of chapter 4 (the chain rule and computational graphs) call, in one place.

A test cell of ``exercises/04_chain_rule_and_graphs.ipynb`` reads
``from mlcore.feedback.chapter04 import check_composite_slope`` and
``check_composite_slope(composite_slope)``.
"""

from .backward_rules import check_second_backward, check_swish_backward
from .chain_rule import FUNCTIONS, check_composite_slope, check_fan_out, check_local_gradients
from .graph_order import GRAPHS, check_backward_order
from .numerical_gradients import check_numerical_grad, check_step_sizes
from .value_class import check_value_class

__all__ = [
    "FUNCTIONS", "GRAPHS", "check_composite_slope", "check_local_gradients", "check_fan_out",
    "check_numerical_grad", "check_step_sizes", "check_backward_order", "check_value_class",
    "check_swish_backward", "check_second_backward",
]
