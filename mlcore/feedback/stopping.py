"""Checks for chapter 3's stopping rule: a step budget, a tolerance on the change of the loss,
a tolerance on the gradient norm.

``should_stop(losses, grad_norm, max_steps, loss_tol, grad_tol)`` sees the
losses of every iterate so far, ``losses[k]`` after ``k`` updates, and the
gradient norm at the last one. It stops when the budget is spent
(``len(losses) - 1 >= max_steps``), when the last update changed the loss by
less than ``loss_tol`` (there is no change before the first update), or when
the gradient norm is below ``grad_tol``.

One mistake needs a piece of special logic: the natural
``abs(losses[-1] - losses[-2])``, tested before the first update, raises
``IndexError`` on a history of one loss instead of returning a wrong answer.
:func:`check_should_stop` calls the learner's rule on those cases first and
names the mistake, instead of letting the bare ``IndexError`` through.
"""

import copy

import numpy as np

from .checks import FAIL_MARK, CheckFailed, Misconception, call_answer, check_function, format_call
from .registry import exercise

__all__ = ["STOP_CASES", "STOP_MISCONCEPTIONS", "check_should_stop", "reference_should_stop", "stop_cases"]


def reference_should_stop(losses, grad_norm, max_steps, loss_tol, grad_tol):
    """True when gradient descent should stop after ``len(losses) - 1`` updates (see the module)."""
    updates = len(losses) - 1
    settled = updates >= 1 and abs(losses[-1] - losses[-2]) < loss_tol
    return bool(updates >= max_steps or settled or grad_norm < grad_tol)


def _rule(*, budget=lambda losses, max_steps: len(losses) - 1 >= max_steps,
          loss=lambda losses, tol: len(losses) > 1 and abs(losses[-1] - losses[-2]) < tol,
          gradient=lambda grad_norm, tol: grad_norm < tol):
    def should_stop(losses, grad_norm, max_steps, loss_tol, grad_tol):
        return bool(budget(losses, max_steps) or loss(losses, loss_tol) or gradient(grad_norm, grad_tol))
    return should_stop


BEFORE_THE_FIRST_UPDATE = "the loss change was tested before the first update"
BEFORE_THE_FIRST_UPDATE_HINT = "With one loss there is no change yet; test it only once len(losses) >= 2."


def _both_tolerances(losses, grad_norm, max_steps, loss_tol, grad_tol):
    settled = len(losses) > 1 and abs(losses[-1] - losses[-2]) < loss_tol
    return bool(len(losses) - 1 >= max_steps or (settled and grad_norm < grad_tol))


def _change_from_a_loss_that_is_not_there(losses, grad_norm, max_steps, loss_tol, grad_tol):
    # losses[-2] with one loss raises IndexError: the mistake as a learner writes it.
    return bool(len(losses) - 1 >= max_steps or abs(losses[-1] - losses[-2]) < loss_tol or grad_norm < grad_tol)


STOP_MISCONCEPTIONS = [
    Misconception("the budget is off by one (the losses were counted, not the updates)",
                  _rule(budget=lambda losses, max_steps: len(losses) >= max_steps),
                  "After k updates there are k + 1 losses: the budget is spent when "
                  "len(losses) - 1 >= max_steps."),
    Misconception("the loss itself was compared with loss_tol, not its change",
                  _rule(loss=lambda losses, tol: losses[-1] < tol),
                  "The minimum of a loss need not be 0: test abs(losses[-1] - losses[-2]) < loss_tol."),
    Misconception("a rising loss was taken for a settled one (the change without abs)",
                  _rule(loss=lambda losses, tol: len(losses) > 1 and losses[-2] - losses[-1] < tol),
                  "A loss that goes up by a lot has not settled; compare abs(losses[-1] - losses[-2])."),
    Misconception(BEFORE_THE_FIRST_UPDATE,
                  _rule(loss=lambda losses, tol: abs(losses[-1] - losses[max(len(losses) - 2, 0)]) < tol),
                  BEFORE_THE_FIRST_UPDATE_HINT),
    Misconception("the gradient test is the wrong way round (grad_norm > grad_tol)",
                  _rule(gradient=lambda grad_norm, tol: grad_norm > tol),
                  "Stop when the gradient is small: grad_norm < grad_tol."),
    Misconception("the tolerances combined with and: the run stopped only when the loss had settled and "
                  "the gradient had vanished",
                  _both_tolerances,
                  "Either test alone ends the run: budget or settled loss or vanished gradient."),
    Misconception("only the budget was checked", _rule(loss=lambda losses, tol: False,
                                                       gradient=lambda grad_norm, tol: False),
                  "Also stop when the loss settles or the gradient vanishes."),
]

# (losses, grad_norm, max_steps, loss_tol, grad_tol): the start (no change yet); still falling; the
# budget just spent; one update short of it; settled at a loss far from 0; a rising loss; a loss
# below loss_tol that still falls fast; a flat gradient while the loss still moves; settled and
# flat at once.
STOP_CASES = [
    ([4.0], 2.0, 10, 1e-3, 1e-4),
    ([4.0, 2.5, 1.8], 1.5, 10, 1e-3, 1e-4),
    ([4.0, 2.5, 1.8, 1.5], 1.2, 3, 1e-3, 1e-4),
    ([4.0, 2.5, 1.8], 1.2, 3, 1e-3, 1e-4),
    ([3.0, 2.1, 2.0005, 2.0001], 0.02, 100, 1e-3, 1e-4),
    ([1.0, 1.5, 4.0], 8.0, 100, 1e-3, 1e-4),
    ([0.05, 0.02, 0.0005], 0.3, 100, 1e-3, 1e-4),
    ([2.0, 1.0, 0.7], 5e-5, 100, 1e-3, 1e-4),
    ([3.0, 2.0001, 2.0], 5e-5, 100, 1e-3, 1e-4),
]


def stop_cases(seed, count=6):
    """Hidden cases: random falling loss histories with random tolerances and budgets."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        length = int(rng.integers(1, 8))
        losses = sorted(1.0 + rng.uniform(0.0, 0.01, length) * 10 ** rng.uniform(-2, 2), reverse=True)
        cases.append((losses, float(10 ** rng.uniform(-5, 0)), int(rng.integers(1, 8)),
                      float(10 ** rng.uniform(-4, -1)), 1e-4))
    return cases


def _refuse_a_change_before_the_first_update(should_stop, cases):
    """Name the mistake of a rule that reads ``losses[-2]`` of a one-loss history (it raises
    ``IndexError``), on the first such case; otherwise do nothing."""
    name = getattr(should_stop, "__name__", "your function")
    for case in cases:
        if len(case[0]) != 1:
            continue
        try:
            call_answer(should_stop, *copy.deepcopy(case))
        except IndexError as error:
            call = format_call(name, reference_should_stop, case)
            example = f"{call} raised IndexError: {error}"
            raise CheckFailed(f"{FAIL_MARK} {name} is not right yet: {example}.\n"
                              f"Likely misconception: {BEFORE_THE_FIRST_UPDATE}. {BEFORE_THE_FIRST_UPDATE_HINT}",
                              BEFORE_THE_FIRST_UPDATE, example) from None
        return


# The registry's variant of the mistake is the one that raises, as a learner writes it; the one
# in STOP_MISCONCEPTIONS (a change of 0 at the start) is what check_function can match.
@exercise(answer=reference_should_stop, hidden_cases=stop_cases, misconceptions=[
    Misconception(BEFORE_THE_FIRST_UPDATE, _change_from_a_loss_that_is_not_there, BEFORE_THE_FIRST_UPDATE_HINT)
    if mistake.name == BEFORE_THE_FIRST_UPDATE else mistake for mistake in STOP_MISCONCEPTIONS])
def check_should_stop(should_stop, cases=STOP_CASES):
    """Check ``should_stop(losses, grad_norm, max_steps, loss_tol, grad_tol)``."""
    _refuse_a_change_before_the_first_update(should_stop, cases)
    check_function(should_stop, reference_should_stop, cases, misconceptions=STOP_MISCONCEPTIONS)
