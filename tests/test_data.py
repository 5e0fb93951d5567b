"""mlcore.data: the diabetes data set, standardised, and one epoch of mini-batches (chapter 3)."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes

from mlcore.data import bmi_regression, load_diabetes_standardised, minibatches


def test_diabetes_is_sklearns_data_standardised_column_by_column():
    X, y, names = load_diabetes_standardised()
    raw = load_diabetes(scaled=False)
    assert X.shape == (442, 10) and y.shape == (442,)
    assert names == ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(y.mean(), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.std(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(y * raw.target.std() + raw.target.mean(), raw.target, rtol=1e-12)
    # scikit-learn's default scaling is the same columns, each with a spread of 1/sqrt(442).
    np.testing.assert_allclose(X / np.sqrt(442), load_diabetes().data, atol=1e-12)


def test_the_bmi_problem_has_the_feature_and_a_column_of_ones():
    X, y = bmi_regression()
    full, target, names = load_diabetes_standardised()
    np.testing.assert_array_equal(X[:, 0], full[:, names.index("bmi")])
    np.testing.assert_array_equal(X[:, 1], 1.0)
    np.testing.assert_array_equal(y, target)
    # Least squares on standardised data: the slope is the correlation, the intercept 0.
    w = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(w, [np.corrcoef(X[:, 0], y)[0, 1], 0.0], atol=1e-12)
    assert round(w[0], 4) == 0.5865


@pytest.mark.parametrize("n, batch_size, sizes", [(10, 4, [4, 4, 2]), (9, 3, [3, 3, 3]), (5, 5, [5]),
                                                  (3, 1, [1, 1, 1]), (4, 10, [4])])
def test_an_epoch_is_the_permutation_of_the_generator_cut_into_batches(n, batch_size, sizes):
    X = np.arange(2.0 * n).reshape(n, 2)
    y = X[:, 0] * 10
    X_before, y_before = X.copy(), y.copy()
    batches = list(minibatches(X, y, batch_size, np.random.default_rng(7)))
    assert [len(b) for _, b in batches] == sizes
    order = np.concatenate([b for _, b in batches]) / 20
    np.testing.assert_array_equal(order, np.random.default_rng(7).permutation(n))
    for X_batch, y_batch in batches:
        np.testing.assert_array_equal(X_batch[:, 0] * 10, y_batch)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_each_epoch_draws_a_new_order_from_the_same_generator():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10.0)
    rng = np.random.default_rng(0)
    first = np.concatenate([b for _, b in minibatches(X, y, 3, rng)])
    second = np.concatenate([b for _, b in minibatches(X, y, 3, rng)])
    assert sorted(first) == sorted(second) == list(range(10))
    assert list(first) != list(second)


@pytest.mark.parametrize("args, error, message", [
    ((np.ones((3, 2)), np.ones(4), 2, np.random.default_rng(0)), ValueError, "X has 3 samples but y has 4"),
    ((np.ones((3, 2)), np.ones(3), 0, np.random.default_rng(0)), ValueError, "batch_size must be a whole number >= 1"),
    ((np.ones((3, 2)), np.ones(3), 1.5, np.random.default_rng(0)), ValueError, "1 is stochastic gradient descent"),
    ((np.ones((3, 2)), np.ones(3), 2, 0), TypeError, "rng must be a numpy Generator, got int"),
])
def test_minibatches_refuses_bad_input_and_says_how_to_fix_it(args, error, message):
    with pytest.raises(error, match=message):
        list(minibatches(*args))
