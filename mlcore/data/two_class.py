"""Two-class data in the plane: circles, moons, XOR, a spiral and two Gaussians (chapter 7's playground).

These are TensorFlow Playground's data sets (plus scikit-learn's moons),
written with numpy's generator so that one seed gives one data set. Each has
``n_samples`` points, half of each class, inside roughly [-1.5, 1.5] squared;
``noise`` is the standard deviation of Gaussian noise added to both coordinates
(as in scikit-learn's ``make_circles`` and ``make_moons``, whose shapes
``circles`` and ``moons`` follow). Labels are 0 and 1.
"""

import numbers

import numpy as np

__all__ = ["DATASETS", "make_two_class"]


def _circles(n0, n1, rng):
    """Class 0 on the unit circle, class 1 on the circle of radius 0.5 inside it (make_circles, factor 0.5)."""
    outer = rng.uniform(0.0, 2 * np.pi, n0)
    inner = rng.uniform(0.0, 2 * np.pi, n1)
    return (np.column_stack([np.cos(outer), np.sin(outer)]),
            0.5 * np.column_stack([np.cos(inner), np.sin(inner)]))


def _moons(n0, n1, rng):
    """Two interleaved half circles (make_moons), centred on the origin."""
    upper = rng.uniform(0.0, np.pi, n0)
    lower = rng.uniform(0.0, np.pi, n1)
    centre = np.array([0.5, 0.25])
    return (np.column_stack([np.cos(upper), np.sin(upper)]) - centre,
            np.column_stack([1.0 - np.cos(lower), 0.5 - np.sin(lower)]) - centre)


def _xor(n0, n1, rng):
    """Points in [-1, 1] squared, class 1 where x1 * x2 > 0, kept 0.1 away from the axes."""
    def quadrants(n, same_sign):
        points = rng.uniform(0.1, 1.0, (n, 2)) * rng.choice([-1.0, 1.0], (n, 1))
        if not same_sign:
            points[:, 1] *= -1.0
        return points
    return quadrants(n0, same_sign=False), quadrants(n1, same_sign=True)


def _spiral(n0, n1, rng):
    """Two arms of a spiral, each turning 1.75 times around the origin, the second rotated by half a turn."""
    def arm(n, phase):
        t = rng.uniform(0.0, 1.0, n)
        angle = 1.75 * 2 * np.pi * t + phase
        return 1.4 * t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return arm(n0, 0.0), arm(n1, np.pi)


def _gaussians(n0, n1, rng):
    """Two round Gaussian clouds (standard deviation 0.35) around (-0.6, -0.6) and (0.6, 0.6)."""
    return (rng.normal([-0.6, -0.6], 0.35, (n0, 2)), rng.normal([0.6, 0.6], 0.35, (n1, 2)))


_MAKERS = {"circles": _circles, "moons": _moons, "xor": _xor, "spiral": _spiral, "gaussians": _gaussians}
DATASETS = tuple(_MAKERS)


def make_two_class(name, n_samples=200, noise=0.0, rng=None):
    """``(X, y)``: ``n_samples`` points of the data set ``name`` (one of :data:`DATASETS`), ``X`` of
    shape ``(n_samples, 2)`` and labels ``y`` in {0, 1}, in random order (chapter 7).

    ``rng`` is a numpy Generator (``np.random.default_rng(seed)``).
    """
    if name not in _MAKERS:
        raise ValueError(f"no data set named {name!r}; choose one of {', '.join(DATASETS)}.")
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 2:
        raise ValueError(f"n_samples must be a whole number of at least 2 (one per class), got {n_samples!r}.")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not noise >= 0:
        raise ValueError(f"noise is a standard deviation, a number >= 0; got {noise!r}.")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}; make one with "
                        "rng = np.random.default_rng(seed).")
    n1 = n_samples // 2
    class0, class1 = _MAKERS[name](n_samples - n1, n1, rng)
    X = np.concatenate([class0, class1]) + rng.normal(0.0, 1.0, (n_samples, 2)) * noise
    y = np.concatenate([np.zeros(len(class0), dtype=np.int64), np.ones(n1, dtype=np.int64)])
    order = rng.permutation(n_samples)
    return X[order], y[order]
