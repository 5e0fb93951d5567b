"""mlcore.optimizer_runs: mlcore.optim's classes on a surface, against torch.optim with torch's autograd."""

import numpy as np
import pytest
import torch

from mlcore.optim import SGD, AdamW
from mlcore.optimizer_runs import OPTIMIZERS, SurfaceRun, make_optimizer, run_on, steps_to
from mlcore.surfaces import SURFACES
from oracle import RTOL64

pytestmark = pytest.mark.filterwarnings("error")

TORCH = {
    "sgd": lambda p, lr, beta: torch.optim.SGD(p, lr=lr),
    "momentum": lambda p, lr, beta: torch.optim.SGD(p, lr=lr, momentum=beta),
    "nesterov": lambda p, lr, beta: torch.optim.SGD(p, lr=lr, momentum=beta, nesterov=True),
    "adagrad": lambda p, lr, beta: torch.optim.Adagrad(p, lr=lr),
    "rmsprop": lambda p, lr, beta: torch.optim.RMSprop(p, lr=lr),
    "adam": lambda p, lr, beta: torch.optim.Adam(p, lr=lr),
    "adamw": lambda p, lr, beta: torch.optim.AdamW(p, lr=lr),
}
# (surface, lr for the SGD family, lr for the adaptive ones): rates at which nothing diverges.
PROBLEMS = [("bowl", 0.1, 0.1), ("rosenbrock", 2e-4, 0.02), ("himmelblau", 0.002, 0.05), ("saddle", 0.05, 0.05)]


def torch_run(surface, name, lr, beta, num_steps, noise=None):
    w = torch.tensor(surface.start, requires_grad=True)
    optimizer = TORCH[name]([w], lr, beta)
    points = [w.detach().numpy().copy()]
    for step in range(num_steps):
        optimizer.zero_grad()
        surface.value(w[0], w[1]).backward()
        if noise is not None:
            w.grad += torch.tensor(noise[step])
        optimizer.step()
        points.append(w.detach().numpy().copy())
    return np.array(points)


@pytest.mark.parametrize("surface_name, sgd_lr, adaptive_lr", PROBLEMS)
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_follows_torch_for_100_steps(name, surface_name, sgd_lr, adaptive_lr):
    surface = SURFACES[surface_name]
    lr = sgd_lr if name in ("sgd", "momentum", "nesterov") else adaptive_lr
    run = run_on(surface, name, lr, 100, beta=0.9)
    assert run.diverged_at is None and run.num_steps == 100
    np.testing.assert_allclose(run.points, torch_run(surface, name, lr, 0.9, 100), rtol=RTOL64, atol=1e-12)
    np.testing.assert_allclose(run.losses, [surface.value(*p) for p in run.points], rtol=1e-14)


def test_the_noisy_bowl_adds_the_seeded_noise_to_every_gradient():
    surface = SURFACES["noisy_bowl"]
    noise = surface.noise * np.random.default_rng(7).standard_normal((50, 2))
    run = SurfaceRun(surface, "adam", 0.05, surface.start, seed=7).advance_to(50)
    np.testing.assert_allclose(run.points, torch_run(surface, "adam", 0.05, 0.9, 50, noise), rtol=RTOL64, atol=1e-12)
    again = SurfaceRun(surface, "sgd", 0.05, surface.start, seed=7).advance_to(50)
    other = SurfaceRun(surface, "sgd", 0.05, surface.start, seed=8).advance_to(50)
    np.testing.assert_allclose(again.points, torch_run(surface, "sgd", 0.05, 0.9, 50, noise), rtol=RTOL64, atol=1e-12)
    assert not np.allclose(again.points, other.points)


def test_a_run_is_extended_step_by_step_and_not_recomputed():
    surface = SURFACES["bowl"]
    run = SurfaceRun(surface, "momentum", 0.1, surface.start, beta=0.9)
    assert run.num_steps == 0 and run.points.shape == (1, 2)
    first = run.advance_to(10).points.copy()
    run.advance_to(5)
    assert run.num_steps == 10
    np.testing.assert_array_equal(run.advance_to(30).points[:11], first)
    np.testing.assert_allclose(run.points, run_on(surface, "momentum", 0.1, 30, beta=0.9).points, rtol=0, atol=0)


def test_a_diverging_run_stops_where_it_leaves_the_box_without_warnings():
    surface = SURFACES["rosenbrock"]
    run = run_on(surface, "sgd", 0.3, 100)
    assert run.diverged_at == 2 and run.num_steps == 2
    assert np.max(np.abs(run.points[-1])) > 1e6 and np.max(np.abs(run.points[-2])) <= 1e6
    assert np.all(np.isfinite(run.losses))
    run.advance_to(200)
    assert run.num_steps == 2, "a diverged run takes no more steps"


def test_a_floating_point_error_raised_by_the_caller_ends_the_run_as_divergence():
    surface = SURFACES["rosenbrock"]
    with np.errstate(over="raise"):
        run = run_on(surface, "momentum", 3.0, 100, beta=0.99, limit=1e300)
    assert run.diverged_at is not None and np.all(np.isfinite(run.points))


def test_the_optimizers_are_mlcores_own_classes_with_torchs_defaults():
    w = SurfaceRun(SURFACES["bowl"], "adamw", 0.1, (0.0, 0.0)).optimizer
    assert type(w) is AdamW and w.param_groups[0]["weight_decay"] == 0.01
    nesterov = make_optimizer("nesterov", [SurfaceRun(SURFACES["bowl"], "sgd", 0.1, (0, 0)).w], 0.1, beta=0.0)
    assert type(nesterov) is SGD and nesterov.param_groups[0]["nesterov"] is False  # beta 0: plain GD
    assert [spec.label for spec in OPTIMIZERS.values()] == ["SGD", "momentum", "Nesterov", "Adagrad", "RMSprop",
                                                            "Adam", "AdamW"]


def test_steps_to_a_tolerance():
    assert steps_to([5.0, 1.0, 1e-7, 1e-9], 1e-6) == 2
    assert steps_to([5.0, 1.0], 1e-6) is None


def test_bad_input_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match="no optimizer named 'adamax'; the chapter's optimizers are sgd, momentum"):
        make_optimizer("adamax", [], 0.1)
    with pytest.raises(ValueError, match=r"starts from a pair \(w1, w2\)"):
        SurfaceRun(SURFACES["bowl"], "sgd", 0.1, (1.0, 2.0, 3.0))
