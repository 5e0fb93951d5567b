"""Checks for chapter 3's learning-rate schedules: step decay, cosine annealing, and the rate of
every update when the schedule steps once per epoch.

The references run ``mlcore.optim.lr_scheduler`` (``StepLR``,
``CosineAnnealingLR``) on an ``mlcore.optim.SGD``, exactly as a training loop
would, and read the rate from ``optimizer.param_groups[0]["lr"]``; their
numbers equal ``torch.optim.lr_scheduler``'s (tests/test_feedback_gradient_descent.py).
"""

import math

import numpy as np

from ..nn.parameter import Parameter
from ..optim import SGD, lr_scheduler
from .checks import Misconception, check_function
from .registry import exercise

__all__ = ["COSINE_CASES", "COSINE_MISCONCEPTIONS", "RATES_CASES", "RATES_MISCONCEPTIONS", "STEP_CASES",
           "STEP_MISCONCEPTIONS", "check_cosine_lr", "check_rates_per_update", "check_step_decay",
           "cosine_cases", "rates_cases", "reference_cosine_lr", "reference_rates_per_update",
           "reference_step_decay", "schedule_cases"]


def _optimizer(lr0):
    return SGD([Parameter(np.zeros(1))], lr=lr0)


def _rate_at(scheduler, epoch):
    """The rate ``scheduler`` gives epoch ``epoch``: ``scheduler.step()`` once per epoch before it."""
    for _ in range(epoch):
        scheduler.optimizer.step()   # PyTorch's order: the optimizer first, then the schedule
        scheduler.step()
    return scheduler.optimizer.param_groups[0]["lr"]


# ---- step decay ---------------------------------------------------------------------------

def reference_step_decay(lr0, gamma, step_size, epoch):
    """The rate of epoch ``epoch`` under ``StepLR(step_size, gamma)`` from ``lr0``:
    ``lr0 * gamma ** (epoch // step_size)``."""
    return _rate_at(lr_scheduler.StepLR(_optimizer(lr0), step_size=step_size, gamma=gamma), epoch)


STEP_MISCONCEPTIONS = [
    Misconception("the schedule is off by one epoch (each decay comes one epoch early)",
                  lambda lr0, gamma, step_size, epoch: lr0 * gamma ** ((epoch + 1) // step_size),
                  "Epochs count from 0, and epoch 0 uses lr0: the first decay is at epoch = step_size, "
                  "lr0 * gamma ** (epoch // step_size)."),
    Misconception("the schedule is off by one epoch (each decay comes one epoch late)",
                  lambda lr0, gamma, step_size, epoch: lr0 * gamma ** (max(epoch - 1, 0) // step_size),
                  "Epoch step_size already uses the decayed rate: lr0 * gamma ** (epoch // step_size)."),
    Misconception("the rate decays every epoch (that is ExponentialLR)",
                  lambda lr0, gamma, step_size, epoch: lr0 * gamma ** epoch,
                  "Step decay keeps the rate for step_size epochs, then multiplies it by gamma: "
                  "gamma ** (epoch // step_size)."),
    Misconception("the decay was not rounded down to whole steps",
                  lambda lr0, gamma, step_size, epoch: lr0 * gamma ** (epoch / step_size),
                  "The rate stays flat within each block of step_size epochs: use the floor "
                  "division epoch // step_size."),
    Misconception("gamma multiplies the number of decays instead of being raised to it",
                  lambda lr0, gamma, step_size, epoch: lr0 * gamma * (epoch // step_size) if epoch >= step_size
                  else lr0,
                  "Each decay multiplies the rate by gamma once more: gamma ** (epoch // step_size)."),
]

# (lr0, gamma, step_size, epoch): the chapter's StepLR(10, 0.5) at epochs 0, 9, 10, 19, 20 and 25
# (the epochs around each decay tell an off-by-one apart), and a decay by 10 every 3 epochs.
STEP_CASES = [(0.1, 0.5, 10, e) for e in (0, 9, 10, 19, 20, 25)] + [(1.0, 0.1, 3, 7), (1.0, 0.1, 3, 2)]


def schedule_cases(seed, count=4):
    """Hidden cases ``(lr0, gamma, step_size, epoch)`` with random settings."""
    rng = np.random.default_rng(seed)
    return [(float(rng.uniform(0.01, 1.0)), float(rng.uniform(0.1, 0.9)), int(rng.integers(2, 8)),
             int(rng.integers(0, 40))) for _ in range(count)]


@exercise(answer=reference_step_decay, misconceptions=STEP_MISCONCEPTIONS, hidden_cases=schedule_cases)
def check_step_decay(step_decay, cases=STEP_CASES):
    """Check ``step_decay(lr0, gamma, step_size, epoch)`` against mlcore's ``StepLR``."""
    check_function(step_decay, reference_step_decay, cases, misconceptions=STEP_MISCONCEPTIONS)


# ---- cosine annealing ----------------------------------------------------------------------

def reference_cosine_lr(lr0, T_max, epoch, eta_min=0.0):
    """The rate of epoch ``epoch`` (0 ... T_max) under ``CosineAnnealingLR(T_max, eta_min)``:
    ``eta_min + (lr0 - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``."""
    return _rate_at(lr_scheduler.CosineAnnealingLR(_optimizer(lr0), T_max=T_max, eta_min=eta_min), epoch)


def _cosine(lr0, T_max, epoch, eta_min=0.0):
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * epoch / T_max)) / 2


COSINE_MISCONCEPTIONS = [
    Misconception("the schedule is off by one epoch (the rate of the next epoch)",
                  lambda lr0, T_max, epoch, eta_min=0.0: _cosine(lr0, T_max, epoch + 1, eta_min),
                  "Epoch 0 uses lr0 itself: cos(pi * 0 / T_max) = 1."),
    Misconception("the cosine was used without (1 + cos) / 2, so the rate turns negative",
                  lambda lr0, T_max, epoch, eta_min=0.0:
                      eta_min + (lr0 - eta_min) * math.cos(math.pi * epoch / T_max),
                  "(1 + cos(pi * epoch / T_max)) / 2 goes from 1 down to 0; cos alone goes to -1."),
    Misconception("eta_min was left out",
                  lambda lr0, T_max, epoch, eta_min=0.0: lr0 * (1 + math.cos(math.pi * epoch / T_max)) / 2,
                  "The rate falls from lr0 to eta_min, not to 0: eta_min + (lr0 - eta_min) * ..."),
    Misconception("a full cosine period was used (2 pi), so the rate comes back up by T_max",
                  lambda lr0, T_max, epoch, eta_min=0.0:
                      eta_min + (lr0 - eta_min) * (1 + math.cos(2 * math.pi * epoch / T_max)) / 2,
                  "Half a period: pi * epoch / T_max, from 0 to pi."),
]

# (lr0, T_max, epoch, eta_min): the chapter's cosine over 30 epochs at 0, 10, 15, 20 and 30, one
# with a floor eta_min, and one step in.
COSINE_CASES = ([(0.1, 30, e, 0.0) for e in (0, 10, 15, 20, 30)]
                + [(1.0, 10, 5, 0.1), (1.0, 10, 10, 0.1), (0.5, 4, 1, 0.0)])


def cosine_cases(seed, count=4):
    """Hidden cases ``(lr0, T_max, epoch, eta_min)`` with ``0 <= epoch <= T_max``."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        T_max = int(rng.integers(2, 50))
        cases.append((float(rng.uniform(0.01, 1.0)), T_max, int(rng.integers(0, T_max + 1)),
                      float(rng.choice([0.0, 1e-3]))))
    return cases


@exercise(answer=reference_cosine_lr, misconceptions=COSINE_MISCONCEPTIONS, hidden_cases=cosine_cases)
def check_cosine_lr(cosine_lr, cases=COSINE_CASES):
    """Check ``cosine_lr(lr0, T_max, epoch, eta_min=0.0)`` against mlcore's ``CosineAnnealingLR``."""
    check_function(cosine_lr, reference_cosine_lr, cases, misconceptions=COSINE_MISCONCEPTIONS)


# ---- the rate of every update ---------------------------------------------------------------

def reference_rates_per_update(lr0, gamma, step_size, num_epochs, batches_per_epoch):
    """The rate each update of a training run uses when ``StepLR(step_size, gamma)`` steps once per
    epoch, after the epoch's ``batches_per_epoch`` updates: an array of length
    ``num_epochs * batches_per_epoch``."""
    optimizer = _optimizer(lr0)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)
    rates = []
    for _ in range(num_epochs):
        for _ in range(batches_per_epoch):
            rates.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
        scheduler.step()
    return np.array(rates)


def _per_update(rate_of_update):
    def rates(lr0, gamma, step_size, num_epochs, batches_per_epoch):
        return np.array([rate_of_update(lr0, gamma, step_size, u, batches_per_epoch)
                         for u in range(num_epochs * batches_per_epoch)])
    return rates


RATES_MISCONCEPTIONS = [
    Misconception("the decay counted in steps instead of epochs (scheduler.step() after every update)",
                  _per_update(lambda lr0, gamma, step_size, u, b: lr0 * gamma ** (u // step_size)),
                  "step_size counts epochs: an update in epoch u // batches_per_epoch uses "
                  "lr0 * gamma ** (epoch // step_size). Call scheduler.step() once per epoch, after "
                  "the loop over the batches."),
    Misconception("the schedule is off by one epoch (scheduler.step() before the epoch's updates)",
                  _per_update(lambda lr0, gamma, step_size, u, b: lr0 * gamma ** ((u // b + 1) // step_size)),
                  "Epoch 0 trains with lr0; step the schedule at the end of each epoch, as PyTorch "
                  "does (optimizer.step() first, then scheduler.step())."),
    Misconception("the rate never changed (the schedule was never stepped)",
                  _per_update(lambda lr0, gamma, step_size, u, b: lr0),
                  "Call scheduler.step() at the end of every epoch."),
]

# (lr0, gamma, step_size, num_epochs, batches_per_epoch): 4 epochs of 3 updates with a decay every
# 2 epochs, and the chapter's StepLR(10, 0.5) over 12 epochs of 2 updates.
RATES_CASES = [(0.1, 0.5, 2, 4, 3), (0.1, 0.5, 10, 12, 2), (1.0, 0.1, 1, 3, 4)]


def rates_cases(seed, count=3):
    """Hidden cases ``(lr0, gamma, step_size, num_epochs, batches_per_epoch)``."""
    rng = np.random.default_rng(seed)
    return [(float(rng.uniform(0.01, 1.0)), float(rng.uniform(0.1, 0.9)), int(rng.integers(1, 5)),
             int(rng.integers(3, 12)), int(rng.integers(2, 9))) for _ in range(count)]


@exercise(answer=reference_rates_per_update, misconceptions=RATES_MISCONCEPTIONS, hidden_cases=rates_cases)
def check_rates_per_update(rates_per_update, cases=RATES_CASES):
    """Check ``rates_per_update(lr0, gamma, step_size, num_epochs, batches_per_epoch)``."""
    check_function(rates_per_update, reference_rates_per_update, cases,
                   misconceptions=RATES_MISCONCEPTIONS)
