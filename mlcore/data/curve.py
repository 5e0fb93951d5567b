"""Noisy samples of a smooth function, for fitting curves of growing capacity (chapter 7).

The function is ``sin(pi x)`` on [-1, 1]; each target adds Gaussian noise.
Its shape needs more than a straight line and less than a wiggly
polynomial, which is what under- and overfitting are about.
"""

import numbers

import numpy as np

__all__ = ["noisy_samples", "smooth_function"]


def smooth_function(x):
    """``sin(pi x)``: the curve that the noisy samples scatter around (chapter 7)."""
    return np.sin(np.pi * np.asarray(x, dtype=np.float64))


def noisy_samples(n_samples, noise, rng):
    """``(x, y)``: ``n_samples`` inputs uniform in [-1, 1] and targets ``sin(pi x)`` plus Gaussian noise
    of standard deviation ``noise``, both of shape ``(n_samples,)`` (chapter 7)."""
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 1:
        raise ValueError(f"n_samples must be a whole number >= 1, got {n_samples!r}.")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}; make one with "
                        "rng = np.random.default_rng(seed).")
    x = rng.uniform(-1.0, 1.0, n_samples)
    return x, smooth_function(x) + noise * rng.normal(size=n_samples)
