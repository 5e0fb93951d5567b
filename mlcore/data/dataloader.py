"""``DataLoader``: a data set in mini-batches, epoch after epoch, as ``torch.utils.data.DataLoader`` (chapter 7).

Iterating over a loader goes once through the data set (one epoch), in
batches of ``batch_size`` samples: in their stored order, or, with
``shuffle=True``, in a new random order every epoch, drawn from
``generator`` (mlcore's own generator if none is given). The last batch is
smaller when ``batch_size`` does not divide the number of samples, unless
``drop_last=True`` leaves it out. This is chapter 3's
:func:`~mlcore.data.minibatches.minibatches` for any data set: with
``shuffle=True`` and the same numpy generator, both give the same batches.
"""

import numbers

import numpy as np

from ..factories import generator as mlcore_generator

__all__ = ["DataLoader"]


class DataLoader:
    """Batches of ``dataset`` (e.g. a :class:`~mlcore.data.dataset.TensorDataset`) for a training loop.

    ``for X, y in loader:`` gives one epoch; ``len(loader)`` is the number of
    batches per epoch. The data set is indexed with an array of sample
    numbers, so a batch is fetched in one go (PyTorch fetches samples one by
    one and stacks them, which gives the same batch).
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, generator=None):
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader needs a data set with len() and indexing, such as "
                            f"TensorDataset(X, y), but got a {type(dataset).__name__}.")
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"batch_size should be a whole number >= 1, but got {batch_size!r}; "
                             f"1 is stochastic gradient descent, len(dataset) = {len(dataset)} is "
                             "full-batch gradient descent.")
        for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not isinstance(flag, (bool, np.bool_)):
                raise TypeError(f"{name} takes True or False, but got {flag!r}.")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(f"generator should be a numpy Generator, such as "
                            f"np.random.default_rng(0) or mlcore.manual_seed(0), but got a "
                            f"{type(generator).__name__}.")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator

    def __len__(self):
        full, rest = divmod(len(self.dataset), self.batch_size)
        return full if self.drop_last or not rest else full + 1

    def __iter__(self):
        n = len(self.dataset)
        # The generator is looked up at every epoch, as PyTorch's default one is,
        # so that mlcore.manual_seed before a loop repeats its orders.
        rng = self.generator if self.generator is not None else mlcore_generator()
        order = rng.permutation(n) if self.shuffle else np.arange(n)
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            yield self.dataset[order[start:start + self.batch_size]]
