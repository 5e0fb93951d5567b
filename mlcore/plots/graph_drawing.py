"""Drawing graph nodes and edges with matplotlib patches, no graphviz (chapters 4 and 5).

A node is a rounded box at a position in data units, with a title line and
labelled slots for numbers (chapter 4: the value and the gradient of a
tensor); an edge is an arrow from the right side of one box to the left side
of another. The two are separate so that any layered picture (chapter 4's
computational graphs, chapter 5's networks) can use them with its own
layout, and so that a live panel can mark just the numbers as dynamic.

A network (chapter 5) has neurons instead of boxes: a circle in the style of
its kind (:func:`draw_neuron`), and its weights are straight lines from rim
to rim whose width and colour show a number's size and sign
(:func:`weight_styles`), drawn as one ``LineCollection`` per layer so that a
panel recolours a whole layer with two calls.
"""

from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Patch, Rectangle
from matplotlib.path import Path

from .style import COLORS

__all__ = ["BOX_HEIGHT", "BOX_WIDTH", "KIND_STYLES", "NEURON_RADIUS", "NUMBER_STYLE", "NodeArtists",
           "SIGN_COLORS", "draw_edge", "draw_neuron", "draw_weights", "edge_endpoints", "edge_path",
           "kind_legend", "rim_to_rim", "slot_geometry", "weight_styles"]

# In data units, where layers are 1 apart in x and rows 1 apart in y.
BOX_WIDTH = 0.76
BOX_HEIGHT = 0.78

# How the numbers in a node's slots are written (a live panel copies it for its own texts).
NUMBER_STYLE = {"ha": "right", "va": "center", "family": "monospace", "zorder": 4}

# A neuron's radius: rows are 1 apart, so neighbouring neurons keep half a unit of room for labels.
NEURON_RADIUS = 0.27

# A weight's colour says its sign: blue for positive, red (vermillion) for negative.
SIGN_COLORS = {"positive": COLORS["blue"], "negative": COLORS["red"]}

# face colour, edge colour, line style, legend label
KIND_STYLES = {
    "operation": ("white", COLORS["black"], "-", "operation (intermediate result)"),
    "leaf": ("#DCEEFB", COLORS["blue"], "-", "leaf: input with requires_grad"),
    "parameter": ("#FBE7C6", COLORS["orange"], "-", "parameter (nn.Parameter)"),
    "constant": ("#EEEEEE", COLORS["grey"], "--", "constant (no gradient)"),
}


@dataclass
class NodeArtists:
    """The artists of one node: its box, its title and, per slot, a label, a frame and the number."""

    box: FancyBboxPatch
    title: object
    labels: dict
    frames: dict
    numbers: dict


def slot_geometry(xy, k, slots=2):
    """Where slot ``k`` (of ``slots``) of the node box centred at ``xy`` is: ``(number_xy, frame)``,
    the right end of its number and its frame ``(left, bottom, width, height)``."""
    x, y = xy
    row = BOX_HEIGHT / (slots + 1.3)
    centre = y + BOX_HEIGHT / 2 - (k + 1.65) * row
    left, width = x - 0.08, BOX_WIDTH / 2 + 0.04
    return (left + width - 0.02, centre), (left, centre - 0.42 * row, width, 0.84 * row)


def draw_node(ax, xy, title, kind, slots=("value", "grad"), *, fontsize=7.5, empty=()):
    """Draw a node box centred at ``xy`` with a bold ``title`` and one row per slot name.

    ``kind`` is a key of ``KIND_STYLES``. Each slot gets a label on the left
    and a framed place for a number on the right, which starts empty (set it
    with ``numbers[slot].set_text``). Slots listed in ``empty`` show a grey
    "none" instead of a frame, for numbers that do not exist (a constant has
    no gradient).
    """
    if kind not in KIND_STYLES:
        raise ValueError(f"unknown node kind {kind!r}; use one of {sorted(KIND_STYLES)}.")
    face, edge, style, _ = KIND_STYLES[kind]
    x, y = xy
    left, bottom = x - BOX_WIDTH / 2, y - BOX_HEIGHT / 2
    box = ax.add_patch(FancyBboxPatch((left, bottom), BOX_WIDTH, BOX_HEIGHT,
                                      boxstyle="round,pad=0,rounding_size=0.06", facecolor=face,
                                      edgecolor=edge, linestyle=style, linewidth=1.2, zorder=2))
    title_y = y + BOX_HEIGHT / 2 - 0.62 * BOX_HEIGHT / (len(slots) + 1.3)
    title_artist = ax.text(x, title_y, title, ha="center", va="center", fontsize=fontsize,
                           fontweight="bold", zorder=4, clip_on=True)
    labels, frames, numbers = {}, {}, {}
    for k, slot in enumerate(slots):
        number_xy, frame = slot_geometry(xy, k, len(slots))
        labels[slot] = ax.text(left + 0.04, number_xy[1], slot, ha="left", va="center",
                               fontsize=fontsize - 0.5, color=COLORS["grey"], zorder=4)
        if slot in empty:
            frames[slot] = None
            numbers[slot] = ax.text(*number_xy, "none", ha="right", va="center", fontsize=fontsize - 0.5,
                                    color=COLORS["grey"], style="italic", zorder=4)
            continue
        frames[slot] = ax.add_patch(Rectangle(frame[:2], *frame[2:], facecolor="white",
                                              edgecolor=COLORS["grey"], linewidth=0.6, zorder=3))
        numbers[slot] = ax.text(*number_xy, "", fontsize=fontsize, **NUMBER_STYLE)
    return NodeArtists(box, title_artist, labels, frames, numbers)


def edge_endpoints(start, end, position=0, inputs=1):
    """Where the arrow from a node at ``start`` to input number ``position`` (of ``inputs``) of the
    node at ``end`` begins and ends: right side of the first box, left side of the second.

    The inputs of one node arrive at different heights, first input on top, so
    the two edges of ``x * x`` are two arrows and the order of the operands
    of ``a - b`` can be read off.
    """
    offset = (0.0 if inputs == 1 else (0.5 - position / (inputs - 1))) * 0.5 * BOX_HEIGHT
    return (start[0] + BOX_WIDTH / 2, start[1]), (end[0] - BOX_WIDTH / 2, end[1] + offset)


def edge_path(start, end, position=0, inputs=1, waypoints=()):
    """The curve of an edge: from the tail, through each waypoint (crossed horizontally, where a box
    would be), to the head; each stretch between layers is an S-shaped cubic with flat ends."""
    tail, head = edge_endpoints(start, end, position, inputs)
    points = [tail]
    for x, y in waypoints:
        points += [(x - BOX_WIDTH / 2, y), (x + BOX_WIDTH / 2, y)]
    points.append(head)
    vertices, codes = [points[0]], [Path.MOVETO]
    for k, ((x0, y0), (x1, y1)) in enumerate(zip(points, points[1:])):
        if k % 2 == 1:  # through a waypoint's slot: straight
            vertices.append((x1, y1))
            codes.append(Path.LINETO)
            continue
        bend = (x1 - x0) / 2
        vertices += [(x0 + bend, y0), (x1 - bend, y1), (x1, y1)]
        codes += [Path.CURVE4] * 3
    return Path(vertices, codes)


def draw_edge(ax, start, end, position=0, inputs=1, waypoints=(), **style):
    """An arrow from the node at ``start`` to input ``position`` of the node at ``end``, through
    ``waypoints``; returns the patch."""
    options = {"arrowstyle": "-|>", "mutation_scale": 9, "color": COLORS["grey"], "linewidth": 1.1,
               "shrinkA": 0, "shrinkB": 0, "zorder": 1}
    options.update(style)
    return ax.add_patch(FancyArrowPatch(path=edge_path(start, end, position, inputs, waypoints),
                                        **options))


def kind_legend(ax, kinds, **options):
    """A legend with one box per node kind in ``kinds`` (in the order of ``KIND_STYLES``)."""
    handles = [Patch(facecolor=face, edgecolor=edge, linestyle=style, label=label)
               for kind, (face, edge, style, label) in KIND_STYLES.items() if kind in kinds]
    settings = {"loc": "lower center", "ncol": len(handles), "frameon": False, "fontsize": 7.5,
                "bbox_to_anchor": (0.5, -0.02), "handlelength": 1.6}
    settings.update(options)
    return ax.legend(handles=handles, **settings)


def draw_neuron(ax, xy, kind="operation", *, radius=NEURON_RADIUS, linewidth=1.2):
    """A circle of ``radius`` centred at ``xy``, styled as a node of ``kind`` (a key of
    ``KIND_STYLES``); returns the patch. Circles stay round only on an axes with equal aspect."""
    if kind not in KIND_STYLES:
        raise ValueError(f"unknown node kind {kind!r}; use one of {sorted(KIND_STYLES)}.")
    face, edge, style, _ = KIND_STYLES[kind]
    return ax.add_patch(Circle(xy, radius, facecolor=face, edgecolor=edge, linestyle=style,
                               linewidth=linewidth, zorder=2))


def rim_to_rim(start, end, radius=NEURON_RADIUS):
    """The straight segment from the rim of the circle at ``start`` to the rim of the one at ``end``."""
    (x0, y0), (x1, y1) = start, end
    length = np.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    return (x0 + radius * ux, y0 + radius * uy), (x1 - radius * ux, y1 - radius * uy)


def weight_styles(values, scale, *, thinnest=0.4, thickest=4.0):
    """``(widths, colours)`` for numbers ``values``: width from ``thinnest`` (0) to ``thickest``
    (``|value| = scale``) in proportion to ``|value|``, colour blue for positive and red for
    negative values, more opaque the larger ``|value| / scale`` (from 0.25 to 1)."""
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    size = np.clip(np.abs(values) / scale, 0.0, 1.0) if scale > 0 else np.zeros(values.shape)
    colours = np.empty((values.size, 4))
    colours[:, :3] = np.where(values[:, None] >= 0, to_rgb(SIGN_COLORS["positive"]),
                              to_rgb(SIGN_COLORS["negative"]))
    colours[:, 3] = 0.25 + 0.75 * size
    return thinnest + (thickest - thinnest) * size, colours


def draw_weights(ax, segments, values, scale, **style):
    """One ``LineCollection`` of ``segments`` (pairs of points), styled by :func:`weight_styles`
    from ``values`` (one per segment) and ``scale``; returns it."""
    widths, colours = weight_styles(values, scale)
    options = {"capstyle": "round", "zorder": 1}
    options.update(style)
    return ax.add_collection(LineCollection(segments, linewidths=widths, colors=colours, **options))
