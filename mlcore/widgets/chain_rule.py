"""Chain-rule panel: the slope of f(g(x)) is f'(g(x)) times g'(x), seen on three tangent lines (chapter 4).

The left plot is the inner function ``u = g(x)`` with its tangent at ``x``
(slope ``g'(x)``), the middle one the outer function ``y = f(u)`` with its
tangent at ``u = g(x)`` (slope ``f'(g(x))``), the right one the composition
with its tangent, whose slope is the product of the two. A checkbox adds the
classic mistake, ``f'(x) g'(x)``: the outer derivative taken at ``x``
instead of at ``g(x)``, a line that does not touch the curve's slope.

The plots' frames, ticks and curves depend on the two functions only, so
each pair is rendered once (:class:`~mlcore.plots.scene_image.SceneImage`)
and moving ``x`` redraws just the points, tangents and slopes.
"""

import numpy as np
from matplotlib.transforms import Affine2D

from ..plots.cached_figure import mark_dynamic
from ..plots.scene_image import SceneImage
from ..plots.stamp_text import StampText
from ..plots.style import COLORS, tidy
from .base import Panel
from .controls import checkbox, choice, slider
from .finite_differences import central_difference
from .scalar_functions import FUNCTIONS

__all__ = ["ChainRulePanel", "compose"]

X_RANGE = (-2.0, 2.0)
TANGENT_HALF_WIDTH = 0.6  # each tangent is drawn over this fraction of its plot's width, per side
NAMES = list(FUNCTIONS)


def compose(outer, inner, x):
    """``(u, y, du/dx, dy/du, dy/dx)`` for ``y = f(g(x))`` with ``f = FUNCTIONS[outer]``,
    ``g = FUNCTIONS[inner]``: the chain rule's factors and their product."""
    f, g = FUNCTIONS[outer], FUNCTIONS[inner]
    u = g.f(x)
    du_dx, dy_du = g.df(x), f.df(u)
    return u, f.f(u), du_dx, dy_du, dy_du * du_dx


def _short(value):
    """A slope as the plots print it: 4 decimals, or 5 significant digits when large."""
    return f"{value:.4f}" if abs(value) < 1000 else f"{value:.5g}"


def _limits(values, pad=0.08):
    low, high = float(np.min(values)), float(np.max(values))
    span = max(high - low, 1e-3)
    return low - pad * span, high + pad * span


class ChainRulePanel(Panel):
    """Tangents of g, f and f∘g at a point, and the chain rule's product of slopes (chapter 4).

    Settings: ``x`` (the point), ``show_mistake`` (draw the line of slope
    ``f'(x) g'(x)``), ``inner`` (``g``) and ``outer`` (``f``), each one of
    ``square``, ``sin``, ``exp``, ``sigmoid``, ``tanh``.
    """

    chapter = 4
    figsize = (9.0, 3.9)
    question = ("With f = sin and g = square, move x from 0 to 2. Is the slope of sin(x²) the product "
                "of the two other slopes? Tick the mistake: why does the line of slope f′(x)·g′(x) miss?")

    def __init__(self, x=1.0, show_mistake=False, inner="square", outer="sin", *, caption=None):
        controls = {
            "x": slider("point x", x, *X_RANGE, 0.05),
            "show_mistake": checkbox("show the mistake f′(x)·g′(x)", show_mistake),
            "inner": choice("inner g", NAMES, inner),
            "outer": choice("outer f", NAMES, outer),
        }
        super().__init__(controls, caption=caption)

    def _build(self):
        self.grid = np.linspace(*X_RANGE, 241)
        # Fixed margins, wide enough for any tick labels the scenes draw (their limits vary).
        self.fig.set_layout_engine("none")
        # Room above the plots for the slopes, so that no text covers a curve.
        self.axes = self.fig.subplots(1, 3, gridspec_kw={"left": 0.065, "right": 0.99, "bottom": 0.13,
                                                         "top": 0.74, "wspace": 0.38})
        self.points, self.tangents = [], []
        for ax, color in zip(self.axes, (COLORS["blue"], COLORS["green"], COLORS["orange"])):
            (tangent,) = ax.plot([0.0, 1.0], [0.0, 1.0], color=color, linewidth=2.2, zorder=4)
            (point,) = ax.plot([0.0], [0.0], "o", color=COLORS["black"], markersize=6, zorder=5)
            self.tangents.append(mark_dynamic(tangent))
            self.points.append(mark_dynamic(point))
        (self.mistake,) = self.axes[2].plot([0.0, 1.0], [0.0, 1.0], color=COLORS["red"], linewidth=1.8,
                                            linestyle="--", zorder=4)
        mark_dynamic(self.mistake)
        # Above each plot, stamped from cached glyphs: the slopes change at every step of x.
        self.slope_texts = [mark_dynamic(self.fig.add_artist(StampText(
            ax.get_position().x0, 0.985, transform=self.fig.transFigure, va="top", fontsize=8.5,
            color=tangent.get_color()))) for ax, tangent in zip(self.axes, self.tangents)]
        # The scene image paints the frames, ticks and curves; these axes only carry the moving
        # artists (without ticks, which matplotlib would otherwise create lazily, as a static change).
        self.positions = [ax.get_position() for ax in self.axes]
        for ax in self.axes:
            ax.set_axis_off()
            ax.set_xticks([])
            ax.set_yticks([])
        # Data of plot k -> fractions of its frame; set for each pair of functions in _update.
        self.to_frame = [Affine2D() for _ in self.axes]
        moving = [*zip(self.tangents, self.points), (self.mistake,)]
        for k, artists in enumerate(moving):
            for artist in artists:
                artist.set_transform(self.to_frame[min(k, 2)] + self.axes[min(k, 2)].transAxes)
        self.scene = mark_dynamic(SceneImage(self.axes[0], _Scenes(self), whole_figure=True))

    def frame_limits(self, outer, inner):
        """``[(xlim, ylim)]`` of the three plots for ``f = outer``, ``g = inner``: each padded around
        what it shows, so that a point at the end of the slider's range (x = ±2) and its tangent
        are drawn whole, not cut by the frame."""
        f, g = FUNCTIONS[outer], FUNCTIONS[inner]
        u = g.f(self.grid)
        u_lim = _limits(u)
        u_grid = np.linspace(*u_lim, 241)
        x_lim = _limits(np.array(X_RANGE))
        return [(x_lim, _limits(u)), (u_lim, _limits(f.f(u_grid))), (x_lim, _limits(f.f(u)))]

    def draw_scene(self, figure, outer, inner):
        """The static picture for one pair: frames, ticks, titles and the three curves."""
        f, g = FUNCTIONS[outer], FUNCTIONS[inner]
        titles = (f"inner u = g(x) = {g.of('x')}", f"outer y = f(u) = {f.of('u')}",
                  f"y = f(g(x)) = {f.of(g.of('x'))}")
        labels = (("x", "u"), ("u", "y"), ("x", "y"))
        for position, (xlim, ylim), title, (xlabel, ylabel), k in zip(
                self.positions, self.frame_limits(outer, inner), titles, labels, range(3)):
            ax = figure.add_axes(position)
            # The curves of x span the slider's range; the outer one, the range of u it covers.
            xs = np.linspace(*(xlim if k == 1 else X_RANGE), 241)
            ys = (g.f, f.f, lambda t: f.f(g.f(t)))[k](xs)
            ax.plot(xs, ys, color=COLORS["grey"], linewidth=1.8)
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)
            tidy(ax, title=title, xlabel=xlabel, ylabel=ylabel)

    def _update(self, state):
        x, outer, inner = state["x"], state["outer"], state["inner"]
        f, g = FUNCTIONS[outer], FUNCTIONS[inner]
        # New axis limits would redraw the whole figure (~50 ms): the moving artists keep
        # their data coordinates and reach the screen through a transform onto the scene's
        # frame instead, which changes only the moving layer.
        self.frames = self.frame_limits(outer, inner)
        for to_frame, ((x0, x1), (y0, y1)) in zip(self.to_frame, self.frames):
            to_frame.clear().translate(-x0, -y0).scale(1 / (x1 - x0), 1 / (y1 - y0))
        self.scene.select((outer, inner))
        u, y, du_dx, dy_du, dy_dx = compose(outer, inner, x)
        wrong = float(f.df(x) * du_dx)
        for k, (at, value, slope) in enumerate(((x, u, du_dx), (u, y, dy_du), (x, y, dy_dx))):
            self._tangent(k, at, value, slope, self.tangents[k])
            self.points[k].set_data([at], [value])
        self._tangent(2, x, y, wrong, self.mistake)
        self.mistake.set_visible(state["show_mistake"])
        self.slope_texts[0].set_text(f"slope g′(x) = {_short(du_dx)}")
        self.slope_texts[1].set_text(f"slope f′(u) = {_short(dy_du)}\nat u = g(x) = {_short(u)}")
        self.slope_texts[2].set_text(f"slope = f′(g(x))·g′(x)\n= {_short(dy_du)} × {_short(du_dx)} = "
                                     f"{_short(dy_dx)}" + (f"\nmistake f′(x)·g′(x) = {_short(wrong)}"
                                                           if state["show_mistake"] else ""))
        numeric = float(central_difference(lambda t: f.f(g.f(t)), x, 1e-5))
        self.readout.value = (
            f"<code>d/dx {f.of(g.of('x'))} = f′(g(x))·g′(x) = {f.derivative_of(g.of('x'))} · "
            f"{g.derivative_of('x')}</code>: at x = {x:.2f} that is {dy_du:.6f} × {du_dx:.6f} = "
            f"<b>{dy_dx:.6f}</b>; the slope of f(g(x)) by central differences (h = 1e-5) is "
            f"{numeric:.6f}. The mistake <code>f′(x)·g′(x) = {f.derivative_of('x')} · "
            f"{g.derivative_of('x')}</code> gives {wrong:.6f}.")

    def _tangent(self, k, at, value, slope, line):
        """``line`` through ``(at, value)`` with ``slope``, over part of plot ``k``'s width."""
        xlim = self.frames[k][0]
        half = TANGENT_HALF_WIDTH * (xlim[1] - xlim[0]) / 2
        line.set_data([at - half, at + half], [value - slope * half, value + slope * half])


class _Scenes:
    """The scenes of a ChainRulePanel, one per (outer, inner) pair, drawn when first shown."""

    def __init__(self, panel):
        self.panel = panel

    def __iter__(self):
        return iter((outer, inner) for outer in NAMES for inner in NAMES)

    def __contains__(self, key):
        return isinstance(key, tuple) and len(key) == 2 and all(name in FUNCTIONS for name in key)

    def __getitem__(self, key):
        return lambda figure: self.panel.draw_scene(figure, *key)

    def __bool__(self):
        return True
