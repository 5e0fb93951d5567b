"""mlcore.descent and mlcore.linear_sgd: the gradient-descent runs of chapter 3, against PyTorch."""

import numpy as np
import pytest
import torch

import mlcore
from mlcore.data import bmi_regression
from mlcore.descent import behaviour, critical_rate, descend
from mlcore.linear_sgd import excess_mse, fit_linear_sgd, fit_linear_sgd_runs, least_squares, mse_weight_gradient
from mlcore.optim import lr_scheduler
from oracle import RTOL64


def torch_descent(loss_fn, theta0, lr, num_steps):
    theta = torch.tensor(np.array(theta0, dtype=np.float64), requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=lr)
    thetas = [theta.detach().clone()]
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss_fn(theta).backward()
        optimizer.step()
        thetas.append(theta.detach().clone())
    return torch.stack(thetas).numpy()


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.5, 0.9, 1.0])
def test_descend_on_the_parabola_is_torchs_sgd_and_the_factor_one_minus_2lr(lr):
    run = descend(lambda theta: theta * theta, 1.0, lr, 12)
    np.testing.assert_allclose(run.thetas, torch_descent(lambda t: t * t, 1.0, lr, 12), rtol=RTOL64, atol=1e-15)
    np.testing.assert_allclose(run.thetas, (1 - 2 * lr) ** np.arange(13), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(run.losses, run.thetas**2, rtol=1e-12)
    np.testing.assert_allclose(run.grads, 2 * run.thetas, rtol=1e-12)


def test_descend_in_two_dimensions_is_torchs_sgd():
    H = np.array([[2.325, 1.1691343], [1.1691343, 0.975]])
    run = descend(lambda w: 0.5 * (w * (mlcore.tensor(H) @ w)).sum(), [-2.5, 1.5], 0.3, 20)
    expected = torch_descent(lambda w: 0.5 * w @ torch.tensor(H) @ w, [-2.5, 1.5], 0.3, 20)
    np.testing.assert_allclose(run.thetas, expected, rtol=RTOL64, atol=1e-15)


def test_the_course_facts_on_theta_squared():
    assert f"{descend(lambda t: t * t, 1.0, 0.1, 10).thetas[-1]:.4f}" == "0.1074"       # 0.8**10
    assert descend(lambda t: t * t, 1.0, 1.0, 10).thetas.tolist() == [1.0, -1.0] * 5 + [1.0]
    assert f"{abs(descend(lambda t: t * t, 1.0, 1.1, 10).thetas[-1]):.4f}" == "6.1917"  # 1.2**10


@pytest.mark.parametrize("lr, expected", [(0.001, "converges"), (0.4, "converges"), (0.5, "converges"),
                                          (0.8, "converges"), (1.0, "oscillates"), (1.001, "diverges"),
                                          (2.5, "diverges")])
def test_behaviour_on_the_parabola_follows_the_factor_one_minus_lr_L(lr, expected):
    assert descend(lambda t: t * t, 1.0, lr, 10).behaviour == expected
    factor = abs(1 - 2 * lr)
    assert expected == ("converges" if factor < 1 else "oscillates" if factor == 1 else "diverges")


def test_a_run_that_leaves_the_limit_stops_there_and_diverges():
    run = descend(lambda t: t * t, 1.0, 3.0, 50, limit=1e6)
    assert run.escaped_at == 9 and len(run.thetas) == 10      # 5**9 > 1e6 > 5**8
    assert np.all(np.isfinite(run.losses)) and run.behaviour == "diverges"


def test_behaviour_needs_two_steps_and_a_start_at_the_minimum_converges():
    with pytest.raises(ValueError, match="needs at least 2 steps"):
        behaviour(np.ones((2, 1)))
    assert descend(lambda t: t * t, 0.0, 0.1, 5).behaviour == "converges"
    with pytest.raises(ValueError, match="num_steps must be a whole number >= 0"):
        descend(lambda t: t * t, 1.0, 0.1, 2.5)


@pytest.mark.parametrize("H", [np.array([[2.0]]), np.diag([1.0, 10.0]),
                               np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])])
def test_critical_rate_is_two_over_torchs_largest_eigenvalue(H):
    expected = 2 / torch.linalg.eigvalsh(torch.tensor(H))[-1].item()
    assert critical_rate(H) == pytest.approx(expected, rel=RTOL64)

    def bowl(w):
        return 0.5 * (w * (mlcore.tensor(H) @ w)).sum()

    assert descend(bowl, np.ones(len(H)), 0.99 * critical_rate(H), 400).behaviour == "converges"
    assert descend(bowl, np.ones(len(H)), 1.01 * critical_rate(H), 400).behaviour == "diverges"


@pytest.mark.parametrize("H, message", [(np.array([[1.0, 2.0], [0.0, 1.0]]), "that is not symmetric"),
                                        (np.ones((2, 3)), "symmetric square matrix, got shape"),
                                        (-np.eye(2), "has no minimum")])
def test_critical_rate_refuses_what_has_none(H, message):
    with pytest.raises(ValueError, match=message):
        critical_rate(H)


def test_the_mse_weight_gradient_is_torchs_autograd():
    rng = np.random.default_rng(0)
    X, w, y = rng.normal(size=(7, 3)), rng.normal(size=3), rng.normal(size=7)
    w_t = torch.tensor(w, requires_grad=True)
    torch.nn.functional.mse_loss(torch.tensor(X) @ w_t, torch.tensor(y)).backward()
    np.testing.assert_allclose(mse_weight_gradient(X, w, y), w_t.grad.numpy(), rtol=RTOL64)
    # Several weight vectors as columns: one gradient per column.
    both = mse_weight_gradient(X, np.column_stack([w, 2 * w]), y)
    np.testing.assert_allclose(both[:, 0], w_t.grad.numpy(), rtol=RTOL64)
    np.testing.assert_allclose(both[:, 1], mse_weight_gradient(X, 2 * w, y), rtol=RTOL64)


def _torch_linear_sgd(X, y, lr, batch_size, num_epochs, seed, w0, schedule=None):
    rng = np.random.default_rng(seed)
    w = torch.tensor(np.array(w0, dtype=np.float64), requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    scheduler = None if schedule is None else schedule(optimizer)
    weights, lrs = [w.detach().clone()], []
    for _ in range(num_epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(torch.tensor(X[batch]) @ w, torch.tensor(y[batch])).backward()
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            weights.append(w.detach().clone())
        if scheduler is not None:
            scheduler.step()
    return torch.stack(weights).numpy(), np.array(lrs)


@pytest.mark.parametrize("batch_size, ours, theirs", [
    (442, None, None),
    (32, lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.5),
     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5)),
    (50, lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=5),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=5)),
    (1, None, None),
])
def test_fit_linear_sgd_on_the_diabetes_data_is_torchs_sgd_with_its_scheduler(batch_size, ours, theirs):
    X, y = bmi_regression()
    epochs = 1 if batch_size == 1 else 5
    run = fit_linear_sgd(X, y, 0.05, batch_size, epochs, np.random.default_rng(3), w0=[-1.0, 1.5], schedule=ours)
    weights, lrs = _torch_linear_sgd(X, y, 0.05, batch_size, epochs, 3, [-1.0, 1.5], theirs)
    np.testing.assert_allclose(run.weights, weights, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(run.lrs, lrs, rtol=RTOL64)
    per_epoch = -(-442 // batch_size)
    assert len(run.lrs) == epochs * per_epoch
    np.testing.assert_array_equal(run.epoch_ends, np.arange(epochs + 1) * per_epoch)
    np.testing.assert_array_equal(run.epochs, np.repeat(np.arange(epochs), per_epoch))


def test_excess_mse_is_the_mse_minus_the_least_squares_mse():
    X, y = bmi_regression()
    weights = np.array([[-1.0, 1.5], [0.5, 0.1], least_squares(X, y)])
    mse = np.mean((weights @ X.T - y) ** 2, axis=1)
    np.testing.assert_allclose(excess_mse(X, y, weights), mse - mse[-1], rtol=1e-9, atol=1e-15)
    assert excess_mse(X, y, weights)[-1] == pytest.approx(0.0, abs=1e-25)


def test_a_diverging_linear_sgd_run_stops_at_the_limit():
    X, y = bmi_regression()
    run = fit_linear_sgd(X, y, 1.5, 442, 50, np.random.default_rng(0), w0=[-1.0, 1.5], limit=1e3)
    assert run.diverged_at is not None and run.diverged_at == len(run.lrs)
    assert np.linalg.norm(run.weights[-1]) > 1e3 >= np.linalg.norm(run.weights[-2])


def test_runs_trained_together_are_the_runs_trained_alone():
    X, y = bmi_regression()
    schedules = [None, lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.5),
                 lambda o: lr_scheduler.ExponentialLR(o, gamma=0.7)]
    together = fit_linear_sgd_runs(X, y, 0.3, 64, 6, np.random.default_rng(1), w0=[-1.0, 1.5], schedules=schedules)
    for schedule, run in zip(schedules, together):
        alone = fit_linear_sgd(X, y, 0.3, 64, 6, np.random.default_rng(1), w0=[-1.0, 1.5], schedule=schedule)
        np.testing.assert_allclose(run.weights, alone.weights, rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(run.lrs, alone.lrs)


def test_a_diverging_run_stops_alone_while_the_others_train_on():
    X, y = bmi_regression()
    slow, fast = fit_linear_sgd_runs(X, y, 1.5, 442, 20, np.random.default_rng(0), w0=[-1.0, 1.5], limit=1e3,
                                     schedules=[lambda o: lr_scheduler.StepLR(o, step_size=1, gamma=0.5), None])
    assert slow.diverged_at is None and len(slow.lrs) == 20
    assert fast.diverged_at is not None and len(fast.lrs) == fast.diverged_at < 20
