"""Check for chapter 7's broken loops: which bug is in each of three training loops.

The three loops are in the exercise notebook, where they run and show what
their bug does; the answers name a bug from :data:`BUGS`. Every wrong answer
is explained by what the loop's code does instead.
"""

from .checks import check_choices, choices_misconceptions
from .registry import exercise
from .unanswered import answered

__all__ = ["BUGS", "EXPLANATIONS", "LOOP_BUGS", "check_broken_loops"]

BUGS = ("zero_grad missing", "validation on training data", "labels shuffled separately", "wrong mode",
        "last weights kept", "accuracy without argmax")

LOOP_BUGS = {"loop_a": "zero_grad missing", "loop_b": "validation on training data",
             "loop_c": "labels shuffled separately"}

_WHAT_EACH_LOOP_DOES = {
    "loop_a": "loop_a calls loss.backward() and optimizer.step() for every batch but never "
              "optimizer.zero_grad(), so each step applies the sum of every gradient so far",
    "loop_b": "loop_b trains correctly, but computes its 'validation' loss with X_train and y_train, the "
              "data it trains on, so that loss can only fall with the training loss",
    "loop_c": "loop_c draws one permutation for X and another for y, so in every epoch the labels land "
              "on other points' inputs and there is nothing to learn",
}

# Where to look, without saying what is there.
_WHERE_TO_LOOK = {
    "loop_a": "what happens to the parameters' .grad between one step and the next",
    "loop_b": "which data each of the two losses it prints is computed on",
    "loop_c": "how each batch is taken out of X and out of y",
}

_WHY_NOT = {
    "zero_grad missing": "it does call optimizer.zero_grad() before every backward()",
    "validation on training data": "its validation loss comes from X_val, y_val",
    "labels shuffled separately": "it indexes inputs and labels with the same order",
    "wrong mode": "its network has no dropout, so net.train() and net.eval() change nothing here",
    "last weights kept": "it has no early stopping, so there are no best weights to keep",
    "accuracy without argmax": "its accuracy compares y_hat.argmax(axis=1) with the labels",
}


def _explanations(loop):
    return {bug: (_WHAT_EACH_LOOP_DOES[loop] + "." if bug == LOOP_BUGS[loop] else
                  f"not in {loop}: {_WHY_NOT[bug]}. Look at {_WHERE_TO_LOOK[loop]}.")
            for bug in BUGS}


EXPLANATIONS = {loop: _explanations(loop) for loop in LOOP_BUGS}


@exercise(answer=LOOP_BUGS, misconceptions=choices_misconceptions(LOOP_BUGS, EXPLANATIONS, name="bugs"))
def check_broken_loops(bugs):
    """Check ``bugs``, a dict naming the bug of each loop: ``{"loop_a": "zero_grad missing", ...}``
    (None: not answered yet)."""
    check_choices(answered(bugs), LOOP_BUGS, name="bugs", explanations=EXPLANATIONS)
