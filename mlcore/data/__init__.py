"""Data for the chapters: a real data set that ships with a package, and mini-batches (chapter 3);
data sets and loaders for training a network (chapter 7).

``import mlcore`` does not import this package; the diabetes data needs
scikit-learn (part of the course's install), imported only when it is loaded.
``TensorDataset`` and ``DataLoader`` mirror ``torch.utils.data``.
"""

from .curve import noisy_samples, smooth_function
from .dataloader import DataLoader
from .dataset import TensorDataset
from .diabetes import bmi_regression, load_diabetes_standardised
from .minibatches import minibatches
from .split import train_val_split
from .two_class import DATASETS, make_two_class

__all__ = ["bmi_regression", "load_diabetes_standardised", "minibatches", "DataLoader", "TensorDataset",
           "train_val_split", "DATASETS", "make_two_class", "noisy_samples", "smooth_function"]
