"""Checks for chapter 2's cross-entropy: softmax, softmax cross-entropy, its gradient
``(p - y) / N`` with respect to the logits, and binary cross-entropy.

The cases include logits of size 1000, where a softmax that does not subtract
the largest logit overflows (``exp(1000)`` is inf) and a loss that takes
``log`` of rounded probabilities meets ``log(0)``. References come from
mlcore: ``softmax``, ``nn.functional.cross_entropy`` with probability
targets, ``binary_cross_entropy`` and autograd.
"""

import numpy as np

from ..ops import softmax as mlcore_softmax
from .checks import Misconception, check_function
from ..nn import functional as F
from .cases import (BINARY_CASES, CROSS_ENTROPY_CASES, SOFTMAX_CASES, classification_cases,
                    probability_cases)
from .reference import gradient_of, value_of
from .registry import exercise


def _rows(x):
    return np.shape(x)[0]


def _naive_softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def _stable_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# ---- softmax ------------------------------------------------------------------

def reference_softmax(logits):
    """mlcore's softmax over the last axis (each row sums to 1)."""
    return value_of(mlcore_softmax, logits, dim=-1)


_OVERFLOW_HINT = ("exp(1000) overflows to inf, and inf / inf is nan. Subtract each row's largest logit "
                  "first: softmax(x) = softmax(x - max(x)), and the largest exponent becomes exp(0) = 1.")

SOFTMAX_MISCONCEPTIONS = [
    Misconception("the max was not subtracted", _naive_softmax, _OVERFLOW_HINT),
    Misconception("the largest logit of the whole batch was subtracted, not each row's",
                  lambda logits: _naive_softmax(logits - logits.max()),
                  "A row whose logits are all far below the batch's largest becomes 0 / 0; "
                  "subtract logits.max(axis=1, keepdims=True)."),
    Misconception("each column was normalised instead of each row",
                  lambda logits: np.exp(logits) / np.exp(logits).sum(axis=0, keepdims=True),
                  "Every row is one sample: sum over axis=1 with keepdims=True."),
    Misconception("the whole batch was normalised at once",
                  lambda logits: np.exp(logits) / np.exp(logits).sum(),
                  "Each row (sample) must sum to 1 on its own: sum over axis=1 with keepdims=True."),
    Misconception("exp was skipped",
                  lambda logits: logits / logits.sum(axis=-1, keepdims=True),
                  "Raw scores can be negative; exp makes them positive before normalising."),
]


@exercise(answer=reference_softmax, misconceptions=SOFTMAX_MISCONCEPTIONS,
          hidden_cases=lambda seed: [(logits,) for logits, _ in classification_cases(seed)])
def check_softmax(softmax, cases=SOFTMAX_CASES):
    """Check ``softmax(logits)``, row by row, against mlcore's, including logits of size 1000."""
    check_function(softmax, reference_softmax, cases, misconceptions=SOFTMAX_MISCONCEPTIONS)


# ---- softmax cross-entropy -------------------------------------------------------

def reference_cross_entropy(logits, y):
    """mlcore's ``cross_entropy`` of logits against probability (one-hot) targets, averaged over rows."""
    return value_of(F.cross_entropy, logits, y)


CROSS_ENTROPY_MISCONCEPTIONS = [
    Misconception("the max was not subtracted",
                  lambda logits, y: -np.sum(y * np.log(_naive_softmax(logits))) / _rows(logits),
                  _OVERFLOW_HINT + " With the max subtracted, log-softmax is "
                  "(x - m) - log(sum(exp(x - m))), with m the row's largest logit."),
    Misconception("log was taken of probabilities instead of logits",
                  lambda logits, y: -np.sum(y * np.log(_stable_softmax(logits))) / _rows(logits),
                  "A probability that rounds to 0 gives log(0) = -inf, although the true log-probability "
                  "(-1000, say) is finite. Compute log-softmax from the logits: "
                  "(x - m) - log(sum(exp(x - m))), with m the row's largest logit."),
    Misconception("the softmax was skipped: log was taken of the raw logits",
                  lambda logits, y: -np.sum(y * np.log(logits)) / _rows(logits),
                  "This is the mistake of the source article that chapter 2.10 quotes, "
                  "-mean(y * log(y_pred)) on scores that are not probabilities: log of a negative score "
                  "is nan. Turn logits into log-probabilities with log-softmax first."),
    Misconception("the sum was not averaged",
                  lambda logits, y: -np.sum(y * _log_softmax(logits)),
                  "Cross-entropy is averaged over the N samples (rows), as PyTorch's reduction='mean'."),
    Misconception("the sign is wrong",
                  lambda logits, y: np.sum(y * _log_softmax(logits)) / _rows(logits),
                  "log p is negative or 0, so H = -sum(y * log p) needs the minus to be a loss >= 0."),
    Misconception("the mean was taken over all N * C entries, not over the N samples",
                  lambda logits, y: -np.mean(y * _log_softmax(logits)),
                  "Sum over the classes of each row, then average over the rows."),
    Misconception("softmax was applied before the cross-entropy, so the probabilities went through a second softmax",
                  lambda logits, y: -np.sum(y * _log_softmax(_stable_softmax(logits))) / _rows(logits),
                  "Chapter 2.4: the softmax cross-entropy takes the logits themselves; its log-softmax "
                  "is the only softmax. Probabilities between 0 and 1 softmaxed again come out nearly "
                  "uniform, and the loss barely depends on the model."),
]


@exercise(answer=reference_cross_entropy, misconceptions=CROSS_ENTROPY_MISCONCEPTIONS,
          hidden_cases=classification_cases)
def check_softmax_cross_entropy(softmax_cross_entropy, cases=CROSS_ENTROPY_CASES):
    """Check ``softmax_cross_entropy(logits, y)`` (one-hot ``y``) against mlcore's ``cross_entropy``."""
    check_function(softmax_cross_entropy, reference_cross_entropy, cases,
                   misconceptions=CROSS_ENTROPY_MISCONCEPTIONS)


# ---- its gradient with respect to the logits ---------------------------------------

def reference_cross_entropy_grad(logits, y):
    """d loss / d logits by mlcore's autograd: ``(softmax(logits) - y) / N``."""
    return gradient_of(F.cross_entropy, logits, np.asarray(y, dtype=np.float64))


CROSS_ENTROPY_GRAD_MISCONCEPTIONS = [
    Misconception("the sum was not averaged",
                  lambda logits, y: _stable_softmax(logits) - y,
                  "The loss is a mean over the N rows, so its gradient is (p - y) / N."),
    Misconception("the sign is wrong",
                  lambda logits, y: (y - _stable_softmax(logits)) / _rows(logits),
                  "Raising the true class's logit lowers the loss, so that entry of the gradient is "
                  "negative: p - y, not y - p."),
    Misconception("the max was not subtracted",
                  lambda logits, y: (_naive_softmax(logits) - y) / _rows(logits), _OVERFLOW_HINT),
    Misconception("the gradient is for the wrong loss ((logits - y) / N belongs to a squared error "
                  "on the raw scores)",
                  lambda logits, y: (logits - y) / _rows(logits),
                  "Through the softmax, cross-entropy's gradient is (softmax(logits) - y) / N: the "
                  "probabilities, not the scores, are compared with y."),
    Misconception("the gradient is with respect to the probabilities, not the logits",
                  lambda logits, y: -y / _stable_softmax(logits) / _rows(logits),
                  "-y / p is d loss / d p; the chain rule through the softmax turns it into p - y "
                  "(divided by N)."),
    Misconception("the log-sum-exp term was left out",
                  lambda logits, y: -y / _rows(logits),
                  "-log p_t = -x_t + log(sum(exp(x))), and the second term's derivative is the softmax p."),
    Misconception("the - y is missing: p / N was returned",
                  lambda logits, y: _stable_softmax(logits) / _rows(logits),
                  "-log p_t = -x_t + log(sum(exp(x))): the log-sum-exp term gives p, and the -x_t term "
                  "gives -y. The gradient is (p - y) / N, which is 0 when the model is right."),
]


@exercise(answer=reference_cross_entropy_grad, misconceptions=CROSS_ENTROPY_GRAD_MISCONCEPTIONS,
          hidden_cases=classification_cases)
def check_cross_entropy_grad(cross_entropy_grad, cases=CROSS_ENTROPY_CASES):
    """Check ``cross_entropy_grad(logits, y)`` against mlcore's autograd: ``(p - y) / N``."""
    check_function(cross_entropy_grad, reference_cross_entropy_grad, cases,
                   misconceptions=CROSS_ENTROPY_GRAD_MISCONCEPTIONS)


# ---- binary cross-entropy ------------------------------------------------------------

def reference_binary_cross_entropy(p, y):
    """mlcore's ``binary_cross_entropy`` of probabilities ``p`` against labels ``y``."""
    return value_of(F.binary_cross_entropy, p, y)


BINARY_MISCONCEPTIONS = [
    Misconception("the (1 - y) * log(1 - p) term is missing",
                  lambda p, y: -np.mean(y * np.log(p)),
                  "With only y * log p, every negative example (y = 0) adds nothing, so predicting "
                  "p = 1 everywhere would cost nothing on them."),
    Misconception("the two terms are swapped",
                  lambda p, y: -np.mean((1 - y) * np.log(p) + y * np.log(1 - p)),
                  "p is the probability that y = 1, so log p goes with y and log(1 - p) with 1 - y."),
    Misconception("the sum was not averaged",
                  lambda p, y: -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)),
                  "Average over the elements, as PyTorch's reduction='mean'."),
    Misconception("the sign is wrong",
                  lambda p, y: np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)),
                  "Logs of probabilities are <= 0; the minus sign makes the loss >= 0."),
]


@exercise(answer=reference_binary_cross_entropy, misconceptions=BINARY_MISCONCEPTIONS,
          hidden_cases=probability_cases)
def check_binary_cross_entropy(binary_cross_entropy, cases=BINARY_CASES):
    """Check ``binary_cross_entropy(p, y)`` against mlcore's ``binary_cross_entropy``."""
    check_function(binary_cross_entropy, reference_binary_cross_entropy, cases,
                   misconceptions=BINARY_MISCONCEPTIONS)
