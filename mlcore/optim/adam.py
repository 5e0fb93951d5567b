"""Adam: momentum and RMSprop combined, with bias correction (chapter 6)."""

import numbers

import numpy as np

from .optimizer import Optimizer, check_eps, check_flag, check_lr, check_weight_decay


class Adam(Optimizer):
    """Adam with PyTorch's defaults and update, like ``torch.optim.Adam`` (chapter 6).

    For each parameter theta with gradient grad, step number t = 1, 2, ... computes::

        g = grad + weight_decay * theta            # if weight_decay != 0 (an L2 penalty)
        m = beta1 * m + (1 - beta1) * g            # first moment: running mean of g
        v = beta2 * v + (1 - beta2) * g**2         # second moment: running mean of g**2
        if amsgrad:
            v_max = maximum(v_max, v)              # the largest second moment so far
            v = v_max
        m_hat = m / (1 - beta1**t)                 # bias correction: m and v start at 0
        v_hat = v / (1 - beta2**t)
        theta = theta - lr * m_hat / (sqrt(v_hat) + eps)

    ``m`` is momentum's velocity; dividing by ``sqrt(v_hat)`` gives every coordinate its
    own step size, as RMSprop does.

    Args:
        params: parameters, or dicts of parameter groups.
        lr: learning rate (default 1e-3).
        betas: decay rates (beta1, beta2) of the two running means, each in [0, 1)
            (default (0.9, 0.999)).
        eps: added to the denominator so that it is never zero (default 1e-8).
        weight_decay: L2 penalty added to the gradient (default 0); see ``AdamW`` for the
            decoupled version.
        amsgrad: divide by the largest second moment seen so far (default False).
    """

    # AdamW shrinks theta directly instead of adding weight_decay * theta to the gradient.
    _decoupled_weight_decay = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False):
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_lr(group["lr"], typical=0.001)
        check_eps(group["eps"], typical=1e-8)
        betas = group["betas"]
        if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
            raise ValueError(
                f"betas must be a pair (beta1, beta2), but got {betas!r}. "
                "The usual choice is betas=(0.9, 0.999)."
            )
        for i, beta in enumerate(betas):
            is_number = isinstance(beta, numbers.Real) and not isinstance(beta, bool)
            if not is_number or not 0.0 <= beta < 1.0:
                raise ValueError(
                    f"Invalid beta parameter at index {i}: {beta!r}. betas=(beta1, beta2) are "
                    "the decay rates of the running means of the gradient and of its square, "
                    "so each must be in [0, 1): with beta = 1 a running mean never takes in a "
                    "new gradient, and the bias correction 1 - beta**t would divide by zero. "
                    "The usual choice is betas=(0.9, 0.999)."
                )
        group["betas"] = tuple(betas)
        check_weight_decay(group["weight_decay"])
        check_flag(group["amsgrad"], "amsgrad",
                   "amsgrad=True divides by the largest second moment seen so far; the default "
                   "is amsgrad=False.")

    def _update(self, p, group):
        theta, g = p.data, p.grad
        lr, weight_decay, eps = group["lr"], group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        state = self.state[p]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(theta)
            state["exp_avg_sq"] = np.zeros_like(theta)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(theta)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        # Every intermediate is written into one scratch array, in place, so that a step
        # allocates nothing; the comments give the formula each block computes.
        scratch = self._buffer(theta, slot=1)

        state["step"] += 1
        t = state["step"]

        if weight_decay != 0:
            if self._decoupled_weight_decay:
                # AdamW: theta = theta - lr * weight_decay * theta
                theta *= 1 - lr * weight_decay
            else:
                # Adam: g = grad + weight_decay * theta
                g = self._with_weight_decay(theta, g, weight_decay)

        # m = beta1 * m + (1 - beta1) * g
        m *= beta1
        m += np.multiply(g, 1 - beta1, out=scratch)
        # v = beta2 * v + (1 - beta2) * g**2
        v *= beta2
        v += np.multiply(np.square(g, out=scratch), 1 - beta2, out=scratch)
        if group["amsgrad"]:
            # v = v_max = maximum(v_max, v)
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])

        # theta = theta - lr * m_hat / (sqrt(v_hat) + eps), with m_hat = m / (1 - beta1**t)
        # and v_hat = v / (1 - beta2**t), computed as PyTorch does:
        # theta = theta - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)
        step_size = lr / (1 - beta1**t)
        denominator = np.sqrt(v, out=scratch)
        denominator /= (1 - beta2**t) ** 0.5
        denominator += eps
        update = np.divide(m, denominator, out=scratch)
        update *= step_size
        theta -= update
