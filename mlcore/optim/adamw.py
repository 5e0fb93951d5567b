"""AdamW: Adam with weight decay applied to the parameters, not the gradient (chapter 6)."""

from .adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay, like ``torch.optim.AdamW`` (chapter 6).

    Step t first shrinks the parameter, then takes Adam's step computed from the plain
    gradient, so the decay does not pass through the running means ``m`` and ``v``::

        theta = theta - lr * weight_decay * theta
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        if amsgrad:
            v_max = maximum(v_max, v)
            v = v_max
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        theta = theta - lr * m_hat / (sqrt(v_hat) + eps)

    With Adam's L2 penalty, a parameter with large squared gradients is divided back and
    barely decays; here every parameter decays at the same rate ``lr * weight_decay``.

    Args:
        params: parameters, or dicts of parameter groups.
        lr: learning rate (default 1e-3).
        betas: decay rates (beta1, beta2) of the two running means, each in [0, 1)
            (default (0.9, 0.999)).
        eps: added to the denominator so that it is never zero (default 1e-8).
        weight_decay: decay rate of the parameters (default 1e-2, PyTorch's).
        amsgrad: divide by the largest second moment seen so far (default False).
    """

    _decoupled_weight_decay = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)
