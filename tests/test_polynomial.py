"""mlcore.polynomial's least-squares fits against torch: lstsq without weight decay, and a zero
gradient of the penalised MSE (the point where SGD with weight_decay stops) with it."""

import numpy as np
import pytest
import torch

from mlcore.polynomial import fit_polynomial, polynomial_features, polynomial_mse


def data(n=20, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    return x, np.sin(np.pi * x) + 0.3 * rng.normal(size=n)


def test_features_are_the_powers_of_x():
    np.testing.assert_array_equal(polynomial_features([2.0, -1.0], 3), [[1, 2, 4, 8], [1, -1, 1, -1]])


@pytest.mark.parametrize("degree", [0, 1, 3, 9])
def test_without_weight_decay_the_fit_is_torchs_least_squares(degree):
    x, y = data()
    V = torch.tensor(polynomial_features(x, degree))
    expected = torch.linalg.lstsq(V, torch.tensor(y)[:, None]).solution[:, 0].numpy()
    np.testing.assert_allclose(fit_polynomial(x, y, degree), expected, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("degree,weight_decay", [(3, 1e-3), (15, 1e-4), (15, 0.1), (5, 1.0)])
def test_with_weight_decay_the_penalised_mse_has_zero_gradient_by_torch_autograd(degree, weight_decay):
    x, y = data()
    w = torch.tensor(fit_polynomial(x, y, degree, weight_decay), requires_grad=True)
    V = torch.tensor(polynomial_features(x, degree))
    loss = torch.mean((V @ w - torch.tensor(y)) ** 2) + weight_decay / 2 * torch.sum(w ** 2)
    loss.backward()
    assert np.abs(w.grad.numpy()).max() < 1e-8


def test_mse_and_the_u_shape_of_the_validation_error():
    (x, y), (x_val, y_val) = data(20, 1), data(200, 2)
    w = fit_polynomial(x, y, 3)
    assert polynomial_mse(w, x, y) == pytest.approx(np.mean((np.polyval(w[::-1], x) - y) ** 2))
    train = [polynomial_mse(fit_polynomial(x, y, d), x, y) for d in (1, 3, 15)]
    val = [polynomial_mse(fit_polynomial(x, y, d), x_val, y_val) for d in (1, 3, 15)]
    assert train[0] > train[1] > train[2]       # more capacity always fits the training data better
    assert val[1] < val[0] and val[1] < val[2]  # the validation error is lowest in between


def test_bad_degrees_and_targets_are_refused():
    with pytest.raises(ValueError, match="degree must be a whole number >= 0"):
        polynomial_features([1.0], -1)
    with pytest.raises(ValueError, match=r"one number per sample, shape \(N,\)"):
        polynomial_features(np.zeros((3, 1)), 2)
    with pytest.raises(ValueError, match=r"one target per x, shape \(2,\)"):
        fit_polynomial([0.0, 1.0], [1.0], 1)
    with pytest.raises(ValueError, match="weight_decay must be a number >= 0"):
        fit_polynomial([0.0, 1.0], [1.0, 2.0], 1, -0.1)
