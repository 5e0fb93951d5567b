"""The losses whose gradients chapter 3's checks hand to the learner's gradient descent.

A case of ``gradient_descent(grad, theta0, lr, num_steps)`` passes a
function as ``grad``. Each is a plain module-level function (so a grader can
name it and load it anywhere), wrapped in :class:`~mlcore.feedback.reference.Named`
so that a failure message shows ``grad=square_grad``, not a memory address.
Each returns a new array and never changes its argument.
"""

import numpy as np

from .reference import Named

__all__ = ["BOWL", "DOUBLE_WELL", "SHIFTED", "SQUARE", "bowl_grad", "double_well_grad", "shifted_grad",
           "square_grad"]

BOWL_HESSIAN = np.diag([1.0, 10.0])
SHIFTED_MINIMUM = np.array([1.0, -2.0])


def square_grad(theta):
    """The gradient of ``f(theta) = sum(theta**2)``: ``2 * theta`` (curvature L = 2)."""
    return 2.0 * np.asarray(theta, dtype=np.float64)


def bowl_grad(theta):
    """The gradient of ``1/2 theta^T H theta`` with ``H = diag(1, 10)``: ``H @ theta`` (L = 10)."""
    return BOWL_HESSIAN @ np.asarray(theta, dtype=np.float64)


def shifted_grad(theta):
    """The gradient of ``sum((theta - [1, -2])**2)``: ``2 * (theta - [1, -2])``, minimum at [1, -2]."""
    return 2.0 * (np.asarray(theta, dtype=np.float64) - SHIFTED_MINIMUM)


def double_well_grad(theta):
    """The gradient of chapter 3's double well ``(theta**2 - 2)**2 / 4 + 0.3 * theta``:
    ``theta**3 - 2 * theta + 0.3``, elementwise."""
    theta = np.asarray(theta, dtype=np.float64)
    return theta**3 - 2.0 * theta + 0.3


SQUARE = Named("square_grad", square_grad)
BOWL = Named("bowl_grad", bowl_grad)
SHIFTED = Named("shifted_grad", shifted_grad)
DOUBLE_WELL = Named("double_well_grad", double_well_grad)
