"""The mathematics of chapter 5's panels, against PyTorch.

- BackpropStepPanel: at the last step every gradient of the formulas equals
  mlcore's autograd and torch's; each frame shows the arrays computed so
  far and nothing more; the lines show the weights, then their gradients.
- GradientFlowPanel: the bars are torch's per-layer gradient norms, the
  picture of the activations is their histograms, and the label is the
  behaviour of the norms.
- AccumulationPanel: both curves are torch's training loops, and the dotted
  line is torch's gradient at the loop's current w.

Generic panel behaviour (controls, state, drawing over the cached
background) is tests/test_panels.py's, for every panel in mlcore.widgets.__all__.
"""

import numpy as np
import pytest
import torch

from mlcore.plots.graph_drawing import weight_styles
from mlcore.widgets import AccumulationPanel, BackpropStepPanel, GradientFlowPanel
from mlcore.widgets.accumulation import GRAD_RANGE, LOSS_RANGE, STEPS
from mlcore.widgets.backprop_step import SEEDS, STEP_KEY, tiny_mlp
from mlcore.widgets.gradient_flow import BINS, NORM_RANGE, VALUE_RANGES
from mlcore.accumulation import START, bmi_data
from mlcore.gradient_flow import deep_stack

pytestmark = pytest.mark.filterwarnings("error")

TORCH_ACTIVATIONS = {"tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU}


def t(array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


# ----------------------------------------------------------------- step panel

def torch_gradients(activation, seed, x, y):
    """Every gradient of the panel's pass, by torch on a copy of the panel's network."""
    net = tiny_mlp(activation, seed)
    W1, b1 = t(net[0].weight.data, True), t(net[0].bias.data, True)
    W2, b2 = t(net[2].weight.data, True), t(net[2].bias.data, True)
    z1 = t([x]) @ W1.T + b1
    h = TORCH_ACTIVATIONS[activation]()(z1)
    y_hat = h @ W2.T + b2
    for tensor in (z1, h, y_hat):
        tensor.retain_grad()
    torch.nn.functional.mse_loss(y_hat, t([y])).backward()
    return {"dŷ": y_hat.grad, "dW2": W2.grad.T, "db2": b2.grad, "dh": h.grad, "dz1": z1.grad,
            "dW1": W1.grad.T, "db1": b1.grad}


SETTINGS = [dict(x1=0.5, x2=-1.0, y1=1.0, y2=0.0), dict(x1=-1.7, x2=2.0, y1=-1.5, y2=1.2),
            dict(x1=0.0, x2=0.0, y1=0.3, y2=-0.4)]


@pytest.mark.parametrize("activation", list(TORCH_ACTIVATIONS))
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("settings", SETTINGS, ids=["default", "far", "zero input"])
def test_at_the_last_step_every_gradient_is_mlcores_and_torchs(activation, seed, settings):
    panel = BackpropStepPanel(activation=activation, seed=seed, **settings)
    assert panel.player.frame == panel.player.num_frames == len(panel.stages) - 1
    expected = torch_gradients(activation, seed, (settings["x1"], settings["x2"]),
                               (settings["y1"], settings["y2"]))
    gradients = panel.gradients()
    assert list(gradients) == list(expected)
    for name, (ours, engine) in gradients.items():
        np.testing.assert_allclose(ours, expected[name].numpy(), rtol=1e-10, atol=1e-15, err_msg=name)
        np.testing.assert_allclose(ours, engine, rtol=1e-12, atol=1e-15, err_msg=name)
    assert "every gradient of the formulas equals mlcore's autograd" in panel.readout.value


def test_the_steps_are_the_chapters_formulas_in_order():
    panel = BackpropStepPanel()
    assert [stage.formula for stage in panel.stages] == [
        "the input x is known; forward starts at the first layer",
        "z1 = x·W1 + b1", "h = tanh(z1)", "ŷ = h·W2 + b2", "L = mean((ŷ − y)²), over all 2 outputs",
        "dŷ = ∂L/∂ŷ = 2·(ŷ − y) / 2", "dW2 = hᵀ·dŷ,  db2 = dŷ summed over the batch", "dh = dŷ·W2ᵀ",
        "dz1 = dh ⊙ f′(z1),  f′(z1) = 1 − tanh²(z1)", "dW1 = xᵀ·dz1,  db1 = dz1 summed over the batch"]
    shapes = {name: np.shape(array) for stage in panel.stages for name, array in stage.arrays}
    assert shapes == {"x": (1, 2), "y": (1, 2), "W1": (2, 3), "b1": (3,), "z1": (1, 3), "h": (1, 3),
                      "W2": (3, 2), "b2": (2,), "ŷ": (1, 2), "L": (), "ŷ − y": (1, 2), "dŷ": (1, 2),
                      "hᵀ": (3, 1), "dW2": (3, 2), "db2": (2,), "W2ᵀ": (2, 3), "dh": (1, 3),
                      "f′(z1)": (1, 3), "dz1": (1, 3), "xᵀ": (2, 1), "dW1": (2, 3), "db1": (3,)}
    panel.player.show(6)
    assert "(3, 1)·(1, 2) → (3, 2), W2's shape" in panel.arrays_text.get_text()
    assert panel.arrays_text.get_text().splitlines()[0].startswith("hᵀ      (3, 1)")


def _shown(texts, layer, size):
    return [texts[layer, i].get_text() for i in range(size)]


def test_each_frame_shows_what_is_computed_so_far_and_nothing_more():
    panel = BackpropStepPanel(activation="sigmoid", seed=1)
    result = panel.result
    fmt = lambda values: [f"{float(v) + 0.0:.3g}" for v in np.ravel(values)]  # noqa: E731
    expectations = {  # frame -> (inside hidden, inside output, below hidden, below output, loss shown)
        0: ([""] * 3, [""] * 2, [""] * 3, [""] * 2, False),
        1: (fmt(result.z[0]), [""] * 2, [""] * 3, [""] * 2, False),
        2: (fmt(result.a[0]), [""] * 2, [""] * 3, [""] * 2, False),
        3: (fmt(result.a[0]), fmt(result.y_hat), [""] * 3, [""] * 2, False),
        4: (fmt(result.a[0]), fmt(result.y_hat), [""] * 3, [""] * 2, True),
        5: (fmt(result.a[0]), fmt(result.y_hat), [""] * 3, fmt(result.dy_hat), True),
        7: (fmt(result.a[0]), fmt(result.y_hat), fmt(result.da[0]), fmt(result.dy_hat), True),
        8: (fmt(result.a[0]), fmt(result.y_hat), fmt(result.dz[0]), fmt(result.dy_hat), True),
    }
    for frame, (hidden, output, below_hidden, below_output, loss) in expectations.items():
        panel.player.show(frame)
        assert _shown(panel.inside, 0, 2) == fmt(panel.x)
        assert _shown(panel.inside, 1, 3) == hidden, frame
        assert _shown(panel.inside, 2, 2) == output, frame
        assert _shown(panel.below, 1, 3) == below_hidden, frame
        assert _shown(panel.below, 2, 2) == below_output, frame
        assert (panel.loss_text.get_text() == f"L = {result.loss:.4f}") == loss
        assert (panel.loss_text.get_text() == "") != loss
        assert panel.step_text.get_text().startswith(f"step {frame} of 9")


def test_the_lines_show_the_weights_until_their_gradient_is_computed():
    panel = BackpropStepPanel(seed=2)
    result = panel.result
    for frame, modes in ((0, ("W", "W")), (5, ("W", "W")), (6, ("W", "dW")), (8, ("W", "dW")), (9, ("dW", "dW"))):
        panel.player.show(frame)
        for k, mode in enumerate(modes):
            values, scale = ((result.layers[k].W, panel.weight_scale) if mode == "W"
                             else (result.dW[k], panel.grad_scale))
            widths, colours = weight_styles(values.ravel(), scale)
            np.testing.assert_allclose(panel.picture.weights[k].get_linewidths(), widths, rtol=1e-12)
            np.testing.assert_allclose(panel.picture.weights[k].get_colors(), colours, rtol=1e-12)
            assert panel.line_labels[k].get_text() == (f"lines: W{k + 1}" if mode == "W" else f"lines: ∂L/∂W{k + 1}")
        # The output layer's biases appear with its forward step (3) and turn into db2 at step 6.
        above = _shown(panel.above, 2, 2)
        prefix = "db " if frame >= 6 else "b " if frame >= 3 else None
        assert all(text.startswith(prefix) if prefix else text == "" for text in above), frame


def test_the_key_names_the_numbers_and_lines_the_steps_show_in_their_colours():
    panel = BackpropStepPanel()
    assert STEP_KEY in [text.get_text() for text in panel.ax.texts]
    assert "db (orange)" in STEP_KEY and "W or ∂L/∂W" in STEP_KEY and "red" not in STEP_KEY


def test_neurons_fill_in_as_their_values_become_known():
    panel = BackpropStepPanel()
    filled = lambda layer: panel.picture.neurons[layer, 0].get_facecolor()[:3] != (1.0, 1.0, 1.0)  # noqa: E731
    panel.player.show(1)
    assert filled(0) and not filled(1) and not filled(2)  # z1 is known, h not yet
    panel.player.show(2)
    assert filled(1) and not filled(2)
    panel.player.show(3)
    assert filled(2)


def test_the_titles_and_derivative_follow_the_activation():
    panel = BackpropStepPanel(activation="relu")
    assert [text.get_text() for text in panel.titles[1]] == ["hidden h", "relu(x·W1 + b1)"]
    assert panel.stages[8].formula == "dz1 = dh ⊙ f′(z1),  f′(z1) = 1 where z1 > 0, else 0"
    dead = panel.result.z[0][0] <= 0
    assert np.all(panel.result.dz[0][0][dead] == 0), "a ReLU that is off passes no gradient back"


# ----------------------------------------------------------- gradient flow

def torch_flow(depth, activation, init, sigma):
    """Per-layer gradient norms and activations of the panel's stack, by torch."""
    rng = np.random.default_rng(0)
    net = deep_stack(depth, activation, init, sigma, generator=rng)
    X, Y = t(rng.standard_normal((64, 32))), t(rng.standard_normal((64, 32)))
    weights = [t(m.weight.data, True) for m in net if hasattr(m, "weight")]
    out, activations = X, []
    for w in weights:
        out = TORCH_ACTIVATIONS[activation]()(out @ w.T)
        activations.append(out.detach().numpy())
    torch.nn.functional.mse_loss(out, Y).backward()
    return np.array([w.grad.norm().item() for w in weights]), activations


@pytest.mark.parametrize("depth,activation,init,sigma", [(10, "sigmoid", "xavier", 1.0), (25, "tanh", "normal", 0.4),
                                                         (50, "relu", "he", 1.0), (1, "relu", "normal", 2.0)])
def test_the_bars_are_torchs_gradient_norms_layer_by_layer(depth, activation, init, sigma):
    panel = GradientFlowPanel(depth=depth, activation=activation, init=init, sigma=sigma)
    norms, activations = torch_flow(depth, activation, init, sigma)
    np.testing.assert_allclose(panel.flow.norms, norms, rtol=1e-9)
    verts = panel.bars.get_paths()
    assert len(verts) == depth
    for l, path in enumerate(verts):
        xs, ys = path.vertices[:4, 0], path.vertices[:4, 1]
        assert xs.min() == pytest.approx(l / depth) and xs.max() == pytest.approx((l + 1) / depth)
        assert ys.min() == NORM_RANGE[0]
        assert ys.max() == pytest.approx(np.clip(norms[l], *NORM_RANGE), rel=1e-9)
    low, high = VALUE_RANGES[activation]
    for l, a in enumerate(activations):
        counts, _ = np.histogram(np.clip(a, low, high), bins=BINS, range=(low, high))
        np.testing.assert_array_equal(panel.histograms[l], counts)
    assert panel.image.get_cells().shape == (BINS, depth, 4)


def test_the_label_names_the_behaviour_with_the_measured_ratio():
    panel = GradientFlowPanel(depth=10, activation="sigmoid", init="xavier")
    assert panel.verdict.get_text() == "vanishing"
    assert f"first / last layer: {panel.flow.ratio:.2e}" in panel.ratio_text.get_text()
    assert panel.flow.ratio < 1e-5
    panel.set_state(activation="relu", init="he")
    assert panel.verdict.get_text() == "stable"
    panel.set_state(init="normal", sigma=1.0)
    assert panel.verdict.get_text() == "exploding" and panel.flow.norms.max() > 1e3
    assert "exploding" in panel.readout.value


def test_bars_beyond_the_axis_are_marked_and_counted():
    panel = GradientFlowPanel(depth=10, activation="relu", init="normal", sigma=1.0)  # guided task 3
    assert panel.flow.norms.min() > NORM_RANGE[1], "every norm of the exploding stack is above the axis"
    xs, ys = panel.above_marks.get_data()
    np.testing.assert_allclose(xs, (np.arange(10) + 0.5) / 10)
    assert list(ys) == [1.0] * 10 and len(panel.below_marks.get_xdata()) == 0
    assert "▲ 10 bars above 1e+08" in panel.ratio_text.get_text()
    assert f"largest norm:       {panel.flow.norms.max():.2e}" in panel.ratio_text.get_text()
    assert "10 bars above 1e+08 (drawn at its edge)" in panel.readout.value
    panel.set_state(activation="sigmoid", init="xavier", depth=30)
    below = np.flatnonzero(panel.flow.norms < NORM_RANGE[0])
    assert len(below) == 5 and list(below) == list(range(5)), "the first five layers' norms are below 1e-16"
    np.testing.assert_allclose(panel.below_marks.get_xdata(), (below + 0.5) / 30)
    assert "▼ 5 bars below 1e-16" in panel.ratio_text.get_text() and len(panel.above_marks.get_xdata()) == 0
    panel.set_state(activation="relu", init="he", depth=50)
    assert len(panel.above_marks.get_xdata()) == len(panel.below_marks.get_xdata()) == 0
    assert "▲" not in panel.ratio_text.get_text() and "▼" not in panel.ratio_text.get_text()


def test_the_labels_sit_on_a_light_box_over_tall_bars():
    panel = GradientFlowPanel(depth=10, activation="relu", init="normal", sigma=1.0)
    panel.fig.canvas.draw()
    pixels = np.asarray(panel.fig.canvas.buffer_rgba())[..., :3].astype(float)
    height = pixels.shape[0]

    def brightness(x, y):  # the mean of a 5 x 5 patch around axes fraction (x, y) of the bars
        px, py = panel.bars_ax.transAxes.transform((x, y))
        row, col = int(round(height - py)), int(round(px))
        return pixels[row - 2:row + 3, col - 2:col + 3].mean()

    # Under the label text (left of its first character, between the lines) and on a bar away from it.
    assert brightness(0.02, 0.9) > 200 and brightness(0.02, 0.7) > 200, "the labels' background is light"
    assert brightness(0.8, 0.5) < 150, "the bars around the box are the dark blue"


def test_sigma_matters_only_for_the_normal_initialisation():
    panel = GradientFlowPanel(init="xavier")
    assert panel.controls["sigma"].disabled
    before = panel.flow.norms.copy()
    panel.set_state(sigma=5.0)
    np.testing.assert_array_equal(panel.flow.norms, before)
    panel.set_state(init="normal")
    assert not panel.controls["sigma"].disabled


def test_an_overflowing_stack_shows_the_diverged_state_without_warnings():
    panel = GradientFlowPanel(depth=50, activation="relu", init="normal", sigma=10.0)
    assert panel.diverged is not None and "overflow" in panel.diverged
    panel.set_state(sigma=0.2)
    assert panel.diverged is None


def test_the_layer_labels_sit_under_the_first_and_last_columns():
    panel = GradientFlowPanel(depth=20)
    first, last = panel.layer_labels[panel.bars_ax]
    assert (first.get_text(), last.get_text()) == ("1", "20")
    assert first.get_position()[0] == pytest.approx(0.5 / 20) and last.get_position()[0] == pytest.approx(1 - 0.5 / 20)


# ------------------------------------------------------------- accumulation

def torch_run(lr, zero_grad, steps=STEPS):
    X, y = (t(a.data) for a in bmi_data())
    w, b = t([[START[0]]], True), t([START[1]], True)
    opt = torch.optim.SGD([w, b], lr=lr)
    losses, grads, true = [], [], []
    for _ in range(steps):
        if zero_grad:
            opt.zero_grad()
        (g,) = torch.autograd.grad(torch.nn.functional.mse_loss(X @ w.T + b, y), [w])
        true.append(g.item())
        loss = torch.nn.functional.mse_loss(X @ w.T + b, y)
        loss.backward()
        losses.append(loss.item())
        grads.append(w.grad.item())
        opt.step()
    return np.array(losses), np.array(grads), np.array(true)


@pytest.mark.parametrize("lr", [0.003, 0.1, 0.9])
def test_both_curves_are_torchs_training_loops(lr):
    panel = AccumulationPanel(lr=lr)
    for zero_grad in (True, False):
        losses, grads, true = torch_run(lr, zero_grad)
        np.testing.assert_allclose(panel.loss_lines[zero_grad].get_ydata(), losses, rtol=1e-9)
        assert losses.max() < LOSS_RANGE[1] and np.abs(grads).max() < GRAD_RANGE[1], "nothing is clipped"
        np.testing.assert_allclose(panel.grad_lines[zero_grad].get_ydata(), np.clip(grads, *GRAD_RANGE),
                                   rtol=1e-9, atol=1e-12)
        if not zero_grad:
            np.testing.assert_allclose(panel.true_grad.get_ydata(), true, rtol=1e-8, atol=1e-10)
            np.testing.assert_allclose(np.cumsum(true), grads, rtol=1e-8, atol=1e-10)


def test_the_player_draws_the_runs_up_to_the_step_and_the_checkbox_picks_yours():
    panel = AccumulationPanel(lr=0.1, zero_grad=False)
    panel.player.show(5)
    assert len(panel.loss_lines[True].get_xdata()) == 6
    assert np.asarray(panel.loss_marks[False].get_xdata()).tolist() == [5]
    assert panel.loss_lines[False].get_linewidth() > panel.loss_lines[True].get_linewidth()
    losses, grads, true = torch_run(0.1, False, steps=6)
    assert f"({grads[5]:+.4f})" in panel.readout.value and f"{true[5]:+.4f}" in panel.readout.value
    panel.set_state(zero_grad=True)
    assert panel.loss_lines[True].get_linewidth() > panel.loss_lines[False].get_linewidth()
    assert "settles at its minimum" in panel.readout.value


def test_the_legend_sits_above_the_plots_and_covers_no_curve():
    panel = AccumulationPanel(lr=10 ** -2.5)    # guided task 3, where a legend inside covered a curve
    panel.fig.canvas.draw()
    renderer = panel.fig.canvas.get_renderer()
    legend = panel.legend.get_window_extent(renderer)
    for ax in (panel.loss_ax, panel.grad_ax):
        assert not legend.overlaps(ax.get_window_extent(renderer)), "the legend is outside both plots"
        assert ax.get_legend() is None
    assert legend.y1 <= panel.fig.bbox.y1 and len(panel.legend.get_texts()) == 3


def test_with_zero_grad_the_loss_settles_and_without_it_keeps_swinging():
    panel = AccumulationPanel(lr=0.1)
    with_, without = panel.runs[True].losses, panel.runs[False].losses
    assert with_[-10:].max() - with_[-10:].min() < 1e-6
    assert without[-20:].max() > 2 * with_[-1]
