"""A network of Linear layers and activations, drawn as neurons and weights (chapter 5).

``draw_network(net)`` takes any ``nn.Sequential`` of ``nn.Linear`` layers, each
followed by at most one activation (read by :func:`mlcore.backprop.dense_layers`),
and draws one circle per neuron and one line per weight. The places come
from chapter 4's layered layout (:func:`~mlcore.plots.graph_layout.grid_positions`:
layer ``k`` at ``x = k``, rows one unit apart and centred), the circles and
lines from its drawing pieces (:mod:`mlcore.plots.graph_drawing`): inputs in
the style of a constant (data, no gradient), neurons in that of an operation,
the output layer with a thick rim. A weight's width grows with its size and
its colour shows its sign, blue for positive and orange (Okabe-Ito's
vermillion) for negative. The key under the picture names only what is drawn.

Given one sample ``x``, every neuron shows its value (the activation ``a``,
the prediction for the last layer); given its target ``y`` too, the orange
number under each neuron is the gradient of the loss with respect to that
neuron's pre-activation, ``dL/dz``, and the grey number above it is its bias.
``color_by="grad"`` colours the weights by ``weight.grad`` instead, after a
``backward()``.
"""

from dataclasses import dataclass

import numpy as np

from ..backprop import backprop, dense_layers, forward
from .figures import subplots
from .graph import MAX_LAYERS, MAX_ROWS
from .graph_drawing import NEURON_RADIUS, draw_neuron, draw_weights, rim_to_rim, weight_styles
from .graph_layout import grid_positions
from .style import COLORS, course_style

__all__ = ["NetworkLayout", "NetworkPicture", "draw_network", "draw_network_layout", "format_value",
           "layer_titles", "layout_network", "network_key"]

COLUMN_GAP = 1.8        # data units between layers (rows are 1 apart): room for the weights to fan out
LABEL_GAP = 0.09        # data units between a circle's rim and the number above or below it
TITLE_ROOM = 0.95       # data units above the top row, for the two-line layer titles
LEGEND_ROOM = 0.75      # data units below the bottom row, for the two-line key
UNIT_INCHES = 0.8       # inches per data unit in a picture of its own
NUMBER_SIZE = 7         # points: the value inside a circle (7 characters fit its width)
LABEL_SIZE = 6.5        # points: the bias above and the gradient below


def network_key(*, values=True, biases=True, grads=True, lines="weights"):
    """The two-line key under a network picture, naming only what it shows: the value in each circle,
    the grey bias above it and the orange ``∂L/∂z`` below it, and what the ``lines`` are (weights,
    weight gradients) with their colours."""
    numbers = [part for shown, part in ((values, "in the circle: value a"), (biases, "above, grey: bias b"),
                                        (grads, "below, orange: ∂L/∂z")) if shown]
    return "\n".join(([" · ".join(numbers)] if numbers else [])
                     + [f"{lines}: blue > 0, orange < 0, the wider the larger |value|"])


def format_value(value):
    """A neuron's number as the picture writes it: 3 significant digits, no -0."""
    return f"{float(value) + 0.0:.3g}"


@dataclass
class NetworkLayout:
    """Where :func:`draw_network` puts things: ``sizes`` (neurons per layer, inputs first),
    ``activations`` (per Linear layer, a name or None) and ``positions[(layer, i)] = (x, y)``."""

    sizes: tuple
    activations: tuple
    positions: dict

    def segments(self, k):
        """The lines of Linear layer ``k`` (from neuron layer ``k`` to ``k + 1``), in the order of
        ``W.ravel()`` for its weight ``W`` of shape (in, out): entry ``(i, j)`` joins input ``i`` to
        output ``j`` (it is ``linear.weight[j, i]``)."""
        return [rim_to_rim(self.positions[k, i], self.positions[k + 1, j])
                for i in range(self.sizes[k]) for j in range(self.sizes[k + 1])]

    def value_xy(self, layer, i):
        """Where neuron ``i`` of ``layer`` writes its value: its centre."""
        return self.positions[layer, i]

    def bias_xy(self, layer, i):
        """Where the neuron writes its bias: just above its circle."""
        x, y = self.positions[layer, i]
        return x, y + NEURON_RADIUS + LABEL_GAP

    def grad_xy(self, layer, i):
        """Where the neuron writes its gradient: just below its circle."""
        x, y = self.positions[layer, i]
        return x, y - NEURON_RADIUS - LABEL_GAP

    def title_xy(self, layer):
        """Where the title of ``layer`` goes: above its column, at one height for every column."""
        return COLUMN_GAP * layer, (max(self.sizes) - 1) / 2 + NEURON_RADIUS + 0.35

    def key_xy(self):
        """Where the key goes: centred under the neurons."""
        return COLUMN_GAP * (len(self.sizes) - 1) / 2, self.limits()[1][0] + 0.08

    def limits(self):
        """``(xlim, ylim)`` that frame the neurons, the titles above and the key below."""
        half = (max(self.sizes) - 1) / 2
        return ((-0.9, COLUMN_GAP * (len(self.sizes) - 1) + 0.9),
                (-half - 0.5 - LEGEND_ROOM, half + 0.5 + TITLE_ROOM))


def layout_network(net):
    """The :class:`NetworkLayout` of ``net``; a ValueError for a network too big to read."""
    layers = dense_layers(net)
    sizes = (layers[0].W.shape[0],) + tuple(layer.W.shape[1] for layer in layers)
    if len(sizes) > MAX_LAYERS or max(sizes) > MAX_ROWS:
        raise ValueError(
            f"This network has {len(sizes)} layers of neurons, the widest with {max(sizes)}; draw_network "
            f"stays readable up to {MAX_LAYERS} layers of up to {MAX_ROWS} neurons. Draw a smaller "
            "network of the same shape (e.g. nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2))).")
    rows = {layer: [(layer, i) for i in range(size)] for layer, size in enumerate(sizes)}
    # Chapter 4's grid puts layer k at x = k; spread the columns so that the weights fan out.
    positions = {key: (COLUMN_GAP * x, y) for key, (x, y) in grid_positions(rows).items()}
    return NetworkLayout(sizes, tuple(layer.activation for layer in layers), positions)


def layer_titles(layout):
    """The title of each layer of neurons, in two lines: ``"input\nx"``, then
    ``"hidden h\ntanh(x·W1 + b1)"`` ..., the last one ``"output ŷ\n..."``."""
    titles = ["input\nx"]
    last = len(layout.activations)
    for k, activation in enumerate(layout.activations, start=1):
        before = "x" if k == 1 else ("h" if last == 2 else f"h{k - 1}")
        affine = f"{before}·W{k} + b{k}"
        name = "output ŷ" if k == last else ("hidden h" if last == 2 else f"hidden h{k}")
        titles.append(f"{name}\n{affine if activation is None else f'{activation}({affine})'}")
    return titles


class NetworkPicture:
    """What :func:`draw_network` drew: the circles ``neurons[(layer, i)]``, one ``LineCollection``
    per Linear layer in ``weights`` (segments as :meth:`NetworkLayout.segments`), and the texts
    ``values``, ``biases`` and ``grads`` keyed like the neurons (empty until filled)."""

    def __init__(self, ax, layout, neurons, weights, values, biases, grads, titles):
        self.ax = ax
        self.layout = layout
        self.neurons = neurons
        self.weights = weights
        self.values = values
        self.biases = biases
        self.grads = grads
        self.titles = titles

    def value_text(self, layer, i):
        return self.values[layer, i].get_text()

    def bias_text(self, layer, i):
        return self.biases[layer, i].get_text() if (layer, i) in self.biases else ""

    def grad_text(self, layer, i):
        return self.grads[layer, i].get_text() if (layer, i) in self.grads else ""

    def show_weights(self, k, values, scale):
        """Restyle Linear layer ``k``'s lines from ``values`` (its ``(in, out)`` matrix) and ``scale``."""
        widths, colours = weight_styles(np.asarray(values).ravel(), scale)
        self.weights[k].set_linewidths(widths)
        self.weights[k].set_colors(colours)

    def show_numbers(self, texts, layer, values):
        """Write ``values`` (one per neuron of ``layer``) into ``texts`` (``values``, ``biases`` or ``grads``)."""
        for i, value in enumerate(np.asarray(values).reshape(-1)):
            texts[layer, i].set_text(format_value(value))


def draw_network_layout(ax, layout, weights, scale=None, *, titles=True, key=True, numbers=True):
    """Draw the neurons and weights of ``layout`` on ``ax`` (weights styled from ``weights``, one
    ``(in, out)`` matrix per Linear layer, against ``scale``, default their largest size);
    return a :class:`NetworkPicture` whose texts are empty. With ``numbers=False`` no texts are
    made (a live panel stamps its own at ``layout.value_xy`` and the like). ``key`` is the text
    under the picture: True for :func:`network_key`'s full key, a string of its own, or False."""
    scale = max(float(np.max(np.abs(w))) for w in weights) if scale is None else scale
    last = len(layout.sizes) - 1
    # A light backdrop keeps a number readable where weights cross behind it.
    backdrop = {"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.75}
    with course_style():
        neurons, values, biases, grads = {}, {}, {}, {}
        for (layer, i), xy in layout.positions.items():
            kind = "constant" if layer == 0 else "operation"
            neurons[layer, i] = draw_neuron(ax, xy, kind, linewidth=2.4 if layer == last else 1.2)
            if not numbers:
                continue
            values[layer, i] = ax.text(*layout.value_xy(layer, i), "", ha="center", va="center",
                                       fontsize=NUMBER_SIZE, family="monospace", zorder=4)
            if layer > 0:
                biases[layer, i] = ax.text(*layout.bias_xy(layer, i), "", ha="center", va="bottom",
                                           fontsize=LABEL_SIZE, family="monospace", color=COLORS["grey"],
                                           zorder=4, bbox=backdrop)
                grads[layer, i] = ax.text(*layout.grad_xy(layer, i), "", ha="center", va="top",
                                          fontsize=LABEL_SIZE, family="monospace", color=COLORS["red"],
                                          zorder=4, bbox=backdrop)
        lines = [draw_weights(ax, layout.segments(k), np.asarray(w).ravel(), scale)
                 for k, w in enumerate(weights)]
        title_texts = ([ax.text(*layout.title_xy(layer), title, ha="center", va="bottom", fontsize=8,
                                linespacing=1.3)
                        for layer, title in enumerate(layer_titles(layout))] if titles else [])
        if key:
            ax.text(*layout.key_xy(), network_key() if key is True else key, ha="center", va="bottom", fontsize=7, color=COLORS["grey"],
                    linespacing=1.4)
    return NetworkPicture(ax, layout, neurons, lines, values, biases, grads, title_texts)


def draw_network(net, x=None, y=None, *, loss="mse", color_by="weight", ax=None, title=None):
    """Draw ``net`` (an ``nn.Sequential`` of Linear layers and activations); return a
    :class:`NetworkPicture`.

    ``x`` (one sample of ``in_features`` numbers) fills every neuron with its
    value; ``y`` (its target: ``out_features`` numbers for ``loss="mse"``, a
    class index for ``"cross_entropy"``) adds each neuron's ``dL/dz`` and
    every bias. ``color_by="grad"`` styles the weights by ``weight.grad``
    (after ``loss.backward()``) instead of by their values. Up to 12 layers of
    up to 10 neurons fit.
    """
    if color_by not in ("weight", "grad"):
        raise ValueError(f"color_by must be 'weight' (the weights' values) or 'grad' (weight.grad), "
                         f"got {color_by!r}.")
    layout = layout_network(net)
    layers = dense_layers(net)
    linears = [module for module in net if hasattr(module, "weight")]
    if color_by == "grad":
        if any(linear.weight.grad is None for linear in linears):
            raise ValueError("color_by='grad' draws weight.grad, but it is None: compute a loss from the "
                             "network and call loss.backward() first (or draw the weights themselves).")
        weights = [np.array(linear.weight.grad).T for linear in linears]
    else:
        weights = [layer.W for layer in layers]
    sample = None if x is None else np.asarray(x, dtype=np.float64).reshape(1, -1)
    with course_style():
        xlim, ylim = layout.limits()
        if ax is None:
            _, ax = subplots(figsize=((xlim[1] - xlim[0]) * UNIT_INCHES + 0.2,
                                      (ylim[1] - ylim[0]) * UNIT_INCHES + (0.3 if title else 0.1)))
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
        ax.set_aspect("equal")
        ax.set_axis_off()
        key = network_key(values=sample is not None, biases=sample is not None, grads=y is not None,
                          lines="weight.grad" if color_by == "grad" else "weights")
        picture = draw_network_layout(ax, layout, weights, key=key)
        if sample is not None:
            _, _, outputs = forward(layers, sample)
            picture.show_numbers(picture.values, 0, sample)
            for layer, a in enumerate(outputs, start=1):
                picture.show_numbers(picture.values, layer, a)
            for layer, dense in enumerate(layers, start=1):
                picture.show_numbers(picture.biases, layer, dense.b)
        if y is not None:
            if sample is None:
                raise ValueError("a target y needs its input x: draw_network(net, x, y).")
            target = np.asarray(y).reshape(1, -1) if loss == "mse" else np.asarray(y).reshape(1)
            result = backprop(layers, sample, target, loss)
            for layer, dz in enumerate(result.dz, start=1):
                picture.show_numbers(picture.grads, layer, dz)
        if title is not None:
            ax.set_title(title)
    return picture
