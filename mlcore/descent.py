"""Gradient descent on a function of a few parameters, and what its iterates do (chapter 3).

The chapter's 1-D and 2-D panels, its checks and its notebook run gradient
descent through this one function: the update is ``mlcore.optim.SGD``'s and
the gradient is autograd's, so no second copy of the update rule exists.
"""

from dataclasses import dataclass

import numpy as np

from .optim import SGD
from .factories import tensor

__all__ = ["BEHAVIOURS", "DescentRun", "behaviour", "critical_rate", "descend"]

BEHAVIOURS = ("converges", "oscillates", "diverges")


@dataclass(frozen=True)
class DescentRun:
    """The iterates of one run of gradient descent (chapter 3).

    ``thetas[k]``, ``losses[k]`` and ``grads[k]`` belong to the iterate after
    ``k`` updates, from ``k = 0`` (the start) to the last one. ``escaped_at`` is
    the step at which an iterate left ``|theta| <= limit`` and the run stopped
    early, or None.
    """

    thetas: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    lr: float
    escaped_at: object = None

    @property
    def behaviour(self):
        """``'converges'``, ``'oscillates'`` or ``'diverges'``, read from the iterates."""
        return behaviour(self.grads, escaped=self.escaped_at is not None)


def descend(loss_fn, theta0, lr, num_steps, *, limit=1e6):
    """Run ``num_steps`` updates ``theta <- theta - lr * grad loss_fn(theta)`` from ``theta0`` with
    ``mlcore.optim.SGD``, the gradient by autograd; return a :class:`DescentRun` (chapter 3).

    ``loss_fn`` takes an mlcore tensor of ``theta0``'s shape and returns a
    scalar tensor, e.g. ``lambda theta: theta * theta``. A run whose iterate
    leaves ``|theta| <= limit`` stops there, before numbers overflow: that is
    divergence, and the run says so instead of filling up with ``inf``.
    """
    if isinstance(num_steps, bool) or not isinstance(num_steps, (int, np.integer)) or num_steps < 0:
        raise ValueError(f"num_steps must be a whole number >= 0, got {num_steps!r}.")
    theta = tensor(np.array(theta0, dtype=np.float64), requires_grad=True)
    optimizer = SGD([theta], lr=lr)
    thetas, losses, grads = [], [], []
    escaped_at = None
    for step in range(num_steps + 1):
        optimizer.zero_grad()
        loss = loss_fn(theta)
        loss.backward()
        thetas.append(theta.data.copy())
        losses.append(float(loss.item()))
        grads.append(np.array(theta.grad, dtype=np.float64))
        if np.max(np.abs(theta.data)) > limit:
            escaped_at = step
            break
        if step < num_steps:
            optimizer.step()
    return DescentRun(np.array(thetas), np.array(losses), np.array(grads), float(lr), escaped_at)


def behaviour(grads, *, escaped=False, rtol=1e-6, window=4):
    """Whether gradient descent ``'converges'``, ``'oscillates'`` or ``'diverges'``, read from the
    gradients at its iterates, ``grads[0]`` at the start (chapter 3).

    Each of the last ``window`` gradients is compared with the one two steps
    earlier, so a zig-zag that shrinks counts as converging. All shrinking:
    converges; all growing, to the largest gradient of the run: diverges;
    anything else keeps bouncing without settling or escaping: oscillates. On a quadratic with curvature L every
    step multiplies the gradient by ``1 - lr * L``, so this is exact there:
    ``|1 - lr L| < 1`` converges, ``= 1`` oscillates, ``> 1`` diverges. On a
    curve that is not a quadratic, a rate above 2/L can also end in a bounded
    bounce between two points (or more), which reads as oscillating.
    """
    norms = np.linalg.norm(np.asarray(grads, dtype=np.float64).reshape(len(grads), -1), axis=1)
    if escaped or not np.all(np.isfinite(norms)):
        return "diverges"
    if len(norms) < 3:
        raise ValueError(f"reading the behaviour needs at least 2 steps (3 iterates), got {len(norms)} "
                         "iterates; run more steps.")
    if norms[-1] <= 1e-12 * norms.max():
        return "converges"
    pairs = range(max(2, len(norms) - window), len(norms))
    last, before = norms[list(pairs)], norms[[k - 2 for k in pairs]]
    if np.all(last < before * (1 - rtol)):
        return "converges"
    if np.all(last > before * (1 + rtol)) and norms[-1] >= norms.max():
        return "diverges"
    return "oscillates"


def critical_rate(hessian):
    """``2 / L``, with ``L`` the largest eigenvalue of a symmetric ``hessian``: gradient descent on
    that quadratic converges for ``0 < lr < 2 / L`` and diverges above (chapter 3)."""
    H = np.atleast_2d(np.asarray(hessian, dtype=np.float64))
    if H.ndim != 2 or H.shape[0] != H.shape[1] or not np.allclose(H, H.T):
        raise ValueError(f"a Hessian is a symmetric square matrix, got shape {H.shape}"
                         + ("" if H.shape[0] != H.shape[-1] else " that is not symmetric") + ".")
    largest = float(np.linalg.eigvalsh(H)[-1])
    if largest <= 0:
        raise ValueError(f"the largest eigenvalue is {largest:g}: the quadratic has no minimum to "
                         "converge to, so it has no critical rate.")
    return 2.0 / largest
