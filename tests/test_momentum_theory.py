"""mlcore.momentum_theory: rates and optima against torch's eigenvalues and torch.optim.SGD's runs."""

import numpy as np
import pytest
import torch

from mlcore.momentum_theory import gd_rate, momentum_matrix, momentum_rate, optimal_gd, optimal_momentum
from mlcore.surfaces import bowl_hessian


def torch_rate(alpha, beta, eigenvalues):
    return max(torch.linalg.eigvals(torch.tensor(momentum_matrix(alpha, beta, lam))).abs().max().item()
               for lam in eigenvalues)


def test_the_rate_is_the_largest_eigenvalue_modulus_torch_computes():
    rng = np.random.default_rng(0)
    for _ in range(200):
        alpha, beta = float(rng.uniform(0.0, 2.0)), float(rng.uniform(0.0, 1.2))
        eigenvalues = rng.uniform(0.01, 3.0, 2)
        assert momentum_rate(alpha, beta, eigenvalues) == pytest.approx(torch_rate(alpha, beta, eigenvalues),
                                                                        rel=1e-7, abs=1e-7)


def test_the_rate_works_on_grids_elementwise():
    alphas, betas = np.meshgrid(np.geomspace(0.01, 2, 7), np.linspace(0, 0.99, 5))
    grid = momentum_rate(alphas, betas, [3.0, 0.3])
    assert grid.shape == (5, 7)
    assert grid[2, 3] == pytest.approx(momentum_rate(alphas[2, 3], betas[2, 3], [3.0, 0.3]))


@pytest.mark.parametrize("kappa", [1.0, 10.0, 100.0, 1000.0])
def test_the_optimum_has_the_classical_rate_and_no_grid_point_beats_it(kappa):
    L, mu = 3.0, 3.0 / kappa
    alpha, beta, rate = optimal_momentum(L, mu)
    assert alpha == pytest.approx((2 / (np.sqrt(L) + np.sqrt(mu))) ** 2)
    assert beta == pytest.approx(((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2)
    assert torch_rate(alpha, beta, [L, mu]) == pytest.approx(rate, abs=1e-6)
    alphas, betas = np.meshgrid(np.linspace(0.01, 1.4, 281), np.linspace(0.0, 0.99, 199))
    assert momentum_rate(alphas, betas, [L, mu]).min() >= rate - 1e-9


def test_gradient_descents_best_rate():
    lr, rate = optimal_gd(3.0, 0.3)
    assert lr == pytest.approx(2 / 3.3) and rate == pytest.approx(9 / 11)
    assert gd_rate(lr, [3.0, 0.3]) == pytest.approx(rate)
    assert momentum_rate(lr, 0.0, [3.0, 0.3]) == pytest.approx(rate), "beta = 0 is gradient descent"
    np.testing.assert_allclose(gd_rate(np.array([0.1, 0.7]), [3.0, 0.3]), [0.97, 1.1])


@pytest.mark.parametrize("alpha, beta", [(0.5, 0.5), (0.3, 0.9), (1.0, 0.2)])
def test_torch_sgd_with_momentum_shrinks_the_error_by_the_rate(alpha, beta):
    H = torch.tensor(bowl_hessian(100.0, 30.0))
    w = torch.tensor([-2.5, 1.5], requires_grad=True)
    sgd = torch.optim.SGD([w], lr=alpha, momentum=beta)
    errors = []
    for _ in range(600):
        sgd.zero_grad()
        (0.5 * w @ H @ w).backward()
        sgd.step()
        errors.append(w.norm().item())
    measured = (errors[-1] / errors[-201]) ** (1 / 200)
    assert measured == pytest.approx(momentum_rate(alpha, beta, [3.0, 0.03]), rel=2e-3)


def test_momentum_converges_past_gradient_descents_limit_and_diverges_past_its_own():
    L = 3.0
    assert gd_rate(0.7, [L]) > 1 and momentum_rate(0.7, 0.5, [L]) < 1
    assert momentum_rate(2 * 1.5 / L * 0.999, 0.5, [L]) < 1 < momentum_rate(2 * 1.5 / L * 1.001, 0.5, [L])
    assert momentum_rate(0.1, 1.0, [L]) == pytest.approx(1.0)


def test_bad_input_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match="L >= mu > 0"):
        optimal_momentum(0.3, 3.0)
    with pytest.raises(ValueError, match="positive curvatures"):
        momentum_rate(0.1, 0.9, [3.0, -1.0])
    with pytest.raises(ValueError, match="beta must be >= 0"):
        momentum_rate(0.1, -0.5, [3.0])
