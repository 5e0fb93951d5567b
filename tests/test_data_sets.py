"""Chapter 7's data: the playground's two-class sets, the noisy curve, and the train/validation split."""

import numpy as np
import pytest

from mlcore.data import DATASETS, make_two_class, noisy_samples, smooth_function, train_val_split


@pytest.mark.parametrize("name", DATASETS)
def test_each_data_set_has_two_balanced_classes_and_one_seed_gives_one_set(name):
    X, y = make_two_class(name, 201, 0.1, np.random.default_rng(3))
    assert X.shape == (201, 2) and y.shape == (201,) and y.dtype == np.int64
    assert sorted(np.bincount(y)) == [100, 101]
    assert np.abs(X).max() < 2.5
    X2, y2 = make_two_class(name, 201, 0.1, np.random.default_rng(3))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make_two_class(name, 201, 0.1, np.random.default_rng(4))[0])


def test_without_noise_each_shape_is_what_its_name_says():
    rng = np.random.default_rng(0)
    X, y = make_two_class("circles", 100, 0.0, rng)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), np.where(y == 0, 1.0, 0.5))
    X, y = make_two_class("xor", 100, 0.0, rng)
    np.testing.assert_array_equal(X[:, 0] * X[:, 1] > 0, y == 1)
    assert np.abs(X).min() >= 0.1
    X, y = make_two_class("gaussians", 400, 0.0, rng)
    np.testing.assert_allclose(X[y == 1].mean(0), [0.6, 0.6], atol=0.06)
    X, y = make_two_class("spiral", 100, 0.0, rng)
    np.testing.assert_array_less(np.linalg.norm(X, axis=1), 1.4 + 1e-12)
    X, y = make_two_class("moons", 100, 0.0, rng)
    np.testing.assert_allclose(np.linalg.norm(X[y == 0] + [0.5, 0.25], axis=1), 1.0)


def test_noise_is_gaussian_with_the_given_spread():
    clean, _ = make_two_class("circles", 4000, 0.0, np.random.default_rng(1))
    noisy, _ = make_two_class("circles", 4000, 0.2, np.random.default_rng(1))
    # the same points, drawn before the noise; the noise's spread comes back
    assert np.std(noisy - clean) == pytest.approx(0.2, rel=0.05)


def test_the_curve_samples_scatter_around_sin_pi_x():
    x, y = noisy_samples(5000, 0.3, np.random.default_rng(0))
    assert x.min() >= -1 and x.max() <= 1
    assert np.std(y - np.sin(np.pi * x)) == pytest.approx(0.3, rel=0.05)
    np.testing.assert_allclose(smooth_function([0.5, -1 / 6]), [1.0, -0.5])


def test_the_split_keeps_inputs_with_labels_and_uses_one_permutation():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10) * 10
    X_train, y_train, X_val, y_val = train_val_split(X, y, 0.3, np.random.default_rng(5))
    order = np.random.default_rng(5).permutation(10)
    np.testing.assert_array_equal(y_val, 10 * order[:3])
    np.testing.assert_array_equal(y_train, 10 * order[3:])
    np.testing.assert_array_equal(X_val[:, 0], y_val / 5)
    np.testing.assert_array_equal(X_train[:, 0], y_train / 5)
    np.testing.assert_array_equal(X, np.arange(20.0).reshape(10, 2))  # unchanged


def test_bad_data_and_splits_are_refused_with_what_to_do():
    with pytest.raises(ValueError, match="no data set named 'ring'; choose one of circles, moons"):
        make_two_class("ring", rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="numpy Generator.*default_rng"):
        make_two_class("xor", 10, 0.0, 0)
    with pytest.raises(ValueError, match="noise is a standard deviation"):
        make_two_class("xor", 10, -1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="X has 3 samples but y has 2"):
        train_val_split(np.zeros((3, 2)), np.zeros(2), 0.5, np.random.default_rng(0))
    for fraction in (0.0, 1.0, 1.5, True):
        with pytest.raises(ValueError, match="strictly between 0 and 1"):
            train_val_split(np.zeros((4, 2)), np.zeros(4), fraction, np.random.default_rng(0))
    with pytest.raises(ValueError, match="leaves 0 for validation and 4 for training; each needs at least one"):
        train_val_split(np.zeros((4, 2)), np.zeros(4), 0.1, np.random.default_rng(0))
