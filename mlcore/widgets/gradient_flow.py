"""Gradient-flow panel: the gradient norm of every layer of a deep stack, and its activations (chapter 5).

The stack is :func:`mlcore.gradient_flow.deep_stack`: ``depth`` blocks
``Linear(32, 32)`` + activation, initialised from ``mlcore.nn.init`` (normal
with the learner's sigma, Xavier/Glorot, or He/Kaiming), one seeded batch of
64 samples and the MSE. Left: the Frobenius norm of each layer's weight
gradient after one ``backward()``, as bars on a log axis, the first layer
(nearest the input) on the left; the label says whether the gradient
vanishes or explodes on its way back. A norm beyond the axis is drawn at its
edge and marked (▲ above the top, ▼ below the bottom), and the label says how
many bars are cut off and the largest norm. Right: the distribution of each
layer's activations, one column per layer (darker: more of the 64 x 32
values in that bin), over the activation's range. Both x axes span the
stack whatever its depth, so a change of depth redraws no axes.
"""

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.patches import Rectangle

from ..gradient_flow import ACTIVATION_MODULES, INITS, gradient_flow
from ..plots.cached_figure import mark_dynamic
from ..plots.pixel_grid import PixelGrid, shades
from ..plots.stamp_text import StampText
from ..plots.style import COLORS, tidy
from .base import Diverged, Panel
from .controls import choice, discrete_slider, log_slider
from .readout import table

__all__ = ["GradientFlowPanel", "NORM_RANGE", "VALUE_RANGES", "histograms"]

MAX_DEPTH = 50
NORM_RANGE = (1e-16, 1e8)            # the bars' axis; norms beyond it are drawn at its edge
BINS = 40
# The activation axis: each activation's range (ReLU has none; values above 3 go in the top bin).
VALUE_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 3.0)}
VERDICT_COLORS = {"vanishing": COLORS["red"], "exploding": COLORS["red"], "stable": COLORS["green"]}


def histograms(activations, low, high, bins=BINS):
    """``(layers, bins)`` counts of each layer's activations in ``bins`` equal bins over
    ``[low, high]``; values outside go to the first or last bin. One ``bincount`` for all layers."""
    values = np.stack([np.ravel(a) for a in activations])
    index = np.clip(((values - low) * (bins / (high - low))).astype(np.int64), 0, bins - 1)
    index += bins * np.arange(len(activations))[:, None]
    return np.bincount(index.ravel(), minlength=bins * len(activations)).reshape(len(activations), bins)


class GradientFlowPanel(Panel):
    """Per-layer gradient norms (log bars) and activation distributions of a deep stack (chapter 5).

    Settings: ``depth`` (1 to 50 layers), ``activation`` (``'sigmoid'``,
    ``'tanh'``, ``'relu'``), ``init`` (``'normal'``, ``'xavier'``, ``'he'``) and
    ``sigma``, the spread of the normal initialisation (greyed out for the
    other two). ``flow`` is the :class:`~mlcore.gradient_flow.GradientFlow` on show.
    """

    chapter = 5
    figsize = (9.0, 3.7)
    question = ("With sigmoid and Xavier, how much smaller is the first layer's gradient than the last "
                "one's at depth 10, and at depth 30? Which activation and initialisation keep the bars level?")

    def __init__(self, depth=10, activation="sigmoid", init="normal", sigma=1.0, *, caption=None):
        controls = {
            "depth": discrete_slider("depth", list(range(1, MAX_DEPTH + 1)), depth),
            "activation": choice("activation", list(ACTIVATION_MODULES), activation),
            "init": choice("initialisation", list(INITS), init),
            "sigma": log_slider("normal σ", sigma, 0.01, 10.0),
        }
        super().__init__(controls, caption=caption)

    # ------------------------------------------------------------------ build
    def _build(self):
        bars_ax, dist_ax = self.fig.subplots(1, 2, width_ratios=(1.1, 1.0))
        self.bars_ax, self.dist_ax = bars_ax, dist_ax
        bars_ax.set_yscale("log")
        bars_ax.set_xlim(0.0, 1.0)
        bars_ax.set_ylim(*NORM_RANGE)
        bars_ax.set_xticks([])
        tidy(bars_ax, title="‖∂L/∂W‖ of every layer (log scale)", ylabel="gradient norm")
        # One collection for all the bars: one draw call instead of one per bar.
        self.bars = mark_dynamic(bars_ax.add_collection(PolyCollection(
            [], facecolors=COLORS["blue"], edgecolors="white", linewidths=0.3)))
        # Bars cut off by the axis: ▲ on the top edge over a bar above it, ▼ at the bottom for one below it.
        x_data_y_axes = bars_ax.get_xaxis_transform()
        (self.above_marks,) = bars_ax.plot([], [], "^", color="white", markeredgecolor=COLORS["black"],
                                           markersize=6, transform=x_data_y_axes, zorder=4, clip_on=False)
        (self.below_marks,) = bars_ax.plot([], [], "v", color="white", markeredgecolor=COLORS["black"],
                                           markersize=6, transform=x_data_y_axes, zorder=4)
        mark_dynamic(self.above_marks, self.below_marks)
        # The labels sit on a white box: over tall bars they would be unreadable.
        self.label_box = mark_dynamic(bars_ax.add_patch(Rectangle(
            (0.015, 0.6), 0.6, 0.385, transform=bars_ax.transAxes, facecolor="white", edgecolor="none",
            alpha=0.85, zorder=3.5)))
        self.verdict = self._stamp(bars_ax, 0.03, 0.96, fontsize=11, weight="bold", va="top")
        self.ratio_text = self._stamp(bars_ax, 0.03, 0.84, fontsize=8, va="top")
        dist_ax.set_xlim(0.0, 1.0)
        dist_ax.set_ylim(0.0, 1.0)
        dist_ax.set_xticks([])
        dist_ax.set_yticks([])
        dist_ax.grid(False)
        tidy(dist_ax, title="activations of every layer")
        self.image = mark_dynamic(PixelGrid(dist_ax))
        # Axis labels that depend on the settings are stamped, so that changing them redraws no axes.
        self.value_labels = [self._stamp(dist_ax, 1.015, y, fontsize=7.5, ha="left", va=va)
                             for y, va in ((0.0, "bottom"), (0.5, "center"), (1.0, "top"))]
        dist_ax.yaxis.set_label_position("right")
        dist_ax.set_ylabel("activation value", labelpad=26)
        self.layer_labels = {ax: [self._stamp(ax, x, -0.02, fontsize=7.5, ha=ha, va="top")
                                  for x, ha in ((0.0, "center"), (1.0, "center"))]
                             for ax in (bars_ax, dist_ax)}
        for ax in (bars_ax, dist_ax):
            ax.text(0.5, -0.02, "layer (input side → output side)", transform=ax.transAxes, ha="center",
                    va="top", fontsize=8)

    @staticmethod
    def _stamp(ax, x, y, **style):
        return mark_dynamic(ax.add_artist(StampText(x, y, transform=ax.transAxes, **style)))

    # ----------------------------------------------------------------- update
    def _update(self, state):
        depth, activation = state["depth"], state["activation"]
        self.controls["sigma"].disabled = state["init"] != "normal"
        self.flow = flow = gradient_flow(depth, activation, state["init"], state["sigma"])
        if not np.all(np.isfinite(flow.norms)):
            raise Diverged(f"the activations overflow float64 through {depth} layers at this "
                           "initialisation; lower sigma or the depth")
        self.heights = np.clip(flow.norms, NORM_RANGE[0], NORM_RANGE[1])
        left = np.arange(depth) / depth
        right = left + 1.0 / depth
        bottom = np.full(depth, NORM_RANGE[0])
        self.bars.set_verts(np.stack([np.column_stack(corner) for corner in
                                      ((left, bottom), (left, self.heights), (right, self.heights),
                                       (right, bottom))], axis=1))
        centres = (left + right) / 2
        above, below = flow.norms > NORM_RANGE[1], flow.norms < NORM_RANGE[0]
        self.above_marks.set_data(centres[above], np.full(above.sum(), 1.0))
        self.below_marks.set_data(centres[below], np.full(below.sum(), 0.035))
        behaviour = flow.behaviour()
        self.verdict.set_text(behaviour)
        self.verdict.set_color(VERDICT_COLORS[behaviour])
        self.ratio_text.set_text("\n".join([f"first / last layer: {flow.ratio:.2e}",
                                            f"largest norm:       {flow.norms.max():.2e}"] + _cut_off(above, below)))
        low, high = VALUE_RANGES[activation]
        self.histograms = histograms(flow.activations, low, high)
        # The square root shows the thin tails next to a tall peak (ReLU's many exact zeros).
        self.image.set_cells(shades(np.sqrt(self.histograms.T / self.histograms.max(axis=1)), COLORS["black"]))
        top = f"≥ {high:g}" if activation == "relu" else f"{high:g}"
        for text, value in zip(self.value_labels, (f"{low:g}", f"{(low + high) / 2:g}", top)):
            text.set_text(value)
        for labels in self.layer_labels.values():
            # Under the middle of the first and of the last column.
            labels[0].set_position((0.5 / depth, -0.02))
            labels[1].set_position((1 - 0.5 / depth, -0.02))
            labels[0].set_text("1")
            labels[1].set_text(f"{depth}" if depth > 1 else "")
        self._fill_readout(state, flow, behaviour, above, below)

    def _fill_readout(self, state, flow, behaviour, above, below):
        init = (f"normal, σ = {state['sigma']:.3g}" if state["init"] == "normal" else
                {"xavier": "Xavier (Glorot): σ = √(2 / (fan_in + fan_out))",
                 "he": "He (Kaiming): σ = √(2 / fan_in)"}[state["init"]])
        stds = [float(a.std()) for a in flow.activations]
        rows = [["first (1)", f"{flow.norms[0]:.3e}", f"{stds[0]:.3g}", str(flow.dead[0])],
                [f"last ({len(flow.norms)})", f"{flow.norms[-1]:.3e}", f"{stds[-1]:.3g}", str(flow.dead[-1])]]
        self.readout.value = (
            f"<b style='color:{VERDICT_COLORS[behaviour]}'>{behaviour}</b>: {len(flow.norms)} layers of "
            f"Linear(32, 32) + {state['activation']}, init {init}; the first layer's gradient norm is "
            f"{flow.ratio:.3g} times the last one's."
            + (f" {'; '.join(_cut_off(above, below))} (drawn at its edge)." if above.any() or below.any() else "")
            + table(["layer", "‖∂L/∂W‖", "std of activations", "dead units (of 32)"], rows))


def _cut_off(above, below):
    """Lines that count the bars beyond the axis (``above`` and ``below``: one bool per layer)."""
    lines = []
    for marks, count, edge, side in (("▲", above.sum(), NORM_RANGE[1], "above"),
                                     ("▼", below.sum(), NORM_RANGE[0], "below")):
        if count:
            lines.append(f"{marks} {count} bar{'s' if count > 1 else ''} {side} {edge:.0e}")
    return lines
