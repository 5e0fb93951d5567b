"""Contour panel: gradient descent on a 2-D quadratic bowl of a chosen condition number (chapter 3).

The loss is ``L(w) = 1/2 w^T H w`` with ``H = R diag(L, L / kappa) R^T``: ``L``
is the curvature along the steep axis, ``kappa`` the condition number and
``R`` turns the steep axis by ``angle``. Each step multiplies the component of
``w`` along an eigenvector of ``H`` by ``1 - lr * lambda``; so ``lr < 2 / L``
is needed for the steep axis, and then the flat axis (``lambda = L / kappa``)
shrinks by at most ``1 - 2 / kappa`` per step: on an elongated bowl the rate
that is safe for the steep axis crawls along the flat one (chapter 6's reason
for momentum and adaptive rates).

The contours of a quadratic are ellipses, computed exactly from ``H``; they
are kept with the cached background and redrawn only when the bowl (``kappa``
or the angle) changes. The gradient arrow at the current
point is perpendicular to the contour through it, drawn dashed.
"""

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection, PolyCollection

from ..descent import descend
from ..factories import tensor
from ..plots.cached_figure import mark_dynamic, mark_overlay
from ..plots.style import COLORS, tidy
from ..surfaces import BOWL_CURVATURE, bowl_hessian
from .controls import choice, log_slider, slider
from .learning_rate import BEHAVIOUR_COLORS
from .player import SteppedPanel
from .readout import table

__all__ = ["QuadraticBowlPanel"]

BOX = 3.5                 # the picture shows -BOX <= w1, w2 <= BOX
LOSS_RANGE = (1e-10, 1e6)
STEP_CHOICES = (10, 20, 50, 100)
ARROW_LENGTH = 0.9        # the gradient arrow shows the direction only, at this length
LEVELS = 14


def _ellipses(H, levels, points=120):
    """Closed polylines of ``1/2 w^T H w = c`` for each level ``c``, shape (levels, points, 2)."""
    eigenvalues, eigenvectors = np.linalg.eigh(H)
    t = np.linspace(0.0, 2.0 * np.pi, points)
    unit = np.stack([np.cos(t), np.sin(t)])                        # (2, points)
    radii = np.sqrt(2.0 * np.asarray(levels)[:, None] / eigenvalues)  # (levels, 2)
    return np.einsum("ij,lj,jp->lpi", eigenvectors, radii, unit)


class QuadraticBowlPanel(SteppedPanel):
    """Gradient descent on ``1/2 w^T H w`` over its contours, with the gradient arrow (chapter 3).

    Settings: ``lr``, ``condition`` (kappa = largest / smallest eigenvalue of
    H), ``angle`` (degrees, the steep axis against the w1 axis), the start
    ``w1``, ``w2`` and ``num_steps``. ``hessian`` is H, ``critical_rate`` is
    ``2 / L`` and ``run`` the :class:`~mlcore.descent.DescentRun` on show.
    """

    chapter = 3
    figsize = (8.4, 3.9)
    question = ("With κ = 10, which lr reaches the minimum in the fewest steps, and what stops you "
                "from going faster? Is the gradient arrow always at right angles to the contour?")

    def __init__(self, lr=0.3, condition=10.0, angle=30.0, w1=-2.5, w2=1.5, num_steps=50, *,
                 caption=None):
        controls = {
            "lr": log_slider("learning rate lr", lr, 1e-3, 1.0),
            "condition": log_slider("condition κ", condition, 1.0, 100.0, steps_per_decade=10),
            "angle": slider("steep axis at (°)", angle, -90.0, 90.0, 5.0, readout_format=".0f"),
            "w1": slider("start w₁", w1, -3.0, 3.0, 0.1),
            "w2": slider("start w₂", w2, -3.0, 3.0, 0.1),
            "num_steps": choice("steps", list(STEP_CHOICES), num_steps),
        }
        super().__init__(controls, caption=caption)

    # ------------------------------------------------------------------ build
    def _build(self):
        contour_ax, loss_ax = self.fig.subplots(1, 2, width_ratios=(1.0, 1.15))
        self.contour_ax, self.loss_ax = contour_ax, loss_ax
        # Opaque bands without edges, and the level lines on top: a third of the drawing time of
        # translucent, edged polygons, which matters at every frame.
        self.bands = contour_ax.add_collection(PolyCollection([], linewidths=0, antialiased=False))
        self.levels = contour_ax.add_collection(LineCollection([], colors="white", linewidths=0.5))
        (self.level_line,) = contour_ax.plot([], [], "--", color=COLORS["black"], lw=1.0)
        (self.path,) = contour_ax.plot([], [], "-o", color=COLORS["red"], lw=1.3, markersize=3)
        (self.start_marker,) = contour_ax.plot([], [], "o", color=COLORS["black"], markersize=7)
        (self.current,) = contour_ax.plot([], [], "*", color=COLORS["yellow"],
                                          markeredgecolor=COLORS["black"], markersize=13)
        self.arrow = contour_ax.quiver([0.0], [0.0], [1.0], [0.0], angles="xy", scale_units="xy",
                                       scale=1.0, color=COLORS["blue"], width=0.009, zorder=5)
        # The bands change only with the bowl: kept with the background, drawn again when they change.
        mark_overlay(self.bands, self.levels)
        mark_dynamic(self.level_line, self.path, self.start_marker, self.current, self.arrow)
        contour_ax.set_xlim(-BOX, BOX)
        contour_ax.set_ylim(-BOX, BOX)
        contour_ax.set_aspect("equal")
        contour_ax.grid(False)
        tidy(contour_ax, title="path over the contours; arrow: ∇L", xlabel="w₁", ylabel="w₂")

        loss_ax.set_yscale("log")
        (self.loss_line,) = loss_ax.plot([], [], "-", color=COLORS["red"], lw=1.5)
        (self.loss_current,) = loss_ax.plot([], [], "*", color=COLORS["yellow"],
                                            markeredgecolor=COLORS["black"], markersize=11)
        self.behaviour_text = loss_ax.text(0.97, 0.96, "", transform=loss_ax.transAxes, ha="right",
                                           va="top", fontsize=12, fontweight="bold")
        mark_dynamic(self.loss_line, self.loss_current, self.behaviour_text)
        loss_ax.set_xlim(-1, max(STEP_CHOICES) + 1)
        loss_ax.set_ylim(*LOSS_RANGE)
        tidy(loss_ax, title="loss against the step (log scale)", xlabel="step k", ylabel="L(wₖ)")

    # -------------------------------------------------------------------- run
    def _run(self, state):
        bowl = (state["condition"], state["angle"])
        if bowl != getattr(self, "_bowl", None):
            self._bowl = bowl
            self.hessian = bowl_hessian(*bowl)
            self._draw_contours()
        self.critical_rate = 2.0 / BOWL_CURVATURE
        H = tensor(self.hessian)
        self.run = descend(lambda w: 0.5 * (w * (H @ w)).sum(), [state["w1"], state["w2"]],
                           state["lr"], state["num_steps"], limit=1e6)
        behaviour = self.run.behaviour
        self.behaviour_text.set_text(behaviour)
        self.behaviour_text.set_color(BEHAVIOUR_COLORS[behaviour])
        return len(self.run.thetas) - 1

    def _draw_contours(self):
        corners = np.array([[BOX, BOX], [BOX, -BOX]])
        top = 0.5 * np.max(np.einsum("ki,ij,kj->k", corners, self.hessian, corners))
        levels = top * np.geomspace(1.0, 1e-4, LEVELS)             # outermost first: painted first
        ellipses = list(_ellipses(self.hessian, levels))
        self.bands.set_verts(ellipses)
        self.levels.set_segments(ellipses)
        # viridis from the outer to the inner band, mixed with white so that the path stands out.
        colors = matplotlib.colormaps["viridis"](np.linspace(1.0, 0.0, LEVELS))
        self.bands.set_facecolor(0.3 + 0.7 * colors)

    def _show_frame(self, frame):
        run = self.run
        points = run.thetas[:frame + 1]
        self.path.set_data(points[:, 0], points[:, 1])
        self.start_marker.set_data(points[:1, 0], points[:1, 1])
        self.current.set_data(points[-1:, 0], points[-1:, 1])
        here, grad, loss = run.thetas[frame], run.grads[frame], run.losses[frame]
        norm = float(np.linalg.norm(grad))
        self.arrow.set_offsets([here])
        direction = grad / norm if norm > 0 else np.zeros(2)
        self.arrow.set_UVC([ARROW_LENGTH * direction[0]], [ARROW_LENGTH * direction[1]])
        self.arrow.set_visible(bool(norm > 0 and np.all(np.abs(here) <= BOX)))
        self.level_line.set_data(*(_ellipses(self.hessian, [loss], points=361)[0].T if loss > 0 else ([], [])))
        steps = np.arange(frame + 1)
        shown = np.maximum(run.losses[:frame + 1], LOSS_RANGE[0])
        self.loss_line.set_data(steps, shown)
        self.loss_current.set_data(steps[-1:], shown[-1:])
        self._fill_readout(frame, norm)

    def _fill_readout(self, frame, norm):
        run, lr = self.run, self.state()["lr"]
        small, large = np.linalg.eigvalsh(self.hessian)
        factors = f"steep {1 - lr * large:+.3f}, flat {1 - lr * small:+.3f}"
        summary = (f"eigenvalues of H: L = {large:.3g}, {small:.3g} (κ = {large / small:.3g}); "
                   f"critical rate 2/L = {self.critical_rate:.4g}; factors 1 − lr·λ per step: "
                   f"{factors}.")
        if run.escaped_at is not None:
            summary += f" |w| passed 10⁶ after {run.escaped_at} steps: the run stops there."
        rows = [[k, f"({run.thetas[k][0]:+.3f}, {run.thetas[k][1]:+.3f})", f"{run.losses[k]:.4g}",
                 f"{np.linalg.norm(run.grads[k]):.4g}"] for k in sorted({0, frame, len(run.thetas) - 1})]
        self.readout.value = (f"<b style='color:{BEHAVIOUR_COLORS[run.behaviour]}'>{run.behaviour}"
                              f"</b> (lr = {lr:.3g}). {summary}"
                              + table(["step k", "wₖ", "L(wₖ)", "|∇L(wₖ)|"], rows))
