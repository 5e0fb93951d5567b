"""RMSprop: a step size per coordinate from a running mean of squared gradients (chapter 6)."""

import numpy as np

from .optimizer import (Optimizer, check_eps, check_flag, check_lr, check_momentum,
                        check_non_negative, check_weight_decay)


class RMSprop(Optimizer):
    """RMSprop with PyTorch's defaults and update, like ``torch.optim.RMSprop`` (chapter 6).

    For each parameter theta with gradient grad, one ``step()`` computes::

        g = grad + weight_decay * theta                  # if weight_decay != 0
        v = alpha * v + (1 - alpha) * g**2               # running mean of squared gradients
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g      # running mean of gradients
            denominator = sqrt(v - g_avg**2) + eps       # ~ standard deviation of g
        else:
            denominator = sqrt(v) + eps                  # root mean square of g
        if momentum > 0:
            b = momentum * b + g / denominator
            theta = theta - lr * b
        else:
            theta = theta - lr * g / denominator

    Coordinates with large gradients take small steps and those with small gradients
    take large ones, which evens out progress along a narrow valley.

    Args:
        params: parameters, or dicts of parameter groups.
        lr: learning rate (default 1e-2).
        alpha: decay rate of the running mean of squared gradients (default 0.99).
        eps: added to the denominator so that it is never zero (default 1e-8).
        weight_decay: L2 penalty added to the gradient (default 0).
        momentum: momentum factor (default 0).
        centered: divide by an estimate of the gradient's variance instead of its
            second moment (default False).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False):
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_lr(group["lr"], typical=0.01)
        check_eps(group["eps"], typical=1e-8)
        check_momentum(group["momentum"])
        check_weight_decay(group["weight_decay"])
        check_non_negative(
            group["alpha"], "alpha value",
            "alpha is the decay rate of the running mean of squared gradients, so it must "
            "be >= 0 (the usual value is alpha=0.99).",
        )
        check_flag(group["centered"], "centered",
                   "centered=True divides by an estimate of the gradient's standard deviation; "
                   "the default is centered=False.")

    def _update(self, p, group):
        theta, g = p.data, p.grad
        lr, alpha = group["lr"], group["alpha"]
        state = self.state[p]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(theta)
            if group["momentum"] > 0:
                state["momentum_buffer"] = np.zeros_like(theta)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(theta)
        v = state["square_avg"]
        scratch = self._buffer(theta, slot=1)
        denominator = self._buffer(theta, slot=2)

        state["step"] += 1
        if group["weight_decay"] != 0:
            # g = grad + weight_decay * theta
            g = self._with_weight_decay(theta, g, group["weight_decay"])

        # v = alpha * v + (1 - alpha) * g**2
        v *= alpha
        v += np.multiply(np.square(g, out=scratch), 1 - alpha, out=scratch)
        if group["centered"]:
            # g_avg = alpha * g_avg + (1 - alpha) * g
            g_avg = state["grad_avg"]
            g_avg *= alpha
            g_avg += np.multiply(g, 1 - alpha, out=scratch)
            # denominator = sqrt(v - g_avg**2) + eps
            variance = np.subtract(v, np.square(g_avg, out=scratch), out=denominator)
            np.sqrt(variance, out=denominator)
        else:
            # denominator = sqrt(v) + eps
            np.sqrt(v, out=denominator)
        denominator += group["eps"]

        if group["momentum"] > 0:
            # b = momentum * b + g / denominator;  theta = theta - lr * b
            b = state["momentum_buffer"]
            b *= group["momentum"]
            b += np.divide(g, denominator, out=scratch)
            theta -= np.multiply(b, lr, out=scratch)
        else:
            # theta = theta - lr * g / denominator
            update = np.divide(g, denominator, out=scratch)
            update *= lr
            theta -= update
