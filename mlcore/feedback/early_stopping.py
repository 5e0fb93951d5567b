"""Check for chapter 7's early-stopping rule, a class ``EarlyStopping(patience)`` with
``step(val_loss, net) -> bool`` and ``restore(net)``.

The learner's class watches a scripted list of validation losses, one per
epoch, on a network whose single weight is set to the epoch's number (in
place, as an optimizer changes weights), so that the weight it restores
tells which epoch's weights it kept. The outcome is ``[the epoch it stopped
at, the weight after restore]``, which the driver :func:`stopping_outcome`
returns (under mlcore-grade the learner's class runs in its kernel); the
reference is :class:`mlcore.early_stopping.EarlyStopping`.
"""

import functools

import numpy as np

from .. import nn
from ..early_stopping import EarlyStopping as ReferenceEarlyStopping
from .checks import Misconception, check_function, driven, driven_misconceptions
from .registry import exercise

__all__ = ["KEEPS_LAST_WEIGHTS", "STOPPING_CASES", "STOPPING_MISCONCEPTIONS", "check_early_stopping",
           "stopping_cases", "stopping_outcome"]

KEEPS_LAST_WEIGHTS = "early stopping keeping the last weights instead of the best"


def stopping_outcome(early_stopping_class, val_losses, patience):
    """The driver: ``[stop epoch, restored weight]``: run ``early_stopping_class(patience)`` over ``val_losses``."""
    stopper = early_stopping_class(patience)
    net = nn.Linear(1, 1, bias=False)
    stopped = len(val_losses)
    for epoch, val_loss in enumerate(val_losses, start=1):
        net.weight.data[...] = epoch
        if stopper.step(val_loss, net):
            stopped = epoch
            break
    stopper.restore(net)
    return np.array([stopped, net.weight.data.item()], dtype=np.float64)


class _KeepsLastWeights(ReferenceEarlyStopping):
    def restore(self, net):
        return net


class _NeverResets(ReferenceEarlyStopping):
    def step(self, val_loss, net):
        bad = self.epochs_without_improvement
        super().step(val_loss, net)
        if self.epochs_without_improvement == 0:
            self.epochs_without_improvement = bad
        return self.epochs_without_improvement >= self.patience


class _ComparesWithPrevious(ReferenceEarlyStopping):
    def step(self, val_loss, net):
        self.epoch += 1
        previous, self.previous = getattr(self, "previous", np.inf), float(val_loss)
        if val_loss < previous:
            if val_loss < self.best_loss:
                self.best_loss, self.best_epoch, self.best_state = float(val_loss), self.epoch, net.state_dict()
            self.epochs_without_improvement = 0
        else:
            self.epochs_without_improvement += 1
        return self.epochs_without_improvement >= self.patience


class _IgnoresPatience(ReferenceEarlyStopping):
    def step(self, val_loss, net):
        super().step(val_loss, net)
        return self.epochs_without_improvement >= 1


class _OneTooMany(ReferenceEarlyStopping):
    def step(self, val_loss, net):
        super().step(val_loss, net)
        return self.epochs_without_improvement > self.patience


class _TiesImprove(ReferenceEarlyStopping):
    def step(self, val_loss, net):
        self.epoch += 1
        if val_loss <= self.best_loss:
            self.best_loss, self.best_epoch, self.best_state = float(val_loss), self.epoch, net.state_dict()
            self.epochs_without_improvement = 0
        else:
            self.epochs_without_improvement += 1
        return self.epochs_without_improvement >= self.patience


STOPPING_MISCONCEPTIONS = [
    Misconception(KEEPS_LAST_WEIGHTS, _KeepsLastWeights,
                  "When training stops, the network has spent `patience` epochs getting worse on the "
                  "validation data. Save a copy of the weights at every improvement "
                  "(self.best_state = net.state_dict()) and load it back in restore (net.load_state_dict). "
                  "A copy: p.data is the parameter's own array, which the next steps change in place "
                  "(in PyTorch, copy.deepcopy(net.state_dict()))."),
    Misconception("the count of epochs without improvement is not reset at an improvement",
                  _NeverResets,
                  "patience counts the epochs in a row without improvement: set the count back to 0 "
                  "whenever the validation loss improves."),
    Misconception("each loss was compared with the previous epoch's, not with the best so far",
                  _ComparesWithPrevious,
                  "A loss that goes down from a bad epoch may still be worse than the best one: compare "
                  "with self.best_loss."),
    Misconception("patience ignored: training stopped at the first epoch without improvement",
                  _IgnoresPatience,
                  "Stop only after `patience` epochs in a row without improvement; a noisy validation "
                  "loss often rises once and then falls again."),
    Misconception("stopped one epoch too late (more than patience epochs without improvement)",
                  _OneTooMany,
                  "Stop as soon as the count reaches patience: count >= patience."),
    Misconception("a loss equal to the best counted as an improvement", _TiesImprove,
                  "An improvement is a loss strictly below the best: val_loss < self.best_loss."),
]

# (val_losses, patience): the best at epoch 3, then three worse (stop at 6 with patience 3); a dip
# after a rise that is still above the best; a tie with the best; a new best that resets the count;
# a run that never stops (restore still loads the best).
STOPPING_CASES = [
    ([1.0, 0.8, 0.6, 0.7, 0.65, 0.9, 0.5], 3),
    ([1.0, 0.5, 0.9, 0.7, 0.8, 0.6, 0.4], 4),
    ([0.9, 0.5, 0.5, 0.6, 0.55], 2),
    ([1.0, 0.7, 0.8, 0.6, 0.65, 0.7, 0.9, 0.2], 3),
    ([1.0, 0.9, 0.95, 0.8, 0.85], 3),
]


def stopping_cases(seed, count=4):
    """Hidden cases: random noisy falling-then-rising validation losses and patiences."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        epochs = np.arange(1, int(rng.integers(8, 25)) + 1)
        losses = 1.0 / epochs + 0.01 * epochs + rng.normal(0.0, 0.03, len(epochs))
        cases.append(([float(v) for v in losses], int(rng.integers(1, 5))))
    return cases


@exercise(answer=ReferenceEarlyStopping, misconceptions=STOPPING_MISCONCEPTIONS, hidden_cases=stopping_cases)
def check_early_stopping(EarlyStopping, cases=STOPPING_CASES):  # noqa: N803 -- the class the learner wrote
    """Check the class ``EarlyStopping(patience)``: when ``step`` says stop, and which weights ``restore`` loads."""
    check_function(driven(stopping_outcome, EarlyStopping), functools.partial(stopping_outcome, ReferenceEarlyStopping),
                   cases, name="EarlyStopping", misconceptions=driven_misconceptions(stopping_outcome,
                                                                                    STOPPING_MISCONCEPTIONS))
