"""The best straight line under MSE, MAE and Huber loss (chapter 1's outlier panel).

Each function returns ``(slope, intercept)`` minimising the mean loss of the
residuals ``slope * x + intercept - y``. They are exact or converge to machine
precision in well under a millisecond for a dozen points, so the outlier panel
can refit all three lines at every slider step.
"""

import numpy as np

__all__ = ["fit_huber", "fit_mae", "fit_mse"]


def _design(x):
    return np.stack([x, np.ones_like(x)], axis=1)


def fit_mse(x, y):
    """Least squares: the normal equations solved exactly (as ``np.polyfit(x, y, 1)``)."""
    (slope, intercept), *_ = np.linalg.lstsq(_design(x), y, rcond=None)
    return float(slope), float(intercept)


def fit_mae(x, y):
    """Least absolute deviations, solved exactly.

    The mean absolute error of a line is convex and piecewise linear in
    (slope, intercept), so its minimum is attained at a corner, and every corner
    is a line through two of the data points. Trying every pair therefore finds
    the exact minimum: an L1 fit always passes through two data points, which
    is why one outlier cannot drag it far.
    """
    i, j = np.triu_indices(len(x), k=1)
    dx = x[j] - x[i]
    distinct = dx != 0
    i, j, dx = i[distinct], j[distinct], dx[distinct]
    if dx.size == 0:
        raise ValueError("fitting a line needs at least two different x values.")
    slopes = (y[j] - y[i]) / dx
    intercepts = y[i] - slopes * x[i]
    losses = np.abs(slopes[:, None] * x + intercepts[:, None] - y).mean(axis=1)
    best = int(np.argmin(losses))
    return float(slopes[best]), float(intercepts[best])


def fit_huber(x, y, delta, *, max_iter=500, tol=1e-12):
    """Huber regression by iteratively reweighted least squares (IRLS).

    Huber's gradient is ``r`` for ``|r| <= delta`` and ``delta * sign(r)``
    beyond, i.e. a weight ``w = min(1, delta / |r|)`` times ``r``. Solving the
    weighted least-squares problem with the current weights and repeating is a
    majorise-minimise scheme: the loss never increases, and it stops when the
    line no longer moves. Large residuals get small weights: that is the
    robustness, visible as a formula.
    """
    design = _design(x)
    slope, intercept = fit_mse(x, y)
    for _ in range(max_iter):
        residuals = np.abs(slope * x + intercept - y)
        weights = np.minimum(1.0, delta / np.maximum(residuals, delta * 1e-12))
        root = np.sqrt(weights)
        (new_slope, new_intercept), *_ = np.linalg.lstsq(design * root[:, None], y * root, rcond=None)
        moved = abs(new_slope - slope) + abs(new_intercept - intercept)
        slope, intercept = float(new_slope), float(new_intercept)
        if moved <= tol * (1.0 + abs(slope) + abs(intercept)):
            break
    return slope, intercept
