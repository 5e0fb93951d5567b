"""Check for chapter 6's choice of an optimizer and a loss for three described tasks.

The learner writes ``choose(task)``, which returns a pair ``(optimizer, loss)``
for each task of :data:`CHOICE_TASKS`. The feedback
for every option quotes the chapter's own experiments, computed here when
the check first runs with the functions and settings the chapter's cells use
(:mod:`mlcore.optimizer_experiments`, :mod:`mlcore.momentum_theory`), so that
it quotes the numbers the chapter prints and can never drift away from them.
"""

import functools

import numpy as np

from ..momentum_theory import optimal_gd, optimal_momentum
from ..optim import Adam, AdamW
from ..optimizer_experiments import best_rate, decay_effect, outlier_slopes, saturated_gradients, steps_to_tolerance
from ..surfaces import SURFACES, bowl_hessian, quadratic
from .checks import FAIL_MARK, PASS_MARK, CheckFailed, Misconception, answers_to, normalise_choice
from .registry import exercise

__all__ = ["CHOICE_MISCONCEPTIONS", "CHOICE_TASKS", "CORRECT_CHOICES", "LOSSES", "OPTIMIZERS_OFFERED", "REFERENCE_CHOICES",
           "Chooser", "check_optimizer_and_loss", "explanations", "reference_choose", "scaled_bowl"]

OPTIMIZERS_OFFERED = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw")
LOSSES = ("mse", "huber", "cross_entropy")
PARTS = ("optimizer", "loss")

CHOICE_TASKS = {
    "least_squares": "Fit a linear regression by least squares, full batch. The loss is a quadratic whose "
                     "Hessian eigenvalues lie between mu = 0.3 and L = 3 (chapter 3's bowl); the gradients "
                     "are exact.",
    "scaled_classifier": "Train a logistic-regression classifier (two classes) whose features were not "
                         "standardised: one weight's curvature is 1000 times another's, along the axes.",
    "robust_regression": "Predict a real number from data with a few gross outliers, with an adaptive "
                         "optimizer and weight decay that must shrink every weight at the same rate, "
                         "whatever the size of its gradients.",
}
# The right optimizers and losses for each task (any of a set will do).
CORRECT_CHOICES = {
    "least_squares": ({"momentum"}, {"mse"}),
    "scaled_classifier": ({"rmsprop", "adam", "adagrad"}, {"cross_entropy"}),
    "robust_regression": ({"adamw"}, {"huber"}),
}

# One right answer per task, for the registry and the tests.
REFERENCE_CHOICES = {"least_squares": ("momentum", "mse"), "scaled_classifier": ("adam", "cross_entropy"),
                     "robust_regression": ("adamw", "huber")}


def scaled_bowl():
    """The axis-aligned bowl of the experiments: curvatures 100 and 0.1 (kappa = 1000 along the axes)."""
    return quadratic(np.diag([100.0, 0.1]), name="scaled bowl", start=(1.0, -2.0))


@functools.lru_cache(maxsize=1)
def explanations():
    """``{task: {"optimizer": {option: text}, "loss": {option: text}}}``, quoting the experiments."""
    bowl, scaled = SURFACES["bowl"], scaled_bowl()
    # Chapter 6's section 6.3: each optimizer on the bowl at the setting the chapter gives it.
    L, mu = np.linalg.eigvalsh(bowl_hessian())[::-1]
    lr_gd, _ = optimal_gd(L, mu)
    alpha, beta, rate = optimal_momentum(L, mu)
    gd_steps = steps_to_tolerance(bowl, "sgd", lr_gd, tol=1e-6, max_steps=20000)
    momentum_steps = steps_to_tolerance(bowl, "momentum", alpha, tol=1e-6, max_steps=20000, beta=beta)
    adam_steps = steps_to_tolerance(bowl, "adam", 1e-3, tol=1e-6, max_steps=20000)
    momentum_line = f"momentum at (alpha*, beta*) needs {momentum_steps} steps to a loss of 1e-6"
    on_bowl = {name: best_rate(bowl, name) for name in ("adagrad", "rmsprop")}
    on_scaled = {name: best_rate(scaled, name) for name in ("sgd", "momentum", "adagrad", "rmsprop", "adam")}
    l2, decoupled = decay_effect(Adam), decay_effect(AdamW)
    slopes, grads = outlier_slopes(), saturated_gradients()

    def steps(result):
        lr, k, count = result
        return "never gets to 1e-6 in 500 steps at any rate of the grid" if lr is None else (
            f"needs {k} steps to a loss of 1e-6 at its best rate of the grid ({lr:.3g}; {count} of 15 rates "
            "get there)")

    decay = (f"on two weights whose gradients are noise of scale 1 and 100, Adam's weight_decay=0.1 (an L2 penalty "
             f"divided by sqrt(v)) moves them by {l2[0]:.3f} and {l2[1]:.4f} in 200 steps, AdamW's decoupled "
             f"decay by {decoupled[0]:.3f} and {decoupled[1]:.3f}")
    mse_line = (f"the MSE's line has slope {slopes['mse']:.2f} instead of 2: three outliers 30 too high drag it")
    huber_line = f"Huber's line has slope {slopes['huber']:.2f}, close to the true 2: it caps each outlier's pull"
    ce = (f"at a confident mistake (logit -8) cross-entropy's gradient is {grads['bce']:.4f}, the squared error's "
          f"through the sigmoid {grads['mse']:.6f}: the MSE hardly learns there")
    return {
        "least_squares": {
            "optimizer": {
                "sgd": f"plain gradient descent needs {gd_steps} steps to a loss of 1e-6 even at its best rate "
                       f"2 / (L + mu) = {lr_gd:.4f}; {momentum_line}.",
                "momentum": f"right: with L and mu known, (alpha*, beta*) = ({alpha:.4f}, {beta:.4f}) converge at "
                            f"the rate (sqrt(kappa) - 1) / (sqrt(kappa) + 1) = {rate:.4f}: {momentum_steps} steps "
                            f"to a loss of 1e-6, against {gd_steps} for the best gradient descent.",
                "adagrad": f"Adagrad {steps(on_bowl['adagrad'])}, and its steps only shrink; {momentum_line}.",
                "rmsprop": f"RMSprop {steps(on_bowl['rmsprop'])}; per-coordinate rates do not help a valley turned "
                           f"against the axes, and {momentum_line}.",
                "adam": f"Adam at its defaults (lr = 0.001) needs {adam_steps} steps to a loss of 1e-6: its steps "
                        f"are about lr long whatever the gradient. Exact gradients of a known quadratic are "
                        f"momentum's best case: {momentum_line}.",
                "adamw": "nothing here asks for weight decay, and Adam's per-coordinate steps do not help this "
                         f"turned valley: {momentum_line}, the fewest of the chapter's optimizers.",
            },
            "loss": {"mse": "right: least squares is the MSE.",
                     "huber": "the task says least squares, and there are no outliers to guard against: MSE.",
                     "cross_entropy": "cross-entropy scores probabilities of classes; a regression's loss is the MSE."},
        },
        "scaled_classifier": {
            "optimizer": {
                "sgd": f"on the axis-aligned bowl with curvatures 100 and 0.1, SGD {steps(on_scaled['sgd'])}: one "
                       "rate cannot suit both axes.",
                "momentum": f"on the axis-aligned bowl, momentum {steps(on_scaled['momentum'])}; a per-coordinate "
                            "rate fixes the scales directly.",
                "adagrad": f"right: Adagrad {steps(on_scaled['adagrad'])}: dividing by each coordinate's gradient "
                           "size undoes the bad scaling along the axes.",
                "rmsprop": f"right: RMSprop {steps(on_scaled['rmsprop'])}: dividing by each coordinate's root mean "
                           "square gradient undoes the bad scaling along the axes.",
                "adam": f"right: Adam {steps(on_scaled['adam'])}: its per-coordinate steps do not care how the "
                        "features were scaled.",
                "adamw": "nothing in the task asks for weight decay: take Adam, RMSprop or Adagrad (AdamW is Adam "
                         "with decoupled decay).",
            },
            "loss": {"cross_entropy": f"right: {ce}.",
                     "mse": f"{ce}.",
                     "huber": f"Huber is a regression loss; for a classifier, {ce}."},
        },
        "robust_regression": {
            "optimizer": {
                "adamw": f"right: {decay}: every weight decays the same.",
                "adam": f"{decay}: with Adam the weight with large gradients hardly decays.",
                "sgd": "the task asks for an adaptive optimizer with decay that is the same for every weight: AdamW.",
                "momentum": "the task asks for an adaptive optimizer with decay that is the same for every weight: "
                            "AdamW.",
                "adagrad": "Adagrad's weight_decay is an L2 penalty divided by its running root, like Adam's: "
                           "AdamW's decoupled decay is the one that is the same for every weight.",
                "rmsprop": "RMSprop's weight_decay is an L2 penalty divided by its running root, like Adam's: "
                           "AdamW's decoupled decay is the one that is the same for every weight.",
            },
            "loss": {"huber": f"right: {huber_line}.",
                     "mse": f"{mse_line}; {huber_line}.",
                     "cross_entropy": "cross-entropy needs probabilities of classes, and these targets are real "
                                      f"numbers; {huber_line}."},
        },
    }


class Chooser:
    """``Chooser(answers)(task)``: a ``choose`` function that answers from a dict ``{task: (optimizer, loss)}``."""

    def __init__(self, answers):
        self.answers = dict(answers)
        self.__name__ = "choose"

    def __call__(self, task):
        return self.answers[task]

    def __repr__(self):
        return f"Chooser({self.answers})"


reference_choose = Chooser(REFERENCE_CHOICES)


def _variant(**changes):
    """``choose`` with some right answers changed: ``task=(optimizer or None, loss or None)``."""
    answer = dict(REFERENCE_CHOICES)
    for task, (optimizer, loss) in changes.items():
        answer[task] = (optimizer or answer[task][0], loss or answer[task][1])
    return Chooser(answer)


CHOICE_MISCONCEPTIONS = [
    Misconception("Adam for every task (folklore, not the experiments)",
                  _variant(least_squares=("adam", None), robust_regression=("adam", None)),
                  "Adam is a good default, not the best everywhere: on a known quadratic momentum at "
                  "(alpha*, beta*) is faster, and its weight decay is not decoupled."),
    Misconception("the MSE for a classifier", _variant(scaled_classifier=(None, "mse")),
                  "A sigmoid output with the squared error saturates: use cross-entropy for classes."),
    Misconception("the MSE with outliers", _variant(robust_regression=(None, "mse")),
                  "The squared error lets each outlier pull with its full distance; Huber caps the pull."),
    Misconception("Adam's L2 weight decay taken for decoupled decay", _variant(robust_regression=("adam", None)),
                  "Adam's weight_decay is added to the gradient and then divided by sqrt(v): weights with large "
                  "gradients barely decay. AdamW decays every weight by lr * weight_decay."),
    Misconception("one learning rate for badly scaled features", _variant(scaled_classifier=("sgd", None)),
                  "Along the axes, a per-coordinate rate (Adagrad, RMSprop, Adam) gives each weight its own step."),
]


def _answers(choose):
    """``{task: (optimizer, loss)}`` as ``choose`` answers, lower-cased; ``CheckFailed`` if it is not a pair of
    names of the offered options."""
    answer = {}
    for task, result in zip(CHOICE_TASKS, answers_to(choose, [(task,) for task in CHOICE_TASKS])):
        pair = result()
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise CheckFailed(f"{FAIL_MARK} choose({task!r}) must return a pair (optimizer, loss), "
                              f"such as (\"sgd\", \"mse\"); it returned {pair!r}.")
        try:
            answer[task] = (normalise_choice(pair[0], OPTIMIZERS_OFFERED, name=f"the optimizer for {task}"),
                            normalise_choice(pair[1], LOSSES, name=f"the loss for {task}"))
        except CheckFailed as error:
            raise CheckFailed(f"{FAIL_MARK} {error}") from None
    return answer


def _wrong(answer):
    """The (task, "optimizer" or "loss") pairs of ``answer`` that are not among the right choices."""
    return {(task, part) for task, choice in answer.items()
            for part, chosen, right in zip(PARTS, choice, CORRECT_CHOICES[task]) if chosen not in right}


@exercise(answer=reference_choose, misconceptions=CHOICE_MISCONCEPTIONS)
def check_optimizer_and_loss(choose):
    """Check ``choose(task) -> (optimizer, loss)`` on the three tasks of :data:`CHOICE_TASKS`."""
    answer = _answers(choose)
    texts = explanations()
    wrong = _wrong(answer)
    if not wrong:
        print(f"{PASS_MARK} choices: all 6 are right (the explanations: mlcore.feedback.optimizer_choice."
              "explanations()).")
        return
    lines = [f"{FAIL_MARK} {len(wrong)} of the 6 choices {'is' if len(wrong) == 1 else 'are'} not the best yet."]
    # A mistake matches when the learner made every change it makes to the right answers.
    matching = [mistake for mistake in CHOICE_MISCONCEPTIONS
                if all(answer[task][PARTS.index(part)] == mistake.variant.answers[task][PARTS.index(part)]
                       for task, part in _wrong(mistake.variant.answers))]
    if matching:
        lines.append(f"Likely misconception: {matching[0].name}. {matching[0].hint}")
    choices = [f"- {task}, {part} {answer[task][index]!r}: {texts[task][part][answer[task][index]]}"
               for task in CHOICE_TASKS for index, part in enumerate(PARTS) if (task, part) in wrong]
    raise CheckFailed("\n".join(lines + choices), matching[0].name if matching else None, "\n".join(choices))
