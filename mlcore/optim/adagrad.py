"""Adagrad: a step size per coordinate from the sum of all squared gradients (chapter 6)."""

import numpy as np

from .optimizer import Optimizer, check_eps, check_lr, check_non_negative, check_weight_decay


class Adagrad(Optimizer):
    """Adagrad with PyTorch's defaults and update, like ``torch.optim.Adagrad`` (chapter 6).

    For each parameter theta with gradient grad, step number t = 1, 2, ... computes::

        g = grad + weight_decay * theta                  # if weight_decay != 0
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s = s + g**2                                     # s starts at initial_accumulator_value
        theta = theta - lr_t * g / (sqrt(s) + eps)

    The sum ``s`` only grows, so every coordinate's step only shrinks: fast at first,
    then ever more cautious (RMSprop replaces the sum by a running mean).

    Args:
        params: parameters, or dicts of parameter groups.
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay per step (default 0).
        weight_decay: L2 penalty added to the gradient (default 0).
        initial_accumulator_value: starting value of the sum of squared gradients (default 0).
        eps: added to the denominator so that it is never zero (default 1e-10).
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10):
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
        }
        super().__init__(params, defaults)

    def add_param_group(self, param_group):
        """Add a parameter group; as in PyTorch, Adagrad creates its state right away."""
        super().add_param_group(param_group)
        for p in param_group["params"]:
            self.state[p]["step"] = 0
            self.state[p]["sum"] = np.full_like(p.data, param_group["initial_accumulator_value"])

    def _check_hyperparameters(self, group):
        check_lr(group["lr"], typical=0.01)
        check_non_negative(
            group["lr_decay"], "lr_decay value",
            "lr_decay shrinks the learning rate as lr / (1 + (t - 1) * lr_decay), so it must "
            "be >= 0 (0 keeps the learning rate constant).",
        )
        check_weight_decay(group["weight_decay"])
        check_non_negative(
            group["initial_accumulator_value"], "initial_accumulator_value value",
            "It is the starting value of the sum of squared gradients, whose square root "
            "is taken, so it must be >= 0 (the default is 0).",
        )
        check_eps(group["eps"], typical=1e-10)

    def _update(self, p, group):
        theta, g = p.data, p.grad
        state = self.state[p]
        s = state["sum"]
        scratch = self._buffer(theta, slot=1)

        state["step"] += 1
        lr_t = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        if group["weight_decay"] != 0:
            # g = grad + weight_decay * theta
            g = self._with_weight_decay(theta, g, group["weight_decay"])

        # s = s + g**2
        s += np.square(g, out=scratch)
        # theta = theta - lr_t * g / (sqrt(s) + eps)
        denominator = np.sqrt(s, out=scratch)
        denominator += group["eps"]
        update = np.divide(g, denominator, out=scratch)
        update *= lr_t
        theta -= update
