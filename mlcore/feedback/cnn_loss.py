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

from .checks import CheckFailed, Misconception, check_choice, check_function, choice_misconceptions
from .registry import exercise
from .unanswered import answered

__all__ = ["SOFTMAX_BEFORE_CROSS_ENTROPY", "FLOOR_MISCONCEPTIONS", "FLOOR_CASES", "LOSS_CASES", "LOSS_OPTIONS",
           "check_training_loss", "check_loss_for_digits", "check_softmax_floor", "reference_training_loss",
           "loss_cases", "floor_cases", "softmax_floor"]

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


def _per_sample(logits, y):
    return F.cross_entropy(mlcore.tensor(logits), mlcore.tensor(y), reduction="none").data


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
    Misconception("the loss of every sample, not their mean (reduction='none')", _per_sample,
                  "training_loss returns one number, the mean over the batch: the default reduction='mean' "
                  "(and .item() to get a float); reduction='none' gives a vector of N losses."),
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


# The wrong option that is the softmax mistake carries its shared name, so that the class report
# counts it with the same mistake in training_loss and in build_net.
_CHOICES = choice_misconceptions(LOSS_OPTIONS, "cross_entropy")
_CHOSE_SOFTMAX = next(m.name for m in _CHOICES if m.variant == "softmax_then_cross_entropy")
LOSS_CHOICE_MISCONCEPTIONS = [Misconception(SOFTMAX_BEFORE_CROSS_ENTROPY, m.variant, m.hint)
                              if m.name == _CHOSE_SOFTMAX else m for m in _CHOICES]


@exercise(answer="cross_entropy", misconceptions=LOSS_CHOICE_MISCONCEPTIONS)
def check_loss_for_digits(answer):
    """Check the name of the loss to train the digit classifier with, one of ``LOSS_OPTIONS`` (None: not answered yet)."""
    try:
        check_choice(answered(answer), "cross_entropy", name="loss_for_digits", explanations=LOSS_OPTIONS)
    except CheckFailed as failure:
        if failure.misconception == _CHOSE_SOFTMAX:
            raise CheckFailed(str(failure), SOFTMAX_BEFORE_CROSS_ENTROPY, failure.counterexample) from None
        raise


def softmax_floor(num_classes):
    """The smallest value of CrossEntropyLoss(softmax(z), y) for ``num_classes`` classes (chapter 8): z = +inf
    for the true class and -inf elsewhere make the softmax (1, 0, ..., 0), whose softmax is
    (e, 1, ..., 1) / (e + C - 1), so the loss is -log(e / (e + C - 1)) = log(e + C - 1) - 1."""
    return float(np.log(np.e + num_classes - 1) - 1.0)


def _no_floor(num_classes):
    return 0.0


def _uniform_guess(num_classes):
    return float(np.log(num_classes))


def _one_over_e(num_classes):
    return 1.0


def _minus_log_e_forgotten(num_classes):
    return float(np.log(np.e + num_classes - 1))


def _true_class_counted_twice(num_classes):
    return float(np.log(np.e + num_classes) - 1.0)


def _ten_classes_always(num_classes):
    return softmax_floor(10)


FLOOR_MISCONCEPTIONS = [
    Misconception("the extra softmax changes nothing (the loss can still reach 0)", _no_floor,
                  "The probabilities of the softmax lie in [0, 1]; a second softmax of them can at best give "
                  "the true class e / (e + C - 1), never 1."),
    Misconception("log C, the loss of a uniform guess", _uniform_guess,
                  "log C is the loss of a network that gives every class 1 / C. Here the network is sure and "
                  "right: the softmax (1, 0, ..., 0) goes into the second softmax, which gives the true class "
                  "e / (e + C - 1)."),
    Misconception("-log(1 / e) = 1: the true class's probability taken as 1 / e", _one_over_e,
                  "The second softmax divides e by the sum of all C exponentials, e + C - 1, not by e."),
    Misconception("the -log e forgotten: log(e + C - 1) (2.4612 for ten classes)", _minus_log_e_forgotten,
                  "-log(e / (e + C - 1)) = log(e + C - 1) - log e = log(e + C - 1) - 1: the numerator e "
                  "contributes the - 1."),
    Misconception("the sum taken as e + C (the true class counted again among the ones)", _true_class_counted_twice,
                  "The C - 1 wrong classes give e^0 = 1 each and the true class e^1 = e: the sum is e + C - 1."),
    Misconception("the value for ten classes, whatever num_classes", _ten_classes_always,
                  "Write the floor as a formula of num_classes: it grows with the number of classes."),
]

# Two classes (the smallest), three, the digits' ten, and many.
FLOOR_CASES = [(2,), (3,), (10,), (1000,)]


def floor_cases(seed, count=4):
    """Hidden cases: random class counts from 2 to 500."""
    return [(int(c),) for c in np.random.default_rng(seed).integers(2, 501, count)]


@exercise(answer=softmax_floor, misconceptions=FLOOR_MISCONCEPTIONS, hidden_cases=floor_cases)
def check_softmax_floor(softmax_floor_answer, cases=FLOOR_CASES):
    """Check ``softmax_floor(num_classes)``: the lowest loss with a softmax before CrossEntropyLoss."""
    # atol 5e-5: a number typed to four decimals (the chapter's 1.4612) is still recognised as one.
    check_function(softmax_floor_answer, softmax_floor, cases, misconceptions=FLOOR_MISCONCEPTIONS,
                   name="softmax_floor", atol=5e-5)
