"""Checks for chapter 5's accumulating gradients: the missing ``zero_grad()``, and ``autograd.grad`` vs ``backward()``.

- ``train(net, X, y, lr, num_steps)`` is the source article's loop repaired:
  SGD on ``F.mse_loss(net(X), y)`` that clears the gradients every step. The
  check trains small networks (some already used for a backward pass, as
  in the middle of a training run) and compares the list of losses with a
  correct loop's; each misplaced or missing ``zero_grad()`` gives a
  different list, and is named.
- Three calls in a row on one parameter (``backward()``, ``autograd.grad``,
  ``backward()``): what ``autograd.grad`` returns, what ``.grad`` holds at the
  end, and which call leaves ``.grad`` untouched. The numbers come from
  running them in mlcore.
"""

import numpy as np

from .. import nn, optim
from ..autograd import grad
from ..factories import tensor
from ..gradient_flow import deep_stack
from ..grading.checks import Misconception, check_choice, check_function, check_value
from ..nn import functional as F

__all__ = ["check_grad_versus_backward", "check_train", "grad_versus_backward", "loop_cases", "loop_problem",
           "reference_train"]


def loop_problem(seed, *, depth=2, width=3, batch=6, used=False):
    """``(net, X, y)``: a small tanh stack and a regression batch from ``seed``; with ``used``, the net
    already ran ``backward()`` once, so its ``.grad`` holds an old gradient."""
    rng = np.random.default_rng(seed)
    net = deep_stack(depth, "tanh", "xavier", width=width, generator=rng)
    X, y = tensor(rng.standard_normal((batch, width))), tensor(rng.standard_normal((batch, width)))
    if used:
        F.mse_loss(net(tensor(rng.standard_normal((batch, width)))), y).backward()
    return net, X, y


def loop_cases(seed=None):
    """``(net, X, y, lr, num_steps)``: a fresh net for one step, then fresh and used nets for a few
    steps; hidden cases (``seed``) are deeper and train longer."""
    if seed is None:
        return [(*loop_problem(701), 0.1, 1), (*loop_problem(702), 0.1, 4), (*loop_problem(703, used=True), 0.2, 5)]
    rng = np.random.default_rng(seed)
    return [(*loop_problem(int(rng.integers(10**6)), depth=int(rng.integers(2, 5)), width=4, used=used), lr, steps)
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
        losses.append(loss.item())
    return losses


def reference_train(net, X, y, lr, num_steps):
    """The right loop: ``zero_grad()``, loss, ``backward()``, ``step()``; the loss of every step."""
    return _sgd_losses(net, X, y, lr, num_steps, "every step")


def _never_cleared(net, X, y, lr, num_steps):
    return _sgd_losses(net, X, y, lr, num_steps, "never")


def _cleared_once(net, X, y, lr, num_steps):
    return _sgd_losses(net, X, y, lr, num_steps, "once")


def _cleared_before_step(net, X, y, lr, num_steps):
    return _sgd_losses(net, X, y, lr, num_steps, "before step")


TRAIN_MISCONCEPTIONS = [
    Misconception("gradients accumulated from a previous call", _never_cleared,
                  "backward() adds into .grad, so without opt.zero_grad() every step follows the sum of all "
                  "gradients so far. Clear them at the top of each step."),
    Misconception("zero_grad() called once, before the loop", _cleared_once,
                  "the gradients still add up from one step to the next: clear them inside the loop, every step."),
    Misconception("zero_grad() between backward() and step()", _cleared_before_step,
                  "the step then finds no gradient and changes nothing: clear before backward(), not after."),
]


def check_train(train, cases=None):
    """Check ``train(net, X, y, lr, num_steps)`` (the list of losses) against a correct loop."""
    check_function(train, reference_train, loop_cases() if cases is None else cases,
                   misconceptions=TRAIN_MISCONCEPTIONS, name="train")


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


def check_grad_versus_backward(g_value, w_grad_after, untouched):
    """Check the value ``autograd.grad`` returned, ``.grad`` at the end, and which call left ``.grad`` alone."""
    g, after = grad_versus_backward()
    check_value(g_value, g, name="g_value", misconceptions=[
        Misconception("autograd.grad returned .grad with the new gradient added", g + after / 2,
                      "autograd.grad returns the gradient of the loss it is given, and nothing else."),
    ])
    check_value(w_grad_after, after, name="w_grad_after", misconceptions=[
        Misconception("autograd.grad added into .grad too", 1.5 * after,
                      "only the two backward() calls add into .grad; autograd.grad returns its result."),
        Misconception("the last backward() overwrote .grad", after / 2,
                      "backward() adds into .grad: the first call's gradient is still there."),
    ])
    check_choice(untouched, "autograd.grad", name="untouched", explanations=UNTOUCHED_EXPLANATIONS)
