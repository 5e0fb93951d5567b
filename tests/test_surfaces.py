"""mlcore.surfaces: the test surfaces of chapters 3 and 6, against PyTorch's autograd.

Each surface's ``value`` is written once for numpy arrays and mlcore tensors;
it also runs on torch tensors, so torch's autograd is the oracle for the
closed-form ``gradient`` the panels use, and for mlcore's autograd through
``Surface.loss``.
"""

import numpy as np
import pytest
import torch

import mlcore.nn as nn
from mlcore.surfaces import BOWL_CURVATURE, SURFACES, Surface, bowl_hessian, quadratic
from oracle import RTOL64

POINTS = [np.array(p) for p in ((-2.5, 1.5), (0.3, -1.7), (1.0, 1.0), (-3.9, 3.2), (0.0, 0.05))]


def torch_gradient(surface, point):
    w = torch.tensor(point, requires_grad=True)
    surface.value(w[0], w[1]).backward()
    return w.grad.numpy()


@pytest.mark.parametrize("name", SURFACES)
def test_closed_form_gradient_equals_torch_autograd(name):
    surface = SURFACES[name]
    for point in POINTS:
        np.testing.assert_allclose(surface.gradient(point), torch_gradient(surface, point), rtol=RTOL64, atol=1e-12)


@pytest.mark.parametrize("name", SURFACES)
def test_mlcore_autograd_through_loss_equals_torch(name):
    surface = SURFACES[name]
    for point in POINTS:
        w = nn.Parameter(point.copy())
        loss = surface.loss(w)
        loss.backward()
        theirs = torch.tensor(point, requires_grad=True)
        torch_loss = surface.value(theirs[0], theirs[1])
        assert loss.item() == pytest.approx(torch_loss.item(), rel=RTOL64)
        np.testing.assert_allclose(w.grad, torch_gradient(surface, point), rtol=RTOL64, atol=1e-12)


@pytest.mark.parametrize("name", SURFACES)
def test_every_minimum_has_value_zero_and_no_gradient(name):
    surface = SURFACES[name]
    for minimum in surface.minima:
        assert surface.value(*minimum) == pytest.approx(0.0, abs=1e-20)
        np.testing.assert_allclose(surface.gradient(minimum), 0.0, atol=1e-9)


def test_values_work_on_whole_grids_and_stay_above_zero():
    w1, w2 = np.meshgrid(np.linspace(-4, 4, 41), np.linspace(-4, 4, 41))
    for surface in SURFACES.values():
        z = surface.value(w1, w2)
        assert z.shape == w1.shape and np.all(z >= 0)


def test_the_bowl_is_chapter_threes():
    # Chapter 3 prints H = [[2.325, 1.1691], [1.1691, 0.975]] with eigenvalues 0.3 and 3 for kappa 10, 30 degrees.
    H = bowl_hessian(10.0, 30.0)
    np.testing.assert_allclose(H, [[2.325, 1.16913], [1.16913, 0.975]], atol=1e-5)
    np.testing.assert_allclose(np.linalg.eigvalsh(H), [BOWL_CURVATURE / 10, BOWL_CURVATURE], rtol=1e-12)
    np.testing.assert_allclose(SURFACES["bowl"].gradient([1.0, 2.0]), H @ [1.0, 2.0], rtol=1e-14)


def test_himmelblau_has_its_four_known_minima():
    known = [(-3.779310, -3.283186), (-2.805118, 3.131312), (3.0, 2.0), (3.584428, -1.848126)]
    np.testing.assert_allclose(SURFACES["himmelblau"].minima, known, atol=1e-6)


def test_the_saddle_curves_up_along_w1_and_down_along_w2():
    surface = SURFACES["saddle"]
    h = 1e-4
    along_w1 = (surface.value(h, 0.0) - 2 * surface.value(0.0, 0.0) + surface.value(-h, 0.0)) / h**2
    along_w2 = (surface.value(0.0, h) - 2 * surface.value(0.0, 0.0) + surface.value(0.0, -h)) / h**2
    assert along_w1 == pytest.approx(2.0, rel=1e-6) and along_w2 == pytest.approx(-2.0, rel=1e-6)
    np.testing.assert_allclose(surface.gradient([0.0, 0.0]), 0.0)


def test_only_the_noisy_bowl_adds_noise_and_a_seed_repeats_it():
    point = np.array([1.0, -1.0])
    exact = SURFACES["bowl"].noisy_gradient(point, np.random.default_rng(0))
    np.testing.assert_array_equal(exact, SURFACES["bowl"].gradient(point))
    noisy = SURFACES["noisy_bowl"]
    first = noisy.noisy_gradient(point, np.random.default_rng(3))
    expected = noisy.gradient(point) + noisy.noise * np.random.default_rng(3).standard_normal(2)
    np.testing.assert_array_equal(first, expected)


def test_distance_to_the_nearest_minimum():
    assert SURFACES["saddle"].distance_to_minimum([0.0, 1.0]) == pytest.approx(np.sqrt(2) - 1)
    assert isinstance(SURFACES["rosenbrock"], Surface)


def test_bad_input_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match="condition number .* >= 1"):
        bowl_hessian(0.5)
    with pytest.raises(ValueError, match="symmetric positive definite 2x2"):
        quadratic(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="bowl_hessian"):
        quadratic(np.diag([1.0, -1.0]))
