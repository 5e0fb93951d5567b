"""The experiments behind chapter 6's table of which optimizer and which loss to choose (chapter 6).

Each function runs one small, seeded experiment with the library's own
optimizers and losses and returns its numbers. The chapter prints them in
checked cells, and the choice exercise's feedback (mlcore/feedback/
optimizer_choice.py) quotes the same numbers, so a claim in the table is
never folklore: change the code and the table changes with it.
"""

import numpy as np

from .factories import tensor
from .nn import functional as F
from .nn.parameter import Parameter
from .optim import SGD
from .optim.lr_scheduler import CosineAnnealingLR
from .optimizer_runs import SurfaceRun, steps_to

__all__ = ["RATE_GRID", "best_rate", "decay_effect", "escape_steps", "noisy_floor",
           "outlier_slopes", "saturated_gradients", "steps_to_tolerance"]

RATE_GRID = tuple(float(r) for r in np.geomspace(1e-3, 3.0, 15))   # every optimizer gets the same grid


def steps_to_tolerance(surface, name, lr, tol=1e-6, max_steps=1000, *, beta=0.9, start=None):
    """The first step at which ``name`` at ``lr`` brings the loss to ``tol`` or below, or None
    within ``max_steps`` (the run stops as soon as it gets there, or diverges)."""
    run = SurfaceRun(surface, name, lr, surface.start if start is None else start, beta=beta)
    while run.num_steps < max_steps and run.diverged_at is None and run.losses[-1] > tol:
        run.advance_to(run.num_steps + 1)
    return steps_to(run.losses, tol)


def best_rate(surface, name, rates=RATE_GRID, tol=1e-6, max_steps=500, *, beta=0.9):
    """``(lr, steps, converging)``: the rate of ``rates`` that reaches ``tol`` in the fewest steps,
    those steps, and how many of the rates get there at all (None, None, 0 if none does)."""
    steps = {lr: steps_to_tolerance(surface, name, lr, tol, max_steps, beta=beta) for lr in rates}
    reached = {lr: k for lr, k in steps.items() if k is not None}
    if not reached:
        return None, None, 0
    lr = min(reached, key=reached.get)
    return lr, reached[lr], len(reached)


def noisy_floor(surface, name, rates=RATE_GRID, num_steps=500, last=100, *, beta=0.9, seed=0, decay=False):
    """``(lr, loss)``: the rate whose run ends lowest on a noisy surface, and that loss, averaged over
    the ``last`` steps of ``num_steps`` (the level at which the noise keeps it bouncing).

    With ``decay`` every run's rate falls from ``lr`` to 0 along a cosine over the ``num_steps``
    steps (chapter 3's ``CosineAnnealingLR``, stepped after every step), so the bouncing dies down.
    """
    floors = {}
    for lr in rates:
        run = SurfaceRun(surface, name, lr, surface.start, beta=beta, seed=seed)
        if decay:
            schedule = CosineAnnealingLR(run.optimizer, T_max=num_steps)
            while run.num_steps < num_steps and run.diverged_at is None:
                run.advance_to(run.num_steps + 1)
                schedule.step()
        else:
            run.advance_to(num_steps)
        if run.diverged_at is None:
            floors[lr] = float(np.mean(run.losses[-last:]))
    lr = min(floors, key=floors.get)
    return lr, floors[lr]


def escape_steps(surface, name, lr, start, *, beta=0.9, max_steps=1000, distance=1.0):
    """The first step at which the run's ``|w2|`` reaches ``distance`` (it has left the saddle at the
    origin), or None within ``max_steps``."""
    run = SurfaceRun(surface, name, lr, start, beta=beta).advance_to(max_steps)
    left = np.flatnonzero(np.abs(run.points[:, 1]) >= distance)
    return int(left[0]) if left.size else None


def decay_effect(optimizer_class, scales=(1.0, 100.0), weight_decay=0.1, lr=0.01, num_steps=200, seed=0):
    """How much weight decay moves each of two weights whose gradients are noise of different
    ``scales``: ``|w(no decay) - w(decay)|`` after ``num_steps`` steps of ``optimizer_class`` (Adam, whose
    ``weight_decay`` is an L2 penalty, or AdamW, whose decay is decoupled) from w = 1, with the same noise."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((num_steps, len(scales))) * np.asarray(scales)
    ends = []
    for decay in (weight_decay, 0.0):
        w = Parameter(np.ones(len(scales)))
        optimizer = optimizer_class([w], lr=lr, weight_decay=decay)
        for g in noise:
            w.grad = g.copy()
            optimizer.step()
        ends.append(w.data.copy())
    return np.abs(ends[1] - ends[0])


def outlier_slopes(seed=0, num_points=30, num_outliers=3, lr=0.05, num_epochs=1000):
    """Slopes of a line fitted by full-batch momentum SGD with the MSE and with the Huber loss to data
    ``y = 2 x + 1 + noise`` whose last ``num_outliers`` targets are 30 too high: ``{"mse": ..., "huber": ...}``
    and the true slope 2 under ``"true"``."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, num_points)
    y = 2.0 * x + 1.0 + 0.1 * rng.standard_normal(num_points)
    y[-num_outliers:] += 30.0
    X, Y = tensor(x), tensor(y)
    slopes = {"true": 2.0}
    for name, loss_fn in (("mse", F.mse_loss), ("huber", F.huber_loss)):
        w, b = Parameter(np.zeros(())), Parameter(np.zeros(()))
        optimizer = SGD([w, b], lr=lr, momentum=0.9)
        for _ in range(num_epochs):
            optimizer.zero_grad()
            loss_fn(w * X + b, Y).backward()
            optimizer.step()
        slopes[name] = float(w.item())
    return slopes


def saturated_gradients(z=-8.0):
    """The gradient with respect to the logit ``z`` of a sigmoid output whose label is 1, under binary
    cross-entropy and under the squared error: ``{"bce": ..., "mse": ...}`` (a confident mistake at
    ``z = -8``: cross-entropy's gradient is about -1, the squared error's vanishes)."""
    grads = {}
    for name in ("bce", "mse"):
        logit = tensor(np.array([z]), requires_grad=True)
        p, target = logit.sigmoid(), tensor(np.array([1.0]))
        loss = F.binary_cross_entropy(p, target) if name == "bce" else F.mse_loss(p, target)
        loss.backward()
        grads[name] = float(logit.grad[0])
    return grads
