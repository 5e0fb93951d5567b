"""The computational graph behind an mlcore result, drawn with matplotlib alone (chapter 4).

``draw_graph(loss)`` reads the graph a result remembers (``.op`` and
``.parents``, see :mod:`mlcore.graph`), lays it out in layers from
topological depth (:mod:`mlcore.plots.graph_layout`) and draws every tensor
as a box (:mod:`mlcore.plots.graph_drawing`): its operation, its value and
its gradient. It needs no graphviz binary, so it also works in static
exports of the notebooks and in a browser-only Jupyter.

Before ``backward()`` the gradient slots are empty, not zeros that would look
like real gradients. After it, leaves show their ``.grad``; intermediate
results show one only if they called ``retain_grad()`` first, because the
engine (like PyTorch) does not keep the others.
"""

from dataclasses import dataclass

import numpy as np

from ..graph import graph_edges, graph_nodes
from ..nn.parameter import Parameter
from .figures import subplots
from .graph_drawing import BOX_HEIGHT, BOX_WIDTH, draw_edge, draw_node, kind_legend
from .graph_layout import layered_layout
from .style import course_style

__all__ = ["GraphLayout", "GraphPicture", "draw_graph", "draw_layout", "format_number", "layout_graph",
           "node_kind"]

# Beyond these a picture at a readable font size no longer fits a notebook cell.
MAX_NODES = 40
MAX_LAYERS = 12
MAX_ROWS = 10
COLUMN_INCHES = 1.45
ROW_INCHES = 0.95


def node_kind(tensor):
    """How a graph picture draws ``tensor``: ``'operation'``, ``'parameter'``, ``'leaf'`` or ``'constant'``."""
    if tensor.op is not None:
        return "operation"
    if isinstance(tensor, Parameter):
        return "parameter"
    return "leaf" if tensor.requires_grad else "constant"


def format_number(value):
    """A value or gradient as a node shows it: 4 significant digits; small arrays in full, larger
    ones by shape and mean."""
    array = np.asarray(value, dtype=np.float64)
    if array.size == 1:
        return f"{float(array.reshape(())) + 0.0:.4g}"  # + 0.0 turns -0 into 0
    if array.size <= 3:
        return "[" + ", ".join(f"{v + 0.0:.3g}" for v in array.reshape(-1)) + "]"
    return f"{'x'.join(map(str, array.shape))}, mean {array.mean() + 0.0:.3g}"


class GraphPicture:
    """What :func:`draw_graph` drew: the nodes, their positions and artists, and the edges.

    ``nodes`` are the tensors in topological order; ``artists[node]`` is a
    :class:`~mlcore.plots.graph_drawing.NodeArtists`; ``arrows[(parent, child,
    position)]`` is the arrow of that edge. ``show_gradients`` fills the
    gradient slots again, from ``.grad`` or from a dict ``{tensor: gradient}``.
    """

    def __init__(self, ax, root, nodes, edges, positions, artists, arrows, titles):
        self.ax = ax
        self.root = root
        self.nodes = nodes
        self.edges = edges
        self.positions = positions
        self.artists = artists
        self.arrows = arrows
        self.titles = titles

    def value_text(self, node):
        """The text in ``node``'s value slot."""
        return self.artists[node].numbers["value"].get_text()

    def grad_text(self, node):
        """The text in ``node``'s gradient slot ("" while it has no gradient)."""
        return self.artists[node].numbers["grad"].get_text()

    def show_values(self):
        """Write every node's current value into its value slot."""
        for node in self.nodes:
            self.artists[node].numbers["value"].set_text(format_number(node.data))
        return self

    def show_gradients(self, gradients=None):
        """Fill the gradient slots: from ``.grad`` (None leaves a slot empty), or from ``gradients``,
        a dict ``{tensor: gradient}`` (a tensor missing from it gets an empty slot)."""
        for node in self.nodes:
            if not node.requires_grad:
                continue
            grad = node.grad if gradients is None else gradients.get(node)
            self.artists[node].numbers["grad"].set_text("" if grad is None else format_number(grad))
        return self


@dataclass
class GraphLayout:
    """Where :func:`draw_graph` puts things: the tensors (topological order), the edges
    ``(parent, child, position)``, ``positions[tensor] = (x, y)``, ``waypoints[i]`` for edge ``i``,
    and the number of layers and rows the picture needs."""

    nodes: list
    edges: list
    positions: dict
    waypoints: list
    layers: int
    rows: int

    def shifted(self, dx, dy):
        """The same layout moved by ``(dx, dy)`` (a panel centres a small graph in a larger frame)."""
        move = lambda point: (point[0] + dx, point[1] + dy)  # noqa: E731
        return GraphLayout(self.nodes, self.edges, {n: move(p) for n, p in self.positions.items()},
                           [[move(p) for p in points] for points in self.waypoints], self.layers,
                           self.rows)

    def limits(self):
        """``(xlim, ylim)`` that frame this layout with a margin around its boxes."""
        margin_x, margin_y = 0.5 * (1 - BOX_WIDTH), 0.5 * (1 - BOX_HEIGHT)
        xs = [x for x, _ in self.positions.values()]
        half = (self.rows - 1) / 2
        centre = (min(xs) + max(xs)) / 2 if xs else 0.0
        width = self.layers / 2 + margin_x
        middle = _middle_row(self)
        return ((centre - width, centre + width),
                (middle - half - 0.5 - margin_y, middle + half + 0.5 + margin_y))


def _middle_row(layout):
    points = list(layout.positions.values()) + [p for ps in layout.waypoints for p in ps]
    ys = [y for _, y in points]
    return (min(ys) + max(ys)) / 2 if ys else 0.0


def layout_graph(root):
    """The :class:`GraphLayout` of the graph behind ``root``; a ValueError for a graph too big to read."""
    if not hasattr(root, "parents") or not hasattr(root, "op"):
        raise TypeError(f"draw_graph needs an mlcore Tensor, got {type(root).__name__}. Compute the "
                        "result with mlcore operations, e.g. f = (x + y) * z with x = mlcore.tensor(-2.0, "
                        "requires_grad=True).")
    nodes = graph_nodes(root)
    edges = graph_edges(nodes)
    layout = layered_layout(nodes, [(parent, child) for parent, child, _ in edges])
    everything = list(layout.positions.values()) + [p for points in layout.waypoints for p in points]
    layers = 1 + int(max(x for x, _ in everything))
    rows = 1 + int(round(max(y for _, y in everything) * 2))
    _check_size(len(nodes), layers, rows)
    return GraphLayout(nodes, edges, layout.positions, layout.waypoints, layers, rows)


def draw_layout(ax, layout, *, names=None, legend=True, numbers=True, legend_options=None):
    """Draw the boxes and arrows of a :class:`GraphLayout` on ``ax``; return a :class:`GraphPicture`.

    With ``numbers=False`` the value and gradient slots stay empty (a live
    panel writes its own numbers over them).
    """
    titles = _titles(names)
    root = layout.nodes[-1]
    with course_style():
        artists = {}
        for node in layout.nodes:
            kind = node_kind(node)
            empty = () if node.requires_grad else ("grad",)
            artists[node] = draw_node(ax, layout.positions[node], _title(node, kind, titles), kind,
                                      empty=empty)
            if node is root:
                artists[node].box.set_linewidth(2.4)
        arrows = {}
        for (parent, child, position), waypoints in zip(layout.edges, layout.waypoints):
            arrows[parent, child, position] = draw_edge(
                ax, layout.positions[parent], layout.positions[child], position, len(child.parents),
                waypoints)
        if legend:
            kind_legend(ax, {node_kind(node) for node in layout.nodes}, **(legend_options or {}))
    picture = GraphPicture(ax, root, layout.nodes, layout.edges, layout.positions, artists, arrows,
                           titles)
    return picture.show_values().show_gradients() if numbers else picture


def draw_graph(root, *, names=None, ax=None, title=None, legend=True):
    """Draw the computational graph that produced the mlcore tensor ``root``; return a :class:`GraphPicture`.

    Each box is one tensor: its operation (or its name from ``names``, a dict
    ``{"x": x, ...}``), its value and its gradient. Leaves (blue), parameters
    (orange), constants (grey, dashed) and operations (white) look different;
    ``root`` has a thick border. Inputs flow left to right; an operation's
    first input arrives at the top of its box. Graphs of up to 40 nodes fit;
    a bigger one raises a ValueError that suggests drawing a part of it.
    """
    layout = layout_graph(root)
    with course_style():
        if ax is None:
            _, ax = subplots(figsize=(max(3.0, layout.layers * COLUMN_INCHES + 0.3),
                                      layout.rows * ROW_INCHES + (0.6 if legend else 0.2)))
        picture = draw_layout(ax, layout, names=names, legend=legend)
        xlim, ylim = layout.limits()
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
        ax.set_axis_off()
        if title is not None:
            ax.set_title(title)
    return picture


def _titles(names):
    """``{tensor: name}`` from ``names``, a dict ``{name: tensor}``."""
    if names is None:
        return {}
    if not isinstance(names, dict) or not all(isinstance(k, str) for k in names):
        raise TypeError("names must be a dict from a name to a tensor, e.g. names={'x': x, 'y': y}.")
    return {tensor: name for name, tensor in names.items()}


def _title(node, kind, titles):
    name = titles.get(node)
    if kind == "operation":
        return node.op if name is None else f"{name} = {node.op}"
    if name is not None:
        return name
    if kind == "constant" and node.data.size == 1:
        return format_number(node.data)
    return kind


def _check_size(nodes, layers, rows):
    if nodes <= MAX_NODES and layers <= MAX_LAYERS and rows <= MAX_ROWS:
        return
    raise ValueError(
        f"This graph has {nodes} nodes in {layers} layers and up to {rows} rows; draw_graph stays "
        f"readable up to about {MAX_NODES} nodes ({MAX_LAYERS} layers, {MAX_ROWS} rows). Draw a part of "
        "it: an intermediate result (draw_graph(hidden) instead of draw_graph(loss)) has only the "
        "nodes it was computed from, or build the same expression from fewer inputs. (A node is a "
        "whole tensor, so a batch of 1000 numbers is still one node.)")
