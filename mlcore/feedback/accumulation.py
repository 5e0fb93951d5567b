"""Checks for chapter 5's accumulating gradients: the missing ``zero_grad()``, and ``autograd.grad`` vs ``backward()``.

- ``train(net, X, y, lr, num_steps)`` is the source article's loop repaired:
  SGD on ``F.mse_loss(net(X), y)`` that clears the gradients every step. The
  check trains small networks (some already used for a backward pass, as
  in the middle of a training run) and compares the list of losses with a
  correct loop's; each misplaced or missing ``zero_grad()`` gives a
  different list, and is named. A network is not data: each case is a
  :class:`LoopProblem`, which the driver :func:`losses_of` builds (under
  mlcore-grade, in the learner's kernel) into ``(net, X, y)``.
- Three calls in a row on one parameter (``backward()``, ``autograd.grad``,
  ``backward()``): what ``autograd.grad`` returns, what ``.grad`` holds at the
  end, and which call leaves ``.grad`` untouched. The numbers come from
  running them in mlcore.
"""

from dataclasses import dataclass

import numpy as np

from .. import nn, optim
from ..autograd import grad
from ..factories import tensor
from ..gradient_flow import deep_stack
from ..nn import functional as F
from .checks import (Misconception, check_choice, check_function, check_value, choice_misconceptions, driven,
                     driven_misconceptions)
from .registry import Answers, exercise
from .unanswered import answered

__all__ = ["GRAD_MISCONCEPTIONS", "LOOP_CASES", "LoopProblem", "TRAIN_MISCONCEPTIONS", "UNTOUCHED_EXPLANATIONS",
           "check_grad_versus_backward", "check_train_steps", "grad_versus_backward", "loop_cases", "losses_of",
           "reference_losses", "reference_train"]


@dataclass(frozen=True)
class LoopProblem:
    """A small tanh stack and a regression batch from ``seed``, as data; with ``used``, the net already
    ran ``backward()`` once, so its ``.grad`` holds an old gradient."""

    seed: int
    depth: int = 2
    width: int = 3
    batch: int = 6
    used: bool = False

    def build(self):
        """``(net, X, y)``."""
        rng = np.random.default_rng(self.seed)
        net = deep_stack(self.depth, "tanh", "xavier", width=self.width, generator=rng)
        shape = (self.batch, self.width)
        X, y = tensor(rng.standard_normal(shape)), tensor(rng.standard_normal(shape))
        if self.used:
            F.mse_loss(net(tensor(rng.standard_normal(shape))), y).backward()
        return net, X, y

    def __repr__(self):
        sizes = "" if (self.depth, self.width, self.batch) == (2, 3, 6) else \
            f", depth={self.depth}, width={self.width}, batch={self.batch}"
        return f"LoopProblem({self.seed}{sizes}{', used=True' if self.used else ''})"


def losses_of(train, problem, lr, num_steps):
    """The driver: ``train(net, X, y, lr, num_steps)`` on the network and batch ``problem`` builds."""
    return train(*problem.build(), lr, num_steps)


# (problem, lr, num_steps): a fresh net for one step, then fresh and used nets for a few steps.
LOOP_CASES = [(LoopProblem(701), 0.1, 1), (LoopProblem(702), 0.1, 4), (LoopProblem(703, used=True), 0.2, 5)]


def loop_cases(seed):
    """Hidden cases: deeper nets, fresh and used, trained longer."""
    rng = np.random.default_rng(seed)
    return [(LoopProblem(int(rng.integers(10**6)), depth=int(rng.integers(2, 5)), width=4, used=used), lr, steps)
            for used, lr, steps in ((False, 0.05, 12), (True, 0.3, 8))]


def _sgd_losses(net, X, y, lr, num_steps, clear):
    opt = optim.SGD(net.parameters(), lr=lr)
    losses = []
    if clear == "once":
        opt.zero_grad()
    for _ in range(num_steps):
        if clear == "every step":
            opt.zero_grad()
        loss = F.mse_loss(net(X), y)
        loss.backward()
        if clear == "before step":
            opt.zero_grad()
        opt.step()
        if clear == "after step":
            opt.zero_grad()
        losses.append(loss.item())
    return losses


def reference_train(net, X, y, lr, num_steps):
    """The right loop: ``zero_grad()``, loss, ``backward()``, ``step()``; the loss of every step."""
    return _sgd_losses(net, X, y, lr, num_steps, "every step")


def reference_losses(problem, lr, num_steps):
    """:func:`reference_train` on ``problem``."""
    return losses_of(reference_train, problem, lr, num_steps)


def _never_cleared(net, X, y, lr, num_steps):
    return _sgd_losses(net, X, y, lr, num_steps, "never")


def _cleared_once(net, X, y, lr, num_steps):
    return _sgd_losses(net, X, y, lr, num_steps, "once")


def _cleared_before_step(net, X, y, lr, num_steps):
    return _sgd_losses(net, X, y, lr, num_steps, "before step")


def _cleared_after_step(net, X, y, lr, num_steps):
    return _sgd_losses(net, X, y, lr, num_steps, "after step")


TRAIN_MISCONCEPTIONS = [
    Misconception("gradients accumulated from a previous call", _never_cleared,
                  "backward() adds into .grad, so without opt.zero_grad() every step follows the sum of all "
                  "gradients so far. Clear them at the top of each step."),
    Misconception("zero_grad() called once, before the loop", _cleared_once,
                  "the gradients still add up from one step to the next: clear them inside the loop, every step."),
    Misconception("zero_grad() between backward() and step()", _cleared_before_step,
                  "the step then finds no gradient and changes nothing: clear before backward(), not after."),
    Misconception("zero_grad() after step(): the first step used the gradient left from before",
                  _cleared_after_step,
                  "a network that was used before already holds a gradient, and the first backward() adds to "
                  "it. Clear at the top of each step, before backward(), so that every step starts clean."),
]


@exercise(answer=reference_train, misconceptions=TRAIN_MISCONCEPTIONS, hidden_cases=loop_cases)
def check_train_steps(train, cases=LOOP_CASES):
    """Check ``train(net, X, y, lr, num_steps)`` (the list of losses) against a correct loop."""
    check_function(driven(losses_of, train), reference_losses, cases,
                   misconceptions=driven_misconceptions(losses_of, TRAIN_MISCONCEPTIONS), name="train")


# ---- autograd.grad against backward() ---------------------------------------------------

def grad_versus_backward(w=2.0):
    """``(g, w.grad)`` after ``L.backward()``, ``(g,) = autograd.grad(L, [w])``, ``L.backward()`` with a
    fresh ``L = (3 w)²`` each time, in mlcore."""
    weight = nn.Parameter(tensor(w))
    ((3 * weight) ** 2).backward()
    (g,) = grad((3 * weight) ** 2, [weight])
    ((3 * weight) ** 2).backward()
    return float(g), float(weight.grad)


UNTOUCHED_EXPLANATIONS = {
    "autograd.grad": "mlcore.autograd.grad (like torch.autograd.grad) returns the gradients as a list and "
                     "writes nothing into .grad, so the gradients already there stay as they were.",
    "backward": "backward() returns None and adds the new gradient into every leaf's .grad: it always "
                "touches .grad.",
    "both": "backward() adds into .grad; only autograd.grad leaves it alone.",
    "neither": "autograd.grad returns its gradients and leaves .grad untouched; backward() is the one that adds.",
}


G_VALUE, W_GRAD_AFTER = grad_versus_backward()
# Other spellings of the options: the call, with its parentheses or its module.
_SPELLINGS = {"autograd.grad()": "autograd.grad", "mlcore.autograd.grad": "autograd.grad",
              "mlcore.autograd.grad()": "autograd.grad", "torch.autograd.grad": "autograd.grad",
              "grad": "autograd.grad", "grad()": "autograd.grad", "backward()": "backward",
              "loss.backward": "backward", "loss.backward()": "backward"}

G_MISCONCEPTIONS = [Misconception("autograd.grad returned .grad with the new gradient added",
                                  G_VALUE + W_GRAD_AFTER / 2,
                                  "autograd.grad returns the gradient of the loss it is given, and nothing else.")]
W_GRAD_MISCONCEPTIONS = [
    Misconception("autograd.grad added into .grad too", 1.5 * W_GRAD_AFTER,
                  "only the two backward() calls add into .grad; autograd.grad returns its result."),
    Misconception("the last backward() overwrote .grad", W_GRAD_AFTER / 2,
                  "backward() adds into .grad: the first call's gradient is still there."),
]
# Each mistake as the three answers, the other two right.
GRAD_MISCONCEPTIONS = (
    [Misconception(m.name, Answers(m.variant, W_GRAD_AFTER, "autograd.grad"), m.hint) for m in G_MISCONCEPTIONS]
    + [Misconception(m.name, Answers(G_VALUE, m.variant, "autograd.grad"), m.hint) for m in W_GRAD_MISCONCEPTIONS]
    + [Misconception(m.name, Answers(G_VALUE, W_GRAD_AFTER, m.variant), m.hint)
       for m in choice_misconceptions(UNTOUCHED_EXPLANATIONS, "autograd.grad")])


def _spelled_as_option(answer):
    """``answer``, if it is another spelling of an option ("autograd.grad()"), as that option."""
    if isinstance(answer, str):
        return _SPELLINGS.get(str.lower(str.strip(answer)), answer)
    return answer


@exercise(answer=Answers(G_VALUE, W_GRAD_AFTER, "autograd.grad"), misconceptions=GRAD_MISCONCEPTIONS)
def check_grad_versus_backward(g_value, w_grad_after, untouched):
    """Check the value ``autograd.grad`` returned, ``.grad`` at the end, and which call left ``.grad``
    alone (None: not answered yet)."""
    check_value(answered(g_value), G_VALUE, name="g_value", misconceptions=G_MISCONCEPTIONS)
    check_value(answered(w_grad_after), W_GRAD_AFTER, name="w_grad_after", misconceptions=W_GRAD_MISCONCEPTIONS)
    check_choice(_spelled_as_option(answered(untouched)), "autograd.grad", name="untouched",
                 explanations=UNTOUCHED_EXPLANATIONS)
