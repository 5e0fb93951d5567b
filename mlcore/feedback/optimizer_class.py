"""Check for chapter 6's ``Optimizer`` subclass: the learner's Adagrad, graded by training a problem.

The learner subclasses ``mlcore.optim.Optimizer`` as one subclasses
``torch.optim.Optimizer``: ``__init__(params, lr=0.01, eps=1e-10)`` passes the
defaults to the base class, and ``step()`` updates every parameter that has a
gradient in place, keeping its running sum in ``self.state[p]``. The base class
provides ``zero_grad()`` and ``param_groups``.

The driver :func:`trained_with` trains a problem with such a class: three
2-element parameters, the first on chapter 3's bowl, the second on
Rosenbrock's valley, the third in no loss at all (its ``.grad`` stays None, so
``step()`` must skip it, as PyTorch's optimizers do). The loop is the course's:
``zero_grad()``, forward, ``backward()``, ``step()``. The check drives the
learner's class with it (``checks.driven``: under mlcore-grade the class and
the training stay in the learner's kernel), and compares the iterates of all
three with mlcore's own ``Adagrad`` (tests: equal to ``torch.optim.Adagrad``).
"""

import numpy as np

from ..nn.parameter import Parameter
from ..optim import Adagrad, Optimizer
from ..surfaces import SURFACES
from .checks import Misconception, check_function, driven, driven_misconceptions
from .registry import exercise

__all__ = ["ADAGRAD_CASES", "ADAGRAD_MISCONCEPTIONS", "MicroAdagrad", "adagrad_cases", "check_adagrad_class",
           "reference_adagrad_training", "trained_with"]


def trained_with(optimizer_class, start_bowl, start_valley, lr, eps, num_steps):
    """The driver: the iterates of the three parameters (bowl, valley, unused) side by side, shape
    (num_steps + 1, 6), trained with ``optimizer_class(params, lr=lr, eps=eps)``.

    A ``TypeError`` while stepping (``None ** 2``: the unused parameter was not
    skipped) makes the rest of the iterates NaN, so that the mistake can be
    named like any other.
    """
    bowl, valley = SURFACES["bowl"], SURFACES["rosenbrock"]
    params = [Parameter(np.array(start, dtype=np.float64)) for start in (start_bowl, start_valley, [0.5, -0.5])]
    optimizer = optimizer_class(params, lr=lr, eps=eps)
    iterates = [np.concatenate([p.data for p in params])]
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss = bowl.loss(params[0]) + 0.01 * valley.loss(params[1])
        loss.backward()
        try:
            optimizer.step()
        except TypeError:
            iterates += [np.full(6, np.nan)] * (num_steps + 1 - len(iterates))
            break
        iterates.append(np.concatenate([p.data for p in params]))
    return np.array(iterates)


def reference_adagrad_training(start_bowl, start_valley, lr, eps, num_steps):
    """The same training with mlcore's ``Adagrad(params, lr=lr, eps=eps)``."""
    return trained_with(Adagrad, start_bowl, start_valley, lr, eps, num_steps)


# ---- a correct Adagrad written as a learner would, and the ways a learner's can differ ----

class MicroAdagrad(Optimizer):
    """Adagrad written as the exercise asks: ``s = s + g**2``, ``theta -= lr * g / (sqrt(s) + eps)``."""

    def __init__(self, params, lr=0.01, eps=1e-10):
        super().__init__(params, {"lr": lr, "eps": eps})

    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "sum" not in state:
                    state["sum"] = np.zeros_like(p.data)
                self._accumulate(state, p.grad)
                p.data -= group["lr"] * p.grad / self._denominator(state["sum"], group["eps"])

    def _accumulate(self, state, grad):
        state["sum"] += grad**2

    def _denominator(self, total, eps):
        return np.sqrt(total) + eps


class _SharedSum(MicroAdagrad):
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if not hasattr(self, "shared_sum"):
                    self.shared_sum = np.zeros_like(p.data)
                self.shared_sum += p.grad**2
                p.data -= group["lr"] * p.grad / (np.sqrt(self.shared_sum) + group["eps"])


class _EpsInsideRoot(MicroAdagrad):
    def _denominator(self, total, eps):
        return np.sqrt(total + eps)


class _Averaged(MicroAdagrad):
    def _accumulate(self, state, grad):
        state["count"] = state.get("count", 0) + 1
        state["sum"] += (grad**2 - state["sum"]) / state["count"]


class _SumAfterStep(MicroAdagrad):
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "sum" not in state:
                    state["sum"] = np.zeros_like(p.data)
                p.data -= group["lr"] * p.grad / (np.sqrt(state["sum"]) + group["eps"])
                state["sum"] += p.grad**2


class _NotSquared(MicroAdagrad):
    def _accumulate(self, state, grad):
        state["sum"] += np.abs(grad)


class _NoSkip(MicroAdagrad):
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                if "sum" not in state:
                    state["sum"] = np.zeros_like(p.data)
                state["sum"] += p.grad**2
                p.data -= group["lr"] * p.grad / (np.sqrt(state["sum"]) + group["eps"])


ADAGRAD_MISCONCEPTIONS = [
    Misconception("state shared between parameters", _SharedSum,
                  "Each parameter keeps its own sum: self.state[p] is a dict per parameter p, so store "
                  "self.state[p]['sum'], not one self.sum for all."),
    Misconception("a parameter without a gradient not skipped", _NoSkip,
                  "A parameter that no loss reached has p.grad None; skip it (if p.grad is None: continue), "
                  "as PyTorch's optimizers do."),
    Misconception("eps inside the square root", _EpsInsideRoot,
                  "eps is added after the root: grad / (sqrt(sum) + eps), as PyTorch does."),
    Misconception("the squared gradients averaged instead of summed", _Averaged,
                  "Adagrad sums every squared gradient (so its steps only shrink); a mean is RMSprop's idea."),
    Misconception("the sum updated after the step", _SumAfterStep,
                  "Add this step's grad**2 to the sum first, then divide by its root (at the first step the "
                  "old sum is 0, and grad / eps is enormous)."),
    Misconception("|grad| summed instead of grad**2", _NotSquared,
                  "The sum is of squares, sum += grad**2; its root then has the units of the gradient."),
]

# (start_bowl, start_valley, lr, eps, num_steps): one step with a large eps (where eps inside
# the root shows), three steps, then a training of 100 steps.
ADAGRAD_CASES = [
    (np.array([-2.5, 1.5]), np.array([-1.5, 2.5]), 0.5, 0.1, 1),
    (np.array([-2.5, 1.5]), np.array([-1.5, 2.5]), 0.5, 1e-10, 3),
    (np.array([-2.5, 1.5]), np.array([-1.5, 2.5]), 1.0, 1e-10, 100),
]


def adagrad_cases(seed):
    """Hidden cases: random starts and rates, 100 steps each."""
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-3.0, 3.0, 2), rng.uniform(-2.0, 2.0, 2), float(rng.uniform(0.1, 1.5)),
             float(10.0 ** rng.uniform(-10, -2)), 100) for _ in range(2)]


@exercise(answer=MicroAdagrad, misconceptions=ADAGRAD_MISCONCEPTIONS, hidden_cases=adagrad_cases)
def check_adagrad_class(Adagrad, cases=ADAGRAD_CASES):  # noqa: N803 -- the learner's class is called Adagrad
    """Check the learner's ``Adagrad(Optimizer)`` by training three parameters with it (see the module)."""
    check_function(driven(trained_with, Adagrad), reference_adagrad_training, cases,
                   misconceptions=driven_misconceptions(trained_with, ADAGRAD_MISCONCEPTIONS),
                   name="training with your Adagrad", rtol=1e-9, atol=1e-12)
