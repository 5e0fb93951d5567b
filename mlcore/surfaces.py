"""The course's test surfaces: losses of two parameters that optimizers are raced on (chapters 3 and 6).

One place for every surface, so that the pictures of different chapters and
panels compare (d2l's habit of one ill-conditioned function for every
optimizer). Each :class:`Surface` has

* ``value(w1, w2)``: the loss, written once with operators that work on numpy
  arrays (a whole grid at once, for the contours) and on mlcore tensors alike
  (``surface.loss(w)`` of a 2-element Parameter, whose gradient autograd gives);
* ``gradient(w)``: the same gradient in closed form, on a numpy pair. The
  optimizer panels take thousands of steps per second with it; tests check it
  against mlcore's autograd and PyTorch's.

Every surface's lowest value is 0, so its loss can go on a log axis.

The surfaces:

* ``bowl``: chapter 3's ill-conditioned quadratic ``1/2 w^T H w``, with
  ``H = bowl_hessian(10, 30)``: curvature ``L = 3`` along the steep axis, turned
  by 30 degrees, condition number 10;
* ``rosenbrock``: the narrow curved valley ``(1 - w1)^2 + 100 (w2 - w1^2)^2``;
* ``saddle``: ``w1^2 + (w2^2 / 2 - 1)^2``, a saddle point at the origin
  between two minima at ``(0, +-sqrt 2)``;
* ``himmelblau``: ``(w1^2 + w2 - 11)^2 + (w1 + w2^2 - 7)^2``, four minima;
* ``noisy_bowl``: the bowl again, but every gradient has Gaussian noise of
  spread ``noise`` added to each coordinate (a mini-batch gradient, chapter 3).
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["BOWL_ANGLE", "BOWL_CONDITION", "BOWL_CURVATURE", "SURFACES", "Surface", "bowl_hessian",
           "quadratic"]

BOWL_CURVATURE = 3.0      # L, the largest eigenvalue of chapter 3's bowl
BOWL_CONDITION = 10.0     # kappa = L / mu
BOWL_ANGLE = 30.0         # degrees between the steep axis and the w1 axis


def bowl_hessian(condition=BOWL_CONDITION, angle=BOWL_ANGLE):
    """``H = R diag(L, L / condition) R^T`` with ``L = 3`` and ``R`` a turn by ``angle`` degrees:
    chapter 3's bowl, whose condition number (largest over smallest eigenvalue) is ``condition``."""
    if not condition >= 1.0:
        raise ValueError(f"the condition number is the largest eigenvalue over the smallest, so it is "
                         f">= 1; got condition={condition!r}.")
    turn = np.deg2rad(angle)
    R = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    return R @ np.diag([BOWL_CURVATURE, BOWL_CURVATURE / condition]) @ R.T


@dataclass(frozen=True)
class Surface:
    """A loss of two parameters ``w = (w1, w2)`` whose lowest value is 0 (chapter 6).

    ``value(w1, w2)`` works on numpy arrays and mlcore tensors; ``gradient(w)``
    is its gradient at a numpy pair; ``minima`` lists the points where the
    value is 0; ``start`` is where the chapter starts its optimizers;
    ``noise`` is the spread of the Gaussian noise a run adds to every gradient
    coordinate (0: exact gradients).
    """

    name: str
    label: str
    formula: str
    value: object
    gradient: object
    minima: tuple
    start: tuple
    noise: float = 0.0

    def loss(self, w):
        """The loss at ``w``, a 2-element mlcore tensor or numpy array (for autograd: a Parameter)."""
        return self.value(w[0], w[1])

    def noisy_gradient(self, w, rng):
        """``gradient(w)`` plus, for a noisy surface, ``noise * rng.standard_normal(2)``."""
        g = self.gradient(w)
        if self.noise:
            g = g + self.noise * rng.standard_normal(2)
        return g

    def distance_to_minimum(self, w):
        """The distance from ``w`` to the nearest of the surface's minima."""
        return float(np.min(np.linalg.norm(np.asarray(self.minima) - np.asarray(w, dtype=np.float64),
                                           axis=1)))


def quadratic(H, *, name="quadratic", label=None, start=(-2.5, 1.5), noise=0.0):
    """The surface ``1/2 w^T H w`` for a symmetric positive definite 2x2 ``H`` (minimum 0 at 0)."""
    H = np.asarray(H, dtype=np.float64)
    if H.shape != (2, 2) or not np.allclose(H, H.T) or np.linalg.eigvalsh(H)[0] <= 0:
        raise ValueError(f"a quadratic surface needs a symmetric positive definite 2x2 matrix H, got "
                         f"{np.round(H, 4).tolist()}; build one with bowl_hessian(condition, angle).")
    a, b, c = float(H[0, 0]), float(H[0, 1]), float(H[1, 1])

    def value(w1, w2):
        return 0.5 * (a * w1 * w1 + 2.0 * b * w1 * w2 + c * w2 * w2)

    def gradient(w):
        return H @ np.asarray(w, dtype=np.float64)

    eigenvalues = np.linalg.eigvalsh(H)
    return Surface(name, label or name, f"½ wᵀHw, κ = {eigenvalues[1] / eigenvalues[0]:.3g}", value,
                   gradient, ((0.0, 0.0),), tuple(start), noise)


# ---- Rosenbrock's valley -------------------------------------------------------------------

def _rosenbrock(w1, w2):
    return (1.0 - w1) ** 2 + 100.0 * (w2 - w1 * w1) ** 2


def _rosenbrock_gradient(w):
    w1, w2 = np.asarray(w, dtype=np.float64)
    inner = w2 - w1 * w1
    return np.array([-2.0 * (1.0 - w1) - 400.0 * w1 * inner, 200.0 * inner])


# ---- a saddle between two minima -----------------------------------------------------------

def _saddle(w1, w2):
    return w1 * w1 + (0.5 * w2 * w2 - 1.0) ** 2


def _saddle_gradient(w):
    w1, w2 = np.asarray(w, dtype=np.float64)
    return np.array([2.0 * w1, w2 * (w2 * w2 - 2.0)])


# ---- Himmelblau's four minima --------------------------------------------------------------

def _himmelblau(w1, w2):
    return (w1 * w1 + w2 - 11.0) ** 2 + (w1 + w2 * w2 - 7.0) ** 2


def _himmelblau_gradient(w):
    w1, w2 = np.asarray(w, dtype=np.float64)
    a, b = w1 * w1 + w2 - 11.0, w1 + w2 * w2 - 7.0
    return np.array([4.0 * w1 * a + 2.0 * b, 2.0 * a + 4.0 * w2 * b])


def _himmelblau_minima():
    """The four points where both squares vanish, from the real roots of the quartic in w1."""
    # w2 = 11 - w1^2 from the first square; the second then reads
    # w1 + (11 - w1^2)^2 - 7 = w1^4 - 22 w1^2 + w1 + 114 = 0.
    roots = np.roots([1.0, 0.0, -22.0, 1.0, 114.0])
    w1 = np.sort(roots[np.abs(roots.imag) < 1e-9].real)
    return tuple((float(x), float(11.0 - x * x)) for x in w1)


_BOWL = quadratic(bowl_hessian(), name="bowl", label="bowl (κ = 10)")

SURFACES = {
    "bowl": _BOWL,
    "rosenbrock": Surface("rosenbrock", "Rosenbrock", "(1 − w₁)² + 100 (w₂ − w₁²)²", _rosenbrock,
                          _rosenbrock_gradient, ((1.0, 1.0),), (-1.5, 2.5)),
    "saddle": Surface("saddle", "saddle", "w₁² + (w₂²/2 − 1)²", _saddle, _saddle_gradient,
                      ((0.0, -np.sqrt(2.0)), (0.0, np.sqrt(2.0))), (-3.5, 0.05)),
    "himmelblau": Surface("himmelblau", "Himmelblau", "(w₁² + w₂ − 11)² + (w₁ + w₂² − 7)²", _himmelblau,
                          _himmelblau_gradient, _himmelblau_minima(), (-1.0, -0.6)),
    "noisy_bowl": Surface("noisy_bowl", "noisy bowl", "½ wᵀHw, κ = 10, gradient + noise", _BOWL.value,
                          _BOWL.gradient, _BOWL.minima, _BOWL.start, noise=1.0),
}
