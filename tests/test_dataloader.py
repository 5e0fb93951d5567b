"""mlcore.data's DataLoader and TensorDataset against torch.utils.data, and against chapter 3's minibatches.

Shuffled orders come from different generators, so they are compared by what
must hold for any order: every sample exactly once per epoch, a new order
each epoch, inputs kept with their targets. Without shuffling, the batches,
their sizes, drop_last and len() must be torch's exactly.
"""

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import mlcore
from mlcore.data import DataLoader, TensorDataset, minibatches


def numbered(n):
    """Inputs that name their sample: X[i] = [i, i + 0.5], y[i] = 10 i."""
    i = np.arange(n, dtype=np.float64)
    return np.column_stack([i, i + 0.5]), 10 * np.arange(n)


def ours_and_torch(n, **options):
    X, y = numbered(n)
    return (DataLoader(TensorDataset(X, y), **options),
            tud.DataLoader(tud.TensorDataset(torch.tensor(X), torch.tensor(y)), **options))


def as_arrays(loader):
    return [tuple(np.asarray(part.numpy() if hasattr(part, "numpy") else part.data) for part in batch)
            for batch in loader]


@pytest.mark.parametrize("n,batch_size,drop_last", [(10, 3, False), (10, 3, True), (9, 3, False),
                                                     (9, 3, True), (4, 10, False), (4, 10, True), (5, 1, False)])
def test_without_shuffle_the_batches_and_len_are_torchs(n, batch_size, drop_last):
    ours, theirs = ours_and_torch(n, batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    got, expected = as_arrays(ours), as_arrays(theirs)
    assert len(got) == len(expected) == len(ours)
    for (X, y), (X_t, y_t) in zip(got, expected):
        np.testing.assert_array_equal(X, X_t)
        np.testing.assert_array_equal(y, y_t)


@pytest.mark.parametrize("n,batch_size,drop_last", [(10, 3, False), (10, 3, True), (7, 7, False)])
def test_with_shuffle_every_sample_comes_once_with_its_target_as_in_torch(n, batch_size, drop_last):
    ours, theirs = ours_and_torch(n, batch_size=batch_size, drop_last=drop_last, shuffle=True)
    for loader in (ours, theirs):
        batches = as_arrays(loader)
        assert [len(y) for _, y in batches] == [len(y) for _, y in as_arrays(theirs)]
        seen = np.concatenate([y for _, y in batches]) // 10
        assert len(set(seen)) == len(seen) == (n - n % batch_size if drop_last else n)
        for X, y in batches:
            np.testing.assert_array_equal(X[:, 0] * 10, y)


def test_each_epoch_draws_a_new_order_and_a_seed_repeats_them():
    X, y = numbered(20)
    loader = DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True)
    mlcore.manual_seed(4)
    first, second = as_arrays(loader), as_arrays(loader)
    assert not np.array_equal(first[0][1], second[0][1])
    mlcore.manual_seed(4)
    np.testing.assert_array_equal(as_arrays(loader)[0][1], first[0][1])
    order = np.random.default_rng(4).permutation(20)
    np.testing.assert_array_equal(np.concatenate([b for _, b in first]), 10 * order)


def test_with_chapter_3s_generator_it_gives_the_batches_of_minibatches():
    X, y = numbered(11)
    ours = as_arrays(DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True,
                                generator=np.random.default_rng(7)))
    chapter3 = list(minibatches(X, y, 4, np.random.default_rng(7)))
    assert len(ours) == len(chapter3) == 3
    for (X_b, y_b), (X_m, y_m) in zip(ours, chapter3):
        np.testing.assert_array_equal(X_b, X_m)
        np.testing.assert_array_equal(y_b, y_m)


def test_batches_are_mlcore_tensors_that_a_network_and_a_loss_take():
    X, y = numbered(6)
    X_batch, y_batch = next(iter(DataLoader(TensorDataset(X, y), batch_size=4)))
    assert isinstance(X_batch, mlcore.Tensor) and isinstance(y_batch, mlcore.Tensor)
    assert X_batch.dtype == np.float64 and y_batch.dtype == np.int64 and not X_batch.requires_grad
    mlcore.nn.Linear(2, 3)(X_batch)


def test_a_dataset_indexes_like_torchs():
    X, y = numbered(5)
    ours, theirs = TensorDataset(X, y), tud.TensorDataset(torch.tensor(X), torch.tensor(y))
    assert len(ours) == len(theirs) == 5
    for index in (0, 3, -1):
        for a, b in zip(ours[index], theirs[index]):
            np.testing.assert_array_equal(a.data, b.numpy())
    with pytest.raises(IndexError, match="sample 5 does not exist: this dataset has 5 samples"):
        ours[5]
    with pytest.raises(IndexError):
        theirs[5]


def test_bad_datasets_and_loaders_are_refused_with_what_to_do():
    X, y = numbered(5)
    with pytest.raises(ValueError, match=r"Size mismatch between tensors.*\[5, 4\].*one row per sample"):
        TensorDataset(X, y[:4])
    with pytest.raises(ValueError, match="needs at least one tensor"):
        TensorDataset()
    with pytest.raises(TypeError, match="argument 1 is a list; wrap it first"):
        TensorDataset(X, list(y))
    data = TensorDataset(X, y)
    for bad in (0, 2.5, None, True):
        with pytest.raises(ValueError, match="batch_size should be a whole number >= 1.*full-batch"):
            DataLoader(data, batch_size=bad)
    with pytest.raises(TypeError, match="shuffle takes True or False"):
        DataLoader(data, shuffle="yes")
    with pytest.raises(TypeError, match="generator should be a numpy Generator.*np.random.default_rng"):
        DataLoader(data, shuffle=True, generator=torch.Generator())
    with pytest.raises(TypeError, match="needs a data set with len"):
        DataLoader(3)
