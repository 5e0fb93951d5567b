"""The problems chapter 6's checks drive the learner's optimizer steps on.

Each gradient is a plain module-level function (so a grader can name it and
load it anywhere), wrapped in :class:`~mlcore.feedback.reference.Named` so
that a failure message shows ``grad=bowl_grad``. The bowl and Rosenbrock are
the chapter's own surfaces (:mod:`mlcore.surfaces`); the quartic is
elementwise, so it works on a parameter of any shape.
"""

import numpy as np

from ..surfaces import SURFACES
from .reference import Named

__all__ = ["BOWL", "QUARTIC", "ROSENBROCK", "bowl_grad", "quartic_grad", "rosenbrock_grad"]


def bowl_grad(theta):
    """The gradient ``H @ theta`` of chapter 3's bowl ``1/2 theta^T H theta`` (kappa = 10, L = 3)."""
    return SURFACES["bowl"].gradient(theta)


def rosenbrock_grad(theta):
    """The gradient of Rosenbrock's ``(1 - a)^2 + 100 (b - a^2)^2`` at ``theta = (a, b)``."""
    return SURFACES["rosenbrock"].gradient(theta)


def quartic_grad(theta):
    """The gradient ``theta**3 - theta + 0.3`` of ``sum(theta**4 / 4 - theta**2 / 2 + 0.3 theta)``, elementwise:
    a double well in every coordinate, for parameters of any shape."""
    theta = np.asarray(theta, dtype=np.float64)
    return theta**3 - theta + 0.3


BOWL = Named("bowl_grad", bowl_grad)
ROSENBROCK = Named("rosenbrock_grad", rosenbrock_grad)
QUARTIC = Named("quartic_grad", quartic_grad)
