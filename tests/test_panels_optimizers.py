"""Chapter 6's panels, driven headless: the race, momentum with its phase diagram, Adam's moments.

What the panels draw is checked against PyTorch: the race's paths against
torch.optim with torch's autograd on the same surface, the momentum panel's
run and rates against torch.optim.SGD and torch's eigenvalues, the Adam panel's
moments against torch.optim.Adam's state. Every warning is an error: a
diverged optimizer must be shown, not printed.
"""

import matplotlib.colors
import numpy as np
import pytest
import torch

from mlcore.momentum_theory import momentum_matrix, momentum_rate, optimal_gd, optimal_momentum
from mlcore.optimizer_runs import OPTIMIZERS
from mlcore.plots.style import COLORS
from mlcore.surfaces import SURFACES, bowl_hessian
from mlcore.widgets import AdamMomentsPanel, MomentumPanel, OptimizerRacePanel
from mlcore.widgets.adam_moments import LR, gradient_stream
from mlcore.widgets.controls import sweep_values
from mlcore.widgets.momentum import rate_colors
from mlcore.widgets.optimizer_race import BOX, CROSS_GAP, LOSS_RANGES, OPTIMIZER_STYLES
from oracle import RTOL64

pytestmark = pytest.mark.filterwarnings("error")

PANELS = [OptimizerRacePanel, MomentumPanel, AdamMomentsPanel]
TORCH = {
    "sgd": lambda p, lr, beta: torch.optim.SGD(p, lr=lr),
    "momentum": lambda p, lr, beta: torch.optim.SGD(p, lr=lr, momentum=beta),
    "nesterov": lambda p, lr, beta: torch.optim.SGD(p, lr=lr, momentum=beta, nesterov=True),
    "adagrad": lambda p, lr, beta: torch.optim.Adagrad(p, lr=lr),
    "rmsprop": lambda p, lr, beta: torch.optim.RMSprop(p, lr=lr),
    "adam": lambda p, lr, beta: torch.optim.Adam(p, lr=lr),
    "adamw": lambda p, lr, beta: torch.optim.AdamW(p, lr=lr),
}


def torch_points(surface, name, lr, beta, start, num_steps):
    w = torch.tensor(start, requires_grad=True)
    optimizer = TORCH[name]([w], lr, beta)
    points = [w.detach().numpy().copy()]
    for _ in range(num_steps):
        optimizer.zero_grad()
        surface.value(w[0], w[1]).backward()
        optimizer.step()
        points.append(w.detach().numpy().copy())
    return np.array(points)


# ------------------------------------------------------------------ every chapter 6 panel

@pytest.mark.parametrize("cls", PANELS, ids=lambda cls: cls.__name__)
def test_registered_for_chapter_6_and_rebuilt_from_its_state(cls):
    panel = cls()
    assert cls.chapter == 6
    changed = {name: sweep_values(control, 3)[1] for name, control in panel.controls.items()}
    panel.set_state(changed)
    rebuilt = cls(**panel.state())
    assert rebuilt.state() == panel.state()
    assert rebuilt.readout.value == panel.readout.value


@pytest.mark.parametrize("cls", PANELS, ids=lambda cls: cls.__name__)
def test_jumps_across_the_range_and_set_state_keep_the_cached_background(cls):
    panel = cls()
    panel.fig.canvas.draw()
    full_draws = panel.fig.full_draws
    for name, control in panel.controls.items():
        values = sweep_values(control, 6)
        for value in values[::2] + values[1::2]:  # from the lower part of the range to the upper and back
            control.value = value
            panel.fig.canvas.draw()
            assert panel.fig.full_draws == full_draws, f"{name}={value!r} redrew the background"
    for k in range(4):
        panel.set_state({name: sweep_values(control, 4)[k] for name, control in panel.controls.items()})
        panel.fig.canvas.draw()
        assert panel.fig.full_draws == full_draws


# ------------------------------------------------------------------------------- the race

def test_race_paths_are_torch_optims_on_the_same_surface():
    race = OptimizerRacePanel()
    surface, start = SURFACES["bowl"], (-2.5, 1.5)
    state = race.state()
    for name in OPTIMIZERS:
        expected = torch_points(surface, name, state[f"lr_{name}"], state["beta"], start, 100)
        np.testing.assert_allclose(race.runs[name].points, expected, rtol=RTOL64, atol=1e-12)
        np.testing.assert_allclose(race.paths[name].get_xydata(), expected, rtol=RTOL64, atol=1e-12)
        steps, losses = race.loss_lines[name].get_data()
        np.testing.assert_array_equal(steps, np.arange(101))
        np.testing.assert_allclose(losses, np.clip([surface.value(*p) for p in expected], 1e-12, 1e6), rtol=1e-9)
    assert race.player.frame == 100


def test_race_on_rosenbrock_marks_the_diverged_and_races_the_others_on():
    race = OptimizerRacePanel(surface="rosenbrock")
    results = race.results()
    for name in ("sgd", "momentum", "nesterov"):
        assert results[name]["diverged_at"] == 2
        cross = race.crosses[name].get_xydata()
        assert len(cross) == 1 and race.heads[name].get_xydata().size == 0
        # where the first step leaves the picture: on its right edge, on the segment from the start
        start, first = race.runs[name].points[:2]
        along = (BOX - start[0]) / (first[0] - start[0])
        np.testing.assert_allclose(cross[0], start + along * (first - start), rtol=1e-12)
        assert cross[0, 0] == BOX
        assert len(race.loss_lines[name].get_xdata()) == 3, "the loss curve ends where the run stopped"
        np.testing.assert_allclose(race.loss_ends[name].get_xydata(), [[2, LOSS_RANGES["rosenbrock"][1]]])
    for name in ("adagrad", "rmsprop", "adam", "adamw"):
        assert results[name]["diverged_at"] is None and results[name]["step"] == 100
        assert race.crosses[name].get_xydata().size == 0 and race.loss_ends[name].get_xydata().size == 0
    assert race.readout.value.count("diverged at step 2") == 3
    assert race.diverged is None, "one optimizer diverging is not the panel diverging"


def drawn_at(cross):
    """Where a one-point marker line is drawn, in pixels."""
    return cross.get_transform().transform(cross.get_xydata()[0])


def test_race_crosses_at_one_point_are_drawn_side_by_side_along_the_edge():
    race = OptimizerRacePanel(surface="rosenbrock")   # SGD, momentum and Nesterov leave at one point
    gap = CROSS_GAP * race.fig.dpi
    for crosses, along in ((race.crosses, 1), (race.loss_ends, 0)):
        data = [crosses[name].get_xydata()[0] for name in ("sgd", "momentum", "nesterov")]
        drawn = np.array([drawn_at(crosses[name]) for name in ("sgd", "momentum", "nesterov")])
        np.testing.assert_allclose(data[0], data[1], atol=0.05)   # the runs' own points stay where they are
        assert np.all(np.diff(drawn[:, along]) == pytest.approx(gap)), "one gap apart along the edge"
        np.testing.assert_allclose(drawn[:, 1 - along], drawn[0, 1 - along])
    # On the losses the first cross stays at the step where its run stopped.
    np.testing.assert_allclose(drawn_at(race.loss_ends["sgd"]),
                               race.loss_scale.transform.transform(race.loss_ends["sgd"].get_xydata()[0]))
    race.set_state(surface="bowl")
    assert all(len(race.crosses[name].get_xydata()) == 0 for name in OPTIMIZERS)


def test_race_loss_axis_follows_the_surface_and_shades_the_steps_not_run():
    race = OptimizerRacePanel(num_steps=50)
    race.fig.canvas.draw()
    for name in SURFACES:
        race.set_state(surface=name)
        bottom, top = LOSS_RANGES[name]
        assert (race.loss_scale.bottom, race.loss_scale.top) == (bottom, top)
        for line in race.loss_lines.values():
            if len(line.get_ydata()):
                assert bottom <= line.get_ydata().min() and line.get_ydata().max() <= top
        race.fig.canvas.draw()
        assert race.fig.background_valid, "a new loss range redraws no background"
    race.set_state(surface="rosenbrock")
    shown = [label.get_text() for label in race.loss_scale.labels if label.get_visible()]
    assert shown == [f"$\\mathdefault{{10^{{{k}}}}}$" for k in (-4, -2, 0, 2, 4)]
    assert (race.not_run.get_x(), race.not_run.get_x() + race.not_run.get_width()) == (50, 202)
    assert race.not_run.get_visible()
    race.set_state(num_steps=200)
    assert not race.not_run.get_visible(), "a run of the whole axis leaves nothing shaded"


def test_race_recomputes_only_the_optimizer_whose_rate_moved():
    race = OptimizerRacePanel()
    before = dict(race.runs)
    race.set_state(lr_adam=0.01)
    assert race.runs["adam"] is not before["adam"]
    assert all(race.runs[name] is before[name] for name in OPTIMIZERS if name != "adam")
    race.set_state(beta=0.5)
    assert {name for name in OPTIMIZERS if race.runs[name] is not before[name]} == {"adam", "momentum", "nesterov"}


def test_race_steps_one_frame_at_a_time_and_resets():
    race = OptimizerRacePanel(num_steps=50)
    race.player.reset()
    assert all(len(race.paths[name].get_xdata()) == 1 for name in OPTIMIZERS)
    race.player.step()
    race.player.step()
    assert all(len(race.paths[name].get_xdata()) == 3 for name in OPTIMIZERS)
    assert race.readout.value.startswith("<b>bowl (κ = 10)</b>") and "step 2;" in race.readout.value
    race.player.show(50)
    race.player.step()
    assert race.player.frame == 50


def test_race_optimizers_that_are_off_draw_nothing_and_are_listed():
    race = OptimizerRacePanel(adagrad=False, adamw=False)
    assert set(race.runs) == set(OPTIMIZERS) - {"adagrad", "adamw"}
    assert race.paths["adagrad"].get_xydata().size == 0 and race.loss_lines["adamw"].get_xydata().size == 0
    assert race.readout.value.count(">off<") == 2


def test_race_colours_are_okabe_ito_distinct_and_variants_dashed():
    colors = [OPTIMIZER_STYLES[name][0] for name in OPTIMIZERS]
    assert len(set(colors)) == 7 and set(colors) <= set(COLORS.values())
    assert COLORS["yellow"] not in colors, "yellow would vanish on the light bands"
    assert {name for name, (_, style) in OPTIMIZER_STYLES.items() if style == "--"} == {"nesterov", "adamw"}
    race = OptimizerRacePanel()
    for name in OPTIMIZERS:
        assert matplotlib.colors.to_hex(race.paths[name].get_color()) == OPTIMIZER_STYLES[name][0].lower()


def test_race_surface_switch_draws_that_surfaces_contours_and_minima():
    race = OptimizerRacePanel()
    for name, surface in SURFACES.items():
        race.set_state(surface=name)
        np.testing.assert_allclose(race.minima.get_xydata(), surface.minima)
        top = surface.value(*race.contours.grid).max()
        assert race.contours.levels[0] == pytest.approx(top)


def test_race_on_the_noisy_bowl_feeds_every_optimizer_the_same_noise():
    race = OptimizerRacePanel(surface="noisy_bowl", momentum=True, beta=0.0, lr_momentum=0.3)
    # Momentum with beta = 0 is SGD: with the same noise, the two paths coincide.
    np.testing.assert_allclose(race.runs["momentum"].points, race.runs["sgd"].points, rtol=1e-14)
    assert race.runs["nesterov"].optimizer.param_groups[0]["nesterov"] is False


# --------------------------------------------------------------------------- momentum panel

def test_momentum_panel_runs_torch_sgd_with_momentum_on_chapter_threes_bowl():
    panel = MomentumPanel(condition=100.0, alpha=0.5, beta=0.6, num_steps=200)
    H = torch.tensor(bowl_hessian(100.0, 30.0))
    w = torch.tensor([-2.5, 1.5], requires_grad=True)
    sgd = torch.optim.SGD([w], lr=0.5, momentum=0.6)
    points = [w.detach().numpy().copy()]
    for _ in range(200):
        sgd.zero_grad()
        (0.5 * w @ H @ w).backward()
        sgd.step()
        points.append(w.detach().numpy().copy())
    np.testing.assert_allclose(panel.run.points, points, rtol=RTOL64, atol=1e-13)
    np.testing.assert_allclose(panel.path.get_xydata(), points, rtol=RTOL64, atol=1e-13)
    np.testing.assert_allclose(panel.error_line.get_ydata(), np.clip(np.linalg.norm(points, axis=1), 1e-10, 1e6),
                               rtol=1e-9)


def test_momentum_panel_rate_and_optimum_agree_with_torchs_eigenvalues():
    panel = MomentumPanel(condition=10.0, alpha=0.3, beta=0.7)
    L, mu = 3.0, 0.3
    theirs = max(torch.linalg.eigvals(torch.tensor(momentum_matrix(0.3, 0.7, lam))).abs().max().item()
                 for lam in (L, mu))
    assert panel.rate == pytest.approx(theirs, rel=1e-9)
    alpha_star, beta_star, rate_star = optimal_momentum(L, mu)
    assert panel.optimum == pytest.approx((alpha_star, beta_star, rate_star))
    np.testing.assert_allclose(panel.optimum_marker.get_xydata(), [[np.log10(alpha_star), beta_star]])
    np.testing.assert_allclose(panel.setting_marker.get_xydata(), [[np.log10(0.3), 0.7]])
    assert panel.alpha_marks[0].get_xdata()[0] == pytest.approx(alpha_star)
    assert panel.beta_marks[0].get_xdata()[0] == pytest.approx(beta_star)
    assert panel.alpha_marks[1].get_xydata()[0, 0] == pytest.approx(0.3)
    every = np.arange(len(panel.envelope.get_xdata()))
    np.testing.assert_allclose(panel.envelope.get_ydata(), np.clip(np.linalg.norm([-2.5, 1.5]) * theirs**every,
                                                                   1e-10, 1e6), rtol=1e-9)
    rate_gd = optimal_gd(L, mu)[1]
    assert panel.gd_line.get_ydata()[10] == pytest.approx(np.linalg.norm([-2.5, 1.5]) * rate_gd**10)


def test_momentum_phase_diagram_colours_every_cell_by_its_rate():
    panel = MomentumPanel(condition=100.0)
    alphas, betas = np.meshgrid(10.0 ** panel._log_alphas, panel._betas)
    rates = momentum_rate(alphas, betas, [3.0, 0.03])
    np.testing.assert_array_equal(panel.phase.get_array(), rate_colors(rates))
    grey = np.array(matplotlib.colors.to_rgba("#d9d9d9")) * 255
    diverging = rates >= 1
    assert diverging.any() and (~diverging).any()
    np.testing.assert_allclose(panel.phase.get_array()[diverging][:, :3], np.round(grey[:3]) * np.ones((diverging.sum(), 3)))


def test_momentum_panel_past_the_edge_diverges_on_the_plot_not_in_warnings():
    panel = MomentumPanel(condition=10.0, alpha=1.5, beta=0.1)
    assert panel.rate > 1 and panel.run.diverged_at is not None
    assert "diverges" in panel.readout.value and "passed 10⁶" in panel.readout.value
    assert panel.diverged is None
    edge = 2 * 1.1 / 3.0
    assert panel.diverge_zone.get_x() == pytest.approx(edge)


def test_momentum_panel_draws_to_the_runs_last_step_and_shades_the_rest():
    panel = MomentumPanel(num_steps=100)
    for line in (panel.error_line, panel.envelope, panel.gd_line):
        assert line.get_xdata()[-1] == 100, "no curve runs past the 100 steps of the run"
    assert (panel.not_run.get_x(), panel.not_run.get_x() + panel.not_run.get_width()) == (100, 201)
    assert panel.not_run.get_visible()
    panel.set_state(num_steps=200)
    assert panel.envelope.get_xdata()[-1] == 200 and not panel.not_run.get_visible()
    assert "shaded: momentum diverges" in panel.alpha_ax.get_xlabel()


def test_momentum_steps_to_tolerance_reads_the_run():
    panel = MomentumPanel(condition=10.0, alpha=float(optimal_momentum(3.0, 0.3)[0]), beta=0.27, num_steps=100)
    k = panel.steps_to_tolerance()
    errors = np.linalg.norm(panel.run.points, axis=1) / np.linalg.norm([-2.5, 1.5])
    assert errors[k] <= 1e-6 < errors[k - 1]


# ------------------------------------------------------------------------------ Adam panel

@pytest.mark.parametrize("beta1, beta2, noise, eps", [(0.9, 0.999, 0.5, 1e-8), (0.0, 0.9999, 2.0, 1e-3),
                                                      (0.5, 0.9, 0.0, 1.0)])
def test_adam_moments_are_torch_adams_state(beta1, beta2, noise, eps):
    panel = AdamMomentsPanel(beta1=beta1, beta2=beta2, noise=noise, eps=eps)
    theta = torch.zeros(1, requires_grad=True)
    adam = torch.optim.Adam([theta], lr=LR, betas=(beta1, beta2), eps=eps)
    m, v, steps = [], [], []
    for g in gradient_stream(noise):
        before = theta.item()
        theta.grad = torch.tensor([g])
        adam.step()
        m.append(adam.state[theta]["exp_avg"].item())
        v.append(adam.state[theta]["exp_avg_sq"].item())
        steps.append(before - theta.item())
    np.testing.assert_allclose(panel.m, m, rtol=RTOL64, atol=1e-15)
    np.testing.assert_allclose(panel.v, v, rtol=RTOL64, atol=1e-15)
    np.testing.assert_allclose(panel.steps, steps, rtol=1e-9, atol=1e-15)
    t = np.arange(1, 201)
    np.testing.assert_allclose(panel.steps, LR * panel.m_hat / (np.sqrt(panel.v_hat) + eps), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(panel.m_hat, np.array(m) / (1 - beta1**t), rtol=1e-12)
    np.testing.assert_allclose(panel.step_line.get_ydata(), np.clip(np.array(steps) / LR, -4, 12), rtol=1e-9)


def test_adam_first_step_is_lr_with_correction_and_larger_without():
    panel = AdamMomentsPanel(beta1=0.9, beta2=0.999, noise=0.5, eps=1e-8)
    assert panel.steps[0] == pytest.approx(LR, rel=1e-7)
    assert panel.uncorrected[0] == pytest.approx(LR * 0.1 / np.sqrt(0.001), rel=1e-6)  # eps: 1e-8 against 0.03
    panel.set_state(beta2=0.9999)
    assert panel.uncorrected[0] == pytest.approx(10 * LR, rel=1e-5)
    assert "3.162" not in panel.readout.value and "10.000 lr" in panel.readout.value


def test_adam_gradient_stream_flips_its_mean_halfway():
    grads = gradient_stream(0.0)
    assert np.all(grads[:100] == 1.0) and np.all(grads[100:] == -1.0)
    np.testing.assert_array_equal(gradient_stream(0.5), gradient_stream(0.5))
