"""mlcore.gradcheck: every operation's backward agrees with central differences,
and a wrong backward is reported with the input, the index and both values."""

import re

import numpy as np
import pytest

import mlcore
from mlcore.tensor import Tensor
from oracle import CASES, inputs_for

# Casts to float32 round away the steps of central differences (float32 resolves about 1e-7
# relative, the step is 1e-6): test_tensor_ops checks their gradients against torch instead.
TO_FLOAT32 = {"to_float32", "float"}
CHECKABLE = [case for case in CASES if case.differentiable and case.name not in TO_FLOAT32]


def test_the_cases_left_out_of_gradcheck_are_the_casts_to_float32():
    assert TO_FLOAT32 <= {case.name for case in CASES}


@pytest.mark.parametrize("case", CHECKABLE, ids=[case.name for case in CHECKABLE])
def test_gradcheck_passes_on_every_differentiable_operation(case):
    inputs = [mlcore.tensor(a, requires_grad=True) for a in inputs_for(case)]
    assert mlcore.gradcheck(case.fn, *inputs) is True


def _triple_with_wrong_element(x, wrong_index):
    """3 * x whose backward is wrong at one element: the bug gradcheck must find."""

    def backward(g):
        grad = 3 * g
        grad[wrong_index] = 2 * g[wrong_index]
        return (grad,)

    return Tensor.from_op(3 * x.data, (x,), "triple", backward)


def test_wrong_backward_is_reported_with_input_index_and_both_values():
    a = mlcore.tensor([1.0, 2.0], requires_grad=True)
    b = mlcore.tensor([[0.5, 1.5, -2.0], [1.0, 2.0, 3.0]], requires_grad=True)

    def fn(a, b):
        return (a.sum() * _triple_with_wrong_element(b, (1, 2))).sum()

    # d fn / d b[1, 2] = 3 * sum(a) = 9; the broken backward says 2 * sum(a) = 6.
    with pytest.raises(mlcore.GradcheckError) as info:
        mlcore.gradcheck(fn, a, b)
    message = str(info.value)
    assert "input 1" in message and "index (1, 2)" in message
    numbers = [float(n) for n in re.findall(r"expected derivative (\S+) .* got (\S+) from", message)[0]]
    np.testing.assert_allclose(numbers, [9.0, 6.0], rtol=1e-5)
    assert "central differences" in message and "backward" in message


def test_first_input_is_checked_too():
    x = mlcore.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(mlcore.GradcheckError, match=r"input 0 at index \(0,\)"):
        mlcore.gradcheck(lambda x: _triple_with_wrong_element(x, 0), x)


def test_raise_exception_false_returns_false():
    x = mlcore.tensor([1.0, 2.0], requires_grad=True)
    assert mlcore.gradcheck(lambda x: _triple_with_wrong_element(x, 1), x, raise_exception=False) is False


def test_tolerances_are_applied():
    def slightly_off(x):
        return Tensor.from_op(2 * x.data, (x,), "off", lambda g: (g * 2 * (1 + 1e-4),))

    x = mlcore.tensor([1.0, -1.0], requires_grad=True)
    assert mlcore.gradcheck(slightly_off, x, rtol=1e-3)
    with pytest.raises(mlcore.GradcheckError):
        mlcore.gradcheck(slightly_off, x, atol=0.0, rtol=1e-6)


def test_gradcheck_leaves_data_and_grad_untouched():
    x = mlcore.tensor([[0.3, -1.2], [2.0, 0.7]], requires_grad=True)
    before = x.data.copy()
    mlcore.gradcheck(lambda x: (x * x).tanh(), x)
    np.testing.assert_array_equal(x.data, before)
    assert x.grad is None


def test_inputs_without_requires_grad_are_constants():
    x = mlcore.tensor([1.0, 2.0], requires_grad=True)
    constant = mlcore.tensor([3.0, 4.0])
    assert mlcore.gradcheck(lambda x, c: x * c, x, constant)


def test_float32_input_is_refused_with_advice():
    x = mlcore.tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    with pytest.raises(ValueError, match="float32.*float64"):
        mlcore.gradcheck(lambda x: x * 2, x)


def test_no_input_requiring_grad_is_refused():
    with pytest.raises(ValueError, match="requires_grad=True"):
        mlcore.gradcheck(lambda x: x * 2, mlcore.tensor([1.0]))


@pytest.mark.parametrize("result", [lambda x: x.data * 2, lambda x: 2.0], ids=["ndarray", "float"])
def test_fn_returning_numpy_or_a_number_is_refused_with_advice(result):
    x = mlcore.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"fn to return an mlcore Tensor, but it returned "
                                        r"(ndarray|float)\..*not from x\.data or numpy"):
        mlcore.gradcheck(result, x)


def test_unused_input_has_zero_gradient_like_torch():
    x = mlcore.tensor([1.0, 2.0], requires_grad=True)
    unused = mlcore.tensor([3.0], requires_grad=True)
    assert mlcore.gradcheck(lambda x, unused: x * 2, x, unused) is True
    assert mlcore.gradcheck(lambda x: mlcore.tensor([5.0]), x) is True
    assert x.grad is None and unused.grad is None


def test_input_that_bypasses_the_graph_fails_against_its_zero_gradient():
    x = mlcore.tensor([1.0, 2.0], requires_grad=True)
    hidden = mlcore.tensor([3.0, -1.0], requires_grad=True)
    # fn depends on hidden through .data only: backward() sees no path, finite differences do.
    with pytest.raises(mlcore.GradcheckError, match=r"input 1 at index \(0,\).*got 0 from backward"):
        mlcore.gradcheck(lambda x, hidden: x * hidden.data, x, hidden)


def test_mismatch_on_a_kink_says_to_move_the_input_off_it():
    x = mlcore.tensor([0.0, 1.0], requires_grad=True)
    # relu at 0: central differences give 0.5, backward() gives 0.
    with pytest.raises(mlcore.GradcheckError) as info:
        mlcore.gradcheck(lambda x: x.relu().sum(), x)
    message = str(info.value)
    assert "index (0,)" in message and "expected derivative 0.5" in message
    assert "backward rule" in message
    assert "kink (e.g. relu/abs at 0): move it off the kink" in message
