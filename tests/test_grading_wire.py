"""mlcore.grading.wire: what crosses between the referee and a kernel is data, never code."""

import functools
import json
import pickle
import base64
from dataclasses import dataclass

import numpy as np
import pytest
import torch

import mlcore
from mlcore.feedback import best_constant, value_class
from mlcore.feedback.cases import one_hot
from mlcore.grading import wire


def round_trip(value, resolve=False):
    return wire.loads(wire.dumps(value), resolve=resolve)


@pytest.mark.parametrize("value", [
    None, True, 3, -2**70, 0.1, float("inf"), 1 + 2j, "text", b"\x00\xff", [1, [2.5, "a"]], (1, (2,)),
    {"a": 1, 2: [3]},
], ids=repr)
def test_plain_values_come_back_equal_and_of_the_same_type(value):
    back = round_trip(value)
    assert back == value and type(back) is type(value)


def test_nan_survives():
    assert np.isnan(round_trip(float("nan")))


@pytest.mark.parametrize("array", [
    np.array([[1.0, -2.5], [np.nan, np.inf]]), np.arange(6, dtype=np.int32).reshape(2, 3, 1),
    np.array([True, False]), np.array(["mse", "huber"]), np.zeros((0, 3)), np.array(2.5),
    np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.arange(10.0)[::3],
], ids=lambda a: f"{a.dtype}{a.shape}")
def test_arrays_keep_dtype_shape_and_values(array):
    back = round_trip(array)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    back[...] = back  # writable, not a view of the message


def test_numpy_scalars_stay_numpy_scalars():
    for scalar in (np.float64(2 / 3), np.int64(7), np.bool_(True), np.float32(0.5)):
        back = round_trip(scalar)
        assert type(back) is type(scalar) and back == scalar


def test_subclasses_of_plain_types_arrive_as_the_plain_type():
    class Sneaky(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    back = round_trip([Sneaky("mae"), np.ma.masked_array([[1.0, 2.0]])])
    assert type(back[0]) is str and back[0] == "mae"
    assert type(back[1]) is np.ndarray


def test_tensors_keep_data_and_grad():
    t = mlcore.tensor([1.0, 2.0], requires_grad=True)
    (t * t).sum().backward()
    back = round_trip(t)
    assert isinstance(back, mlcore.Tensor) and back.requires_grad
    np.testing.assert_array_equal(back.data, [1.0, 2.0])
    np.testing.assert_array_equal(back.grad, [2.0, 4.0])
    torch_back = round_trip(torch.tensor([1.5, -1.0]))
    assert isinstance(torch_back, torch.Tensor) and torch_back.tolist() == [1.5, -1.0]


def test_module_level_functions_travel_by_name_and_are_resolved_only_on_request():
    message = wire.dumps([best_constant.MSE, one_hot, functools.partial(one_hot, num_classes=3)])
    assert "lambda" not in message and "best_constant" in message
    with pytest.raises(wire.WireError, match="can only be sent to the kernel"):
        wire.loads(message)
    mse, hot, partial = wire.loads(message, resolve=True)
    assert mse is best_constant.MSE and hot is one_hot
    np.testing.assert_array_equal(partial([1]), [[0.0, 1.0, 0.0]])


def test_a_function_that_is_not_importable_cannot_be_sent():
    with pytest.raises(wire.WireError, match="cannot be sent to the learner's kernel"):
        wire.dumps(lambda x: x)


def test_the_kernel_side_sends_callables_as_handles_and_others_as_opaque_stand_ins():
    class EqualsEverything:
        def __eq__(self, other):
            return True

        __hash__ = None

        def __repr__(self):
            return "<always equal>"

    class Scores:
        data = np.array([1.0, 2.0])

    handles = {}
    back = wire.loads(wire.dumps([lambda y: y, EqualsEverything(), Scores(), range(3)], handles=handles))
    assert isinstance(back[0], wire.Handle) and back[0].name == "<lambda>" and handles[back[0].number](5) == 5
    assert type(back[1]).__name__ == "EqualsEverything" and repr(back[1]) == "<always equal>"
    assert back[1] != 3  # the stand-in compares as an object, whatever the original claimed
    with pytest.raises(TypeError):
        np.asarray(back[1], dtype=np.float64)
    np.testing.assert_array_equal(back[2].data, [1.0, 2.0])
    np.testing.assert_array_equal(np.asarray(back[3], dtype=np.float64), [0.0, 1.0, 2.0])


def test_exceptions_arrive_as_records():
    try:
        open("/nonexistent/solutions.ipynb")
    except OSError as error:
        record = round_trip(wire.Failure(error))
    assert record.type_name == "FileNotFoundError" and record.base == "FileNotFoundError"
    assert record.errno == 2 and record.filename == "/nonexistent/solutions.ipynb"
    assert record.message == "[Errno 2] No such file or directory: '/nonexistent/solutions.ipynb'"


def _tagged(node):
    return json.dumps(node)


@pytest.mark.parametrize("text, complaint", [
    ("not json", "not valid JSON"),
    (_tagged({"v": 1}), "without a type tag"),
    (_tagged({"t": "pickle", "v": base64.b64encode(pickle.dumps(print)).decode()}), "unknown type tag"),
    (_tagged({"t": "array", "dtype": "|O", "shape": [1], "b64": ""}), "not plain data"),
    (_tagged({"t": "array", "dtype": "<f8", "shape": [3], "b64": base64.b64encode(b"\0" * 8).decode()}),
     "do not match its shape"),
    (_tagged({"t": "ref", "module": "os", "name": "system"}), "can only be sent to the kernel"),
    (_tagged({"t": "int", "v": 3}), "expected str, got int"),
    ("[" * 5000 + "]" * 5000, "not valid JSON|nested"),
], ids=["not json", "untagged", "pickle", "object array", "short bytes", "reference", "wrong type", "deep"])
def test_anything_outside_the_format_is_refused(text, complaint):
    with pytest.raises(wire.WireError, match=complaint):
        wire.loads(text)


def test_size_limits_hold_both_ways():
    with pytest.raises(wire.WireError, match=r"the data is 10.5 KiB, more than the 1 KiB limit"):
        wire.dumps(np.zeros(1000), limit=1024)
    with pytest.raises(wire.WireError, match="at most"):
        wire.loads(wire.dumps(np.zeros(1000)), limit=100)


@pytest.mark.parametrize("bit_generator", [np.random.PCG64, np.random.MT19937, np.random.Philox],
                         ids=lambda kind: kind.__name__)
def test_a_numpy_generator_arrives_in_its_state_and_draws_the_same_numbers(bit_generator):
    rng = np.random.Generator(bit_generator(7))
    rng.random(3)  # a state that is not the seed's
    back = round_trip(rng)
    assert type(back.bit_generator) is bit_generator
    np.testing.assert_array_equal(back.permutation(10), rng.permutation(10))


@pytest.mark.parametrize("state, complaint", [
    ({"bit_generator": "os.system", "state": {}}, "is not one of numpy's bit generators"),
    ({"bit_generator": "PCG64", "state": {"state": "big", "inc": 1}}, "malformed 'rng'"),
])
def test_a_generator_state_that_is_not_numpys_is_refused(state, complaint):
    text = json.dumps({"t": "rng", "state": json.loads(wire.dumps(state))})
    with pytest.raises(wire.WireError, match=complaint):
        wire.loads(text)


def test_dataclass_cases_travel_by_their_class_to_the_kernel_only():
    program = value_class.PROGRAMS[2]
    message = wire.dumps([program])
    assert "value_class" in message and "Program" in message
    assert wire.loads(message, resolve=True) == [program]
    with pytest.raises(wire.WireError, match="can only be sent to the kernel"):
        wire.loads(message)

    @dataclass(frozen=True)
    class Local:
        x: float

    with pytest.raises(wire.WireError, match="cannot be sent to the learner's kernel"):
        wire.dumps(Local(1.0))
    forged = json.dumps({"t": "dataclass", "module": "os", "name": "system", "fields": []})
    with pytest.raises(wire.WireError, match="is not a dataclass"):
        wire.loads(forged, resolve=True)


def test_an_iterator_run_in_the_kernel_arrives_as_its_items_and_its_end():
    record = wire.Iterated("generator", "<generator object batches>", [(np.zeros(2), 1.0)],
                           wire.Failure(KeyError("y")))
    back = wire.loads(wire.dumps(record, handles={}))
    assert (back.type_name, back.text) == ("generator", "<generator object batches>")
    np.testing.assert_array_equal(back.items[0][0], np.zeros(2))
    assert back.items[0][1] == 1.0 and back.raised.type_name == "KeyError"
    forged = json.dumps({"t": "iterator", "type": "generator", "repr": "", "items": [],
                         "raised": {"t": "int", "v": "1"}})
    with pytest.raises(wire.WireError, match="neither None nor an exception"):
        wire.loads(forged)
