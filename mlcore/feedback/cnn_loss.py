"""Checks for chapter 8's choice of loss: which loss trains the digit classifier, on what, and what an
extra softmax does to it.

``training_loss(logits, y)`` must be the mean cross-entropy of the logits
(N, 10) against class indices, PyTorch's ``CrossEntropyLoss``; the variants
are the classic substitutes. ``loss_for_digits`` is a choice among named
options, each with its reason.
"""

import numpy as np

import mlcore
import mlcore.nn.functional as F

from .checks import Misconception, check_choice, check_function, check_value, choice_misconceptions
from .registry import exercise

__all__ = ["SOFTMAX_BEFORE_CROSS_ENTROPY", "FLOOR_MISCONCEPTIONS", "LOSS_CASES", "LOSS_OPTIONS", "check_training_loss",
           "check_loss_for_digits", "check_softmax_floor", "reference_training_loss", "loss_cases",
           "softmax_floor"]

SOFTMAX_BEFORE_CROSS_ENTROPY = "the softmax applied before CrossEntropyLoss"


def reference_training_loss(logits, y):
    """``F.cross_entropy(logits, y)``: mean softmax cross-entropy of logits (N, C) and class indices (chapter 8)."""
    return F.cross_entropy(mlcore.tensor(logits), mlcore.tensor(y)).item()


def _softmax_first(logits, y):
    return F.cross_entropy(F.softmax(mlcore.tensor(logits), dim=1), mlcore.tensor(y)).item()


def _mse_on_one_hot(logits, y):
    return float(np.mean((logits - np.eye(logits.shape[1])[y]) ** 2))


def _mse_on_probabilities(logits, y):
    p = F.softmax(mlcore.tensor(logits), dim=1).data
    return float(np.mean((p - np.eye(logits.shape[1])[y]) ** 2))


def _summed(logits, y):
    return reference_training_loss(logits, y) * len(y)


def _negative_log_of_logits(logits, y):
    return F.nll_loss(mlcore.tensor(logits), mlcore.tensor(y)).item()


LOSS_MISCONCEPTIONS = [
    Misconception(SOFTMAX_BEFORE_CROSS_ENTROPY, _softmax_first,
                  "F.cross_entropy (nn.CrossEntropyLoss) applies log_softmax to its input itself. Give it the "
                  "raw logits: a softmax before it squeezes them into [0, 1], the loss can no longer reach "
                  "0 and its gradients shrink."),
    Misconception("the squared error against one-hot labels", _mse_on_one_hot,
                  "The targets are classes, not numbers: cross-entropy on the logits (chapter 2)."),
    Misconception("the squared error of the probabilities", _mse_on_probabilities,
                  "Through a softmax the squared error's gradient fades on confident mistakes; cross-entropy's "
                  "does not (chapter 2)."),
    Misconception("the loss summed, not averaged", _summed,
                  "CrossEntropyLoss averages over the batch (reduction='mean')."),
    Misconception("nll_loss on the logits, without log_softmax", _negative_log_of_logits,
                  "nll_loss expects log-probabilities; cross_entropy = nll_loss(log_softmax(logits))."),
]


def _visible_cases():
    rng = np.random.default_rng(8)
    # Ten classes, as for the digits; a batch of one; confident logits, where an extra softmax
    # changes the loss most.
    return [(rng.normal(size=(4, 10)), np.array([3, 0, 9, 3])), (np.array([[2.0, -1.0, 0.5]]), np.array([0])),
            (rng.normal(0.0, 8.0, (3, 10)), np.array([1, 1, 7]))]


LOSS_CASES = _visible_cases()


def loss_cases(seed, count=3):
    """Hidden cases: random logits for ten classes and random labels."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(0.0, 3.0, (n, 10)), rng.integers(0, 10, n)) for n in rng.integers(1, 20, count)]


@exercise(answer=reference_training_loss, misconceptions=LOSS_MISCONCEPTIONS, hidden_cases=loss_cases)
def check_training_loss(training_loss, cases=LOSS_CASES):
    """Check ``training_loss(logits, y)`` for logits (N, C) and class indices y (N,)."""
    check_function(training_loss, reference_training_loss, cases, misconceptions=LOSS_MISCONCEPTIONS)


LOSS_OPTIONS = {
    "cross_entropy": "ten classes, one true per image: CrossEntropyLoss on the network's ten logits, which "
                     "applies log_softmax itself.",
    "softmax_then_cross_entropy": f"that is {SOFTMAX_BEFORE_CROSS_ENTROPY}: CrossEntropyLoss already applies "
                                  "log_softmax, so the probabilities would be softmaxed twice; the loss could "
                                  "not go below 1.46 for ten classes and its gradients shrink.",
    "mse": "the squared error treats the class index, or a one-hot vector, as a number to regress; through a "
           "softmax its gradient fades on confident mistakes.",
    "binary_cross_entropy": "binary cross-entropy treats each digit as an independent yes/no question, but "
                            "exactly one digit is true: softmax cross-entropy makes the ten probabilities "
                            "sum to 1.",
}


@exercise(answer="cross_entropy", misconceptions=choice_misconceptions(LOSS_OPTIONS, "cross_entropy"))
def check_loss_for_digits(answer):
    """Check the name of the loss to train the digit classifier with, one of ``LOSS_OPTIONS``."""
    check_choice(answer, "cross_entropy", name="loss_for_digits", explanations=LOSS_OPTIONS)


def softmax_floor(num_classes=10):
    """The smallest value of CrossEntropyLoss(softmax(z), y): z = +inf for the true class and -inf elsewhere
    make the softmax (1, 0, ..., 0), whose softmax is (e, 1, ..., 1) / (e + C - 1)."""
    return float(np.log(np.e + num_classes - 1) - 1.0)


FLOOR_MISCONCEPTIONS = [
    Misconception("the extra softmax changes nothing (the loss can still reach 0)", 0.0,
                  "The probabilities of the softmax lie in [0, 1]; a second softmax of them can at best be "
                  "e / (e + 9) for the true class, never 1."),
    Misconception("log 10, the loss of a uniform guess", float(np.log(10.0)),
                  "A uniform guess is the worst a sure network can be pushed back to; the best, with the "
                  "softmax (1, 0, ..., 0) going in, is -log(e / (e + 9))."),
    Misconception("-log(1 / e) = 1: the true class's probability taken as 1 / e", 1.0,
                  "The second softmax divides e by the sum of all ten exponentials, e + 9, not by e."),
]


@exercise(answer=softmax_floor(10), misconceptions=FLOOR_MISCONCEPTIONS)
def check_softmax_floor(value):
    """Check the predicted floor of the loss with an extra softmax, for ten classes."""
    check_value(value, softmax_floor(10), name="softmax_floor", misconceptions=FLOOR_MISCONCEPTIONS)
