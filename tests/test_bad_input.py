"""Bad input to the engine: a clear error that says what is wrong and how to fix it,
never a silent wrong answer; domain errors give nan/inf like numpy and PyTorch."""

import warnings

import numpy as np
import pytest
import torch

import mlcore


def test_matmul_shape_mismatch_names_both_shapes():
    a, b = mlcore.tensor(np.ones((3, 4))), mlcore.tensor(np.ones((5, 2)))
    with pytest.raises(ValueError) as info:
        a @ b
    message = str(info.value)
    assert "(3, 4)" in message and "(5, 2)" in message and "transpose" in message


def test_matmul_mismatch_with_vector_and_numpy_operand():
    with pytest.raises(ValueError, match=r"\(3,\).*\(4, 2\)"):
        mlcore.tensor([1.0, 2.0, 3.0]) @ np.ones((4, 2))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2,\)"):
        np.ones((2, 3)) @ mlcore.tensor([1.0, 2.0])


def test_matmul_with_a_scalar_says_to_use_star():
    with pytest.raises(ValueError, match="use \\*"):
        mlcore.tensor(2.0) @ mlcore.tensor([1.0])


def test_backward_on_non_scalar_says_what_to_pass():
    y = mlcore.tensor([[1.0, 2.0]], requires_grad=True) * 2
    with pytest.raises(RuntimeError) as info:
        y.backward()
    message = str(info.value)
    assert "(1, 2)" in message and "gradient=" in message and ".sum()" in message


def test_backward_gradient_of_wrong_shape_names_both_shapes():
    y = mlcore.tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"\(3,\).*\(2,\)"):
        y.backward(np.ones(3))


def test_backward_on_tensor_without_graph_explains_requires_grad():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        (mlcore.tensor([1.0, 2.0]) * 2).sum().backward()


def test_second_backward_raises_and_never_doubles_the_gradient():
    x = mlcore.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    first = x.grad.copy()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        loss.backward()
    np.testing.assert_array_equal(x.grad, first)
    # torch raises too, for the same reason.
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    ref = (t * t).sum()
    ref.backward()
    with pytest.raises(RuntimeError, match="second time"):
        ref.backward()


def test_second_backward_through_a_shared_part_of_the_graph_raises():
    x = mlcore.tensor([1.0, 2.0], requires_grad=True)
    hidden = x.exp()
    hidden.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        (hidden * 2).sum().backward()


def test_failed_second_backward_changes_no_gradient_at_all():
    x = mlcore.tensor([1.0, 2.0], requires_grad=True)
    hidden = x.exp()
    hidden.sum().backward()
    y = mlcore.tensor([3.0, 4.0], requires_grad=True)
    before = x.grad.copy()
    with pytest.raises(RuntimeError, match="second time"):
        (hidden * y).sum().backward()
    assert y.grad is None
    np.testing.assert_array_equal(x.grad, before)


def test_retain_graph_then_second_backward_accumulates_like_torch():
    x, t = mlcore.tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True)
    for v in (x, t):
        loss = (v * v * v).sum()
        loss.backward(retain_graph=True)
        loss.backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-15)
    np.testing.assert_array_equal(x.grad, [6.0, 24.0])


def test_chain_of_100000_operations_backpropagates_without_recursion_error():
    x = mlcore.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(50_000):
        y = y * 1.0001
        y = y - 0.0001
    y.backward()
    np.testing.assert_allclose(x.grad, 1.0001 ** 50_000, rtol=1e-9)
    # Freeing such a chain, with or without a backward pass, does not crash either.
    del y
    y = x
    for _ in range(100_000):
        y = y.tanh()
    del y


@pytest.mark.parametrize("expression, expected", [
    (lambda: mlcore.tensor([-1.0]).log(), np.nan),
    (lambda: mlcore.tensor([0.0]).log(), -np.inf),
    (lambda: mlcore.tensor([-1.0]).sqrt(), np.nan),
    (lambda: 1 / mlcore.tensor([0.0]), np.inf),
    (lambda: mlcore.tensor([-1.0]) / 0.0, -np.inf),
    (lambda: mlcore.tensor([0.0]) / mlcore.tensor([0.0]), np.nan),
    (lambda: mlcore.tensor([1000.0]).exp(), np.inf),
    (lambda: mlcore.tensor([-8.0]) ** (1 / 3), np.nan),
    (lambda: mlcore.tensor([0.0]) ** -1.0, np.inf),
], ids=["log_negative", "log_zero", "sqrt_negative", "one_over_zero", "minus_one_over_zero",
        "zero_over_zero", "exp_overflow", "fractional_power_of_negative", "zero_to_minus_one"])
def test_domain_errors_give_nan_or_inf_without_warnings(expression, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = expression()
    np.testing.assert_array_equal(result.data, [expected])


@pytest.mark.parametrize("name", ["log", "sqrt", "reciprocal", "pow"])
def test_backward_through_domain_errors_matches_torch_without_warnings(name):
    ops = {"log": lambda t: t.log(), "sqrt": lambda t: t.sqrt(), "reciprocal": lambda t: 1 / t,
           "pow": lambda t: t ** 0.5}
    values = [-1.0, 0.0, 4.0]
    x, t = mlcore.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (ops[name](x) * mlcore.tensor([1.0, 2.0, 3.0])).sum().backward()
    (ops[name](t) * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12)


def test_requires_grad_on_integer_tensor_is_refused_with_advice():
    with pytest.raises(TypeError, match="floating-point.*int64.*1.0"):
        mlcore.tensor([1, 2, 3], requires_grad=True)


def test_numpy_on_tensor_that_requires_grad_points_to_detach():
    x = mlcore.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        x.numpy()
    np.testing.assert_array_equal(x.detach().numpy(), [1.0])


def test_item_on_several_elements_says_how_to_reduce():
    with pytest.raises(ValueError, match=r"\(2,\).*\.sum\(\)"):
        mlcore.tensor([1.0, 2.0]).item()


def test_reshape_to_wrong_size_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*6 elements.*\(4, 2\)"):
        mlcore.tensor(np.ones((2, 3))).reshape(4, 2)


def test_ragged_nested_list_is_refused():
    with pytest.raises((TypeError, ValueError), match="same length"):
        mlcore.tensor([[1.0, 2.0], [3.0]])


def test_in_place_change_of_tensor_in_graph_is_refused():
    w = mlcore.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w[0] = 5.0
    with pytest.raises(RuntimeError, match="no_grad"):
        w -= 1.0
    with mlcore.no_grad():
        w[0] = 5.0
        w -= 1.0
    np.testing.assert_array_equal(w.data, [4.0, 1.0])


def test_requires_grad_on_computed_tensor_is_refused():
    y = mlcore.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf.*detach"):
        y.requires_grad_(False)


def test_retain_grad_without_requires_grad_is_refused():
    with pytest.raises(RuntimeError, match="requires grad"):
        mlcore.tensor([1.0]).retain_grad()


def test_numpy_ufunc_on_a_tensor_is_refused_rather_than_dropping_the_graph():
    x = mlcore.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError):
        np.exp(x)
    np.testing.assert_array_equal(np.asarray(x), [1.0])


def test_backward_rule_returning_a_wrong_shape_is_named():
    from mlcore.tensor import Tensor

    x = mlcore.tensor(np.ones((3, 4)), requires_grad=True)
    summed_wrongly = Tensor.from_op(x.data * 2, (x,), "my_double", lambda g: (g.sum(0),))
    with pytest.raises(RuntimeError, match=r"'my_double' returned a gradient of shape \(4,\) "
                                           r"for an input of shape \(3, 4\)"):
        summed_wrongly.sum().backward()


def test_backward_rule_returning_too_few_gradients_is_named():
    from mlcore.tensor import Tensor

    a, b = mlcore.tensor([1.0], requires_grad=True), mlcore.tensor([2.0], requires_grad=True)
    out = Tensor.from_op(a.data * b.data, (a, b), "my_mul", lambda g: (g * b.data,))
    with pytest.raises(RuntimeError, match="'my_mul' returned 1 gradients for 2 inputs"):
        out.sum().backward()


# ------------------------------------------------ shapes that do not broadcast
def _inplace_add(a, b):
    a += b
    return a


BROADCASTING = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "maximum": mlcore.maximum,
    "lt": lambda a, b: a < b, "eq": lambda a, b: a == b,
    "in-place add": _inplace_add, "clamp": lambda a, b: a.clamp(min=b),
    "reflected sub": lambda a, b: b.data - a,
}


@pytest.mark.parametrize("name", sorted(BROADCASTING))
def test_shapes_that_do_not_broadcast_get_both_shapes_the_rule_and_a_fix(name):
    a, b = mlcore.tensor(np.ones((2, 3))), mlcore.tensor(np.ones((4, 2)))
    with pytest.raises(ValueError) as info:
        BROADCASTING[name](a, b)
    message = str(info.value)
    assert ("(2, 3)" in message and "(4, 2)" in message) or "(4, 2) and (2, 3)" in message, message
    assert "equal or one of them is 1" in message
    assert "dimension -1 has size" in message and "unsqueeze(1)" in message
    with pytest.raises(RuntimeError, match="must match the size"):  # torch refuses too
        torch.ones(2, 3) + torch.ones(4, 2)


def test_shapes_that_are_each_others_transpose_suggest_T():
    with pytest.raises(ValueError, match=r"add: shapes \(2, 3\) and \(3, 2\) do not broadcast.*"
                                         r"did you mean to use \.T"):
        mlcore.tensor(np.ones((2, 3))) + mlcore.tensor(np.ones((3, 2)))


def test_in_place_result_that_does_not_fit_is_explained():
    t = mlcore.tensor([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"broadcast to \(2, 3\), which does not fit into the "
                                         r"tensor of shape \(3,\)"):
        t += np.ones((2, 3))
    np.testing.assert_array_equal(t.data, [1.0, 2.0, 3.0])


def test_matmul_batch_dimensions_that_do_not_broadcast_are_named():
    with pytest.raises(ValueError, match=r"matmul's batch dimensions: shapes \(2,\) and \(3,\) do "
                                         r"not broadcast"):
        mlcore.tensor(np.ones((2, 3, 4))) @ mlcore.tensor(np.ones((3, 4, 5)))


# -------------------------------------------------------- not numbers at all
@pytest.mark.parametrize("data, what", [
    (["a"], "text"), (np.array(["1.5"]), "text"), ([b"a"], "bytes"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "dates"),
])
def test_text_bytes_and_dates_are_refused_like_torch(data, what):
    with pytest.raises(TypeError, match=rf"A tensor holds numbers \(or True/False\), but this data "
                                        rf"holds {what}.*float\('2.5'\).*categories 0, 1, 2"):
        mlcore.tensor(data)
    with pytest.raises((TypeError, ValueError)):
        torch.tensor(data)


@pytest.mark.parametrize("data", [[None], [1.0, "a", None], np.array([1, "a"], dtype=object)])
def test_python_objects_are_refused_like_torch(data):
    with pytest.raises(TypeError, match="array of Python objects. Check that every row"):
        mlcore.tensor(data)
    with pytest.raises((TypeError, ValueError, RuntimeError)):
        torch.tensor(data)


def test_text_as_an_operand_is_refused():
    with pytest.raises(TypeError, match="holds text"):
        mlcore.tensor([1.0]) + np.array(["a"])


# ------------------------------------------------------------ dims out of range
@pytest.mark.parametrize("shape, op, dim", [((), "squeeze", 1), ((2, 1), "squeeze", 2),
                                            ((2, 1), "squeeze", -3), ((2, 1), "unsqueeze", 3),
                                            ((), "unsqueeze", -2)])
def test_a_dim_out_of_range_is_refused_like_torch(shape, op, dim):
    size = max(len(shape) + (op == "unsqueeze"), 1)
    with pytest.raises(IndexError, match=rf"{op}\(\): dim {dim} is out of range for a tensor with "
                                         rf"{len(shape)} dimensions; use a dim from {-size} to {size - 1}"):
        getattr(mlcore.tensor(np.ones(shape)), op)(dim)
    with pytest.raises(IndexError, match="Dimension out of range"):
        getattr(torch.ones(shape), op)(dim)


@pytest.mark.parametrize("dim", [0, -1])
def test_squeeze_of_a_0d_tensor_keeps_it_like_torch(dim):
    out = mlcore.tensor(2.5).squeeze(dim)
    assert out.shape == () and out.item() == 2.5 == torch.tensor(2.5).squeeze(dim).item()


# ------------------------------------------------------------- softmax's dim
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_without_dim_is_refused_like_torch(name):
    x, t = mlcore.tensor([[1.0, 2.0]]), torch.tensor([[1.0, 2.0]])
    for call in (lambda: getattr(x, name)(), lambda: getattr(mlcore, name)(x)):
        with pytest.raises(TypeError, match=rf"{name}\(\) needs dim: the dimension along which the "
                                            rf"probabilities add up to 1, e\.g\. {name}\(logits, dim=1\)"):
            call()
    for call in (lambda: getattr(t, name)(), lambda: getattr(torch, name)(t)):
        with pytest.raises(TypeError, match="dim"):
            call()


def test_unsqueeze_without_dim_is_refused():
    with pytest.raises(TypeError, match="unsqueeze\\(\\) needs dim"):
        mlcore.tensor([1.0]).unsqueeze()
