"""A network drawn as neurons and weights (mlcore.plots.draw_network), chapter 5.

- The layout gives every neuron its own place on chapter 4's grid, and no
  two circles overlap; every circle lies inside the axes.
- Every weight is one line, from the rim of its input neuron to the rim of
  its output neuron, with its width and colour from its value (or from
  ``weight.grad``, after backward, which must be torch's gradient).
- The labels are the activations of the forward pass, the biases and each
  neuron's dL/dz, all against PyTorch.
"""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

import mlcore
from mlcore import nn
from mlcore.plots import draw_network
from mlcore.plots.graph_drawing import NEURON_RADIUS, SIGN_COLORS, weight_styles
from mlcore.plots.network import format_value, layer_titles, layout_network

pytestmark = pytest.mark.filterwarnings("error")

TORCH_ACTIVATIONS = {nn.Tanh: torch.nn.Tanh, nn.Sigmoid: torch.nn.Sigmoid, nn.ReLU: torch.nn.ReLU}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def tiny():
    mlcore.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2))


def deep():
    mlcore.manual_seed(1)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 6), nn.Sigmoid(), nn.Linear(6, 3))


def widest():
    mlcore.manual_seed(2)
    return nn.Sequential(nn.Linear(10, 10), nn.Sigmoid(), nn.Linear(10, 1))


def single():
    mlcore.manual_seed(3)
    return nn.Sequential(nn.Linear(1, 1))


NETS = {"2-3-2 tanh": tiny, "4-8-6-3 relu sigmoid": deep, "10-10-1 sigmoid": widest, "1-1 linear": single}
network = pytest.mark.parametrize("make", NETS.values(), ids=NETS.keys())


def torch_copy(net):
    """The same network in torch, with the same weights."""
    layers = []
    for module in net:
        if isinstance(module, nn.Linear):
            linear = torch.nn.Linear(module.in_features, module.out_features)
            linear.load_state_dict({"weight": torch.tensor(module.weight.data),
                                    "bias": torch.tensor(module.bias.data)})
            layers.append(linear)
        else:
            layers.append(TORCH_ACTIVATIONS[type(module)]())
    return torch.nn.Sequential(*layers)


def torch_pass(net, x, y):
    """Per layer of neurons (after the input): the output a and dL/dz, by torch, for one sample."""
    model = torch_copy(net)
    out = torch.tensor(np.asarray(x, dtype=np.float64).reshape(1, -1))
    outputs, zs = [], []
    modules = list(model)
    for k, module in enumerate(modules):
        out = module(out)
        if isinstance(module, torch.nn.Linear):
            out.retain_grad()
            zs.append(out)
        if k + 1 == len(modules) or isinstance(modules[k + 1], torch.nn.Linear):
            outputs.append(out)
    torch.nn.functional.mse_loss(out, torch.tensor(np.asarray(y, dtype=np.float64).reshape(1, -1))).backward()
    return [a.detach().numpy()[0] for a in outputs], [z.grad.numpy()[0] for z in zs], model


def sample(net):
    rng = np.random.default_rng(7)
    return rng.uniform(-1, 1, net[0].in_features), rng.uniform(-1, 1, net[-1].out_features
                                                               if isinstance(net[-1], nn.Linear)
                                                               else net[-2].out_features)


# ---------------------------------------------------------------------- layout

@network
def test_no_two_neurons_overlap_and_every_neuron_is_inside_the_axes(make):
    net = make()
    picture = draw_network(net)
    renderer = picture.ax.figure.canvas.get_renderer()
    picture.ax.figure.canvas.draw()
    boxes = {key: circle.get_window_extent(renderer) for key, circle in picture.neurons.items()}
    sizes = layout_network(net).sizes
    assert len(boxes) == sum(sizes)
    keys = list(boxes)
    for n, a in enumerate(keys):
        box = boxes[a]
        assert picture.ax.bbox.contains(box.x0, box.y0) and picture.ax.bbox.contains(box.x1, box.y1), a
        assert box.width == pytest.approx(box.height, rel=0.02), "a neuron is a circle, not an ellipse"
        for b in keys[n + 1:]:
            assert not box.overlaps(boxes[b]), f"neurons {a} and {b} overlap"


@network
def test_layers_are_columns_of_chapter_4s_grid_centred_on_one_row(make):
    layout = layout_network(make())
    for layer, size in enumerate(layout.sizes):
        xs = {layout.positions[layer, i][0] for i in range(size)}
        ys = [layout.positions[layer, i][1] for i in range(size)]
        assert len(xs) == 1, "a layer is one column"
        assert np.diff(ys) == pytest.approx([-1.0] * (size - 1)), "rows are one unit apart, first on top"
        assert np.mean(ys) == pytest.approx(0.0, abs=1e-12)
    columns = [layout.positions[layer, 0][0] for layer in range(len(layout.sizes))]
    assert np.all(np.diff(columns) > 2 * NEURON_RADIUS)


# --------------------------------------------------------------------- weights

@network
def test_every_weight_is_one_line_from_its_input_neuron_to_its_output_neuron(make):
    net = make()
    picture = draw_network(net)
    layout = picture.layout
    linears = [m for m in net if isinstance(m, nn.Linear)]
    assert len(picture.weights) == len(linears)
    for k, (linear, lines) in enumerate(zip(linears, picture.weights)):
        segments = lines.get_segments()
        assert len(segments) == linear.in_features * linear.out_features
        for i in range(linear.in_features):
            for j in range(linear.out_features):
                start, end = segments[i * linear.out_features + j]
                for point, centre in ((start, layout.positions[k, i]), (end, layout.positions[k + 1, j])):
                    assert np.hypot(*(np.asarray(point) - centre)) == pytest.approx(NEURON_RADIUS, rel=1e-9)
                # The line points from the input to the output.
                assert end[0] > start[0]


@network
def test_each_weights_width_and_colour_come_from_its_value(make):
    net = make()
    picture = draw_network(net)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    scale = max(np.abs(linear.weight.data).max() for linear in linears)
    for linear, lines in zip(linears, picture.weights):
        values = linear.weight.data.T.ravel()  # (in, out) order: segment i * out + j is weight[j, i]
        widths, colours = weight_styles(values, scale)
        np.testing.assert_allclose(lines.get_linewidths(), widths, rtol=1e-12)
        np.testing.assert_allclose(lines.get_colors(), colours, rtol=1e-12)
        for value, colour in zip(values, lines.get_colors()):
            sign = "positive" if value >= 0 else "negative"
            np.testing.assert_allclose(colour[:3], to_rgb(SIGN_COLORS[sign]))
        order = np.argsort(np.abs(values))
        assert np.all(np.diff(np.asarray(lines.get_linewidths())[order]) >= 0), "larger |w|, wider line"
    widest = max(max(lines.get_linewidths()) for lines in picture.weights)
    assert widest == pytest.approx(weight_styles([scale], scale)[0][0]), "the largest weight is widest"


def test_weight_styles_run_from_thin_and_faint_to_wide_and_opaque():
    widths, colours = weight_styles([0.0, 0.5, -1.0, -3.0], scale=1.0)
    np.testing.assert_allclose(widths, [0.4, 2.2, 4.0, 4.0])
    np.testing.assert_allclose(colours[:, 3], [0.25, 0.625, 1.0, 1.0])
    np.testing.assert_allclose(colours[2, :3], to_rgb(SIGN_COLORS["negative"]))


@network
def test_after_backward_the_weights_show_torchs_gradients(make):
    net = make()
    x, y = sample(net)
    mlcore.nn.functional.mse_loss(net(mlcore.tensor(x.reshape(1, -1))), mlcore.tensor(y.reshape(1, -1))).backward()
    picture = draw_network(net, color_by="grad")
    _, _, model = torch_pass(net, x, y)
    grads = [m.weight.grad.numpy() for m in model if isinstance(m, torch.nn.Linear)]
    scale = max(np.abs(g).max() for g in grads)
    for grad, lines in zip(grads, picture.weights):
        widths, colours = weight_styles(grad.T.ravel(), scale)
        np.testing.assert_allclose(lines.get_linewidths(), widths, rtol=1e-9)
        np.testing.assert_allclose(lines.get_colors(), colours, rtol=1e-9)


# ---------------------------------------------------------------------- labels

@network
def test_labels_are_torchs_activations_biases_and_gradients(make):
    net = make()
    x, y = sample(net)
    picture = draw_network(net, x, y)
    outputs, dzs, _ = torch_pass(net, x, y)
    layout = picture.layout
    for i, value in enumerate(x):
        assert picture.value_text(0, i) == format_value(value)
        assert picture.bias_text(0, i) == "" and picture.grad_text(0, i) == ""
    linears = [m for m in net if isinstance(m, nn.Linear)]
    for layer in range(1, len(layout.sizes)):
        for i in range(layout.sizes[layer]):
            assert float(picture.value_text(layer, i)) == pytest.approx(outputs[layer - 1][i], rel=5e-3, abs=1e-3)
            assert picture.value_text(layer, i) == format_value(outputs[layer - 1][i])
            assert picture.grad_text(layer, i) == format_value(dzs[layer - 1][i])
            assert picture.bias_text(layer, i) == format_value(linears[layer - 1].bias.data[i])


def test_without_a_sample_the_neurons_are_empty_and_without_a_target_there_are_no_gradients():
    net = tiny()
    empty = draw_network(net)
    assert all(text.get_text() == "" for texts in (empty.values, empty.grads, empty.biases)
               for text in texts.values())
    forward_only = draw_network(net, [0.5, -1.0])
    assert forward_only.value_text(2, 1) != "" and forward_only.grad_text(2, 1) == ""


def test_numbers_show_three_significant_digits_and_no_minus_zero():
    assert [format_value(v) for v in (0.51234, -0.0, -12.345, 1e-5)] == ["0.512", "0", "-12.3", "1e-05"]


def test_titles_name_each_layer_and_its_activation():
    assert layer_titles(layout_network(tiny())) == ["input\nx", "hidden h\ntanh(x·W1 + b1)", "output ŷ\nh·W2 + b2"]
    assert layer_titles(layout_network(deep()))[1:] == ["hidden h1\nrelu(x·W1 + b1)",
                                                        "hidden h2\nsigmoid(h1·W2 + b2)", "output ŷ\nh2·W3 + b3"]
    picture = draw_network(tiny())
    assert [t.get_text() for t in picture.titles] == layer_titles(picture.layout)


def test_the_output_layer_has_a_thick_rim_and_the_inputs_look_like_data():
    picture = draw_network(tiny())
    assert picture.neurons[2, 0].get_linewidth() > picture.neurons[1, 0].get_linewidth()
    assert picture.neurons[0, 0].get_linestyle() == "--"
    assert matplotlib.colors.same_color(picture.neurons[1, 0].get_facecolor(), "white")


# ---------------------------------------------------------------------- errors

def test_draw_network_draws_on_a_given_axes_with_matplotlib_alone():
    figure = Figure()
    ax = figure.add_subplot()
    picture = draw_network(tiny(), ax=ax, title="a 2-3-2 network")
    assert picture.ax is ax and plt.get_fignums() == []
    assert ax.get_title() == "a 2-3-2 network"


@pytest.mark.parametrize("net,message", [
    (nn.Linear(2, 3), "expected an nn.Sequential"),
    (nn.Sequential(nn.Tanh(), nn.Linear(2, 3)), "starts with position 0"),
    (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.ReLU()), "two activations in a row"),
    (nn.Sequential(nn.Linear(2, 3), nn.Linear(4, 1)), "make its in_features 3"),
    (nn.Sequential(nn.Linear(2, 3), nn.Flatten()), "only nn.Linear, nn.Tanh"),
    (nn.Sequential(nn.Linear(2, 11)), "up to 12 layers of up to 10 neurons"),
])
def test_networks_that_cannot_be_drawn_are_refused_with_the_reason(net, message):
    with pytest.raises((TypeError, ValueError), match=message):
        draw_network(net)
    assert plt.get_fignums() == [], "a refused network opens no figure"


def test_gradients_before_backward_and_a_target_without_an_input_are_refused():
    with pytest.raises(ValueError, match="call loss.backward\\(\\) first"):
        draw_network(tiny(), color_by="grad")
    with pytest.raises(ValueError, match="needs its input x"):
        draw_network(tiny(), y=[1.0, 0.0])
    with pytest.raises(ValueError, match="color_by must be"):
        draw_network(tiny(), color_by="value")


def key_text(picture):
    (key,) = [text.get_text() for text in picture.ax.texts if "blue > 0" in text.get_text()]
    return key


def test_the_key_names_only_what_is_drawn():
    net = tiny()
    assert key_text(draw_network(net)) == "weights: blue > 0, orange < 0, the wider the larger |value|"
    values = key_text(draw_network(net, x=[0.5, -1.0]))
    assert "value a" in values and "bias b" in values and "∂L/∂z" not in values, "no gradients without a target"
    everything = key_text(draw_network(net, x=[0.5, -1.0], y=[1.0, 0.0]))
    assert all(part in everything for part in ("value a", "bias b", "below, orange: ∂L/∂z"))
    net[0].weight.grad = np.ones((3, 2))
    net[2].weight.grad = np.ones((2, 3))
    assert key_text(draw_network(net, color_by="grad")).startswith("weight.grad: blue > 0")


def test_the_key_calls_the_colours_what_they_look_like():
    # The negative sign's colour is Okabe-Ito's vermillion: an orange (hue 26°), not a red (hue near 0°).
    hue = matplotlib.colors.rgb_to_hsv(to_rgb(SIGN_COLORS["negative"]))[0] * 360
    assert 15 < hue < 45
    picture = draw_network(tiny(), x=[0.5, -1.0], y=[1.0, 0.0])
    assert "orange < 0" in key_text(picture) and "red" not in key_text(picture)
    assert picture.grads[1, 0].get_color() == SIGN_COLORS["negative"]
