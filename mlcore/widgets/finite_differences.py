"""Finite-difference panel: the error of forward and central differences against the step h (chapter 4).

Forward differences ``(f(x + h) - f(x)) / h`` have a truncation error that
shrinks like ``h``; central differences ``(f(x + h) - f(x - h)) / (2h)``, like
``h**2``. Both have a round-off error that grows like ``eps / h``: the two
values of ``f`` agree in more and more digits, and their difference keeps
only the digits that disagree. On log-log axes the total error is a V: the
right arm is truncation, the left arm round-off, and the best ``h`` is where
they meet, near ``sqrt(eps) ~ 1e-8`` (forward) and ``eps**(1/3) ~ 6e-6``
(central) in float64.
"""

import numpy as np

from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, tidy
from .base import Panel
from .controls import choice, log_slider, slider
from .readout import table
from .scalar_functions import FUNCTIONS

__all__ = ["FiniteDifferencePanel", "central_difference", "difference_errors", "forward_difference"]

EPS = float(np.finfo(np.float64).eps)
H_RANGE = (1e-16, 1.0)
ERROR_RANGE = (1e-17, 10.0)
# An error of exactly 0 (it happens) has no logarithm: it is drawn on the bottom edge.
FLOOR = ERROR_RANGE[0]
METHODS = {"forward": COLORS["blue"], "central": COLORS["orange"]}
PANEL_FUNCTIONS = ("sin", "exp", "tanh")


def forward_difference(f, x, h):
    """``(f(x + h) - f(x)) / h``: the slope of the secant from x to x + h (error of order h)."""
    return (f(x + h) - f(x)) / h


def central_difference(f, x, h):
    """``(f(x + h) - f(x - h)) / (2h)``: the slope of the secant from x - h to x + h (error of order h**2)."""
    return (f(x + h) - f(x - h)) / (2 * h)


def difference_errors(name, x, hs):
    """``{method: |estimate - f'(x)|}`` for the function ``FUNCTIONS[name]`` at ``x``, for each step in ``hs``."""
    function = FUNCTIONS[name]
    exact = function.df(x)
    return {"forward": np.abs(forward_difference(function.f, x, hs) - exact),
            "central": np.abs(central_difference(function.f, x, hs) - exact)}


class FiniteDifferencePanel(Panel):
    """Error of the forward and central difference against h, on log-log axes (chapter 4).

    Settings: ``function`` (``'sin'``, ``'exp'`` or ``'tanh'``), the point
    ``x`` and the step ``h`` (a log slider from 1e-16 to 1).
    """

    chapter = 4
    figsize = (8.0, 3.6)
    question = ("Slide h from 0.1 down to 1e-15. Where does each error stop falling and start rising, "
                "which h gives each method its smallest error, and how small is that error?")

    def __init__(self, function="sin", x=1.0, h=1e-3, *, caption=None):
        controls = {
            "function": choice("f", list(PANEL_FUNCTIONS), function),
            "x": slider("point x", x, -2.0, 2.0, 0.1),
            "h": log_slider("step h", h, *H_RANGE, steps_per_decade=4),
        }
        super().__init__(controls, caption=caption)

    def _build(self):
        self.hs = np.logspace(-16, 0, 257)
        ax = self.fig.add_subplot()
        self.curves, self.markers, self.best = {}, {}, {}
        for method, color in METHODS.items():
            (curve,) = ax.plot(self.hs, self.hs, color=color, label=f"{method} difference")
            (marker,) = ax.plot([1e-3], [1e-3], "o", color=color, markeredgecolor=COLORS["black"],
                                markersize=8)
            (best,) = ax.plot([1e-3], [1e-3], "*", color=color, markeredgecolor=COLORS["black"],
                              markersize=13, label=f"smallest {method} error")
            self.curves[method] = mark_dynamic(curve)
            self.markers[method] = mark_dynamic(marker)
            self.best[method] = mark_dynamic(best)
        self.h_line = mark_dynamic(ax.axvline(1e-3, color=COLORS["grey"], linestyle=":", linewidth=1.2))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(*H_RANGE)
        ax.set_ylim(*ERROR_RANGE)
        for h_star, label in ((EPS ** 0.5, "√ε"), (EPS ** (1 / 3), "∛ε")):
            ax.axvline(h_star, color=COLORS["grey"], linewidth=0.8, alpha=0.6)
            # Inside the frame, right of the line: no curve runs there at the top.
            ax.text(h_star * 1.4, 1.0, label, ha="left", va="center", fontsize=9, color=COLORS["grey"])
        # The two arms of the V, under each arm where no curve runs.
        ax.text(3e-16, 1e-8, "← round-off dominates:\n    error ≈ ε·|f(x)| / h", fontsize=8, va="top")
        ax.text(0.7, 1e-12, "truncation dominates →\nerror ≈ h·|f″| / 2 (forward)\n"
                "error ≈ h²·|f‴| / 6 (central)", fontsize=8, va="top", ha="right")
        ax.legend(loc="lower left", ncol=2)
        tidy(ax, title="error |estimate − f′(x)| of the two finite differences", xlabel="step h",
             ylabel="absolute error")

    def _update(self, state):
        name, x, h = state["function"], state["x"], state["h"]
        function = FUNCTIONS[name]
        errors = difference_errors(name, x, self.hs)
        at_h = difference_errors(name, x, np.array([h]))
        exact = float(function.df(x))
        rows = []
        for method, curve in self.curves.items():
            shown = np.maximum(errors[method], FLOOR)
            curve.set_ydata(shown)
            self.markers[method].set_data([h], [max(float(at_h[method][0]), FLOOR)])
            best = int(np.argmin(errors[method]))
            self.best[method].set_data([self.hs[best]], [shown[best]])
            rule = forward_difference if method == "forward" else central_difference
            estimate = float(rule(function.f, x, h))
            rows.append([method, f"{estimate:.12g}", f"{abs(estimate - exact):.2e}",
                         f"{self.hs[best]:.1e}", f"{errors[method][best]:.1e}"])
        self.h_line.set_xdata([h, h])
        self.readout.value = (f"<code>f = {function.of('x')}</code> at x = {x:g}: exact "
                              f"<code>f′(x) = {function.derivative_of('x')} = {exact:.12g}</code>, "
                              f"h = {h:.1e}"
                              + table(["method", "estimate at h", "its error", "best h (grid)",
                                       "smallest error"], rows))
