"""mlcore.metrics.accuracy against torch's argmax, on logits and on probabilities."""

import numpy as np
import pytest
import torch

import mlcore
from mlcore.metrics import accuracy


@pytest.mark.parametrize("n,c,seed", [(1, 2, 0), (7, 3, 1), (50, 10, 2)])
def test_accuracy_is_the_share_of_rows_whose_argmax_is_the_label_as_with_torch(n, c, seed):
    rng = np.random.default_rng(seed)
    logits, y = rng.normal(size=(n, c)), rng.integers(0, c, n)
    expected = (torch.tensor(logits).argmax(1) == torch.tensor(y)).double().mean().item()
    assert accuracy(logits, y) == expected
    assert accuracy(mlcore.tensor(logits), mlcore.tensor(y)) == expected
    probabilities = torch.softmax(torch.tensor(logits), 1)
    assert accuracy(probabilities, torch.tensor(y)) == expected  # softmax keeps the argmax


def test_worked_example():
    logits = np.array([[2.0, 1.0], [0.5, 1.5], [3.0, -1.0], [0.0, 0.2]])
    assert accuracy(logits, np.array([0, 1, 1, 1])) == 0.75


def test_bad_shapes_and_labels_are_refused_with_what_to_do():
    with pytest.raises(ValueError, match=r"scores of shape \(N, C\).*one score z per sample.*\(z > 0\)"):
        accuracy(np.array([0.2, -1.0]), np.array([1, 0]))
    with pytest.raises(ValueError, match=r"one class index per row of scores, shape \(2,\).*y.argmax\(1\)"):
        accuracy(np.eye(2), np.eye(2))
    with pytest.raises(TypeError, match="class indices.*y.astype\\(int\\)"):
        accuracy(np.eye(2), np.array([0.0, 1.0]))
