"""The Tensor's API mirrors torch.Tensor: creation, attributes, conversion, repr, factories."""

import subprocess
import sys

import numpy as np
import pytest
import torch

import mlcore


# ---------------------------------------------------------------- creation
def test_floats_default_to_float64_and_integers_to_int64():
    assert mlcore.tensor([1.0, 2.0]).dtype == np.float64
    assert mlcore.tensor(3.0).dtype == np.float64
    assert mlcore.tensor([1, 2]).dtype == np.int64
    assert mlcore.tensor([True, False]).dtype == np.bool_


@pytest.mark.parametrize("dtype", [mlcore.float32, np.float32, "float32"])
def test_float32_can_be_asked_for(dtype):
    t = mlcore.tensor([1, 2], dtype=dtype, requires_grad=True)
    assert t.dtype == np.float32 and t.requires_grad


def test_tensor_copies_its_input_like_torch_tensor():
    source = np.array([1.0, 2.0], dtype=np.float32)
    t = mlcore.tensor(source)
    source[0] = 99.0
    assert t.dtype == np.float32 and t.data[0] == 1.0
    u = mlcore.tensor(t)
    u.data[1] = 7.0
    assert t.data[1] == 2.0


def test_attributes():
    t = mlcore.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert isinstance(t.data, np.ndarray)
    assert t.shape == (2, 3) and t.ndim == 2 and t.dtype == np.float64
    assert t.grad is None and t.requires_grad and t.is_leaf
    assert t.size() == (2, 3) and t.size(1) == 3 and t.numel() == 6 and t.dim() == 2 and len(t) == 2
    assert t.op is None and t.parents == ()


def test_data_is_the_array_itself_and_writable():
    t = mlcore.tensor([1.0, 2.0], requires_grad=True)
    t.data[0] = 5.0
    t.data = t.data * 2
    np.testing.assert_array_equal(t.data, [10.0, 4.0])


def test_every_result_remembers_its_parents_and_operation():
    a, b = mlcore.tensor([1.0], requires_grad=True), mlcore.tensor([2.0], requires_grad=True)
    c = a * b
    d = c + a
    assert d.op == "add" and d.parents == (c, a)
    assert c.op == "mul" and c.parents == (a, b)
    assert d.parents[0].parents[1] is b


def test_item_float_int_bool():
    assert mlcore.tensor([[2.5]]).item() == 2.5
    assert type(mlcore.tensor(2.5).item()) is float
    assert type(mlcore.tensor(3).item()) is int
    x = mlcore.tensor(2.5, requires_grad=True)
    assert x.item() == 2.5 and float(x) == 2.5 and int(mlcore.tensor(3.0)) == 3
    assert bool(mlcore.tensor(1.0)) and not bool(mlcore.tensor(0.0))


def test_numpy_shares_memory_and_tolist():
    t = mlcore.tensor([1.0, 2.0])
    t.numpy()[0] = 3.0
    assert t.tolist() == [3.0, 2.0]
    np.testing.assert_array_equal(np.asarray(t), [3.0, 2.0])
    assert np.asarray(t, dtype=np.float32).dtype == np.float32


def test_np_array_copies_the_values_and_np_asarray_shares_them():
    # A trajectory recorded with np.array(w) must not move when w is trained further.
    w = mlcore.tensor([1.0, 2.0], requires_grad=True)
    snapshot, shared = np.array(w), np.asarray(w)
    w.data -= 1.0
    np.testing.assert_array_equal(snapshot, [1.0, 2.0])
    np.testing.assert_array_equal(shared, [0.0, 1.0])
    assert np.array(w, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="without copying"):
        np.array(w, dtype=np.float32, copy=False)
    assert np.array(w, copy=False) is w.data


def test_tensors_are_hashable_by_identity():
    a, b = mlcore.tensor([1.0]), mlcore.tensor([1.0])
    assert len({a: 1, b: 2}) == 2 and a in [a]


def test_requires_grad_can_be_switched_on_a_leaf():
    t = mlcore.tensor([1.0])
    assert t.requires_grad_() is t and t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad


def test_dtype_conversions_and_gradient_cast_back_like_torch():
    x = mlcore.tensor([1.5, 2.5], requires_grad=True)
    t = torch.tensor([1.5, 2.5], requires_grad=True)
    (x.float() * 3).sum().backward()
    (t.float() * 3).sum().backward()
    assert x.float().dtype == np.float32 and x.double().dtype == np.float64
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, t.grad.numpy())
    assert mlcore.tensor([1.7, -2.2]).long().tolist() == [1, -2]
    assert not x.long().requires_grad and not t.long().requires_grad


def test_setitem_without_grad_changes_values():
    t = mlcore.tensor([1.0, 2.0, 3.0])
    t[1] = 7.0
    t[mlcore.tensor([0, 2])] = mlcore.tensor([4.0, 5.0])
    assert t.tolist() == [4.0, 7.0, 5.0]


def test_zero_fills_in_place():
    t = mlcore.tensor([1.0, 2.0])
    data = t.data
    assert t.zero_() is t and t.data is data and t.tolist() == [0.0, 0.0]


def test_in_place_arithmetic_without_grad_keeps_dtype():
    t = mlcore.tensor([1.0, 2.0], dtype=np.float32)
    t += np.array([1.0, 1.0])
    t *= 2
    assert t.dtype == np.float32 and t.tolist() == [4.0, 6.0]


# ------------------------------------------------------------------- repr
@pytest.mark.parametrize("values", [[1.0, 2.0], [[1.5, -2.25], [3.0, 4.0]], 3.0, [1, 2],
                                    [0.123456789, 1e-5], [0.1, 0.2, 0.3], [np.nan, 1.5, np.inf]])
def test_repr_matches_torch(values):
    assert repr(mlcore.tensor(values)) == repr(torch.tensor(values))


def test_repr_shows_requires_grad_operation_and_dtype():
    x = mlcore.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == repr(torch.tensor([1.0, 2.0], requires_grad=True))
    assert repr(x * 2) == "tensor([2., 4.], op='mul')"
    assert repr(mlcore.tensor([1.0, 2.0], dtype=np.float32)) == "tensor([1., 2.], dtype=float32)"


# -------------------------------------------------------------- factories
def test_factories_shapes_and_dtypes():
    assert mlcore.zeros(2, 3).shape == (2, 3) and mlcore.zeros((2, 3)).tolist() == [[0.0] * 3] * 2
    assert mlcore.ones(4, dtype=np.float32).dtype == np.float32
    assert mlcore.zeros(2, requires_grad=True).requires_grad
    assert mlcore.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert mlcore.arange(1.0, 2.0, 0.5).tolist() == [1.0, 1.5]
    r = mlcore.rand(1000)
    assert r.shape == (1000,) and 0 <= r.data.min() and r.data.max() < 1
    n = mlcore.randn(2, 3, dtype=np.float32, requires_grad=True)
    assert n.shape == (2, 3) and n.dtype == np.float32 and n.requires_grad


def test_manual_seed_makes_random_numbers_repeatable():
    mlcore.manual_seed(3)
    first = mlcore.randn(5).tolist(), mlcore.rand(2).tolist()
    mlcore.manual_seed(3)
    assert (mlcore.randn(5).tolist(), mlcore.rand(2).tolist()) == first
    mlcore.manual_seed(4)
    assert mlcore.randn(5).tolist() != first[0]


@pytest.mark.parametrize("args", [(5,), (2, 9), (1, 10, 3), (2.5,), (0.0, 1.0, 0.25), (-3, 3)])
def test_arange_equals_torch(args):
    ours, theirs = mlcore.arange(*args), torch.arange(*args)
    assert ours.tolist() == theirs.tolist()
    assert ours.dtype.kind == ("f" if theirs.is_floating_point() else "i")


def test_arange_with_only_an_end_and_a_step_counts_from_zero():
    # torch refuses this spelling; numpy counts from 0, and mlcore must not ignore the step.
    assert mlcore.arange(10, step=2).tolist() == np.arange(10, step=2).tolist() == [0, 2, 4, 6, 8]
    assert mlcore.arange(1.0, step=0.25).tolist() == [0.0, 0.25, 0.5, 0.75]


@pytest.mark.parametrize("factory", [mlcore.rand, mlcore.randn])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, bool])
def test_random_factories_refuse_a_non_float_dtype_with_advice(factory, dtype):
    with pytest.raises(TypeError, match=rf"{factory.__name__} draws real numbers, so it needs a "
                                        rf"float dtype, but got dtype={np.dtype(dtype)} \(casting "
                                        r"would truncate.*dtype=np\.float64"):
        factory(3, dtype=dtype)


@pytest.mark.parametrize("seed", ["abc", 1.5, None, True, [1, 2]])
def test_manual_seed_refuses_a_seed_that_is_not_a_whole_number(seed):
    with pytest.raises(TypeError, match=r"manual_seed needs a non-negative whole number, but got "
                                        r".*\(type \w+\)\. Pick any fixed integer >= 0, "
                                        r"e\.g\. mlcore\.manual_seed\(0\)"):
        mlcore.manual_seed(seed)


def test_manual_seed_refuses_a_negative_seed_and_accepts_numpy_integers():
    with pytest.raises(ValueError, match=r"non-negative whole number, but got -1\. Pick any fixed "
                                         r"integer >= 0"):
        mlcore.manual_seed(-1)
    mlcore.manual_seed(np.int64(3))
    first = mlcore.randn(4).tolist()
    mlcore.manual_seed(3)
    assert mlcore.randn(4).tolist() == first


def test_function_forms_are_the_tensor_methods_and_name_their_chapter():
    for name in ("exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "maximum", "clamp",
                 "softmax", "log_softmax"):
        function = getattr(mlcore, name)
        assert getattr(mlcore.Tensor, name) is function
        assert "chapter" in function.__doc__, name


def test_function_forms_accept_lists_like_torch():
    np.testing.assert_allclose(mlcore.exp([0.0, 1.0]).data, [1.0, np.e], rtol=1e-15)
    np.testing.assert_allclose(mlcore.softmax([[0.0, 0.0]], dim=1).data, [[0.5, 0.5]])


# ------------------------------------------------------------ light import
def test_import_mlcore_does_not_import_torch_matplotlib_or_ipywidgets():
    code = ("import sys, mlcore, mlcore.nn, mlcore.optim; "
            "print(sorted(m for m in ('torch', 'matplotlib', 'ipywidgets') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
