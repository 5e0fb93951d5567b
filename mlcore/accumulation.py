"""Gradients add up across ``backward()`` calls: a training loop with and without ``zero_grad()`` (chapter 5).

``backward()`` adds each new gradient into ``.grad`` (the ``+=`` that makes
fan-out right, chapter 4). A loop that never clears ``.grad`` therefore
steps along the *sum* of every gradient so far instead of the current one.
:func:`train` runs chapter 3's regression of disease progression on body-mass
index, ``y_hat = w * bmi + b`` (an ``nn.Linear(1, 1)`` with the MSE and
``optim.SGD``), with the loop written either way, and records what the
chapter plots: the loss and ``w.grad`` at every step.
"""

from dataclasses import dataclass

import numpy as np

from . import nn, optim
from .data.diabetes import bmi_regression
from .factories import tensor
from .nn import functional as F

__all__ = ["START", "TrainingRun", "bmi_data", "train"]

START = (-1.0, 1.5)  # (w, b) before the first step, as in chapter 3
LIMIT = 1e6          # a loss above this counts as diverged, and the run stops


def bmi_data():
    """``(X, y)`` as tensors of shape (442, 1): standardised body-mass index and disease progression."""
    X, y = bmi_regression()
    return tensor(X[:, :1]), tensor(y.reshape(-1, 1))


@dataclass
class TrainingRun:
    """``losses[k]`` and ``grads[k]`` (``w.grad`` as the step used it) at step ``k``, ``weights[k]``
    the ``(w, b)`` the step started from; ``diverged_at`` the step whose loss passed the limit
    (None if none did)."""

    zero_grad: bool
    losses: np.ndarray
    grads: np.ndarray
    weights: np.ndarray
    diverged_at: object = None


def train(lr, num_steps, zero_grad=True, data=None):
    """``num_steps`` steps of SGD at ``lr`` on ``data`` (default :func:`bmi_data`), from
    :data:`START`, calling ``opt.zero_grad()`` before each ``backward()`` or, with
    ``zero_grad=False``, never: the :class:`TrainingRun`."""
    X, y = bmi_data() if data is None else data
    net = nn.Linear(1, 1)
    net.load_state_dict({"weight": np.array([[START[0]]]), "bias": np.array([START[1]])})
    opt = optim.SGD(net.parameters(), lr=lr)
    losses, grads, weights = [], [], []
    diverged_at = None
    for step in range(num_steps):
        if zero_grad:
            opt.zero_grad()
        weights.append((net.weight.item(), net.bias.item()))
        loss = F.mse_loss(net(X), y)
        if not loss.item() < LIMIT:
            diverged_at = step
            break
        loss.backward()
        losses.append(loss.item())
        grads.append(float(net.weight.grad[0, 0]))
        opt.step()
    return TrainingRun(zero_grad, np.array(losses), np.array(grads), np.array(weights[:len(losses)]),
                       diverged_at)
