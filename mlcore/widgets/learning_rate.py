"""Learning-rate panel: gradient descent on a curve, too slow, just right, oscillating, diverging (ch. 3).

On a parabola with curvature ``L`` (its second derivative) every step
multiplies the distance to the minimum by ``1 - lr * L``: below ``1 / L`` the
iterates creep in from one side, between ``1 / L`` and ``2 / L`` they zig-zag
in, at ``2 / L`` they bounce for ever, above it they fly off. A double well
shows the same near each of its minima, with ``L`` the curvature there, and
that the start decides which minimum gradient descent finds. The runs are
:func:`mlcore.descent.descend`: ``mlcore.optim.SGD`` with autograd's gradient.
"""

from dataclasses import dataclass

import numpy as np

from ..descent import descend
from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, tidy
from .controls import choice, log_slider, slider
from .player import SteppedPanel
from .readout import table

__all__ = ["CURVES", "Curve", "LearningRatePanel"]

THETA_MAX = 2.5
LR_RANGE = (1e-3, 3.0)
LOSS_RANGE = (1e-10, 1e6)
STEP_CHOICES = (5, 10, 20, 50)
BEHAVIOUR_COLORS = {"converges": COLORS["green"], "oscillates": COLORS["orange"],
                    "diverges": COLORS["red"]}


@dataclass(frozen=True)
class Curve:
    """A loss of one parameter: ``f`` works on numpy arrays and on mlcore tensors alike, and its
    global minimum is 0, so its values can go on a log axis. ``minima`` are its local minima
    and ``maxima`` the local maxima between them, in increasing order; ``curvature(theta)`` is
    ``f''(theta)``."""

    label: str
    formula: str
    f: object
    curvature: object
    minima: tuple
    maxima: tuple = ()

    def minimum_for(self, theta0):
        """The local minimum whose basin holds ``theta0`` (where a small-step descent ends)."""
        return self.minima[int(np.searchsorted(self.maxima, theta0))]

    def critical_rate(self, theta0):
        """``2 / L`` with ``L = f''`` at the minimum that a descent from ``theta0`` approaches."""
        return 2.0 / self.curvature(self.minimum_for(theta0))


def _parabola(theta):
    return theta * theta


def _double_well_raw(theta):
    return 0.25 * (theta * theta - 2.0) ** 2 + 0.3 * theta


# f'(theta) = theta**3 - 2 theta + 0.3: two minima and the maximum between them.
_WELL_STATIONARY = np.sort(np.roots([1.0, 0.0, -2.0, 0.3]).real)
_WELL_FLOOR = float(_double_well_raw(_WELL_STATIONARY[0]))


def _double_well(theta):
    return _double_well_raw(theta) - _WELL_FLOOR


CURVES = {
    "parabola": Curve("parabola", "f(θ) = θ²", _parabola, lambda theta: 2.0, (0.0,)),
    "double_well": Curve("double well", "f(θ) = (θ² − 2)²/4 + 0.3 θ − min", _double_well,
                         lambda theta: 3.0 * theta * theta - 2.0,
                         (float(_WELL_STATIONARY[0]), float(_WELL_STATIONARY[2])),
                         (float(_WELL_STATIONARY[1]),)),
}


class LearningRatePanel(SteppedPanel):
    """Gradient descent on a parabola or a double well, for a learning rate, a start and a number
    of steps (chapter 3).

    Settings: ``lr``, ``theta0`` (the start), ``num_steps`` and ``curve``
    (``'parabola'``, f = θ², or ``'double_well'``). ``run`` holds the
    :class:`~mlcore.descent.DescentRun` on show; ``critical_rate`` is ``2 / L``.
    """

    chapter = 3
    figsize = (8.4, 3.8)
    question = ("On the parabola θ², which learning rates creep, which zig-zag in, which bounce for "
                "ever and which fly off? Where does the scale under the plots put 2/L?")

    def __init__(self, lr=0.1, theta0=1.0, num_steps=10, curve="parabola", *, caption=None):
        controls = {
            "lr": log_slider("learning rate lr", lr, *LR_RANGE),
            "theta0": slider("start θ₀", theta0, -2.4, 2.4, 0.05),
            "num_steps": choice("steps", list(STEP_CHOICES), num_steps),
            "curve": choice("curve", [(c.label, name) for name, c in CURVES.items()], curve),
        }
        super().__init__(controls, caption=caption)

    # ------------------------------------------------------------------ build
    def _build(self):
        grid = self.fig.add_gridspec(2, 2, height_ratios=(4.0, 1.0))
        self.curve_ax = self.fig.add_subplot(grid[0, 0])
        self.loss_ax = self.fig.add_subplot(grid[0, 1])
        self.scale_ax = self.fig.add_subplot(grid[1, :])
        self._theta_grid = np.linspace(-THETA_MAX, THETA_MAX, 401)

        ax = self.curve_ax
        (self.curve_line,) = ax.plot(self._theta_grid, self._theta_grid, color=COLORS["grey"], lw=1.5)
        (self.path,) = ax.plot([], [], "-o", color=COLORS["blue"], lw=1.0, markersize=4)
        (self.start_marker,) = ax.plot([], [], "o", color=COLORS["black"], markersize=7)
        (self.current,) = ax.plot([], [], "*", color=COLORS["yellow"], markeredgecolor=COLORS["black"],
                                  markersize=13)
        self.behaviour_text = ax.text(0.5, 0.97, "", transform=ax.transAxes, ha="center", va="top",
                                      fontsize=12, fontweight="bold")
        mark_dynamic(self.curve_line, self.path, self.start_marker, self.current, self.behaviour_text)
        ax.set_xlim(-THETA_MAX, THETA_MAX)
        ax.set_ylim(-0.3, 6.6)
        tidy(ax, title="iterates on the curve", xlabel="θ", ylabel="loss f(θ)")

        ax = self.loss_ax
        ax.set_yscale("log")
        (self.loss_line,) = ax.plot([], [], "-o", color=COLORS["blue"], lw=1.2, markersize=3)
        (self.loss_current,) = ax.plot([], [], "*", color=COLORS["yellow"],
                                       markeredgecolor=COLORS["black"], markersize=11)
        mark_dynamic(self.loss_line, self.loss_current)
        ax.set_xlim(-0.5, max(STEP_CHOICES) + 0.5)
        ax.set_ylim(*LOSS_RANGE)
        tidy(ax, title="loss against the step (log scale)", xlabel="step k", ylabel="f(θₖ)")

        ax = self.scale_ax
        ax.set_xscale("log")
        ax.set_xlim(*LR_RANGE)
        ax.set_ylim(0.0, 1.0)
        ax.set_yticks([])
        ax.grid(False)
        self.zones = {name: ax.axvspan(LR_RANGE[0], LR_RANGE[1], color=color, alpha=0.25, lw=0)
                      for name, color in (("creeps", COLORS["green"]), ("zig-zags", COLORS["sky"]),
                                          ("diverges", COLORS["red"]))}
        self.zone_texts = {name: ax.text(1.0, 0.5, name, ha="center", va="center", fontsize=8)
                           for name in self.zones}
        self.half_line = ax.axvline(1.0, color=COLORS["grey"], lw=1.0, ls=":")
        self.critical_line = ax.axvline(1.0, color=COLORS["red"], lw=1.5)
        # Inside the strip, right of its line: above the strip it would run into the x label above.
        self.critical_text = ax.text(1.0, 0.1, "", ha="left", va="bottom", fontsize=8, color=COLORS["red"])
        (self.lr_marker,) = ax.plot([], [], "v", color=COLORS["black"], markersize=9, clip_on=False)
        mark_dynamic(*self.zones.values(), *self.zone_texts.values(), self.half_line,
                     self.critical_line, self.critical_text, self.lr_marker)
        tidy(ax, xlabel="learning rate lr (the slider's scale, log)")

    # -------------------------------------------------------------------- run
    def _run(self, state):
        self.curve = CURVES[state["curve"]]
        self.run = descend(self.curve.f, state["theta0"], state["lr"], state["num_steps"],
                           limit=1e6)
        self.critical_rate = self.curve.critical_rate(state["theta0"])
        self.curve_line.set_ydata(self.curve.f(self._theta_grid))
        self._show_scale(state["lr"])
        behaviour = self.run.behaviour
        self.behaviour_text.set_text(behaviour)
        self.behaviour_text.set_color(BEHAVIOUR_COLORS[behaviour])
        return len(self.run.thetas) - 1

    def _show_scale(self, lr):
        critical = self.critical_rate
        low, high = LR_RANGE
        edges = {"creeps": (low, critical / 2), "zig-zags": (critical / 2, critical),
                 "diverges": (critical, high)}
        for name, (left, right) in edges.items():
            left, right = min(max(left, low), high), min(max(right, low), high)
            self.zones[name].set_x(left)
            self.zones[name].set_width(right - left)
            self.zone_texts[name].set_position((np.sqrt(left * right), 0.5))
            self.zone_texts[name].set_visible(right / left > 1.6)
        # Near a minimum of a curve that is not a parabola, too large a rate may bounce without escaping:
        # the zone says both of the words the behaviour label above may show there.
        self.zone_texts["diverges"].set_text("diverges" if self.curve.label == "parabola"
                                             else "oscillates or diverges")
        self.half_line.set_xdata([critical / 2] * 2)
        self.critical_line.set_xdata([critical] * 2)
        self.critical_text.set_position((critical * 1.06, 0.1))
        self.critical_text.set_text(f"2/L = {critical:.3g}")
        self.lr_marker.set_data([lr], [0.92])

    def _show_frame(self, frame):
        run = self.run
        thetas, losses = run.thetas[:frame + 1], run.losses[:frame + 1]
        self.path.set_data(thetas, losses)
        self.start_marker.set_data(thetas[:1], losses[:1])
        self.current.set_data(thetas[-1:], losses[-1:])
        steps = np.arange(frame + 1)
        shown = np.maximum(losses, LOSS_RANGE[0])
        self.loss_line.set_data(steps, shown)
        self.loss_current.set_data(steps[-1:], shown[-1:])
        self._fill_readout(frame)

    def _fill_readout(self, frame):
        run, state = self.run, self.state()
        lr, curvature = state["lr"], 2.0 / self.critical_rate
        where = "" if self.curve.label == "parabola" else " near the minimum it heads for"
        summary = (f"{self.curve.formula}: L = f''(θ*) = {curvature:.3g}{where}, critical rate "
                   f"2/L = {self.critical_rate:.4g}; each step multiplies θ − θ* by about "
                   f"1 − lr·L = {1 - lr * curvature:+.4g}.")
        if run.escaped_at is not None:
            summary += f" |θ| passed 10⁶ after {run.escaped_at} steps: the run stops there."
        rows = [[k, f"{run.thetas[k]:+.4f}", f"{run.losses[k]:.4g}", f"{run.grads[k]:+.4g}"]
                for k in sorted({0, frame, len(run.thetas) - 1})]
        self.readout.value = (f"<b style='color:{BEHAVIOUR_COLORS[run.behaviour]}'>{run.behaviour}"
                              f"</b> (lr = {lr:.3g}). {summary}"
                              + table(["step k", "θₖ", "f(θₖ)", "f'(θₖ)"], rows))
