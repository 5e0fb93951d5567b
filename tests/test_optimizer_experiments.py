"""mlcore.optimizer_experiments: the numbers behind chapter 6's decision table, against PyTorch."""

import numpy as np
import pytest
import torch

from mlcore.optim import Adam, AdamW
from mlcore.optimizer_experiments import (best_rate, decay_effect, escape_steps, noisy_floor, outlier_slopes,
                                          saturated_gradients, steps_to_tolerance)
from mlcore.optimizer_runs import run_on, steps_to
from mlcore.surfaces import SURFACES
from oracle import RTOL64


def test_steps_to_tolerance_stops_early_at_the_same_step_a_full_run_finds():
    bowl = SURFACES["bowl"]
    for name, lr in (("sgd", 0.6), ("momentum", 0.1), ("adam", 0.2)):
        assert steps_to_tolerance(bowl, name, lr, 1e-6, 400) == steps_to(run_on(bowl, name, lr, 400).losses, 1e-6)
    assert steps_to_tolerance(bowl, "sgd", 1e-3, 1e-6, 50) is None
    assert steps_to_tolerance(bowl, "sgd", 0.8, 1e-6, 500) is None, "a diverging rate never gets there"


def test_best_rate_is_the_fastest_of_the_grid():
    bowl = SURFACES["bowl"]
    rates = (0.1, 0.3, 0.6, 0.9)
    lr, steps, count = best_rate(bowl, "sgd", rates)
    by_rate = {r: steps_to_tolerance(bowl, "sgd", r, 1e-6, 500) for r in rates}
    assert lr == 0.6 and steps == by_rate[0.6] == min(k for k in by_rate.values() if k is not None)
    assert count == 3  # 0.9 > 2/L diverges
    assert best_rate(bowl, "sgd", (0.9, 1.0)) == (None, None, 0)


def test_noisy_floor_averages_the_last_losses_of_the_lowest_rate():
    surface = SURFACES["noisy_bowl"]
    lr, floor = noisy_floor(surface, "sgd", rates=(0.01, 0.05), num_steps=200, last=50)
    floors = {r: run_on(surface, "sgd", r, 200).losses[-50:].mean() for r in (0.01, 0.05)}
    assert lr == min(floors, key=floors.get) and floor == pytest.approx(floors[lr])


def test_a_decaying_rate_is_torchs_sgd_with_cosine_annealing_on_the_same_noise():
    surface, lr, num_steps, last = SURFACES["noisy_bowl"], 0.05, 200, 50
    rng = np.random.default_rng(0)  # the noise SurfaceRun(seed=0) draws
    w = torch.tensor(surface.start, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=num_steps)
    losses = [surface.value(*surface.start)]
    for _ in range(num_steps):
        w.grad = torch.tensor(surface.noisy_gradient(w.detach().numpy(), rng))
        optimizer.step()
        schedule.step()
        losses.append(surface.value(*w.detach().numpy()))
    found_lr, floor = noisy_floor(surface, "sgd", rates=(lr,), num_steps=num_steps, last=last, decay=True)
    assert found_lr == lr and floor == pytest.approx(np.mean(losses[-last:]), rel=RTOL64)
    # The chapter's experiment: each at its best rate of the grid, 500 steps, the last 100 averaged.
    assert noisy_floor(surface, "sgd", decay=True)[1] < noisy_floor(surface, "sgd")[1] / 10, \
        "a rate that decays lets the bouncing die down"


def test_escape_steps_is_the_first_step_past_the_distance():
    saddle = SURFACES["saddle"]
    k = escape_steps(saddle, "sgd", 0.01, (-3.5, 0.05))
    points = run_on(saddle, "sgd", 0.01, k, start=(-3.5, 0.05)).points
    assert abs(points[k, 1]) >= 1.0 > np.max(np.abs(points[:k, 1]))
    assert escape_steps(saddle, "sgd", 0.01, (-3.5, 0.0), max_steps=300) is None


@pytest.mark.parametrize("ours, theirs", [(Adam, torch.optim.Adam), (AdamW, torch.optim.AdamW)])
def test_decay_effect_equals_torchs(ours, theirs):
    scales, weight_decay, lr, num_steps = (1.0, 100.0), 0.1, 0.01, 200
    noise = np.random.default_rng(0).standard_normal((num_steps, 2)) * np.asarray(scales)
    ends = []
    for decay in (weight_decay, 0.0):
        w = torch.ones(2, requires_grad=True)
        optimizer = theirs([w], lr=lr, weight_decay=decay)
        for g in noise:
            w.grad = torch.tensor(g)
            optimizer.step()
        ends.append(w.detach().numpy())
    np.testing.assert_allclose(decay_effect(ours, scales, weight_decay, lr, num_steps), np.abs(ends[1] - ends[0]),
                               rtol=1e-9, atol=1e-14)


def test_adams_l2_decay_spares_large_gradients_and_adamws_does_not():
    l2, decoupled = decay_effect(Adam), decay_effect(AdamW)
    assert l2[0] / l2[1] > 50 and decoupled[0] / decoupled[1] < 1.5


def test_outlier_slopes_equal_torch_training_the_same_line():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.0, 1.0, 30)
    y = 2.0 * x + 1.0 + 0.1 * rng.standard_normal(30)
    y[-3:] += 30.0
    X, Y = torch.tensor(x), torch.tensor(y)
    slopes = outlier_slopes()
    for name, loss_fn in (("mse", torch.nn.functional.mse_loss), ("huber", torch.nn.functional.huber_loss)):
        w, b = torch.zeros((), requires_grad=True), torch.zeros((), requires_grad=True)
        sgd = torch.optim.SGD([w, b], lr=0.05, momentum=0.9)
        for _ in range(1000):
            sgd.zero_grad()
            loss_fn(w * X + b, Y).backward()
            sgd.step()
        assert slopes[name] == pytest.approx(w.item(), rel=1e-9)
    assert abs(slopes["huber"] - 2.0) < 0.2 < abs(slopes["mse"] - 2.0)


def test_saturated_gradients_equal_torchs():
    grads = saturated_gradients(-8.0)
    z = torch.tensor([-8.0], requires_grad=True)
    torch.nn.functional.binary_cross_entropy(torch.sigmoid(z), torch.ones(1)).backward()
    assert grads["bce"] == pytest.approx(z.grad.item(), rel=RTOL64)
    z.grad = None
    torch.nn.functional.mse_loss(torch.sigmoid(z), torch.ones(1)).backward()
    assert grads["mse"] == pytest.approx(z.grad.item(), rel=RTOL64)
    assert grads["bce"] / grads["mse"] > 1000
