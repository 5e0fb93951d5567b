"""Momentum panel: the heavy ball on chapter 3's bowl, with distill's alpha-beta phase diagram (chapter 6).

``mlcore.optim.SGD(lr=alpha, momentum=beta)`` runs on ``1/2 w^T H w`` with
``H = bowl_hessian(kappa, 30)`` (curvatures ``L = 3`` and ``mu = 3 / kappa``)
from chapter 3's start. Beside the path and the error, the phase diagram of
distill's "Why Momentum Really Works" colours every (alpha, beta) by the
convergence rate ``max |sigma|`` (:func:`mlcore.momentum_theory.momentum_rate`);
grey is where momentum diverges. The current setting is a dot on it, the
optimum ``(alpha*, beta*)`` a star; both optima are also marked on the scales
of the sliders under the plots, and the alpha scale shades where momentum
diverges. The step axis of the error is fixed at the longest run (new limits
would redraw the cached background); the steps a shorter run does not take are
shaded.
"""

import matplotlib
import numpy as np

from ..momentum_theory import momentum_rate, optimal_gd, optimal_momentum
from ..optimizer_runs import SurfaceRun
from ..plots.cached_figure import mark_dynamic
from ..plots.live_contours import LiveContours
from ..plots.style import COLORS, tidy
from ..surfaces import BOWL_ANGLE, BOWL_CURVATURE, bowl_hessian, quadratic
from .controls import choice, log_slider, slider
from .player import SteppedPanel
from .readout import table

__all__ = ["ALPHA_RANGE", "BETA_MAX", "MomentumPanel", "RATE_TICKS", "rate_colors"]

BOX = 3.5                       # chapter 3's picture: -3.5 <= w1, w2 <= 3.5
START = (-2.5, 1.5)             # chapter 3's start
ALPHA_RANGE = (1e-2, 2.0)
BETA_MAX = 0.99
KAPPA_RANGE = (1.0, 1000.0)
STEP_CHOICES = (25, 50, 100, 200)
ERROR_RANGE = (1e-10, 1e6)
TOLERANCE = 1e-6                # "converged": the error shrank by this factor
RATE_TICKS = (0.3, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999)
GRID = (161, 100)               # phase diagram: log10(alpha) by beta


def _rate_scale(rate):
    """Where a rate sits on the colour scale: ``log10(1 / (1 - rate))``, so that 0.9, 0.99 and 0.999
    (10, 100 and 1000 steps per e-fold of error) are equally far apart."""
    return np.log10(1.0 / (1.0 - np.minimum(rate, 0.9999)))


_SCALE_LOW, _SCALE_HIGH = _rate_scale(0.3), _rate_scale(0.9999)


def rate_colors(rate):
    """RGBA bytes for convergence rates: viridis over :func:`_rate_scale` (dark: fast), grey at 1 or
    above (diverges)."""
    position = (_rate_scale(rate) - _SCALE_LOW) / (_SCALE_HIGH - _SCALE_LOW)
    colors = matplotlib.colormaps["viridis"](np.clip(position, 0.0, 1.0))
    colors[np.asarray(rate) >= 1.0] = matplotlib.colors.to_rgba("#d9d9d9")
    return np.round(255 * colors).astype(np.uint8)


class MomentumPanel(SteppedPanel):
    """Momentum (``SGD(lr=alpha, momentum=beta)``) on chapter 3's bowl of condition number ``condition``
    (chapter 6).

    Settings: ``condition`` (kappa), ``alpha``, ``beta`` and ``num_steps``.
    ``optimum`` is ``(alpha*, beta*, rate*)``, ``rate`` the convergence rate
    ``max |sigma|`` at the current setting and ``run`` the
    :class:`~mlcore.optimizer_runs.SurfaceRun` on show.
    """

    chapter = 6
    figsize = (10.6, 4.5)
    question = ("At κ = 100, how many steps does momentum at (α*, β*) need against plain gradient descent "
                "(β = 0)? Where on the phase diagram does a larger β let α go past gradient descent's 2/L?")

    def __init__(self, condition=10.0, alpha=0.1, beta=0.9, num_steps=100, *, caption=None):
        controls = {
            "condition": log_slider("condition κ", condition, *KAPPA_RANGE, steps_per_decade=10),
            "alpha": log_slider("step α (lr)", alpha, *ALPHA_RANGE),
            "beta": slider("momentum β", beta, 0.0, BETA_MAX, 0.01),
            "num_steps": choice("steps", list(STEP_CHOICES), num_steps),
        }
        self._bowl = None
        super().__init__(controls, caption=caption)

    # ------------------------------------------------------------------ build
    def _build(self):
        grid = self.fig.add_gridspec(2, 3, height_ratios=(4.0, 0.55), width_ratios=(1.0, 1.05, 1.05))
        self.contour_ax = self.fig.add_subplot(grid[0, 0])
        self.error_ax = self.fig.add_subplot(grid[0, 1])
        self.phase_ax = self.fig.add_subplot(grid[0, 2])
        self.alpha_ax = self.fig.add_subplot(grid[1, :2])
        self.beta_ax = self.fig.add_subplot(grid[1, 2])

        ax = self.contour_ax
        # A new condition number means new contours: a coarser grid keeps that within a slider move.
        self.contours = LiveContours(ax, (-BOX, BOX), (-BOX, BOX), resolution=161)
        ax.set_aspect("equal")
        (self.path,) = ax.plot([], [], "-o", color=COLORS["blue"], lw=1.2, markersize=2.5, zorder=3)
        (self.start_marker,) = ax.plot([START[0]], [START[1]], "o", color=COLORS["black"], markersize=7,
                                       zorder=4)
        (self.current,) = ax.plot([], [], "*", color=COLORS["yellow"], markeredgecolor=COLORS["black"],
                                  markersize=13, zorder=5)
        mark_dynamic(self.path, self.current)
        tidy(ax, title="path over the contours", xlabel="w₁", ylabel="w₂")

        ax = self.error_ax
        ax.set_yscale("log")
        ax.set_xlim(-1, max(STEP_CHOICES) + 1)
        ax.set_ylim(*ERROR_RANGE)
        (self.error_line,) = ax.plot([], [], "-", color=COLORS["blue"], lw=1.5, label="momentum run")
        (self.envelope,) = ax.plot([], [], "--", color=COLORS["black"], lw=1.0, label="|w₀|·rateᵏ")
        (self.gd_line,) = ax.plot([], [], ":", color=COLORS["red"], lw=1.5, label="GD at its best lr")
        self.not_run = ax.axvspan(max(STEP_CHOICES), max(STEP_CHOICES) + 1, color=COLORS["grey"], alpha=0.15, lw=0,
                                  zorder=0.5)
        mark_dynamic(self.error_line, self.envelope, self.gd_line, self.not_run)
        ax.legend(loc="upper right")
        tidy(ax, title="error |wₖ − w*| (log scale)", xlabel="step k (grey: beyond this run)", ylabel="|wₖ − w*|")

        ax = self.phase_ax
        low, high = np.log10(ALPHA_RANGE)
        self._log_alphas = np.linspace(low, high, GRID[0])
        self._betas = np.linspace(0.0, BETA_MAX, GRID[1])
        self.phase = ax.imshow(np.zeros((GRID[1], GRID[0], 4), dtype=np.uint8), origin="lower",
                               extent=(low, high, 0.0, BETA_MAX), aspect="auto", interpolation="nearest")
        (self.optimum_marker,) = ax.plot([], [], "*", color="white", markeredgecolor=COLORS["black"],
                                         markersize=14)
        (self.setting_marker,) = ax.plot([], [], "o", color=COLORS["red"], markeredgecolor="white",
                                         markersize=8)
        mark_dynamic(self.phase, self.optimum_marker, self.setting_marker)
        ax.set_xlim(low, high)
        ax.set_ylim(0.0, BETA_MAX)
        ax.set_xticks(range(int(np.ceil(low)), int(np.floor(high)) + 1))
        ax.set_xticklabels([f"{10.0 ** e:g}" for e in range(int(np.ceil(low)), int(np.floor(high)) + 1)])
        ax.grid(False)
        tidy(ax, title="phase diagram: rate max|σ| (grey: diverges)", xlabel="α (log scale)", ylabel="β")
        bar = self.fig.colorbar(matplotlib.cm.ScalarMappable(
            norm=matplotlib.colors.Normalize(_SCALE_LOW, _SCALE_HIGH), cmap="viridis"), ax=ax, pad=0.02)
        bar.set_ticks([_rate_scale(r) for r in RATE_TICKS], labels=[f"{r:g}" for r in RATE_TICKS])
        bar.ax.tick_params(labelsize=7)

        self.alpha_marks = self._scale(self.alpha_ax, ALPHA_RANGE, "α", log=True)
        self.beta_marks = self._scale(self.beta_ax, (0.0, BETA_MAX), "β", log=False)
        self.diverge_zone = self.alpha_ax.axvspan(1.0, ALPHA_RANGE[1], color=COLORS["red"], alpha=0.2, lw=0)
        mark_dynamic(self.diverge_zone)

    @staticmethod
    def _scale(ax, bounds, name, *, log):
        """A slider's scale: the optimum as an orange line, the setting as ▼ (the values are in the readout)."""
        if log:
            ax.set_xscale("log")
        ax.set_xlim(*bounds)
        ax.set_ylim(0.0, 1.0)
        ax.set_yticks([])
        ax.grid(False)
        line = ax.axvline(bounds[0], color=COLORS["red"], lw=2.0)
        (marker,) = ax.plot([], [], "v", color=COLORS["black"], markersize=9, clip_on=False)
        # Moving marks do not take part in the layout (an empty line would claim the corner (0, 0)).
        for artist in (line, marker):
            artist.set_in_layout(False)
        mark_dynamic(line, marker)
        shaded = "; shaded: momentum diverges" if log else ""
        tidy(ax, xlabel=f"{name}: the slider's scale{' (log)' if log else ''}; orange: {name}*, ▼: {name}{shaded}")
        return line, marker

    # -------------------------------------------------------------------- run
    def _run(self, state):
        kappa, alpha, beta = state["condition"], state["alpha"], state["beta"]
        if kappa != self._bowl:
            self._bowl = kappa
            self.surface = quadratic(bowl_hessian(kappa, BOWL_ANGLE), name="bowl", start=START)
            self.contours.show(self.surface.value, key=kappa)
            self.eigenvalues = np.array([BOWL_CURVATURE, BOWL_CURVATURE / kappa])
            alphas, betas = np.meshgrid(10.0 ** self._log_alphas, self._betas)
            self.phase.set_data(rate_colors(momentum_rate(alphas, betas, self.eigenvalues)))
            self.optimum = optimal_momentum(*self.eigenvalues)
            self.best_gd = optimal_gd(*self.eigenvalues)
            self.optimum_marker.set_data([np.log10(self.optimum[0])], [self.optimum[1]])
        self.rate = float(momentum_rate(alpha, beta, self.eigenvalues))
        self.setting_marker.set_data([np.log10(alpha)], [beta])
        self._mark(self.alpha_marks, self.optimum[0], alpha)
        self._mark(self.beta_marks, self.optimum[1], beta)
        # Along the steep axis momentum diverges above alpha = 2 (1 + beta) / L (the phase diagram's edge).
        edge = min(2.0 * (1.0 + beta) / BOWL_CURVATURE, ALPHA_RANGE[1])
        self.diverge_zone.set_x(edge)
        self.diverge_zone.set_width(ALPHA_RANGE[1] - edge)
        self.run = SurfaceRun(self.surface, "momentum", alpha, START, beta=beta).advance_to(state["num_steps"])
        return self.run.num_steps

    @staticmethod
    def _mark(marks, optimum, value):
        line, marker = marks
        line.set_xdata([optimum, optimum])
        marker.set_data([value], [0.78])

    def _show_frame(self, frame):
        points = self.run.points[:frame + 1]
        self.path.set_data(points[:, 0], points[:, 1])
        head = np.clip(points[-1], -BOX, BOX)
        self.current.set_data([head[0]], [head[1]])
        errors = np.clip(np.linalg.norm(points, axis=1), *ERROR_RANGE)
        steps = np.arange(len(errors))
        self.error_line.set_data(steps, errors)
        start = np.linalg.norm(START)
        num_steps = self.state()["num_steps"]
        every = np.arange(num_steps + 1)
        self.not_run.set_x(num_steps)
        self.not_run.set_width(max(STEP_CHOICES) + 1 - num_steps)
        self.not_run.set_visible(num_steps < max(STEP_CHOICES))
        self.envelope.set_data(every, np.clip(start * self.rate ** every, *ERROR_RANGE))
        self.gd_line.set_data(every, np.clip(start * self.best_gd[1] ** every, *ERROR_RANGE))
        self._fill_readout(frame, errors)

    def steps_to_tolerance(self):
        """The first step whose error is below ``TOLERANCE`` times the start's, or None in this run."""
        errors = np.linalg.norm(self.run.points, axis=1) / np.linalg.norm(START)
        reached = np.flatnonzero(errors <= TOLERANCE)
        return int(reached[0]) if reached.size else None

    def _fill_readout(self, frame, errors):
        state = self.state()
        alpha_star, beta_star, rate_star = self.optimum
        lr_gd, rate_gd = self.best_gd
        L, mu = self.eigenvalues
        measured = self.steps_to_tolerance()
        status = "diverges" if self.rate >= 1 else "converges"
        color = COLORS["red"] if self.rate >= 1 else COLORS["green"]
        rows = [["this setting", f"{state['alpha']:.3g}", f"{state['beta']:.2f}", f"{self.rate:.4f}",
                 _steps_for(self.rate), "—" if measured is None else measured],
                ["momentum optimum", f"{alpha_star:.3g}", f"{beta_star:.3f}", f"{rate_star:.4f}",
                 _steps_for(rate_star), ""],
                ["GD at its best lr", f"{lr_gd:.3g}", "0", f"{rate_gd:.4f}", _steps_for(rate_gd), ""]]
        escaped = (f" |w| passed 10⁶ at step {self.run.diverged_at}: the run stops there."
                   if self.run.diverged_at is not None else "")
        self.readout.value = (
            f"<b style='color:{color}'>{status}</b>: κ = {state['condition']:.3g} (L = {L:g}, μ = {mu:.3g}); "
            f"step {frame} of {state['num_steps']}, error {errors[-1]:.3g}.{escaped} The rate max|σ| is the "
            f"factor per step; steps to shrink the error by 10⁶ ≈ ln 10⁻⁶ / ln rate."
            + table(["", "α", "β", "rate max|σ|", "steps to 10⁻⁶ (rate)", "in this run"], rows))


def _steps_for(rate):
    """``ln(TOLERANCE) / ln(rate)`` rounded up, as text: how many steps a rate needs to shrink the error
    by ``1 / TOLERANCE`` ("never" at a rate of 1 or more, 1 at a rate of 0)."""
    if rate >= 1.0:
        return "never"
    if rate <= 0.0:
        return "1"
    return f"{np.ceil(np.log(TOLERANCE) / np.log(rate)):.0f}"
