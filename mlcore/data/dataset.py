"""``TensorDataset``: samples stored as rows of tensors, as ``torch.utils.data.TensorDataset`` (chapter 7).

Sample ``i`` is the tuple of row ``i`` of every tensor (inputs, targets...),
so an input and its target are always taken together. A
:class:`~mlcore.data.dataloader.DataLoader` reads it one batch at a time.
"""

import numbers

import numpy as np

from ..factories import tensor
from ..tensor import Tensor

__all__ = ["TensorDataset"]


class TensorDataset:
    """Samples made of rows of ``tensors`` that all have the same first dimension (chapter 7).

    ``dataset[i]`` is ``(tensors[0][i], tensors[1][i], ...)``; ``i`` may also be
    an array of indices or a slice, which gives a whole batch at once (how the
    DataLoader reads it). numpy arrays are wrapped with ``mlcore.tensor``
    (PyTorch wants tensors here: ``torch.from_numpy``).
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor: TensorDataset(X, y) holds "
                             "inputs X and targets y, one row per sample.")
        self.tensors = tuple(_as_tensor(t, k) for k, t in enumerate(tensors))
        sizes = [len(t.data) for t in self.tensors]
        if len(set(sizes)) > 1:
            raise ValueError(f"Size mismatch between tensors: their first dimensions are {sizes}. "
                             "Every tensor needs one row per sample, e.g. X of shape (N, 2) and y of "
                             "shape (N,), so that row i of X goes with entry i of y.")

    def __len__(self):
        return len(self.tensors[0].data)

    def __getitem__(self, index):
        if isinstance(index, numbers.Integral) and not -len(self) <= index < len(self):
            raise IndexError(f"sample {index} does not exist: this dataset has {len(self)} samples.")
        return tuple(t[index] for t in self.tensors)


def _as_tensor(value, position):
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return tensor(value)
    raise TypeError(f"TensorDataset takes tensors or numpy arrays, but argument {position} is a "
                    f"{type(value).__name__}; wrap it first: mlcore.tensor(...).")
