"""scikit-learn's diabetes data, standardised (chapter 3's regression data set).

442 patients, 10 measurements each (age, sex, body-mass index, blood
pressure and six blood serum values) and, as the target, a measure of how
far the disease progressed one year later. It ships inside scikit-learn, so
nothing is downloaded.
"""

import numpy as np

__all__ = ["bmi_regression", "load_diabetes_standardised"]


def load_diabetes_standardised():
    """``(X, y, feature_names)``: the diabetes data with every column of ``X`` and ``y`` itself
    standardised to mean 0 and standard deviation 1 (chapter 3).

    Standardising is ``(x - mean) / std`` per column, with the standard
    deviation of the data set itself (numpy's ``std``, ``ddof=0``). The values
    come from the raw measurements (``load_diabetes(scaled=False)``), not from
    scikit-learn's default scaling, which divides each column by its standard
    deviation times sqrt(442) and leaves every feature with a spread of 0.048.
    """
    try:
        from sklearn.datasets import load_diabetes
    except ImportError:
        raise ImportError("the diabetes data ships with scikit-learn, which is not installed. "
                          "Install the course's packages with `make lab`, or run "
                          "`pip install scikit-learn`.") from None
    raw = load_diabetes(scaled=False)
    X = np.asarray(raw.data, dtype=np.float64)
    y = np.asarray(raw.target, dtype=np.float64)
    return _standardised(X), _standardised(y), list(raw.feature_names)


def _standardised(values):
    return (values - values.mean(axis=0)) / values.std(axis=0)


def bmi_regression():
    """``(X, y)`` for chapter 3's two-parameter problem ``y_hat = w * bmi + b``: column 0 of ``X``
    is the standardised body-mass index, column 1 is ones (so ``X @ [w, b]`` is the prediction),
    and ``y`` the standardised disease progression."""
    X, y, names = load_diabetes_standardised()
    return np.column_stack([X[:, names.index("bmi")], np.ones(len(X))]), y
