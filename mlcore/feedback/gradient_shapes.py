"""Check for chapter 5's shape prediction: the shape of each gradient of a small network on a batch.

The network of the exercise is ``nn.Sequential(nn.Linear(10, 16), nn.Tanh(),
nn.Linear(16, 3))`` on a batch ``X`` of 32 samples with cross-entropy. The
learner predicts, as tuples, the shapes of four gradients. The expected
shapes are read off mlcore after a real ``backward()`` (nothing is typed in),
and each wrong shape a typical mistake gives is named.
"""

import numpy as np

from .. import nn
from ..factories import tensor
from ..nn import functional as F
from .checks import FAIL_MARK, PASS_MARK, CheckFailed, Misconception, check_value
from .registry import exercise
from .unanswered import answered

__all__ = ["BATCH", "QUESTIONS", "SHAPE_MISCONCEPTIONS", "check_gradient_shapes", "measured_shapes",
           "REFERENCE_SHAPES"]

BATCH, IN, HIDDEN, CLASSES = 32, 10, 16, 3
QUESTIONS = ("net[0].weight.grad", "net[2].bias.grad", "dL/dz1", "dL/dX")


def measured_shapes():
    """``{question: shape}`` read off mlcore: the parameters' ``.grad`` after ``backward()``, and the
    gradients of ``z1 = net[0](X)`` and of ``X`` (retained)."""
    net = nn.Sequential(nn.Linear(IN, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, CLASSES))
    X = tensor(np.random.default_rng(0).normal(size=(BATCH, IN)), requires_grad=True)
    z1 = net[0](X)
    z1.retain_grad()
    loss = F.cross_entropy(net[2](net[1](z1)), tensor(np.arange(BATCH) % CLASSES))
    loss.backward()
    return {"net[0].weight.grad": net[0].weight.grad.shape, "net[2].bias.grad": net[2].bias.grad.shape,
            "dL/dz1": z1.grad.shape, "dL/dX": X.grad.shape}


MISTAKES = {
    "net[0].weight.grad": [
        Misconception("the (in, out) convention", (IN, HIDDEN),
                      "nn.Linear stores weight as (out_features, in_features), as PyTorch does, and a "
                      "parameter's gradient always has the parameter's own shape."),
        Misconception("the batch kept in a parameter's gradient", (BATCH, IN, HIDDEN),
                      "the gradient of a parameter is summed over the batch: one number per weight."),
    ],
    "net[2].bias.grad": [
        Misconception("bias gradient not summed over the batch", (BATCH, CLASSES),
                      "the bias is added to every row, so its gradient is the delta summed over the rows: "
                      "shape (out_features,)."),
    ],
    "dL/dz1": [
        Misconception("an intermediate gradient summed over the batch", (HIDDEN,),
                      "only parameters are shared by every sample; z1 has one row per sample, and so does "
                      "its gradient: z1's shape."),
        Misconception("transposes swapped: dL/dz1 as (hidden, batch)", (HIDDEN, BATCH),
                      "a gradient has the shape of what it is the gradient of: z1 is (batch, hidden)."),
    ],
    "dL/dX": [
        Misconception("transposes swapped: dL/dX as (in, batch)", (IN, BATCH),
                      "dL/dX = dz1 · W1 has X's shape (batch, in)."),
        Misconception("the first layer's output size instead of its input size", (BATCH, HIDDEN),
                      "that is z1's shape; X enters the first layer with 10 features."),
    ],
}


# The right shapes, as a learner writes them (the check measures its own).
REFERENCE_SHAPES = {"net[0].weight.grad": (HIDDEN, IN), "net[2].bias.grad": (CLASSES,), "dL/dz1": (BATCH, HIDDEN),
                    "dL/dX": (BATCH, IN)}
# Each mistake as a whole answer: the right shapes with that one wrong.
SHAPE_MISCONCEPTIONS = [Misconception(mistake.name, {**REFERENCE_SHAPES, question: mistake.variant}, mistake.hint)
                        for question in QUESTIONS for mistake in MISTAKES[question]]


@exercise(answer=REFERENCE_SHAPES, misconceptions=SHAPE_MISCONCEPTIONS)
def check_gradient_shapes(shapes):
    """Check the dict ``shapes`` (question -> tuple) against the shapes mlcore measures (None: not answered yet)."""
    shapes = answered(shapes)
    if not isinstance(shapes, dict):
        raise CheckFailed(f"{FAIL_MARK} shapes should be a dict from each of {list(QUESTIONS)} to a tuple, "
                          f"but it is a {type(shapes).__name__}.")
    missing = [question for question in QUESTIONS if question not in shapes]
    if missing:
        raise CheckFailed(f"{FAIL_MARK} shapes has no entry for {missing}; give a tuple for each of "
                          f"{list(QUESTIONS)}, e.g. shapes['dL/dX'] = (32, 10).")
    expected = measured_shapes()
    for question in QUESTIONS:
        answer = shapes[question]
        if not isinstance(answer, (tuple, list)):
            raise CheckFailed(f"{FAIL_MARK} shapes[{question!r}] = {answer!r} should be a tuple of sizes, "
                              f"e.g. (32, 10) (a 1-d shape is written (16,), with the comma).")
        if tuple(answer) != expected[question]:
            # check_value names the mistake behind the wrong shape (and raises: the shapes differ).
            check_value(np.array(answer, dtype=np.float64), np.array(expected[question], dtype=np.float64),
                        name=f"the shape of {question}",
                        misconceptions=[Misconception(m.name, np.array(m.variant, dtype=np.float64), m.hint)
                                        for m in MISTAKES[question]])
    listed = ", ".join(f"{question} {expected[question]}" for question in QUESTIONS)
    print(f"{PASS_MARK} shapes: all {len(QUESTIONS)} are right: {listed}.")
