"""Gradient descent, optionally with momentum (chapter 3; momentum in chapter 6)."""

import numpy as np

from .optimizer import (Optimizer, check_flag, check_lr, check_momentum, check_number,
                        check_weight_decay)


class SGD(Optimizer):
    """Gradient descent with PyTorch's defaults and update, like ``torch.optim.SGD`` (chapter 3).

    For each parameter theta with gradient grad, one ``step()`` computes::

        g = grad + weight_decay * theta                      # if weight_decay != 0
        if momentum != 0:
            b = g                                            # first step
            b = momentum * b + (1 - dampening) * g           # later steps
            g = g + momentum * b  if nesterov  else  b
        theta = theta - lr * g

    Without momentum this is plain gradient descent, theta <- theta - lr * grad
    (chapter 3); ``b`` is the velocity that momentum keeps (chapter 6).

    Args:
        params: parameters, or dicts of parameter groups.
        lr: learning rate (default 1e-3, PyTorch's).
        momentum: fraction of the previous velocity kept (default 0).
        dampening: how much of the new gradient is damped when added to the velocity (default 0).
        weight_decay: L2 penalty added to the gradient (default 0).
        nesterov: Nesterov momentum, which steps along the gradient plus the look-ahead
            ``momentum * b``; needs ``momentum > 0`` and ``dampening == 0`` (default False).
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_lr(group["lr"], typical=0.01)
        check_momentum(group["momentum"])
        check_weight_decay(group["weight_decay"])
        check_number(group["dampening"], "dampening",
                     "dampening scales the new gradient added to the velocity by "
                     "(1 - dampening); 0, the default, leaves it whole.")
        check_flag(group["nesterov"], "nesterov",
                   "nesterov=True looks ahead along the velocity; the default is "
                   "nesterov=False (classical momentum).")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening, but got "
                f"momentum={group['momentum']} and dampening={group['dampening']}. Nesterov "
                "looks ahead along the velocity, so there must be one: pass momentum > 0 "
                "(e.g. momentum=0.9) and leave dampening=0, or set nesterov=False."
            )

    def _update(self, p, group):
        theta, g = p.data, p.grad
        scaled = self._buffer(theta, slot=1)
        if group["weight_decay"] != 0:
            # g = grad + weight_decay * theta
            g = self._with_weight_decay(theta, g, group["weight_decay"])
        if group["momentum"] != 0:
            # g = b, or g + momentum * b for Nesterov, after updating the velocity b
            g = self._momentum_direction(p, g, group, scaled)
        # theta = theta - lr * g
        theta -= np.multiply(g, group["lr"], out=scaled)

    def _momentum_direction(self, p, g, group, scaled):
        """Update the velocity b of ``p`` and return the direction to step along (chapter 6)."""
        momentum = group["momentum"]
        state = self.state[p]
        b = state.get("momentum_buffer")
        if b is None:
            # b = g on the first step
            state["momentum_buffer"] = b = np.array(g, dtype=p.data.dtype)
        else:
            # b = momentum * b + (1 - dampening) * g
            b *= momentum
            b += np.multiply(g, 1 - group["dampening"], out=scaled)
        if not group["nesterov"]:
            return b
        # g + momentum * b: the gradient plus a look ahead along the velocity
        direction = np.multiply(b, momentum, out=scaled)
        direction += g
        return direction
