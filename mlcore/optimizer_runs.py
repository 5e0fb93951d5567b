"""Optimizers of ``mlcore.optim`` run on a surface of two parameters, step by step (chapter 6).

A :class:`SurfaceRun` is one optimizer, the real ``mlcore.optim`` class that
trains the networks of chapters 7 and 8, updating a 2-element
``nn.Parameter`` on a :class:`~mlcore.surfaces.Surface`. Each step sets the
parameter's ``.grad`` to the surface's gradient (plus the surface's noise) and
calls ``optimizer.step()``: the update rules exist only in ``mlcore.optim``.

A run can be extended one step at a time (the race panel's play button) and
stops by itself when it diverges: as soon as an iterate leaves
``|w| <= limit`` it records the step and takes no more, so no overflow (and no
warning) ever happens.
"""

from dataclasses import dataclass

import numpy as np

from .nn.parameter import Parameter
from .optim import SGD, Adagrad, Adam, AdamW, RMSprop

__all__ = ["OPTIMIZERS", "OptimizerSpec", "SurfaceRun", "make_optimizer", "run_on", "steps_to"]


@dataclass(frozen=True)
class OptimizerSpec:
    """How the chapter builds one optimizer from a learning rate and the shared momentum ``beta``."""

    label: str
    build: object
    uses_beta: bool = False

    def __call__(self, params, lr, beta):
        return self.build(params, lr, beta)


def _sgd(params, lr, beta):
    return SGD(params, lr=lr)


def _momentum(params, lr, beta):
    return SGD(params, lr=lr, momentum=beta)


def _nesterov(params, lr, beta):
    # With beta = 0 there is nothing to look ahead along: PyTorch refuses nesterov=True there, and
    # Nesterov is then plain gradient descent.
    return SGD(params, lr=lr, momentum=beta, nesterov=beta > 0)


def _adagrad(params, lr, beta):
    return Adagrad(params, lr=lr)


def _rmsprop(params, lr, beta):
    return RMSprop(params, lr=lr)


def _adam(params, lr, beta):
    return Adam(params, lr=lr)


def _adamw(params, lr, beta):
    return AdamW(params, lr=lr)  # weight_decay=1e-2, PyTorch's default


# Every other hyper-parameter is PyTorch's default. The shared beta is SGD's momentum.
OPTIMIZERS = {
    "sgd": OptimizerSpec("SGD", _sgd),
    "momentum": OptimizerSpec("momentum", _momentum, uses_beta=True),
    "nesterov": OptimizerSpec("Nesterov", _nesterov, uses_beta=True),
    "adagrad": OptimizerSpec("Adagrad", _adagrad),
    "rmsprop": OptimizerSpec("RMSprop", _rmsprop),
    "adam": OptimizerSpec("Adam", _adam),
    "adamw": OptimizerSpec("AdamW", _adamw),
}


def make_optimizer(name, params, lr, beta=0.9):
    """The ``mlcore.optim`` optimizer called ``name`` (a key of :data:`OPTIMIZERS`) on ``params``."""
    try:
        spec = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"no optimizer named {name!r}; the chapter's optimizers are "
                         f"{', '.join(OPTIMIZERS)}.") from None
    return spec(params, lr, beta)


class SurfaceRun:
    """One optimizer on one surface from ``start``, extended step by step (chapter 6).

    ``points[k]`` and ``losses[k]`` belong to the iterate after ``k`` steps;
    ``diverged_at`` is the step whose iterate left ``|w| <= limit`` (the run
    then stops), or None. ``seed`` seeds the gradient noise of a noisy
    surface, so runs with the same seed see the same noise.
    """

    def __init__(self, surface, name, lr, start, *, beta=0.9, seed=0, limit=1e6):
        self.surface = surface
        self.name = name
        self.limit = float(limit)
        self.w = Parameter(np.array(start, dtype=np.float64))
        if self.w.shape != (2,):
            raise ValueError(f"a surface run starts from a pair (w1, w2), got start={start!r}.")
        self.optimizer = make_optimizer(name, [self.w], lr, beta)
        self._rng = np.random.default_rng(seed)
        self._points = [self.w.data.copy()]
        self._losses = [float(surface.value(*self.w.data))]
        self.diverged_at = None

    @property
    def num_steps(self):
        """How many steps the run has taken."""
        return len(self._points) - 1

    @property
    def points(self):
        """The iterates ``w_0 ... w_num_steps``, shape (num_steps + 1, 2)."""
        return np.array(self._points)

    @property
    def losses(self):
        """The loss at each iterate, shape (num_steps + 1,)."""
        return np.array(self._losses)

    def advance_to(self, num_steps):
        """Take steps until ``num_steps`` have been taken, or the run diverges; return self."""
        w, optimizer, surface = self.w, self.optimizer, self.surface
        while self.diverged_at is None and len(self._points) <= num_steps:
            try:
                w.grad = surface.noisy_gradient(w.data, self._rng)
                optimizer.step()
                point = w.data.copy()
                loss = float(surface.value(*point))
            except FloatingPointError:  # raised only where a caller turned numpy's warnings into errors
                self.diverged_at = len(self._points)
                break
            self._points.append(point)
            self._losses.append(loss)
            # Two float comparisons (a NaN fails them too): np.all here would cost a third of a step.
            if not (abs(point[0]) <= self.limit and abs(point[1]) <= self.limit):
                self.diverged_at = len(self._points) - 1
        return self


def run_on(surface, name, lr, num_steps, *, start=None, beta=0.9, seed=0, limit=1e6):
    """A :class:`SurfaceRun` of ``num_steps`` steps (fewer if it diverges) from ``start``
    (default: the surface's own start)."""
    start = surface.start if start is None else start
    return SurfaceRun(surface, name, lr, start, beta=beta, seed=seed, limit=limit).advance_to(num_steps)


def steps_to(losses, tol):
    """The first step ``k`` with ``losses[k] <= tol``, or None if no iterate gets there."""
    reached = np.flatnonzero(np.asarray(losses) <= tol)
    return int(reached[0]) if reached.size else None
