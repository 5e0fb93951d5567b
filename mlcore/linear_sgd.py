"""Mini-batch SGD for linear regression with mlcore.optim (chapter 3's batch and schedule panels).

The model is ``y_hat = X @ w`` (put a column of ones in X for a bias) and the
loss the MSE. Each update sets ``w.grad`` to the MSE's gradient on one
mini-batch and lets ``mlcore.optim.SGD`` step; a schedule from
``mlcore.optim.lr_scheduler`` steps once per epoch.
"""

from dataclasses import dataclass

import numpy as np

from .data.minibatches import minibatches
from .nn.parameter import Parameter
from .optim import SGD

__all__ = ["SGDRun", "excess_mse", "fit_linear_sgd", "fit_linear_sgd_runs", "least_squares",
           "mse_weight_gradient"]


def mse_weight_gradient(X, w, y):
    """The gradient of ``mean((X @ w - y)**2)`` with respect to ``w``: ``2 / N * X.T @ (X @ w - y)``.

    ``w`` may also hold several weight vectors as columns, shape (d, R): then
    column r of the result is the gradient at column r of ``w``.
    """
    residual = X @ w - (y if np.ndim(w) == 1 else np.asarray(y)[:, None])
    return 2.0 / len(y) * (X.T @ residual)


@dataclass(frozen=True)
class SGDRun:
    """One run of :func:`fit_linear_sgd`.

    ``weights[k]`` is ``w`` after ``k`` updates (``weights[0]`` the start);
    ``lrs[k]`` and ``epochs[k]`` are the rate and the epoch of update ``k``;
    ``diverged_at`` is the update after which ``w`` left ``||w|| <= limit``
    and the run stopped, or None.
    """

    weights: np.ndarray
    lrs: np.ndarray
    epochs: np.ndarray
    diverged_at: object = None

    @property
    def epoch_ends(self):
        """Indices into ``weights`` of the parameters at the end of each completed epoch (0 first)."""
        ends = np.flatnonzero(np.diff(np.append(self.epochs, -1)) != 0) + 1
        return np.concatenate([[0], ends if self.diverged_at is None else ends[:-1]])


def fit_linear_sgd(X, y, lr, batch_size, num_epochs, rng, *, w0=None, schedule=None, limit=1e6):
    """Train ``y_hat = X @ w`` on the MSE with mini-batch SGD for ``num_epochs`` epochs (chapter 3).

    Every epoch goes through :func:`mlcore.data.minibatches` (a new shuffle
    from ``rng``); every mini-batch makes one ``mlcore.optim.SGD`` update.
    ``schedule``, if given, makes a scheduler from the optimizer, e.g.
    ``lambda opt: lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)``; it steps
    after each epoch, as in PyTorch. ``w0`` is the start (zeros by default).
    Returns an :class:`SGDRun`.
    """
    return fit_linear_sgd_runs(X, y, lr, batch_size, num_epochs, rng, w0=w0, schedules=[schedule],
                               limit=limit)[0]


def fit_linear_sgd_runs(X, y, lr, batch_size, num_epochs, rng, *, w0=None, schedules=(None,), limit=1e6):
    """:func:`fit_linear_sgd` once per entry of ``schedules`` (None: a constant rate), all on the same
    mini-batches; returns a list of :class:`SGDRun`, one per schedule.

    Each run has its own parameter, ``mlcore.optim.SGD`` and scheduler; the
    batch gradient of every run is computed in one matrix product, which makes
    four runs about twice as fast as four calls (chapter 3's schedule panel).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    start = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=np.float64)
    # Row r of W is run r's parameter: Parameter shares the array, and SGD updates it in place.
    W = np.tile(start, (len(schedules), 1))
    runs = [_Run(Parameter(W[r]), lr, schedule) for r, schedule in enumerate(schedules)]
    for epoch in range(num_epochs):
        active = [run for run in runs if run.diverged_at is None]
        if not active:
            break
        for X_batch, y_batch in minibatches(X, y, batch_size, rng):
            gradients = mse_weight_gradient(X_batch, W.T, y_batch)
            for r, run in enumerate(runs):
                if run.diverged_at is None:
                    run.update(gradients[:, r], epoch, limit)
        for run in active:
            if run.diverged_at is None and run.scheduler is not None:
                run.scheduler.step()
    return [run.result() for run in runs]


class _Run:
    """One parameter, its optimizer and scheduler, and the history :class:`SGDRun` reports."""

    def __init__(self, w, lr, schedule):
        self.w = w
        self.optimizer = SGD([w], lr=lr)
        self.scheduler = None if schedule is None else schedule(self.optimizer)
        self.group = self.optimizer.param_groups[0]
        self.weights, self.lrs, self.epochs = [w.data.copy()], [], []
        self.diverged_at = None

    def update(self, gradient, epoch, limit):
        self.w.grad = gradient
        self.lrs.append(self.group["lr"])
        self.epochs.append(epoch)
        self.optimizer.step()
        self.weights.append(self.w.data.copy())
        # The squared norm is the cheapest test on a small array; `not <=` also catches nan.
        if not float(self.w.data @ self.w.data) <= limit * limit:
            self.diverged_at = len(self.lrs)

    def result(self):
        return SGDRun(np.array(self.weights), np.array(self.lrs), np.array(self.epochs, dtype=int),
                      self.diverged_at)


def least_squares(X, y):
    """The weights with the least MSE, ``argmin_w mean((X @ w - y)**2)``."""
    return np.linalg.lstsq(X, y, rcond=None)[0]


def excess_mse(X, y, weights):
    """The MSE of each row of ``weights`` minus the least possible MSE, ``(w - w*)^T G (w - w*)``
    with ``G = X.T @ X / N`` (computed so, it stays exact down to 1e-16 above the minimum)."""
    gap = np.atleast_2d(weights) - least_squares(X, y)
    return np.einsum("ki,ij,kj->k", gap, X.T @ X / len(X), gap)
