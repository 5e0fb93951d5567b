"""Check for chapter 7's ``evaluate(net, loss_fn, X, y)``: loss and accuracy in evaluation mode.

The network of the hidden problems has dropout, trained a little first, so
that evaluating in training mode gives other numbers than evaluating in
evaluation mode; the dropout masks come from mlcore's generator, seeded for
each call, so the mistake is reproduced exactly. The driver :func:`evaluate_outcome`
builds the problem from its seed and calls the learner's ``evaluate`` on it
(under mlcore-grade, in the learner's kernel).
"""

import functools

import numpy as np

from .. import nn
from ..factories import tensor
from ..grad_mode import no_grad
from ..optim import SGD
from ..seeded import seeded
from ..train import evaluate as library_evaluate
from .accuracy import WITHOUT_ARGMAX, mean_true_class_probability
from .checks import FAIL_MARK, CheckFailed, Misconception, check_function, driven, driven_misconceptions, explained
from .registry import exercise
from .training_loop import WRONG_MODE, reference_train
from .training_problems import problem_data, problem_loader, problem_network

__all__ = ["EVALUATE_CASES", "EVALUATE_MISCONCEPTIONS", "check_evaluate", "evaluate_cases", "evaluate_outcome",
           "reference_evaluate"]


def reference_evaluate(net, loss_fn, X, y):
    """``(loss, accuracy)`` of ``net`` on ``(X, y)`` after ``net.eval()``, without recording a graph."""
    net.eval()
    loss, accuracy = library_evaluate(net, loss_fn, [(X, y)])
    net.eval()  # the exercise leaves the network in evaluation mode; the training loop switches back
    return loss, accuracy


def evaluate_outcome(evaluate, seed, epochs, n):
    """The driver: ``[loss, accuracy]`` from ``evaluate(net, loss_fn, X, y)``: the hidden problem ``seed``'s network
    (dropout 0.5), trained ``epochs`` epochs, on ``n`` of its points."""
    net = problem_network(seed, dropout=0.5)
    loss_fn = nn.CrossEntropyLoss()
    if epochs:
        with seeded(seed):
            reference_train(net, loss_fn, SGD(net.parameters(), lr=0.5), problem_loader(seed, 6), epochs)
    X, y = problem_data(seed + 500, n)
    net.train()
    with seeded(seed + 1):
        result = evaluate(net, loss_fn, tensor(X), tensor(y))
    try:
        loss, accuracy = result
    except (TypeError, ValueError):
        raise CheckFailed(f"{FAIL_MARK} evaluate should return two numbers, (loss, accuracy), but returned "
                          f"{str(result)[:60]}.") from None
    return np.array([float(np.asarray(getattr(loss, "data", loss))), float(accuracy)])


def _in_training_mode(net, loss_fn, X, y):
    with no_grad():
        y_hat = net(X)
        return float(loss_fn(y_hat, y).data), float(np.mean(y_hat.data.argmax(axis=1) == y.data))


def _probabilities_as_accuracy(net, loss_fn, X, y):
    net.eval()
    with no_grad():
        y_hat = net(X)
        return float(loss_fn(y_hat, y).data), mean_true_class_probability(y_hat.data, y.data)


EVALUATE_MISCONCEPTIONS = [
    Misconception(f"{WRONG_MODE}: evaluated in training mode, so dropout still dropped half the hidden units",
                  _in_training_mode,
                  "Call net.eval() first: in evaluation mode dropout passes everything through, and the "
                  "numbers describe the network itself, not one random thinning of it."),
    Misconception(WITHOUT_ARGMAX, _probabilities_as_accuracy,
                  "The accuracy counts predictions: compare y_hat.argmax(axis=1) with y (your accuracy function)."),
]

# (seed, epochs, n): an untrained network, one trained 10 and 30 epochs, on 30, 20 and 40 points.
EVALUATE_CASES = [(0, 0, 30), (1, 10, 20), (2, 30, 40)]


def evaluate_cases(seed, count=2):
    """Hidden cases: other problems and training lengths."""
    rng = np.random.default_rng(seed)
    return [(int(rng.integers(100, 1000)), int(rng.integers(5, 40)), int(rng.integers(15, 50)))
            for _ in range(count)]


@exercise(answer=reference_evaluate, misconceptions=EVALUATE_MISCONCEPTIONS, hidden_cases=evaluate_cases)
def check_evaluate(evaluate, cases=EVALUATE_CASES):
    """Check ``evaluate(net, loss_fn, X, y)``: ``(loss, accuracy)`` in evaluation mode, on networks with dropout."""
    with explained("(The two numbers: the loss and the accuracy.)"):
        check_function(driven(evaluate_outcome, evaluate), functools.partial(evaluate_outcome, reference_evaluate),
                       cases, name="evaluate", misconceptions=driven_misconceptions(evaluate_outcome,
                                                                                   EVALUATE_MISCONCEPTIONS), rtol=1e-9)
