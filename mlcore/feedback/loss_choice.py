"""Choosing the loss for a task, and why (chapter 2): the tasks, the right answers, and an
explanation for every answer a learner may give.

Answers are names from ``LOSS_NAMES``, read by ``mlcore.feedback.checks.normalise_choice``:
case and surrounding spaces do not matter, and only real strings count, so an
object that claims to equal everything does not pass.
"""

from dataclasses import dataclass

from .checks import (FAIL_MARK, PASS_MARK, CheckFailed, Misconception, NotAnswered, call_answer, check_choice,
                     choice_misconceptions, format_value, normalise_choice)
from .registry import exercise
from .unanswered import answered

LOSS_NAMES = ("mse", "mae", "huber", "cross_entropy", "binary_cross_entropy")

_NOT_A_CLASS = ("cross-entropy compares predicted class probabilities with true classes, but the "
                "target here is a real number, not a class. (Applied to a regression output it is the "
                "source article's mistake: log of a prediction that can be negative.)")
_SIGMOID_MSE = ("a regression loss on probabilities learns slowly from confident mistakes: through a "
                "sigmoid or softmax its gradient is multiplied by p * (1 - p), which is nearly 0 there, "
                "while cross-entropy's gradient p - y stays large.")


@dataclass(frozen=True)
class Task:
    """The accepted answers for a task, and why each answer is right or wrong. (The task
    descriptions are in the exercise notebook, where the learner reads them.)"""

    accepted: tuple
    why: dict


TASKS = {
    "house_prices": Task(
        ("mse",),
        {"mse": "the squared error makes large errors count most, and its best constant is the mean.",
         "mae": "MAE fits the median and counts a large error only in proportion to its size; here "
                "large errors really are worse and the noise is bell-shaped: MSE.",
         "huber": "Huber caps the influence of large errors, but here large errors are real, not "
                  "corrupt data, and should count fully: MSE.",
         "cross_entropy": _NOT_A_CLASS, "binary_cross_entropy": _NOT_A_CLASS}),
    "delivery_times": Task(
        ("mae", "huber"),
        {"mse": "squaring lets the few records that are days too long dominate the loss, and the best "
                "constant becomes the mean, dragged far from the typical time.",
         "mae": "MAE's best constant is the median, which a few wrong records cannot move far.",
         "huber": "Huber bounds the pull of the wrong records (MAE's best constant is exactly the "
                  "median, Huber's is close to it).",
         "cross_entropy": _NOT_A_CLASS, "binary_cross_entropy": _NOT_A_CLASS}),
    "sensor_spikes": Task(
        ("huber",),
        {"mse": "the spikes' squared errors would dominate; their influence must stay bounded.",
         "mae": "MAE bounds the spikes, but its gradient has the same size near the target as far "
                "from it, so the small errors are not fitted like least squares. Huber is squared "
                "near the target and linear far from it.",
         "huber": "Huber is squared for small errors (like MSE) and linear for large ones (like MAE).",
         "cross_entropy": _NOT_A_CLASS, "binary_cross_entropy": _NOT_A_CLASS}),
    "digit_classes": Task(
        ("cross_entropy",),
        {"mse": _SIGMOID_MSE, "mae": _SIGMOID_MSE, "huber": _SIGMOID_MSE,
         "cross_entropy": "exactly one class is true: softmax cross-entropy on the 10 logits, as "
                          "PyTorch's CrossEntropyLoss.",
         "binary_cross_entropy": "binary cross-entropy treats the 10 digits as 10 independent yes/no "
                                 "questions, but exactly one digit is true; softmax cross-entropy "
                                 "makes the 10 probabilities sum to 1."}),
    "spam_filter": Task(
        ("binary_cross_entropy",),
        {"mse": _SIGMOID_MSE, "mae": _SIGMOID_MSE, "huber": _SIGMOID_MSE,
         "cross_entropy": "softmax cross-entropy needs one raw score per class; with one sigmoid "
                          "probability, binary cross-entropy is the same loss for two classes.",
         "binary_cross_entropy": "one yes/no question with a predicted probability: binary "
                                 "cross-entropy, as PyTorch's BCELoss."}),
    "photo_tags": Task(
        ("binary_cross_entropy",),
        {"mse": _SIGMOID_MSE, "mae": _SIGMOID_MSE, "huber": _SIGMOID_MSE,
         "cross_entropy": "softmax makes the 20 labels compete for one unit of probability, so a "
                          "photo could not be both 'beach' and 'sunset'; each label is its own yes/no "
                          "question: binary cross-entropy per label.",
         "binary_cross_entropy": "20 independent yes/no questions: binary cross-entropy on each "
                                 "label, averaged."}),
}


def reference_choose_loss(task):
    """The first accepted loss name for ``task`` (a key of ``TASKS``)."""
    return TASKS[task].accepted[0]


def _wrong_for(task_key, option):
    def choose_loss(task):
        return option if task == task_key else reference_choose_loss(task)
    return choose_loss


def _chose(task_key, option):
    return f"{task_key}: chose {option!r}"


# One wrong answer per task and wrong option: right everywhere but there.
CHOOSE_LOSS_MISCONCEPTIONS = [Misconception(_chose(key, option), _wrong_for(key, option), task.why[option])
                              for key, task in TASKS.items()
                              for option in LOSS_NAMES if option not in task.accepted]


@exercise(answer=reference_choose_loss, misconceptions=CHOOSE_LOSS_MISCONCEPTIONS)
def check_choose_loss(choose_loss):
    """Check ``choose_loss(task)`` on every key of ``TASKS``; explain each wrong choice."""
    wrong, first_mistake = [], None
    for key, task in TASKS.items():
        try:
            answer = call_answer(choose_loss, key)
        except NotAnswered:
            raise
        except Exception as error:  # noqa: BLE001 -- a task the answer cannot handle is a wrong answer
            wrong.append(f"  {key}: choose_loss({key!r}) raised {type(error).__name__}: {error}; "
                         f"it should return a loss name for every task.")
            continue
        try:
            chosen = normalise_choice(answer, LOSS_NAMES, name=f"choose_loss({key!r})")
        except CheckFailed as error:
            wrong.append(f"  {key}: {error}")
            continue
        if chosen not in task.accepted:
            wrong.append(f"  {key}: {format_value(answer)} is not the best choice: {task.why[chosen]}")
            first_mistake = first_mistake or _chose(key, chosen)
    if not wrong:
        print(f"{PASS_MARK} choose_loss: the right loss for all {len(TASKS)} tasks.")
        return
    raise CheckFailed("\n".join([f"{FAIL_MARK} choose_loss is not right yet for {len(wrong)} of "
                                 f"{len(TASKS)} tasks:"] + wrong), first_mistake, wrong[0].strip())


WHY_EXPLANATIONS = {
    "a": "the MSE of probabilities is a perfectly good number; the trouble is how it learns.",
    "b": "through the sigmoid, MSE's gradient carries the factor p * (1 - p), nearly 0 when the "
         "model is confidently wrong, so it learns least from its worst mistakes; cross-entropy's "
         "gradient p - y has no such factor.",
    "c": "an error between probabilities is at most 1, so MSE cannot overreact; the trouble is "
         "the opposite, learning stalls.",
    "d": "(p - y)**2 is smooth everywhere; it is the absolute error that has a kink.",
}


@exercise(answer="b", misconceptions=choice_misconceptions(WHY_EXPLANATIONS, "b"))
def check_why_cross_entropy(answer):
    """Check the answer (a letter) to: why does a sigmoid classifier learn badly with MSE? (None: not answered yet.)"""
    check_choice(answered(answer), "b", name="why_cross_entropy", explanations=WHY_EXPLANATIONS)
