"""Data for the chapters: a real data set that ships with a package, and mini-batches (chapter 3).

``import mlcore`` does not import this package; the diabetes data needs
scikit-learn (part of the course's install), imported only when it is loaded.
"""

from .diabetes import bmi_regression, load_diabetes_standardised
from .minibatches import minibatches

__all__ = ["bmi_regression", "load_diabetes_standardised", "minibatches"]
