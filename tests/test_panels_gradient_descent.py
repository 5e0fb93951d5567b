"""Chapter 3's panels, headless: the mathematics they draw, against PyTorch where it has the function.

The generic tests of tests/test_panels.py (build with no arguments, every
control changes the picture, state round trip, no warnings...) cover these
panels through ``mlcore.widgets.__all__``. Here: the trajectories are
torch.optim.SGD's, the schedules torch.optim.lr_scheduler's, the critical rate
2/L comes from the Hessian's eigenvalues, the converge / oscillate / diverge
label follows the factor 1 - lr L, and the gradient arrow is perpendicular
to the contour through its point. Also the Player that steps through a run.
"""

import math

import numpy as np
import pytest
import torch

from mlcore.data import bmi_regression
from mlcore.linear_sgd import excess_mse, least_squares
from mlcore.widgets import BatchSizePanel, LearningRatePanel, LRSchedulePanel, QuadraticBowlPanel
from mlcore.widgets.learning_rate import CURVES
from mlcore.widgets.player import Player
from mlcore.surfaces import BOWL_CURVATURE, bowl_hessian
from oracle import RTOL64

pytestmark = pytest.mark.filterwarnings("error")


def torch_sgd(loss_fn, theta0, lr, num_steps):
    theta = torch.tensor(np.array(theta0, dtype=np.float64), requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=lr)
    thetas = [theta.detach().clone()]
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss_fn(theta).backward()
        optimizer.step()
        thetas.append(theta.detach().clone())
    return torch.stack(thetas).numpy()


def grid(control):
    """Every value a log slider can take."""
    exponents = control.min + control.step * np.arange(round((control.max - control.min) / control.step) + 1)
    exponents = exponents[exponents <= control.max + 1e-12]
    return control.base ** exponents


# ------------------------------------------------------------------ the 1-D learning-rate panel

@pytest.mark.parametrize("curve, theta0, lr", [("parabola", 1.0, 0.1), ("parabola", -2.0, 0.9),
                                               ("double_well", 1.0, 0.2), ("double_well", -0.3, 0.05)])
def test_learning_rate_iterates_are_torchs_sgd_on_the_curve(curve, theta0, lr):
    panel = LearningRatePanel(lr=lr, theta0=theta0, num_steps=20, curve=curve)
    expected = torch_sgd(CURVES[curve].f, theta0, lr, 20)
    np.testing.assert_allclose(panel.run.thetas, expected, rtol=RTOL64, atol=1e-14)
    np.testing.assert_allclose(panel.path.get_xdata(), expected, rtol=RTOL64, atol=1e-14)
    np.testing.assert_allclose(panel.path.get_ydata(), CURVES[curve].f(expected), rtol=1e-9, atol=1e-14)
    assert panel.current.get_xdata()[0] == pytest.approx(expected[-1], rel=RTOL64, abs=1e-14)


def test_learning_rate_defaults_reproduce_the_course_fact():
    panel = LearningRatePanel()
    assert f"{panel.run.thetas[-1]:.4f}" == "0.1074" and panel.run.behaviour == "converges"
    assert "+0.1074" in panel.readout.value


@pytest.mark.parametrize("lr", [0.001, 0.1, 0.5, 0.8, 1.0, 1.1220184543019633, 3.0])
def test_the_label_follows_the_factor_one_minus_lr_L_on_the_parabola(lr):
    panel = LearningRatePanel(lr=lr, num_steps=20)
    factor = abs(1 - 2 * lr)
    expected = "converges" if factor < 1 - 1e-12 else "oscillates" if factor <= 1 + 1e-12 else "diverges"
    assert panel.behaviour_text.get_text() == expected
    assert panel.readout.value.count(expected) >= 1


def test_the_label_on_the_slider_grid_changes_exactly_at_two_over_L():
    labels = {}
    for lr in grid(LearningRatePanel().controls["lr"]):
        labels[lr] = LearningRatePanel(lr=float(lr), num_steps=20).run.behaviour
    below = [lr for lr in labels if lr < 1 - 1e-12]
    above = [lr for lr in labels if lr > 1 + 1e-12]
    assert all(labels[lr] == "converges" for lr in below)
    assert all(labels[lr] == "diverges" for lr in above)
    assert [labels[lr] for lr in labels if abs(lr - 1) <= 1e-12] == ["oscillates"]


@pytest.mark.parametrize("theta0", [-2.0, -0.5, 0.5, 2.0])
def test_the_critical_rate_on_the_scale_is_two_over_torchs_second_derivative(theta0):
    panel = LearningRatePanel(theta0=theta0, curve="double_well", lr=0.1, num_steps=50)
    # A long run at a small rate ends at the minimum of the start's basin; torch differentiates twice there.
    minimum = torch.tensor(panel.run.thetas[-1], requires_grad=True)
    (slope,) = torch.autograd.grad(CURVES["double_well"].f(minimum), minimum, create_graph=True)
    assert slope.item() == pytest.approx(0.0, abs=1e-6)
    (curvature,) = torch.autograd.grad(slope, minimum)
    exact = torch.tensor(CURVES["double_well"].minimum_for(theta0), requires_grad=True)
    (slope_at,) = torch.autograd.grad(CURVES["double_well"].f(exact), exact, create_graph=True)
    (curvature_at,) = torch.autograd.grad(slope_at, exact)
    assert abs(slope_at.item()) < 1e-12
    assert panel.critical_rate == pytest.approx(2 / curvature_at.item(), rel=1e-12)
    assert panel.critical_rate == pytest.approx(2 / curvature.item(), rel=1e-5)
    assert panel.critical_line.get_xdata()[0] == panel.critical_rate
    assert panel.half_line.get_xdata()[0] == panel.critical_rate / 2
    assert panel.critical_text.get_text() == f"2/L = {panel.critical_rate:.3g}"


def test_the_scale_shades_creep_zigzag_and_divergence_and_marks_the_rate():
    panel = LearningRatePanel(lr=0.3)
    spans = {name: (zone.get_x(), zone.get_x() + zone.get_width()) for name, zone in panel.zones.items()}
    assert spans == {"creeps": (1e-3, 0.5), "zig-zags": (0.5, 1.0), "diverges": (1.0, 3.0)}
    assert panel.lr_marker.get_xdata()[0] == 0.3


def test_on_the_double_well_the_scale_names_what_the_label_says_above_two_over_L():
    # One vocabulary: above 2/L the label says "oscillates" or "diverges", and so does the scale
    # (rates of the slider's grid, 10**(j/20)).
    panel = LearningRatePanel(curve="double_well", theta0=-2.0, num_steps=50)
    said = set()
    for lr in (10 ** -0.3, 10 ** -0.2, 1.0, 10 ** 0.3):
        panel.set_state(lr=lr)
        assert lr > panel.critical_rate
        said.add(panel.behaviour_text.get_text())
        assert panel.behaviour_text.get_text() in panel.zone_texts["diverges"].get_text()
    assert said == {"oscillates", "diverges"}
    panel.set_state(curve="parabola", theta0=1.0)
    assert panel.zone_texts["diverges"].get_text() == "diverges"


def test_a_diverging_run_stops_at_the_limit_and_keeps_the_picture_finite():
    panel = LearningRatePanel(lr=3.0, num_steps=50, curve="double_well", theta0=2.0)
    assert panel.run.escaped_at is not None and panel.run.behaviour == "diverges"
    assert np.all(np.isfinite(panel.loss_line.get_ydata()))
    assert "|θ| passed 10⁶" in panel.readout.value
    assert panel.diverged is None


# --------------------------------------------------------------------- the 2-D contour panel

@pytest.mark.parametrize("condition, angle", [(1.0, 0.0), (10.0, 30.0), (100.0, -60.0)])
def test_the_bowls_hessian_has_eigenvalues_L_and_L_over_kappa(condition, angle):
    H = bowl_hessian(condition, angle)
    eigenvalues = torch.linalg.eigvalsh(torch.tensor(H)).numpy()
    np.testing.assert_allclose(eigenvalues, [BOWL_CURVATURE / condition, BOWL_CURVATURE], rtol=1e-12)
    turn = np.array([np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))])
    np.testing.assert_allclose(H @ turn, BOWL_CURVATURE * turn, atol=1e-12)   # the steep axis is turned


def test_the_chapters_bowl_critical_rate_and_the_first_diverging_rate_on_the_grid():
    panel = QuadraticBowlPanel()
    largest = torch.linalg.eigvalsh(torch.tensor(panel.hessian))[-1].item()
    assert panel.critical_rate == pytest.approx(2 / largest, rel=1e-12)
    assert f"{panel.critical_rate:.4f}" == "0.6667"
    rates = grid(panel.controls["lr"])
    first = rates[rates > panel.critical_rate][0]
    last_safe = rates[rates < panel.critical_rate][-1]
    assert f"{first:.4f}" == "0.7079" and f"{last_safe:.4f}" == "0.6310"
    panel.set_state(lr=float(first))
    assert panel.behaviour_text.get_text() == "diverges"
    panel.set_state(lr=float(last_safe))
    assert panel.behaviour_text.get_text() == "converges"


@pytest.mark.parametrize("lr, condition, angle", [(0.3, 10.0, 30.0), (0.6, 3.0, -45.0), (0.05, 100.0, 80.0)])
def test_the_bowls_path_is_torchs_sgd(lr, condition, angle):
    panel = QuadraticBowlPanel(lr=lr, condition=condition, angle=angle, num_steps=50)
    H = torch.tensor(bowl_hessian(condition, angle))
    expected = torch_sgd(lambda w: 0.5 * w @ H @ w, [-2.5, 1.5], lr, 50)
    np.testing.assert_allclose(panel.run.thetas, expected, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(panel.path.get_xydata(), expected, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(panel.loss_line.get_ydata(),
                               np.maximum(0.5 * np.einsum("ki,ij,kj->k", expected, H.numpy(), expected), 1e-10),
                               rtol=1e-9)


@pytest.mark.parametrize("frame", [0, 1, 5, 20])
def test_the_gradient_arrow_is_torchs_gradient_and_perpendicular_to_the_contour(frame):
    panel = QuadraticBowlPanel(condition=20.0, angle=40.0, w1=-2.0, w2=2.5)
    panel.player.show(frame)
    here = panel.arrow.get_offsets()[0]
    arrow = np.array([panel.arrow.U[0], panel.arrow.V[0]])
    w = torch.tensor(here, requires_grad=True)
    (gradient,) = torch.autograd.grad(0.5 * w @ torch.tensor(panel.hessian) @ w, w)
    gradient = gradient.numpy()
    cosine = arrow @ gradient / (np.linalg.norm(arrow) * np.linalg.norm(gradient))
    assert cosine == pytest.approx(1.0, abs=1e-12)              # the arrow points uphill, along ∇L
    # The dashed contour through the point: the loss is the same all along it ...
    contour = panel.level_line.get_xydata()
    losses = 0.5 * np.einsum("ki,ij,kj->k", contour, panel.hessian, contour)
    np.testing.assert_allclose(losses, panel.run.losses[frame], rtol=1e-12)
    # ... and its tangent at the point nearest the arrow's foot is at right angles to the arrow.
    nearest = int(np.argmin(np.linalg.norm(contour[:-1] - here, axis=1)))
    tangent = contour[nearest + 1] - contour[nearest - 1]
    assert abs(tangent @ arrow) / (np.linalg.norm(tangent) * np.linalg.norm(arrow)) < 0.03
    # Exactly: across the arrow the loss changes only to second order, along it to first order.
    across = np.array([-arrow[1], arrow[0]]) / np.linalg.norm(arrow)

    def loss(w):
        return 0.5 * w @ panel.hessian @ w

    for eps in (1e-3, 1e-4):
        assert abs(loss(here + eps * across) - loss(here)) <= 10 * eps**2
        assert loss(here + eps * arrow) - loss(here) == pytest.approx(
            eps * np.linalg.norm(arrow) * np.linalg.norm(gradient), rel=1e-2)


def test_the_contour_bands_are_level_sets_of_the_loss():
    panel = QuadraticBowlPanel(condition=50.0, angle=-20.0)
    for path in panel.bands.get_paths():
        points = path.vertices
        losses = 0.5 * np.einsum("ki,ij,kj->k", points, panel.hessian, points)
        np.testing.assert_allclose(losses, losses[0], rtol=1e-9)


def test_the_contour_bands_are_drawn_again_only_when_the_bowl_changes():
    panel = QuadraticBowlPanel()
    panel.fig.canvas.draw()
    overlays, full = panel.fig.overlay_draws, panel.fig.full_draws
    for setting in ({"lr": 0.5}, {"w1": 1.0}, {"num_steps": 100}):
        panel.set_state(**setting)
        panel.fig.canvas.draw()
    panel.player.show(3)
    panel.fig.canvas.draw()
    assert panel.fig.overlay_draws == overlays, "moving the path redrew the bands"
    for setting in ({"condition": 50.0}, {"angle": -45.0}):
        panel.set_state(**setting)
        panel.fig.canvas.draw()
        overlays += 1
        assert panel.fig.overlay_draws == overlays, f"{setting} did not redraw the bands"
    assert panel.fig.full_draws == full


def test_on_an_elongated_bowl_the_flat_axis_crawls():
    # At the best safe rate for the steep axis, the flat axis still shrinks by only 1 - lr L / kappa.
    panel = QuadraticBowlPanel(lr=0.3162277660168379, condition=100.0, angle=0.0, w1=-2.5, w2=1.5, num_steps=100)
    H = bowl_hessian(100.0, 0.0)
    lr = panel.state()["lr"]
    np.testing.assert_allclose(panel.run.thetas[-1], [-2.5 * (1 - lr * H[0, 0]) ** 100,
                                                      1.5 * (1 - lr * H[1, 1]) ** 100], rtol=1e-9, atol=1e-30)
    assert abs(panel.run.thetas[-1][1]) > 0.5 and abs(panel.run.thetas[-1][0]) < 1e-6


# ------------------------------------------------------------------------- the schedule panel

TORCH_SCHEDULES = {
    "constant": lambda o, s: None,
    "step": lambda o, s: torch.optim.lr_scheduler.StepLR(o, step_size=s["step_size"], gamma=s["step_gamma"]),
    "exponential": lambda o, s: torch.optim.lr_scheduler.ExponentialLR(o, gamma=s["exp_gamma"]),
    "cosine": lambda o, s: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=s["T_max"]),
}


def torch_schedule_run(name, settings, epochs=30, batch_size=64):
    """Rate per epoch and excess MSE after each epoch of torch's SGD with torch's scheduler."""
    X, y = bmi_regression()
    rng = np.random.default_rng(0)
    w = torch.tensor([-1.0, 1.5], requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=settings["lr"])
    scheduler = TORCH_SCHEDULES[name](optimizer, settings)
    rates, weights = [], [w.detach().numpy().copy()]
    for _ in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(torch.tensor(X[batch]) @ w, torch.tensor(y[batch])).backward()
            optimizer.step()
        weights.append(w.detach().numpy().copy())
        if scheduler is not None:
            scheduler.step()
    return np.array(rates), excess_mse(X, y, np.array(weights))


@pytest.mark.parametrize("settings", [{}, {"lr": 0.3, "step_size": 5, "step_gamma": 0.3, "exp_gamma": 0.8,
                                           "T_max": 20}])
def test_every_schedules_rates_and_losses_are_torchs(settings):
    panel = LRSchedulePanel(**settings)
    state = panel.state()
    for name in TORCH_SCHEDULES:
        rates, losses = torch_schedule_run(name, state)
        np.testing.assert_allclose(panel.rates[name][:30], rates, rtol=RTOL64, err_msg=name)
        np.testing.assert_allclose(panel.losses[name], np.maximum(losses, 1e-8), rtol=1e-7, err_msg=name)
        np.testing.assert_allclose(panel.rate_lines[name].get_ydata()[:30], rates / state["lr"], rtol=RTOL64)


def test_the_schedule_facts_at_epochs_0_10_and_20():
    panel = LRSchedulePanel()
    facts = {name: [round(float(panel.rates[name][e]), 4) for e in (0, 10, 20)] for name in TORCH_SCHEDULES}
    assert facts == {"constant": [0.1, 0.1, 0.1], "step": [0.1, 0.05, 0.025],
                     "exponential": [0.1, 0.0349, 0.0122], "cosine": [0.1, 0.075, 0.025]}


def test_the_chosen_schedule_is_drawn_bold_and_decay_beats_a_constant_rate():
    panel = LRSchedulePanel(lr=0.3, schedule="cosine")
    widths = {name: line.get_linewidth() for name, line in panel.loss_lines.items()}
    assert widths["cosine"] > max(w for name, w in widths.items() if name != "cosine")
    final = {name: panel.losses[name][-1] for name in TORCH_SCHEDULES}
    assert max(final["step"], final["exponential"], final["cosine"]) < final["constant"] / 10


def _display_box(panel, artist):
    panel.fig.canvas.draw()
    return artist.get_window_extent(panel.fig.canvas.get_renderer())


@pytest.mark.parametrize("settings", [{"lr": 1.0, "schedule": "constant"},
                                      {"lr": 1.0, "step_size": 15, "step_gamma": 0.9},
                                      {"lr": 1e-3, "exp_gamma": 0.99}])
def test_every_loss_stays_inside_its_axis_and_the_legend_clear_of_the_rates(settings):
    panel = LRSchedulePanel(**settings)
    low, high = panel.loss_ax.get_ylim()
    for name, line in panel.loss_lines.items():
        assert np.all((low <= line.get_ydata()) & (line.get_ydata() <= high)), name
    legend = _display_box(panel, panel.rate_ax.get_legend())
    for name, line in panel.rate_lines.items():
        tops = panel.rate_ax.transData.transform(line.get_xydata())[:, 1]
        assert tops.max() < legend.y0, f"the legend covers the {name} rates"


# ----------------------------------------------------------------------- the batch-size panel

@pytest.mark.parametrize("batch_size, num_epochs", [(442, 3), (16, 2), (1, 1), (128, 2)])
def test_the_batch_panels_path_is_torchs_sgd_on_the_same_batches(batch_size, num_epochs):
    panel = BatchSizePanel(lr=0.1, batch_size=batch_size, num_epochs=num_epochs, seed=2)
    X, y = bmi_regression()
    rng = np.random.default_rng(2)
    w = torch.tensor([-1.0, 1.5], requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.1)
    path = [w.detach().numpy().copy()]
    for _ in range(num_epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(torch.tensor(X[batch]) @ w, torch.tensor(y[batch])).backward()
            optimizer.step()
            path.append(w.detach().numpy().copy())
    path = np.array(path)
    updates_per_epoch = math.ceil(442 / batch_size)
    assert panel.batches_per_epoch == updates_per_epoch and len(path) == num_epochs * updates_per_epoch + 1
    np.testing.assert_allclose(panel.run.weights, path, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(panel.contours.path.get_xydata(), path, rtol=1e-9, atol=1e-12)
    epochs, excess = panel.epoch_line.get_data()
    np.testing.assert_array_equal(epochs, np.arange(num_epochs + 1))
    np.testing.assert_allclose(excess, np.maximum(excess_mse(X, y, path[::updates_per_epoch]), 1e-6), rtol=1e-9)


def test_full_batch_is_gradient_descent_and_the_readout_names_the_method():
    X, y = bmi_regression()
    panel = BatchSizePanel(lr=0.5, batch_size=442, num_epochs=1)
    # The bowl is round (H = 2 I on standardised data), so lr = 1/L = 0.5 lands on the minimum in one step.
    np.testing.assert_allclose(panel.run.weights[-1], least_squares(X, y), atol=1e-12)
    assert "full-batch gradient descent" in panel.readout.value and "1 updates per epoch" in panel.readout.value
    panel.set_state(batch_size=1)
    assert "stochastic gradient descent" in panel.readout.value and "442 updates per epoch" in panel.readout.value
    panel.set_state(batch_size=16)
    assert "mini-batch SGD" in panel.readout.value and "the last batch of each epoch has 10" in panel.readout.value


def test_small_batches_are_noisy():
    # The same number of epochs at the same rate: the excess loss jumps about far more with batch size 1.
    def roughness(batch_size):
        excess = BatchSizePanel(lr=0.05, batch_size=batch_size, num_epochs=5).excess
        return np.std(np.diff(np.log(excess[len(excess) // 2:])))

    assert roughness(1) > 5 * roughness(64)


def test_the_least_squares_plus_is_drawn_over_the_paths_end_star():
    # The run ends on the minimum: the star must not hide the + that marks it.
    panel = BatchSizePanel()
    drawn = panel.fig.dynamic_artists()
    assert drawn.index(panel.best_marker) > drawn.index(panel.contours.end)
    np.testing.assert_allclose(panel.best_marker.get_xydata()[0], least_squares(*bmi_regression()))
    assert np.linalg.norm(panel.contours.end.get_xydata()[0] - panel.best) < 0.1


def test_a_diverging_batch_run_is_labelled_and_stays_finite():
    panel = BatchSizePanel(lr=1.0, batch_size=1, num_epochs=1)
    assert panel.run.diverged_at is not None and panel.diverged_text.get_visible()
    assert "diverges" in panel.readout.value and panel.diverged is None
    assert np.all(np.isfinite(panel.update_line.get_ydata()))


# ----------------------------------------------------------------------------------- the Player

def test_the_player_steps_resets_and_calls_back_once_per_frame():
    frames = []
    player = Player(frames.append, num_frames=0)
    player.set_num_frames(5, 5, stride=2)
    assert (player.frame, player.num_frames, frames) == (5, 5, [])       # a new run draws nothing itself
    player.reset()
    player.step()
    player.step()
    player.step()
    player.step()
    assert frames == [0, 2, 4, 5, 5] and player.frame == 5
    player.show(-3)
    assert player.frame == 0 and frames[-1] == 0
    assert player.counter.value == "<code>step 0 / 5</code>"
    player.set_num_frames(2, 9)
    assert (player.frame, player.num_frames, player.play.step) == (2, 2, 1)
    player.play.value = 1                                                 # the browser's Play ticking
    assert frames[-1] == 1


def test_a_panel_shows_the_whole_run_after_a_change_and_steps_through_it():
    panel = LearningRatePanel(num_steps=10)
    assert panel.player.frame == panel.player.num_frames == 10
    assert "player" not in panel.state() and "frame" not in panel.state()
    panel.player.reset()
    assert len(panel.path.get_xdata()) == 1 and panel.current.get_xdata()[0] == 1.0
    panel.player.step()
    assert len(panel.path.get_xdata()) == 2 and panel.current.get_xdata()[0] == pytest.approx(0.8)
    panel.set_state(num_steps=20)
    assert panel.player.frame == panel.player.num_frames == 20 and len(panel.path.get_xdata()) == 21
    assert panel.player.widget in panel.widget.children[0].children


def test_every_stepping_panel_redraws_only_its_dynamic_layer_when_it_plays():
    for cls in (LearningRatePanel, QuadraticBowlPanel, LRSchedulePanel, BatchSizePanel):
        panel = cls()
        panel.fig.canvas.draw()
        full = panel.fig.full_draws
        for frame in range(0, panel.player.num_frames + 1, max(1, panel.player.num_frames // 5)):
            panel.player.show(frame)
            panel.fig.canvas.draw()
        assert panel.fig.full_draws == full, cls.__name__
