"""The mathematics of chapter 4's panels, against PyTorch's autograd.

- BackwardStepPanel: every step's local x upstream = downstream, the slots
  show exactly the gradients of the steps taken so far, and at the last step
  every gradient is mlcore's backward() and torch's, for every expression.
- FiniteDifferencePanel: the curves are the errors of the two differences
  against torch's derivative, with the V's arms of slope -1 and 1 (forward)
  or 2 (central), and the best h near sqrt(eps) and eps**(1/3).
- ChainRulePanel: the tangents' slopes are g'(x), f'(g(x)) and their product,
  torch's derivative of f(g(x)); the mistake's slope is f'(x) g'(x).

Generic panel behaviour (controls, state, speed-independent drawing) is
tests/test_panels.py's, for every panel in mlcore.widgets.__all__.
"""

import itertools

import numpy as np
import pytest
import torch

from mlcore.widgets import BackwardStepPanel, ChainRulePanel, FiniteDifferencePanel
from mlcore.widgets.backward_step import EXPRESSIONS
from mlcore.widgets.finite_differences import EPS, FLOOR
from mlcore.widgets.scalar_functions import FUNCTIONS

pytestmark = pytest.mark.filterwarnings("error")

TORCH_FUNCTIONS = {"square": torch.square, "sin": torch.sin, "exp": torch.exp,
                   "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def t(value, grad=False):
    return torch.tensor(float(value), dtype=torch.float64, requires_grad=grad)


# ------------------------------------------------------------- step-through

def torch_expression(key, x, w, b, y):
    """The panel's expression in torch: {name: tensor} with every gradient retained."""
    if key == "fan_out":
        x = t(x, True)
        u = x * x
        return {"x": x, "u": u, "f": u + x}
    w, b, x = t(w, True), t(b, True), t(x)
    u = w * x
    z = u + b
    named = {"w": w, "b": b, "u": u, "z": z}
    if key == "linear":
        named["f"] = z
        del named["z"]
        return named
    a = z.tanh()
    if key == "tanh":
        return {**named, "f": a}
    e = a - t(y)
    return {**named, "a": a, "e": e, "L": e ** 2}


def torch_gradients(key, settings):
    named = torch_expression(key, **settings)
    for tensor in named.values():
        if not tensor.is_leaf:
            tensor.retain_grad()
    root = list(named.values())[-1]
    root.backward()
    return {name: float(tensor.grad) for name, tensor in named.items()}


SETTINGS = [dict(x=1.5, w=0.8, b=-0.5, y=1.0), dict(x=-2.3, w=1.7, b=0.4, y=-0.6),
            dict(x=0.0, w=-3.0, b=3.0, y=0.3)]
every_expression = pytest.mark.parametrize("key", list(EXPRESSIONS))
every_setting = pytest.mark.parametrize("settings", SETTINGS, ids=["default", "negative", "x0"])


def panel_gradient(panel, name, frame):
    node = panel.names[name]
    return panel.gradients_at(frame).get(panel.index[node])


@every_expression
@every_setting
def test_at_the_last_step_every_gradient_is_backwards_and_torchs(key, settings):
    panel = BackwardStepPanel(expression=key, **settings)
    last = panel.player.num_frames
    assert last == 1 + len(panel.steps) and panel.player.frame == last
    expected = torch_gradients(key, settings)
    for name, tensor in panel.names.items():
        if not tensor.requires_grad:
            assert panel_gradient(panel, name, last) is None
            continue
        got = panel_gradient(panel, name, last)
        assert got == pytest.approx(expected[name], rel=1e-12, abs=1e-15), name
        assert got == pytest.approx(panel.expected[panel.index[tensor]], rel=1e-15, abs=0), name
    assert "every gradient equals what <code>backward()</code> computes" in panel.readout.value


@every_expression
@every_setting
def test_every_step_multiplies_the_local_gradient_by_the_complete_upstream_one(key, settings):
    panel = BackwardStepPanel(expression=key, **settings)
    expected = torch_gradients(key, settings)
    for step in panel.steps:
        node = next(name for name, tensor in panel.names.items() if tensor is step.node)
        assert step.upstream == pytest.approx(expected[node], rel=1e-12), "upstream must be complete"
        assert step.downstream == pytest.approx(step.local * step.upstream, rel=1e-14)


@every_expression
def test_each_frame_shows_the_steps_taken_so_far_and_nothing_more(key):
    panel = BackwardStepPanel(expression=key)
    texts = panel.numbers[key]
    for frame in range(panel.player.num_frames + 1):
        panel.player.show(frame)
        gradients = panel.gradients_at(frame)
        for i, node in enumerate(panel.nodes):
            if "grad" not in texts[i]:
                assert not node.requires_grad
                continue
            shown = texts[i]["grad"].get_text()
            if i in gradients:
                assert float(shown) == pytest.approx(gradients[i], rel=5e-4, abs=1e-12)
            else:
                assert shown == "", f"frame {frame}: an empty slot must stay empty"
            assert texts[i]["value"].get_text() != ""
        marks = [m for m in panel.edge_marks[key].values() if m.get_visible()]
        if frame == 0:
            assert gradients == {} and not panel.node_mark.get_visible() and marks == []
            assert "no gradient yet" in panel.formula_text.get_text()
        elif frame == 1:
            assert gradients == {panel.index[panel.root]: 1.0} and marks == []
            assert "= 1" in panel.formula_text.get_text()
        else:
            step = panel.steps[frame - 2]
            (mark,) = marks
            assert mark is panel.edge_marks[key][panel.index[step.parent], panel.index[step.node],
                                                 step.position]
            x, y = panel.layouts[key].positions[panel.layouts[key].nodes[panel.index[step.node]]]
            assert panel.node_mark.get_x() == pytest.approx(x - panel.node_mark.get_width() / 2)
            assert panel.node_mark.get_y() == pytest.approx(y - panel.node_mark.get_height() / 2)
            assert f"{step.local:.4g}" in panel.formula_text.get_text()
            assert f"{step.downstream:.4g}" in panel.formula_text.get_text()


def test_fan_out_shows_the_paths_adding_up():
    panel = BackwardStepPanel(expression="fan_out", x=3.0)
    x = panel.names["x"]
    arriving = [frame for frame in range(2, panel.player.num_frames + 1)
                if panel.steps[frame - 2].parent is x]
    assert [panel.gradients_at(frame)[panel.index[x]] for frame in arriving] == [1.0, 4.0, 7.0]
    panel.player.show(arriving[-1])
    assert "paths add: ∂f/∂x = 4 + 3 = 7" in panel.formula_text.get_text()
    assert torch_gradients("fan_out", dict(x=3.0, w=0, b=0, y=0))["x"] == 7.0


def test_the_player_steps_resets_and_knows_the_last_step():
    panel = BackwardStepPanel()
    panel.player.reset()
    assert panel.player.frame == 0 and all(
        text.get_text() == "" for slots in panel.numbers["neuron"] for name, text in slots.items()
        if name == "grad")
    panel.player.step()
    assert panel.player.frame == 1
    assert panel.player.play.max == 1 + len(panel.steps) == 7
    panel.set_state(expression="linear")
    assert panel.player.play.max == 4 and panel.player.frame == 4


def test_inputs_an_expression_ignores_are_greyed_out():
    panel = BackwardStepPanel(expression="fan_out")
    assert [panel.controls[n].disabled for n in ("x", "w", "b", "y")] == [False, True, True, True]
    panel.set_state(expression="neuron")
    assert not any(panel.controls[n].disabled for n in ("x", "w", "b", "y"))


def test_the_neuron_marks_its_parameters_and_its_data():
    panel = BackwardStepPanel()
    kinds = {name: tensor.requires_grad for name, tensor in panel.names.items()}
    assert kinds == {"w": True, "x": False, "u": True, "b": True, "z": True, "a": True, "y": False,
                     "e": True, "L": True}
    assert type(panel.names["w"]).__name__ == "Parameter"


# -------------------------------------------------------- finite differences

def torch_derivative(name, x):
    point = t(x, True)
    TORCH_FUNCTIONS[name](point).backward()
    return float(point.grad)


@pytest.mark.parametrize("name", ["sin", "exp", "tanh"])
@pytest.mark.parametrize("x", [1.0, -1.7, 0.3])
def test_the_curves_are_the_errors_against_torchs_derivative(name, x):
    panel = FiniteDifferencePanel(function=name, x=x, h=1e-4)
    hs = panel.hs
    f = FUNCTIONS[name].f
    exact = torch_derivative(name, x)
    forward = np.abs((f(x + hs) - f(x)) / hs - exact)
    central = np.abs((f(x + hs) - f(x - hs)) / (2 * hs) - exact)
    for method, errors in (("forward", forward), ("central", central)):
        np.testing.assert_allclose(panel.curves[method].get_xdata(), hs)
        np.testing.assert_allclose(panel.curves[method].get_ydata(), np.maximum(errors, FLOOR),
                                   rtol=1e-6, atol=1e-15)
        best = int(np.argmin(errors))
        assert panel.best[method].get_xdata()[0] == hs[best]
        h_error = panel.markers[method].get_ydata()[0]
        estimate = ((f(x + 1e-4) - f(x)) / 1e-4 if method == "forward"
                    else (f(x + 1e-4) - f(x - 1e-4)) / 2e-4)
        assert h_error == pytest.approx(abs(estimate - exact), rel=1e-6)


def _slope(hs, errors, low, high):
    keep = (hs >= low) & (hs <= high)
    return np.polyfit(np.log10(hs[keep]), np.log10(errors[keep]), 1)[0]


def test_sin_at_1_draws_the_v_with_its_two_arms_and_the_best_h_between():
    panel = FiniteDifferencePanel(function="sin", x=1.0)
    hs = panel.hs
    forward, central = (panel.curves[m].get_ydata() for m in ("forward", "central"))
    # Right arms: truncation, slope 1 (forward) and 2 (central); left arms: round-off, slope -1.
    assert _slope(hs, forward, 1e-5, 1e-2) == pytest.approx(1.0, abs=0.05)
    assert _slope(hs, central, 1e-3, 1e-1) == pytest.approx(2.0, abs=0.05)
    assert _slope(hs, forward, 1e-15, 1e-10) == pytest.approx(-1.0, abs=0.25)
    assert _slope(hs, central, 1e-15, 1e-8) == pytest.approx(-1.0, abs=0.25)
    best_forward = panel.best["forward"].get_xdata()[0]
    best_central = panel.best["central"].get_xdata()[0]
    assert 0.03 * EPS ** 0.5 < best_forward < 30 * EPS ** 0.5
    assert 0.03 * EPS ** (1 / 3) < best_central < 30 * EPS ** (1 / 3)
    assert panel.best["central"].get_ydata()[0] < 1e-3 * panel.best["forward"].get_ydata()[0]


def test_the_h_line_and_the_readout_follow_h():
    panel = FiniteDifferencePanel()
    panel.set_state(h=1e-12)
    assert list(panel.h_line.get_xdata()) == [1e-12, 1e-12]
    assert "h = 1.0e-12" in panel.readout.value and "cos(x)" in panel.readout.value


# ---------------------------------------------------------------- chain rule

def _line_slope(line):
    (x0, x1), (y0, y1) = line.get_xdata(), line.get_ydata()
    return (y1 - y0) / (x1 - x0)


def _passes_through(line, point):
    (x0, x1), (y0, y1) = line.get_xdata(), line.get_ydata()
    px, py = point.get_xdata()[0], point.get_ydata()[0]
    return y0 + (px - x0) * (y1 - y0) / (x1 - x0) == pytest.approx(py, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("outer,inner", list(itertools.product(FUNCTIONS, FUNCTIONS)))
def test_the_composite_tangent_has_torchs_slope_and_is_the_product_of_the_others(outer, inner):
    x = 0.7
    panel = ChainRulePanel(x=x, inner=inner, outer=outer, show_mistake=True)
    point = t(x, True)
    u = TORCH_FUNCTIONS[inner](point)
    u.retain_grad()
    y = TORCH_FUNCTIONS[outer](u)
    y.backward()
    du_dx = torch_derivative(inner, x)
    dy_du = torch_derivative(outer, u.item())
    slopes = [_line_slope(line) for line in panel.tangents]
    assert slopes[0] == pytest.approx(du_dx, rel=1e-9)
    assert slopes[1] == pytest.approx(dy_du, rel=1e-9)
    assert slopes[2] == pytest.approx(float(point.grad), rel=1e-9)
    assert slopes[2] == pytest.approx(slopes[0] * slopes[1], rel=1e-12)
    assert float(u.grad) == pytest.approx(dy_du, rel=1e-12)
    for line, marker in zip(panel.tangents, panel.points):
        assert _passes_through(line, marker)
    # The points are (x, g(x)), (u, f(u)) at u = g(x), and (x, f(g(x))).
    np.testing.assert_allclose([(p.get_xdata()[0], p.get_ydata()[0]) for p in panel.points],
                               [(x, u.item()), (u.item(), y.item()), (x, y.item())], rtol=1e-12)
    assert _line_slope(panel.mistake) == pytest.approx(torch_derivative(outer, x) * du_dx, rel=1e-9)


def test_the_mistake_is_drawn_only_when_asked_and_misses_the_slope():
    panel = ChainRulePanel(x=1.5)
    assert not panel.mistake.get_visible()
    panel.set_state(show_mistake=True)
    assert panel.mistake.get_visible()
    assert _line_slope(panel.mistake) == pytest.approx(np.cos(1.5) * 3.0, rel=1e-12)
    assert _line_slope(panel.tangents[2]) == pytest.approx(np.cos(2.25) * 3.0, rel=1e-12)
    assert "mistake f′(x)·g′(x) = 0.2122" in panel.slope_texts[2].get_text()


def test_the_readout_states_the_product_and_checks_it_with_central_differences():
    panel = ChainRulePanel(x=1.0)
    product = np.cos(1.0) * 2.0
    assert f"<b>{product:.6f}</b>" in panel.readout.value
    assert f"central differences (h = 1e-5) is {product:.6f}" in panel.readout.value


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_every_function_in_the_table_has_torchs_derivative(name):
    xs = np.linspace(-3.0, 3.0, 13)
    points = torch.tensor(xs, requires_grad=True)
    TORCH_FUNCTIONS[name](points).sum().backward()
    np.testing.assert_allclose(FUNCTIONS[name].f(xs), TORCH_FUNCTIONS[name](torch.tensor(xs)).numpy(),
                               rtol=1e-14)
    np.testing.assert_allclose(FUNCTIONS[name].df(xs), points.grad.numpy(), rtol=1e-12, atol=1e-16)


def test_a_point_at_either_end_of_the_slider_is_drawn_whole_inside_every_frame():
    # Each frame is padded around what it shows: at x = +-2 the point sits inside, with room for the
    # tangent on both sides, for every pair of functions.
    panel = ChainRulePanel()
    for outer, inner in itertools.product(FUNCTIONS, FUNCTIONS):
        for x in (-2.0, 2.0):
            panel.set_state(outer=outer, inner=inner, x=x)
            for k, point in enumerate(panel.points):
                fx, fy = panel.to_frame[k].transform(point.get_xydata()[0])
                assert 0.05 < fx < 0.95 and 0.05 < fy < 0.95, (outer, inner, x, k, fx, fy)


def test_the_labels_of_the_best_steps_sit_inside_the_plot():
    panel = FiniteDifferencePanel()
    panel.fig.canvas.draw()
    renderer = panel.fig.canvas.get_renderer()
    ax = panel.fig.axes[0]
    frame = ax.get_window_extent(renderer)
    labels = [text for text in ax.texts if text.get_text() in ("√ε", "∛ε")]
    assert len(labels) == 2
    for text in labels:
        box = text.get_window_extent(renderer)
        assert frame.y0 < box.y0 and box.y1 < frame.y1 - 2, f"{text.get_text()} touches the frame"
