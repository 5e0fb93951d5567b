"""Learning-rate schedules: change an optimizer's lr as training goes on (chapter 3).

Like ``torch.optim.lr_scheduler``: build a schedule on an optimizer, then call
``scheduler.step()`` once per epoch, after ``optimizer.step()``. Creating a schedule
counts as epoch 0; after n calls to ``step()``, ``last_epoch`` is n and
``get_last_lr()`` gives the learning rate of every parameter group for the next epoch.
"""

import math
import numbers

from .optimizer import Optimizer, check_non_negative


class LRScheduler:
    """Base class: subclasses compute the new learning rates in ``get_lr()``.

    It writes them into ``optimizer.param_groups[i]["lr"]`` and remembers each group's
    starting rate in ``group["initial_lr"]`` (``base_lrs``), as PyTorch does.
    ``last_epoch=-1`` starts a new schedule; a larger value resumes one, which needs
    ``"initial_lr"`` in every group (restore the optimizer's ``state_dict`` first).
    """

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__} needs an mlcore optimizer such as "
                f"mlcore.optim.SGD(params, lr=0.1), but got {type(optimizer).__name__}."
            )
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        f"resuming a schedule with last_epoch={last_epoch}. Resuming needs the "
                        "optimizer's saved state: call optimizer.load_state_dict(saved) first, "
                        "or use last_epoch=-1 to start a new schedule."
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        # The first step only records the current rates (PyTorch's "initial step").
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self):
        """The learning rate of every parameter group for epoch ``last_epoch``."""
        raise NotImplementedError

    def get_last_lr(self):
        """The learning rates the last ``step()`` set, one per parameter group."""
        return self._last_lr

    def step(self):
        """Advance one epoch and write the new learning rates into the optimizer."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]


def _check_epochs(value, name, meaning):
    """Refuse ``value`` unless it is a whole number > 0 (a numpy integer counts, a bool does not)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{name} must be a positive whole number of epochs, but got {value!r}. "
                         f"{meaning}")


def _check_gamma(gamma, what_it_does, typical):
    """Refuse a ``gamma`` that is not a real number >= 0 (a string would fail only at step 1)."""
    check_non_negative(gamma, "gamma", f"{what_it_does}: use a number >= 0 (below 1 the lr "
                                       f"falls), e.g. gamma={typical}.")


class LambdaLR(LRScheduler):
    """lr = initial_lr * lr_lambda(epoch), like PyTorch's ``LambdaLR`` (chapter 3).

    ``lr_lambda`` is a function of the epoch number, or a list of such functions,
    one per parameter group.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        groups = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != groups:
                raise ValueError(
                    f"Expected {groups} lr_lambdas, but got {len(lr_lambda)}. Give one "
                    "function per parameter group, or a single function for all of them."
                )
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * groups
        for lmbda in self.lr_lambdas:
            if not callable(lmbda):
                raise TypeError(
                    f"lr_lambda must be a function of the epoch number, but got {lmbda!r} "
                    f"(type {type(lmbda).__name__}). LambdaLR sets lr = initial_lr * "
                    "lr_lambda(epoch), e.g. lr_lambda=lambda epoch: 0.95 ** epoch."
                )
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base_lr * lmbda(self.last_epoch)
                for lmbda, base_lr in zip(self.lr_lambdas, self.base_lrs)]


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs, like PyTorch's ``StepLR`` (ch. 3).

    lr(epoch) = initial_lr * gamma ** (epoch // step_size), computed step by step.
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        _check_epochs(step_size, "step_size", "StepLR multiplies the lr by gamma every "
                                              "step_size epochs, e.g. step_size=30.")
        _check_gamma(gamma, "StepLR multiplies the lr by gamma every step_size epochs", 0.1)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every epoch, like PyTorch's ``ExponentialLR`` (chapter 3).

    lr(epoch) = initial_lr * gamma ** epoch, computed step by step.
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        _check_gamma(gamma, "ExponentialLR multiplies the lr by gamma every epoch", 0.95)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    """Lower the lr along half a cosine from initial_lr to ``eta_min`` in ``T_max`` epochs (ch. 3).

    The target is
    ``lr(epoch) = eta_min + (initial_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``;
    like PyTorch, each step reaches it recursively from the current lr::

        lr = eta_min + (lr - eta_min) * (1 + cos(pi * epoch / T_max))
                                      / (1 + cos(pi * (epoch - 1) / T_max))

    so a change made to the lr by other code carries on. After ``T_max`` epochs the lr
    climbs back up along the cosine, as PyTorch's does.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        _check_epochs(T_max, "T_max", "It is the number of epochs the lr takes to fall to "
                                      "eta_min, e.g. T_max=num_epochs.")
        check_non_negative(eta_min, "eta_min", "It is the lowest learning rate the cosine "
                                               "reaches, so it must be >= 0 (0.0 by default): "
                                               "a negative lr climbs the loss.")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        epoch, T_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if (epoch - 1 - T_max) % (2 * T_max) == 0:
            # At the bottom of the cosine the recursion would divide by 1 + cos(pi) = 0.
            return [lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
                    for base_lr, lr in zip(self.base_lrs, self._current_lrs())]
        return [(1 + math.cos(math.pi * epoch / T_max))
                / (1 + math.cos(math.pi * (epoch - 1) / T_max))
                * (lr - eta_min) + eta_min
                for lr in self._current_lrs()]
