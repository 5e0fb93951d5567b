"""Backward step-through panel: the chain rule applied one edge at a time, by mlcore's own rules (chapter 4).

The learner sets the inputs of a small expression (one neuron with a squared
error, or one of three smaller ones) and steps through backward with the
player. Step 0 is the forward pass alone: every value is known and every
gradient slot is empty. Step 1 seeds ``dL/dL = 1``. Each later step takes one
edge, from a node whose gradient is complete to one of its inputs, and shows
``local x upstream = downstream``; where a value fans out, its slot collects
one contribution per path and they add. The numbers come from
:func:`mlcore.graph.backward_steps`, which calls the engine's backward rule
of each operation, and at the last step the readout holds them against
``backward()`` itself.
"""

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

import mlcore
from mlcore import nn

from ..graph import backward_steps, graph_nodes
from ..plots.cached_figure import mark_dynamic
from ..plots.graph import draw_layout, format_number, layout_graph
from ..plots.graph_drawing import BOX_HEIGHT, BOX_WIDTH, NUMBER_STYLE, edge_path, slot_geometry
from ..plots.scene_image import SceneImage
from ..plots.stamp_text import StampText
from ..plots.style import COLORS
from .controls import choice, slider
from .player import SteppedPanel
from .readout import table

__all__ = ["EXPRESSIONS", "BackwardStepPanel", "Expression"]


@dataclass(frozen=True)
class Expression:
    """A small expression for the panel: its button label, its formula, the inputs it reads, and
    ``build``, which returns ``(root, names)`` for input values given as keywords (``names``:
    name -> tensor)."""

    label: str
    formula: str
    inputs: tuple
    build: object


def _neuron(x, w, b, y):
    """One tanh neuron and its squared error: L = (tanh(w x + b) - y)^2, w and b its parameters."""
    w, b = nn.Parameter(mlcore.tensor(w)), nn.Parameter(mlcore.tensor(b))
    x, y = mlcore.tensor(x), mlcore.tensor(y)
    u = w * x
    z = u + b
    a = z.tanh()
    e = a - y
    L = e ** 2
    return L, {"w": w, "x": x, "u": u, "b": b, "z": z, "a": a, "y": y, "e": e, "L": L}


def _tanh_neuron(x, w, b):
    """The neuron without a loss: f = tanh(w x + b)."""
    w, b, x = nn.Parameter(mlcore.tensor(w)), nn.Parameter(mlcore.tensor(b)), mlcore.tensor(x)
    u = w * x
    z = u + b
    f = z.tanh()
    return f, {"w": w, "x": x, "u": u, "b": b, "z": z, "f": f}


def _linear(x, w, b):
    """A linear unit: f = w x + b."""
    w, b, x = nn.Parameter(mlcore.tensor(w)), nn.Parameter(mlcore.tensor(b)), mlcore.tensor(x)
    u = w * x
    f = u + b
    return f, {"w": w, "x": x, "u": u, "b": b, "f": f}


def _fan_out(x):
    """x used three times: f = x * x + x, so its gradient collects three contributions."""
    x = mlcore.tensor(x, requires_grad=True)
    u = x * x
    f = u + x
    return f, {"x": x, "u": u, "f": f}


EXPRESSIONS = {
    "neuron": Expression("neuron + loss", "L = (tanh(w·x + b) − y)²", ("x", "w", "b", "y"), _neuron),
    "tanh": Expression("tanh(w·x + b)", "f = tanh(w·x + b)", ("x", "w", "b"), _tanh_neuron),
    "linear": Expression("w·x + b", "f = w·x + b", ("x", "w", "b"), _linear),
    "fan_out": Expression("x·x + x", "f = x·x + x", ("x",), _fan_out),
}

FIGSIZE = (8.6, 3.5)
GRAPH_BOX = (0.005, 0.0, 0.99, 0.84)  # the graph's axes in figure coordinates
LEGEND_ROOM = 0.42                     # data units below the lowest row, for the legend


class BackwardStepPanel(SteppedPanel):
    """Backward one edge at a time through a small expression (chapter 4).

    Settings: ``expression`` (a key of ``EXPRESSIONS``) and its inputs ``x``,
    ``w``, ``b``, ``y`` (an expression ignores the ones it does not read; their
    sliders are greyed out). The player moves through the steps: 0 is the
    forward pass, 1 the seed ``dL/dL = 1``, then one step per edge. After a
    setting changes, the panel shows the last step, where every gradient is
    complete; press reset, then step or play, to watch them arrive.
    """

    chapter = 4
    figsize = FIGSIZE
    interval_ms = 1200
    question = ("Reset, then step through the neuron: at which step does the gradient reach z, and "
                "which two numbers are multiplied to get it? With f = x·x + x, how many contributions "
                "does x's gradient collect, and what do they add up to?")

    def __init__(self, expression="neuron", x=1.5, w=0.8, b=-0.5, y=1.0, *, caption=None):
        # The expression comes last in the settings (and first on screen): every input slider
        # matters to the default neuron, whatever was set before it.
        controls = {
            "x": slider("input x", x, -3.0, 3.0, 0.1),
            "w": slider("weight w", w, -3.0, 3.0, 0.1),
            "b": slider("bias b", b, -3.0, 3.0, 0.1),
            "y": slider("target y", y, -1.0, 1.0, 0.1),
            "expression": choice("expression", [(spec.label, key) for key, spec in EXPRESSIONS.items()],
                                 expression),
        }
        super().__init__(controls, caption=caption)

    def _controls_box(self):
        sliders = widgets.HBox([self.controls[name] for name in ("x", "w", "b", "y")],
                               layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        return widgets.VBox([self.controls["expression"], sliders, self.player.widget])

    # ------------------------------------------------------------ building
    def _build(self):
        self.fig.set_layout_engine("none")  # the axes are placed by hand (GRAPH_BOX)
        # Each expression's structure is fixed; its layout comes from one template graph.
        self.templates = {key: spec.build(**dict.fromkeys(spec.inputs, 0.5))
                          for key, spec in EXPRESSIONS.items()}
        self.layouts = {key: layout_graph(root) for key, (root, _) in self.templates.items()}
        layers = max(layout.layers for layout in self.layouts.values())
        rows = max(layout.rows for layout in self.layouts.values())
        margin_x, margin_y = 0.5 * (1 - BOX_WIDTH), 0.5 * (1 - BOX_HEIGHT)
        half = (rows - 1) / 2
        # One frame for every expression, so that boxes have one size; smaller graphs are centred.
        self.ax = self.fig.add_axes(GRAPH_BOX)
        self.ax.set_xlim(-0.5 - margin_x, layers - 0.5 + margin_x)
        self.ax.set_ylim(-half - 0.5 - margin_y - LEGEND_ROOM, half + 0.5 + margin_y)
        self.ax.set_axis_off()
        # No ticks at all: otherwise matplotlib creates them on the first findobj() or get_children()
        # and, as a static change, that would throw the cached background away.
        self.ax.set_xticks([])
        self.ax.set_yticks([])
        for key, layout in self.layouts.items():
            self.layouts[key] = layout.shifted((layers - layout.layers) / 2, 0.0)
        self.scene = mark_dynamic(SceneImage(self.ax, {key: self._scene(key) for key in EXPRESSIONS}))
        for key in EXPRESSIONS:  # render now, so that the first switch to each is as quick as the rest
            self.scene.pixels(key)
        self.numbers = {key: self._number_texts(key) for key in EXPRESSIONS}
        self.edge_marks = {key: self._edge_marks(key) for key in EXPRESSIONS}
        self.node_mark = mark_dynamic(self.ax.add_patch(FancyBboxPatch(
            (0, 0), BOX_WIDTH, BOX_HEIGHT, boxstyle="round,pad=0.02,rounding_size=0.07",
            facecolor="none", edgecolor=COLORS["red"], linewidth=2.6, zorder=5, visible=False)))
        # Numbers and formulas change at every step: stamped from cached glyphs (plots.stamp_text).
        self.step_text = mark_dynamic(self.fig.add_artist(StampText(
            0.01, 0.975, transform=self.fig.transFigure, fontsize=9, weight="bold", va="top")))
        self.formula_text = mark_dynamic(self.fig.add_artist(StampText(
            0.01, 0.91, transform=self.fig.transFigure, fontsize=9, va="top")))

    def _scene(self, key):
        """The static picture of one expression's graph: boxes, titles, frames, arrows, legend."""
        def draw(ax):
            draw_layout(ax, self.layouts[key], names=self.templates[key][1], numbers=False,
                        legend_options={"bbox_to_anchor": (0.5, 0.0), "loc": "lower center"})
        return draw

    def _number_texts(self, key):
        """Per node of ``key``'s graph, ``{slot: text}`` at the places of its value and grad frames."""
        layout = self.layouts[key]
        texts = []
        for node in layout.nodes:
            slots = {}
            for k, slot in enumerate(("value", "grad")):
                if slot == "grad" and not node.requires_grad:
                    continue
                number_xy, _ = slot_geometry(layout.positions[node], k)
                text = StampText(*number_xy, transform=self.ax.transData, fontsize=7.5,
                                 ha=NUMBER_STYLE["ha"], va=NUMBER_STYLE["va"])
                text.set_visible(False)
                slots[slot] = mark_dynamic(self.ax.add_artist(text))
            texts.append(slots)
        return texts

    def _edge_marks(self, key):
        """A red arrow over every edge of ``key``'s graph, pointing the way the gradient goes
        (to the input), shown while its step is on."""
        layout = self.layouts[key]
        index = {node: i for i, node in enumerate(layout.nodes)}
        marks = {}
        for (parent, child, position), waypoints in zip(layout.edges, layout.waypoints):
            path = edge_path(layout.positions[parent], layout.positions[child], position,
                             len(child.parents), waypoints)
            marks[index[parent], index[child], position] = mark_dynamic(self.ax.add_patch(FancyArrowPatch(
                path=path, arrowstyle="<|-", mutation_scale=13, color=COLORS["red"], linewidth=2.6,
                zorder=5, visible=False)))
        return marks

    # ------------------------------------------------------------- a run
    def _run(self, state):
        key = state["expression"]
        spec = EXPRESSIONS[key]
        inputs = {name: state[name] for name in spec.inputs}
        for name in ("x", "w", "b", "y"):
            self.controls[name].disabled = name not in spec.inputs
        self.root, self.names = spec.build(**inputs)
        self.nodes = graph_nodes(self.root)
        self.index = {node: i for i, node in enumerate(self.nodes)}
        self.steps = backward_steps(self.root)
        self.expected = self._engine_gradients(spec, inputs)
        self.key = key
        self.scene.select(key)
        # Hidden expressions keep no numbers, so the picture depends on the settings alone.
        for other, texts in self.numbers.items():
            for slots in texts:
                for text in slots.values():
                    text.set_visible(other == key)
                    text.set_text("")
        for node, slots in zip(self.nodes, self.numbers[key]):
            slots["value"].set_text(format_number(node.data))
        return 1 + len(self.steps)

    @staticmethod
    def _engine_gradients(spec, inputs):
        """Every node's gradient by ``backward()`` on a fresh copy of the graph, by node position."""
        root, _ = spec.build(**inputs)
        nodes = graph_nodes(root)
        for node in nodes:
            if node.requires_grad and not node.is_leaf:
                node.retain_grad()
        root.backward()
        return [None if node.grad is None else float(node.grad) for node in nodes]

    def _show_frame(self, frame):
        self.gradients = self.gradients_at(frame)
        for i, slots in enumerate(self.numbers[self.key]):
            if "grad" in slots:
                grad = self.gradients.get(i)
                slots["grad"].set_text("" if grad is None else format_number(grad))
        for marks in self.edge_marks.values():
            for mark in marks.values():
                mark.set_visible(False)
        last = 1 + len(self.steps)
        self.step_text.set_text(f"step {frame} of {last} · {EXPRESSIONS[self.key].formula}")
        if frame == 0:
            self.node_mark.set_visible(False)
            self.formula_text.set_text("forward pass done: every value is known, no gradient yet")
        elif frame == 1:
            self._mark_node(self.root)
            self.formula_text.set_text(f"seed: ∂{self._name(self.root)}/∂{self._name(self.root)} = 1")
        else:
            step = self.steps[frame - 2]
            self._mark_node(step.node)
            key = (self.index[step.parent], self.index[step.node], step.position)
            self.edge_marks[self.key][key].set_visible(True)
            self.formula_text.set_text(self._formula(step))
        self.readout.value = self._table(frame == last)

    def gradients_at(self, frame):
        """``{node position: gradient}`` after ``frame`` steps (0: none yet, 1: the seed)."""
        gradients = {}
        if frame >= 1:
            gradients[self.index[self.root]] = 1.0
        for step in self.steps[:max(frame - 1, 0)]:
            gradients[self.index[step.parent]] = step.total
        return gradients

    def _mark_node(self, node):
        layout = self.layouts[self.key]
        x, y = layout.positions[layout.nodes[self.index[node]]]
        self.node_mark.set_bounds(x - BOX_WIDTH / 2, y - BOX_HEIGHT / 2, BOX_WIDTH, BOX_HEIGHT)
        self.node_mark.set_visible(True)

    def _name(self, node):
        return next((name for name, tensor in self.names.items() if tensor is node),
                    format_number(node.data))

    def _formula(self, step):
        node, parent, root = self._name(step.node), self._name(step.parent), self._name(self.root)
        text = (f"{node} → {parent}:  local ∂{node}/∂{parent} = {step.local:.4g}  ×  upstream "
                f"∂{root}/∂{node} = {step.upstream:.4g}  =  {step.downstream:.4g}")
        before = step.total - step.downstream
        earlier = any(s.parent is step.parent for s in self.steps[:self.steps.index(step)])
        if earlier:
            text += (f"\n{' ' * len(node)}   paths add: ∂{root}/∂{parent} = {before:.4g} + "
                     f"{step.downstream:.4g} = {step.total:.4g}")
        return text

    def _table(self, complete):
        rows = []
        for i, node in enumerate(self.nodes):
            if not node.requires_grad:
                continue
            now = self.gradients.get(i)
            rows.append([self._name(node), node.op or "leaf", format_number(node.data),
                         "" if now is None else f"{now:.6g}", f"{self.expected[i]:.6g}"])
        header = ["node", "op", "value", "gradient so far", "backward()"]
        if not complete:
            return table(header, rows)
        agree = all(np.isclose(self.gradients.get(i, np.nan), self.expected[i], rtol=1e-12, atol=0)
                    for i, node in enumerate(self.nodes) if node.requires_grad)
        verdict = ("every gradient equals what <code>backward()</code> computes"
                   if agree else "<b>some gradients differ from backward()</b>")
        return table(header, rows) + f"<br>Last step: {verdict}."
