"""Capacity panel: polynomial fits of growing degree, and the U-shaped validation error (chapter 7).

Noisy samples of ``sin(pi x)`` are fitted by least squares with polynomials
of degree 0 to 15 (:mod:`mlcore.polynomial`), optionally with weight decay.
On the left, the fit of the chosen degree over the training samples (and
the validation samples, faint). On the right, the training and validation
error of every degree, with the chosen one marked: the training error only
falls as the degree grows, the validation error falls, then rises: too
little capacity underfits, too much overfits. More samples and weight decay
push the rise to higher degrees.
"""

import numpy as np

from ..data.curve import noisy_samples, smooth_function
from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, LOSS_COLORS, tidy
from ..polynomial import fit_polynomial, polynomial_features, polynomial_mse
from .base import Panel
from .controls import discrete_slider
from .readout import table

__all__ = ["CapacityPanel", "DEGREES", "SAMPLE_SIZES", "WEIGHT_DECAYS"]

DEGREES = tuple(range(16))
SAMPLE_SIZES = (10, 15, 20, 30, 50, 100)
WEIGHT_DECAYS = (0.0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0)
N_VAL = 200
Y_LIMITS = (-2.0, 2.0)
ERROR_LIMITS = (3e-3, 30.0)   # errors outside are drawn at the edge: a degree-15 fit can miss by 1e7


class CapacityPanel(Panel):
    """Least-squares polynomial fits to noisy ``sin(pi x)``: the fit, and training and validation
    error against the degree (chapter 7).

    Controls: ``degree`` (0 ... 15), ``n_samples`` (training samples: the first
    ones of one seeded draw, so more samples add points) and ``weight_decay``.
    Settings: ``noise`` (standard deviation of the targets' noise) and ``seed``.
    :meth:`errors` gives the numbers on the right.
    """

    chapter = 7
    figsize = (8.4, 3.5)
    question = ("Slide the degree from 0 to 15: at which degree is the validation error lowest, and "
                "what does the training error do meanwhile? What do 100 samples, or weight decay, do "
                "to the right-hand side of the U?")

    def __init__(self, degree=3, n_samples=20, weight_decay=0.0, noise=0.3, seed=19, *, caption=None):
        rng = np.random.default_rng(seed)
        self.x_pool, self.y_pool = noisy_samples(max(SAMPLE_SIZES), noise, rng)
        self.x_val, self.y_val = noisy_samples(N_VAL, noise, rng)
        self.x_plot = np.linspace(-1.0, 1.0, 300)
        self.plot_features = polynomial_features(self.x_plot, max(DEGREES))
        controls = {
            "degree": discrete_slider("polynomial degree", list(DEGREES), degree),
            "n_samples": discrete_slider("training samples", list(SAMPLE_SIZES), n_samples),
            "weight_decay": discrete_slider("weight decay", list(WEIGHT_DECAYS), weight_decay),
        }
        super().__init__(controls, settings={"noise": noise, "seed": seed}, caption=caption)

    def _build(self):
        fit_ax, error_ax = self.fig.subplots(1, 2, width_ratios=(1.1, 1.0))
        self.fit_ax, self.error_ax = fit_ax, error_ax
        fit_ax.plot(self.x_val, self.y_val, ".", color=COLORS["grey"], alpha=0.35, ms=3, label="validation")
        fit_ax.plot(self.x_plot, smooth_function(self.x_plot), "--", color=COLORS["black"], lw=1.0,
                    label="sin(πx)")
        (self.train_dots,) = fit_ax.plot([], [], "o", color=LOSS_COLORS["train"], ms=4, label="training")
        (self.fit_line,) = fit_ax.plot([], [], color=COLORS["red"], lw=1.8, label="fit")
        fit_ax.set_xlim(-1.05, 1.05)
        fit_ax.set_ylim(*Y_LIMITS)
        fit_ax.legend(loc="upper left", ncols=2, frameon=True, framealpha=0.9, edgecolor="none")
        tidy(fit_ax, title="least-squares polynomial", xlabel="x", ylabel="y")

        (self.train_curve,) = error_ax.plot([], [], "o-", color=LOSS_COLORS["train"], ms=3, label="training")
        (self.val_curve,) = error_ax.plot([], [], "o-", color=LOSS_COLORS["val"], ms=3, label="validation")
        self.marker = error_ax.axvline(0.0, color=COLORS["red"], lw=1.2)
        (self.marks,) = error_ax.plot([], [], "o", color=COLORS["red"], ms=7, mfc="none", mew=1.5)
        error_ax.set_yscale("log")
        error_ax.set_ylim(*ERROR_LIMITS)
        error_ax.set_xlim(-0.5, max(DEGREES) + 0.5)
        error_ax.legend(loc="upper left")
        tidy(error_ax, title="mean squared error against degree", xlabel="degree (capacity)",
             ylabel="MSE (log scale)")
        mark_dynamic(self.train_dots, self.fit_line, self.train_curve, self.val_curve, self.marker, self.marks)

    def _update(self, state):
        n, degree, decay = state["n_samples"], state["degree"], state["weight_decay"]
        x, y = self.x_pool[:n], self.y_pool[:n]
        self.weights = [fit_polynomial(x, y, d, decay) for d in DEGREES]
        self.train_errors = np.array([polynomial_mse(w, x, y) for w in self.weights])
        self.val_errors = np.array([polynomial_mse(w, self.x_val, self.y_val) for w in self.weights])
        w = self.weights[degree]
        self.train_dots.set_data(x, y)
        curve = self.plot_features[:, :degree + 1] @ w
        self.fit_line.set_data(self.x_plot, np.clip(curve, Y_LIMITS[0] - 1, Y_LIMITS[1] + 1))
        degrees = np.array(DEGREES, dtype=float)
        self.train_curve.set_data(degrees, np.clip(self.train_errors, *ERROR_LIMITS))
        self.val_curve.set_data(degrees, np.clip(self.val_errors, *ERROR_LIMITS))
        self.marker.set_xdata([degree, degree])
        self.marks.set_data([degree, degree],
                            np.clip([self.train_errors[degree], self.val_errors[degree]], *ERROR_LIMITS))
        best = int(np.argmin(self.val_errors))
        self.readout.value = (
            f"degree {degree}: {degree + 1} weights for {n} training samples, weight decay {decay:g}. "
            f"The validation error is lowest at degree {best}."
            + table(["degree", "training MSE", "validation MSE"],
                    [[d, f"{self.train_errors[d]:.4g}", f"{self.val_errors[d]:.4g}"]
                     for d in sorted({degree, best})]))

    def errors(self):
        """``{degree: (training MSE, validation MSE)}`` for every degree, at the current controls."""
        return {d: (float(t), float(v)) for d, t, v in zip(DEGREES, self.train_errors, self.val_errors)}
