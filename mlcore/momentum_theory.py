"""How fast gradient descent and momentum converge on a quadratic, from eigenvalues (chapter 6).

On ``1/2 w^T H w`` every eigenvector of ``H`` (eigenvalue ``lam``) moves on
its own. Gradient descent multiplies the error along it by ``1 - lr * lam``
per step. Momentum in PyTorch's form (``mlcore.optim.SGD(momentum=beta)``),

    z_{k+1} = beta * z_k + lam * x_k,        x_{k+1} = x_k - alpha * z_{k+1},

is a linear map of the pair ``(z_k, x_k)`` with the matrix

    R = [[beta,          lam          ],
         [-alpha * beta, 1 - alpha * lam]],

whose eigenvalues ``sigma`` solve ``sigma^2 - (1 + beta - alpha lam) sigma + beta = 0``.
The error shrinks like ``max |sigma|^k``, the largest over all eigenvalues of
``H``: the **convergence rate** of distill's "Why Momentum Really Works",
whose phase diagram colours the (alpha, beta) plane by it. On a quadratic with
curvatures between ``mu`` and ``L`` (condition number ``kappa = L / mu``), the
best settings are ``alpha* = (2 / (sqrt L + sqrt mu))^2`` and
``beta* = ((sqrt kappa - 1) / (sqrt kappa + 1))^2``, with rate
``(sqrt kappa - 1) / (sqrt kappa + 1)``; gradient descent's best is
``lr = 2 / (L + mu)`` with rate ``(kappa - 1) / (kappa + 1)``.
"""

import numpy as np

__all__ = ["gd_rate", "momentum_matrix", "momentum_rate", "optimal_gd", "optimal_momentum"]


def _curvatures(L, mu):
    L, mu = float(L), float(mu)
    if not L >= mu > 0:
        raise ValueError(f"the curvatures must satisfy L >= mu > 0 (L the largest eigenvalue of the "
                         f"Hessian, mu the smallest), got L={L!r}, mu={mu!r}.")
    return L, mu


def _eigenvalues(eigenvalues):
    lam = np.atleast_1d(np.asarray(eigenvalues, dtype=np.float64))
    if lam.ndim != 1 or not np.all(lam > 0):
        raise ValueError(f"eigenvalues must be a list of positive curvatures, got {np.round(lam, 6).tolist()}; "
                         "a quadratic with a minimum has a positive definite Hessian.")
    return lam


def optimal_gd(L, mu):
    """``(lr, rate)``: gradient descent's best learning rate ``2 / (L + mu)`` on a quadratic with
    curvatures in ``[mu, L]``, and its rate ``(kappa - 1) / (kappa + 1)`` (chapters 3 and 6)."""
    L, mu = _curvatures(L, mu)
    kappa = L / mu
    return 2.0 / (L + mu), (kappa - 1.0) / (kappa + 1.0)


def optimal_momentum(L, mu):
    """``(alpha, beta, rate)``: momentum's best step ``(2 / (sqrt L + sqrt mu))^2``, momentum
    ``((sqrt kappa - 1) / (sqrt kappa + 1))^2`` and rate ``(sqrt kappa - 1) / (sqrt kappa + 1)``
    on a quadratic with curvatures in ``[mu, L]`` (chapter 6)."""
    L, mu = _curvatures(L, mu)
    root = np.sqrt(L / mu)
    rate = (root - 1.0) / (root + 1.0)
    return (2.0 / (np.sqrt(L) + np.sqrt(mu))) ** 2, rate**2, rate


def gd_rate(lr, eigenvalues):
    """``max |1 - lr * lam|`` over the eigenvalues: how much one step of gradient descent can leave
    of the error (below 1: it converges); ``lr`` may be an array (chapters 3 and 6)."""
    lam = _eigenvalues(eigenvalues)
    lr = np.asarray(lr, dtype=np.float64)
    return np.max(np.abs(1.0 - lr[..., None] * lam), axis=-1)


def momentum_matrix(alpha, beta, lam):
    """The 2x2 matrix ``R`` that maps ``(z_k, x_k)`` to ``(z_{k+1}, x_{k+1})`` along one eigenvector
    of curvature ``lam`` (see the module docstring)."""
    return np.array([[beta, lam], [-alpha * beta, 1.0 - alpha * lam]], dtype=np.float64)


def momentum_rate(alpha, beta, eigenvalues):
    """``max |sigma|`` over the eigenvalues ``sigma`` of every ``R(alpha, beta, lam)``: the factor by
    which momentum shrinks the error per step in the long run (below 1: it converges).

    ``alpha`` and ``beta`` may be arrays of one shape (a grid, for the phase diagram); the
    roots of ``sigma^2 - (1 + beta - alpha lam) sigma + beta`` are taken in closed form.
    """
    lam = _eigenvalues(eigenvalues)
    alpha = np.asarray(alpha, dtype=np.float64)[..., None]
    beta = np.asarray(beta, dtype=np.float64)[..., None]
    if np.any(beta < 0):
        raise ValueError("momentum beta must be >= 0 (0 is plain gradient descent).")
    half_trace = 0.5 * (1.0 + beta - alpha * lam)
    discriminant = half_trace**2 - beta
    root = np.sqrt(np.abs(discriminant))
    # Real roots: half_trace +- root; complex ones: a conjugate pair of modulus sqrt(beta).
    real = np.abs(half_trace) + root
    largest = np.where(discriminant >= 0, real, np.sqrt(beta))
    return np.max(largest, axis=-1)
