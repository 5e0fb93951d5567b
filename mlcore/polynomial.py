"""Polynomial fits by least squares, with weight decay: capacity you can dial (chapter 7).

A polynomial of degree ``d`` is a linear model on the features
``1, x, x**2, ..., x**d``; its best weights solve a least-squares problem
exactly, so the degree can be swept without any training noise. Weight decay
adds ``weight_decay / 2 * ||w||**2`` to the mean squared error, the penalty
whose gradient ``weight_decay * w`` is what ``optim.SGD(weight_decay=...)``
adds: the fit here is where that SGD would end up. Setting the gradient
``2 / N * V.T @ (V @ w - y) + weight_decay * w`` to zero gives
``(V.T @ V + N * weight_decay / 2 * I) w = V.T @ y``, solved here as a
least-squares problem with extra rows, which stays accurate at degree 15.
"""

import numbers

import numpy as np

__all__ = ["fit_polynomial", "polynomial_features", "polynomial_mse"]


def polynomial_features(x, degree):
    """The matrix ``V`` with columns ``1, x, x**2, ..., x**degree``, shape ``(N, degree + 1)`` (chapter 7)."""
    if isinstance(degree, bool) or not isinstance(degree, numbers.Integral) or degree < 0:
        raise ValueError(f"degree must be a whole number >= 0, got {degree!r}.")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"x should be one number per sample, shape (N,), but has shape {x.shape}.")
    return np.vander(x, int(degree) + 1, increasing=True)


def fit_polynomial(x, y, degree, weight_decay=0.0):
    """The weights ``w`` (constant term first) that minimise
    ``mean((V @ w - y)**2) + weight_decay / 2 * sum(w**2)``, with ``V = polynomial_features(x, degree)`` (chapter 7).

    With fewer samples than weights and no weight decay, many polynomials fit
    exactly; the one with the smallest weights is returned (as ``lstsq`` does).
    """
    V = polynomial_features(x, degree)
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (len(V),):
        raise ValueError(f"y should have one target per x, shape ({len(V)},), but has shape {y.shape}.")
    if isinstance(weight_decay, bool) or not isinstance(weight_decay, numbers.Real) or weight_decay < 0:
        raise ValueError(f"weight_decay must be a number >= 0, got {weight_decay!r}.")
    if weight_decay > 0:
        # Rows sqrt(N * weight_decay / 2) * I with target 0 add N * weight_decay / 2 * ||w||**2 to the
        # summed squares: the same minimiser as the mean plus weight_decay / 2 * ||w||**2.
        V = np.vstack([V, np.sqrt(len(y) * weight_decay / 2.0) * np.eye(V.shape[1])])
        y = np.concatenate([y, np.zeros(V.shape[1])])
    return np.linalg.lstsq(V, y, rcond=None)[0]


def polynomial_mse(w, x, y):
    """The mean squared error of the polynomial with weights ``w`` (constant term first) on ``(x, y)``."""
    w = np.asarray(w, dtype=np.float64)
    residual = polynomial_features(x, len(w) - 1) @ w - np.asarray(y, dtype=np.float64)
    return float(np.mean(residual ** 2))
