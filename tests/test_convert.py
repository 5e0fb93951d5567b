"""mlcore.convert.to_numpy: the one conversion to numpy that compare, nn and grading share."""

import numpy as np
import torch

import mlcore
from mlcore import nn
from mlcore.convert import to_numpy


def test_a_torch_tensor_that_requires_grad_is_detached_to_its_values():
    theirs = torch.tensor([1.5, -2.0], dtype=torch.float64, requires_grad=True) * 2
    array = to_numpy(theirs)
    assert type(array) is np.ndarray and array.dtype == np.float64
    np.testing.assert_array_equal(array, [3.0, -4.0])


def test_a_torch_float32_tensor_keeps_its_dtype_unless_one_is_asked_for():
    theirs = torch.tensor([0.1, 0.2], dtype=torch.float32)
    assert to_numpy(theirs).dtype == np.float32
    assert to_numpy(theirs, np.float64).dtype == np.float64
    np.testing.assert_array_equal(to_numpy(theirs, np.float64), np.float32([0.1, 0.2]))


def test_an_mlcore_tensor_gives_its_own_array_even_when_it_requires_grad():
    w = mlcore.tensor([1.0, 2.0], requires_grad=True)
    assert to_numpy(w) is w.data
    weight = nn.Parameter(np.array([[3.0]]))
    assert to_numpy(weight) is weight.data


def test_an_array_is_returned_as_it_is_and_converted_only_on_request():
    array = np.array([1, 2])
    assert to_numpy(array) is array
    converted = to_numpy(array, np.float64)
    assert converted.dtype == np.float64 and converted.tolist() == [1.0, 2.0]


def test_numbers_and_nested_lists_become_arrays():
    assert to_numpy(2.5).shape == () and to_numpy(2.5) == 2.5
    assert to_numpy([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert to_numpy(True, np.float64) == 1.0


def test_nothing_is_refused_so_callers_can_say_what_is_wrong_in_their_own_words():
    assert to_numpy(None).dtype == object
    assert to_numpy("a").dtype.kind == "U"
