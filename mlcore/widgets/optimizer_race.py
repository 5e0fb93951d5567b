"""Optimizer race panel: seven optimizers of mlcore.optim side by side on one surface (chapter 6).

SGD, momentum, Nesterov, Adagrad, RMSprop, Adam and AdamW, each the
``mlcore.optim`` class that trains networks, each updating its own 2-element
``nn.Parameter`` from the same start (:class:`~mlcore.optimizer_runs.SurfaceRun`).
The surface is one of :data:`mlcore.surfaces.SURFACES`: chapter 3's
ill-conditioned bowl, Rosenbrock's valley, a saddle, Himmelblau's four minima
and the bowl with noisy gradients. Every optimizer has its own learning rate;
momentum and Nesterov share ``beta``.

The runs are kept between control changes and extended only as far as the
frame on show, so moving one optimizer's rate recomputes that optimizer alone.
An optimizer whose iterate leaves ``|w| <= 10^6`` takes no more steps: a cross
in its colour marks where its path leaves the box and where its loss curve
ends, and the readout says "diverged at step k"; the others race on. Crosses
that would sit on top of each other (several optimizers leaving at one point)
are set side by side along the edge. The step axis is fixed at the longest run
(a change of axis would redraw the cached background); the part a shorter run
does not reach is shaded.
"""

import numpy as np
import ipywidgets as widgets
from matplotlib.transforms import ScaledTranslation

from ..optimizer_runs import OPTIMIZERS, SurfaceRun
from ..plots.cached_figure import mark_dynamic
from ..plots.live_contours import LiveContours
from ..plots.live_scale import LiveLogYScale
from ..plots.style import COLORS, tidy
from ..surfaces import SURFACES
from .controls import checkbox, choice, log_slider, slider
from .player import SteppedPanel
from .readout import table

__all__ = ["DEFAULT_RATES", "LOSS_RANGES", "OPTIMIZER_STYLES", "OptimizerRacePanel"]

BOX = 4.0                  # the picture shows -BOX <= w1, w2 <= BOX on every surface
LR_RANGE = (1e-4, 3.0)
STEP_CHOICES = (50, 100, 200)
# The loss axis of each surface (log scale): from below the lowest loss a run at the guided tasks' rates
# reaches to above its start and its bumps; a diverging loss is drawn at the top. Moved live, as an overlay.
LOSS_RANGES = {"bowl": (1e-12, 1e2), "noisy_bowl": (1e-5, 1e2), "rosenbrock": (1e-4, 1e4),
               "saddle": (1e-12, 1e2), "himmelblau": (1e-12, 1e3)}
CROSS_GAP = 0.14           # inches between the centres of crosses set side by side
# Decades of contour levels below the highest value in the box: Rosenbrock's
# valley floor lies six decades below its walls.
DECADES = {"bowl": 4, "noisy_bowl": 4, "rosenbrock": 6, "saddle": 4, "himmelblau": 4}

# Okabe-Ito colours (mlcore.plots.style), and a dashed line for the two variants that
# would otherwise hide under their parent (Nesterov under momentum, AdamW under Adam).
OPTIMIZER_STYLES = {
    "sgd": (COLORS["red"], "-"),
    "momentum": (COLORS["blue"], "-"),
    "nesterov": (COLORS["sky"], "--"),
    "adagrad": (COLORS["green"], "-"),
    "rmsprop": (COLORS["pink"], "-"),
    "adam": (COLORS["orange"], "-"),
    "adamw": (COLORS["black"], "--"),
}
# Rates at which every optimizer settles on the bowl within 100 steps.
DEFAULT_RATES = {"sgd": 0.3, "momentum": 0.1, "nesterov": 0.1, "adagrad": 1.0, "rmsprop": 0.05,
                 "adam": 0.1, "adamw": 0.1}


class OptimizerRacePanel(SteppedPanel):
    """Seven ``mlcore.optim`` optimizers raced from one start on one surface (chapter 6).

    Settings: ``surface`` (a key of :data:`mlcore.surfaces.SURFACES`), the start
    ``w1``, ``w2``, ``beta`` (momentum's and Nesterov's), ``num_steps``, and per
    optimizer ``name`` (a key of :data:`~mlcore.optimizer_runs.OPTIMIZERS`) a
    checkbox ``name`` and a rate ``lr_name``. ``runs`` maps each optimizer
    that is on to its :class:`~mlcore.optimizer_runs.SurfaceRun`;
    :meth:`results` reads the frame on show.
    """

    chapter = 6
    figsize = (9.6, 4.2)
    question = ("On the bowl, which optimizers zig-zag across the valley and which head straight for the "
                "minimum? Switch to Rosenbrock: which of them diverge at these rates, and which crawl?")

    def __init__(self, surface="bowl", w1=-2.5, w2=1.5, beta=0.9, num_steps=100,
                 sgd=True, momentum=True, nesterov=True, adagrad=True, rmsprop=True, adam=True, adamw=True,
                 lr_sgd=DEFAULT_RATES["sgd"], lr_momentum=DEFAULT_RATES["momentum"],
                 lr_nesterov=DEFAULT_RATES["nesterov"], lr_adagrad=DEFAULT_RATES["adagrad"],
                 lr_rmsprop=DEFAULT_RATES["rmsprop"], lr_adam=DEFAULT_RATES["adam"],
                 lr_adamw=DEFAULT_RATES["adamw"], *, caption=None):
        on = {"sgd": sgd, "momentum": momentum, "nesterov": nesterov, "adagrad": adagrad,
              "rmsprop": rmsprop, "adam": adam, "adamw": adamw}
        rates = {"sgd": lr_sgd, "momentum": lr_momentum, "nesterov": lr_nesterov, "adagrad": lr_adagrad,
                 "rmsprop": lr_rmsprop, "adam": lr_adam, "adamw": lr_adamw}
        controls = {
            "surface": choice("surface", [(s.label, name) for name, s in SURFACES.items()], surface),
            "num_steps": choice("steps", list(STEP_CHOICES), num_steps),
            "w1": slider("start w₁", w1, -BOX, BOX, 0.05),
            "w2": slider("start w₂", w2, -BOX, BOX, 0.05),
            "beta": slider("momentum β (both)", beta, 0.0, 0.99, 0.01),
        }
        for name, spec in OPTIMIZERS.items():
            controls[name] = checkbox(spec.label, on[name])
            controls[f"lr_{name}"] = log_slider("lr", rates[name], *LR_RANGE)
        self.runs = {}
        self._settings = {}        # what each run in self.runs was started with
        self._contours_of = None
        super().__init__(controls, caption=caption)

    # ------------------------------------------------------------------ build
    def _build(self):
        grid = self.fig.add_gridspec(1, 3, width_ratios=(1.0, 1.05, 0.42))
        contour_ax = self.fig.add_subplot(grid[0])
        loss_ax = self.fig.add_subplot(grid[1])
        legend_ax = self.fig.add_subplot(grid[2])
        self.contour_ax, self.loss_ax, self.legend_ax = contour_ax, loss_ax, legend_ax

        self.contours = LiveContours(contour_ax, (-BOX, BOX), (-BOX, BOX))
        contour_ax.set_aspect("equal")
        (self.minima,) = contour_ax.plot([], [], "+", color="white", markersize=11, markeredgewidth=2)
        (self.start_marker,) = contour_ax.plot([], [], "o", color=COLORS["black"], markersize=7, zorder=4)
        mark_dynamic(self.minima, self.start_marker)
        tidy(contour_ax, title="paths over the contours (+: minima)", xlabel="w₁", ylabel="w₂")

        loss_ax.set_xlim(-2, max(STEP_CHOICES) + 2)
        self.loss_scale = LiveLogYScale(loss_ax, *LOSS_RANGES["bowl"])
        tidy(loss_ax, title="loss against the step (log scale)", xlabel="step k (grey: beyond this run)")
        loss_ax.set_ylabel("L(wₖ)", labelpad=24)  # room for the scale's labels, which the layout does not see
        self.not_run = mark_dynamic(loss_ax.axvspan(max(STEP_CHOICES), max(STEP_CHOICES) + 2,
                                                    color=COLORS["grey"], alpha=0.15, lw=0, zorder=0.5))

        self.paths, self.heads, self.crosses, self.loss_lines, self.loss_ends = {}, {}, {}, {}, {}
        handles = []
        for name in OPTIMIZERS:
            color, style = OPTIMIZER_STYLES[name]
            (self.paths[name],) = contour_ax.plot([], [], style, color=color, lw=1.6, zorder=3)
            (self.heads[name],) = contour_ax.plot([], [], "o", color=color, markeredgecolor="white",
                                                  markersize=6, zorder=5)
            (self.crosses[name],) = contour_ax.plot([], [], "X", color=color, markeredgecolor="white",
                                                    markersize=11, zorder=6)
            (self.loss_lines[name],) = loss_ax.plot([], [], style, color=color, lw=1.6,
                                                    transform=self.loss_scale.transform)
            (self.loss_ends[name],) = loss_ax.plot([], [], "X", color=color, markeredgecolor="white", markersize=10,
                                                   transform=self.loss_scale.transform)
            # A cross sits on the edge of the picture: drawn whole, and left out of the layout.
            for cross in (self.crosses[name], self.loss_ends[name]):
                cross.set_clip_on(False)
                cross.set_in_layout(False)
            mark_dynamic(self.paths[name], self.heads[name], self.crosses[name], self.loss_lines[name],
                         self.loss_ends[name])
            handles.append(self.loss_lines[name])

        # The legend is static: a dynamic legend, or any text that changes, costs several ms at
        # every frame. Which optimizers diverged, and when, is in the readout; on the plot a cross
        # in the optimizer's colour ends its path and its loss curve.
        # No ticks at all (not just hidden ones), so that nothing creates them after the first draw.
        legend_ax.set_xticks([])
        legend_ax.set_yticks([])
        legend_ax.axis("off")
        (cross,) = legend_ax.plot([], [], "X", color=COLORS["grey"], markeredgecolor="white", markersize=10)
        legend_ax.legend(handles + [cross], [OPTIMIZERS[name].label for name in OPTIMIZERS] + ["diverged,\nstopped"],
                         loc="upper left", handlelength=2.4, borderaxespad=0.0)

    # -------------------------------------------------------------------- run
    def _run(self, state):
        surface = SURFACES[state["surface"]]
        if self._contours_of != surface.name:
            self._contours_of = surface.name
            self.contours.show(surface.value, decades=DECADES[surface.name], key=surface.name)
            minima = np.array(surface.minima)
            self.minima.set_data(minima[:, 0], minima[:, 1])
            self.loss_scale.set_range(*LOSS_RANGES[surface.name])
        start = (state["w1"], state["w2"])
        self.start_marker.set_data([start[0]], [start[1]])
        for name, spec in OPTIMIZERS.items():
            if not state[name]:
                self.runs.pop(name, None)
                continue
            lr = state[f"lr_{name}"]
            setting = (surface.name, start, lr, state["beta"] if spec.uses_beta else None)
            if name not in self.runs or self._settings[name] != setting:
                self.runs[name] = SurfaceRun(surface, name, lr, start, beta=state["beta"])
                self._settings[name] = setting
        return state["num_steps"]

    def _show_frame(self, frame):
        for name in OPTIMIZERS:
            run = self.runs.get(name)
            if run is None:
                for artist in (self.paths[name], self.heads[name], self.crosses[name], self.loss_lines[name],
                               self.loss_ends[name]):
                    artist.set_data([], [])
                continue
            run.advance_to(frame)
            last = min(frame, run.num_steps)
            points, losses = run.points[:last + 1], run.losses[:last + 1]
            self.paths[name].set_data(points[:, 0], points[:, 1])
            gone = run.diverged_at is not None and run.diverged_at <= frame
            # A diverged run is crossed out where it leaves the box, and its loss curve ends there.
            head = _where_it_leaves_the_box(points) if gone else points[-1]
            (self.crosses[name] if gone else self.heads[name]).set_data([head[0]], [head[1]])
            (self.heads[name] if gone else self.crosses[name]).set_data([], [])
            shown = np.clip(losses, self.loss_scale.bottom, self.loss_scale.top)
            self.loss_lines[name].set_data(np.arange(len(shown)), shown)
            self.loss_ends[name].set_data(([len(shown) - 1], shown[-1:]) if gone else ([], []))
        self._side_by_side(self.crosses, self.contour_ax.transData, along_edge=True)
        self._side_by_side(self.loss_ends, self.loss_scale.transform, along_edge=False)
        num_steps = self.state()["num_steps"]
        self.not_run.set_x(num_steps)
        self.not_run.set_width(max(STEP_CHOICES) + 2 - num_steps)
        self.not_run.set_visible(num_steps < max(STEP_CHOICES))
        self._fill_readout(frame)

    def _side_by_side(self, crosses, transform, *, along_edge):
        """Shift crosses (drawn with ``transform``) that would hide each other apart: on the paths along
        the edge of the box where they leave it, centred on that point; on the loss curves to the right
        of the step where the first one stopped. The data stay where the runs left: only the picture moves."""
        shown = [(name, cross.get_xydata()[0]) for name, cross in crosses.items() if len(cross.get_xydata())]
        inches = {name: transform.transform(xy) / self.fig.dpi for name, xy in shown}
        piles = []
        for name, _ in shown:
            pile = next((pile for pile in piles if np.linalg.norm(inches[pile[0]] - inches[name]) < CROSS_GAP), None)
            if pile is None:
                piles.append([name])
            else:
                pile.append(name)
        for name, cross in crosses.items():
            cross.set_transform(transform)
        for pile in (pile for pile in piles if len(pile) > 1):
            x, _ = next(xy for name, xy in shown if name == pile[0])
            # Up or down a side edge of the box, along its top or bottom edge, or to the right on the losses.
            along = (0.0, 1.0) if along_edge and abs(x) >= BOX * (1 - 1e-9) else (1.0, 0.0)
            for k, name in enumerate(pile):
                shift = (k - (len(pile) - 1) / 2 if along_edge else k) * CROSS_GAP
                crosses[name].set_transform(transform + ScaledTranslation(
                    along[0] * shift, along[1] * shift, self.fig.dpi_scale_trans))

    def results(self):
        """For each optimizer that is on, at the frame on show: ``{name: {"step", "w", "loss",
        "diverged_at"}}`` (``step`` is the last step taken, earlier than the frame if it diverged)."""
        frame = self.player.frame
        found = {}
        for name, run in self.runs.items():
            run.advance_to(frame)
            last = min(frame, run.num_steps)
            diverged = run.diverged_at if run.diverged_at is not None and run.diverged_at <= frame else None
            found[name] = {"step": last, "w": run.points[last], "loss": float(run.losses[last]),
                           "diverged_at": diverged}
        return found

    def _fill_readout(self, frame):
        state = self.state()
        surface = SURFACES[state["surface"]]
        results, rows = self.results(), []
        for name, spec in OPTIMIZERS.items():
            result = results.get(name)
            if result is None:
                where, loss, status = "", "", "off"
            elif result["diverged_at"] is not None:
                where, loss, status = "|w| > 10⁶", "—", f"diverged at step {result['diverged_at']}"
            else:
                w = result["w"]
                where, loss, status = f"({w[0]:+.3f}, {w[1]:+.3f})", f"{result['loss']:.3g}", ""
            rows.append([spec.label, f"{state[f'lr_{name}']:.3g}", where, loss, status])
        noise = f", gradient noise σ = {surface.noise:g} per coordinate" if surface.noise else ""
        self.readout.value = (f"<b>{surface.label}</b>: {surface.formula}{noise}; step {frame}; "
                              f"momentum and Nesterov: β = {state['beta']:.2f}."
                              + table(["optimizer", "lr", f"w at step {frame}", "loss", ""], rows))

    # -------------------------------------------------------------- display
    def _controls_box(self):
        row = widgets.Layout(flex_flow="row wrap", align_items="center")
        general = widgets.HBox([self.controls[name] for name in ("surface", "num_steps")], layout=row)
        start = widgets.HBox([self.controls[name] for name in ("w1", "w2", "beta")], layout=row)
        pairs = [widgets.HBox([self.controls[name], self.controls[f"lr_{name}"]],
                              layout=widgets.Layout(align_items="center", width="auto"))
                 for name in OPTIMIZERS]
        rates = widgets.GridBox(pairs, layout=widgets.Layout(grid_template_columns="repeat(2, auto)"))
        return widgets.VBox([general, start, rates, self.player.widget])


def _where_it_leaves_the_box(points):
    """The point where the path through ``points`` first crosses the edge of the picture (its last
    point if it never does)."""
    outside = np.flatnonzero(np.any(np.abs(points) > BOX, axis=1))
    if outside.size == 0 or outside[0] == 0:
        return np.clip(points[-1], -BOX, BOX)
    inside, beyond = points[outside[0] - 1], points[outside[0]]
    step = beyond - inside
    # The fraction of the step at which each coordinate that overshoots reaches the edge; the first wins.
    with np.errstate(divide="ignore", invalid="ignore"):
        fractions = np.where(np.abs(beyond) > BOX, (np.sign(beyond) * BOX - inside) / step, np.inf)
    return inside + np.min(fractions) * step
