"""Every tensor operation against PyTorch: forward values and gradients, float64 and float32.

The operations come from the catalogue in tests/oracle.py; the property tests
at the end draw random shapes and broadcasts with hypothesis.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mlcore
from oracle import CASE_IDS, CASES, NUMPY_DTYPE, assert_close, run_both

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_forward_matches_torch_float64(case):
    run = run_both(case)
    # float64 in, float64 out, except where the operation casts: then to torch's dtype.
    assert run.out.dtype == NUMPY_DTYPE[run.ref.dtype], f"{case.name} forward gave {run.out.dtype}"
    assert_close(run.out, run.ref, what=f"{case.name} forward")


def _assert_no_gradient(case, run):
    """An operation without a derivative: no graph in either library, no gradient anywhere."""
    assert not run.out.requires_grad and not run.ref.requires_grad, case.name
    assert run.out.op is None and run.out.parents == () and run.out.is_leaf
    assert all(x.grad is None for x in run.inputs)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_gradients_match_torch_float64(case):
    run = run_both(case)
    if not case.differentiable:
        return _assert_no_gradient(case, run)
    for i, (x, ref) in enumerate(zip(run.inputs, run.ref_inputs)):
        assert x.grad is not None, f"{case.name}: input {i} got no gradient"
        assert x.grad.dtype == np.float64
        assert_close(x.grad, ref.grad, what=f"{case.name} grad of input {i}")


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_float32_stays_float32_and_matches_torch(case):
    run = run_both(case, dtype=np.float32)
    assert run.out.dtype == NUMPY_DTYPE[run.ref.dtype], f"{case.name} forward gave {run.out.dtype}"
    assert_close(run.out, run.ref, np.float32, what=f"{case.name} forward")
    if not case.differentiable:
        return _assert_no_gradient(case, run)
    for i, (x, ref) in enumerate(zip(run.inputs, run.ref_inputs)):
        assert x.grad.dtype == np.float32, f"{case.name} grad {i} is {x.grad.dtype}"
        assert_close(x.grad, ref.grad, np.float32, what=f"{case.name} grad of input {i}")


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_result_records_operation_and_parents(case):
    run = run_both(case)
    if not case.differentiable:
        return _assert_no_gradient(case, run)
    assert run.out.requires_grad
    assert isinstance(run.out.op, str) and run.out.op
    assert not run.out.is_leaf and all(x.is_leaf for x in run.inputs)
    assert len(run.out.parents) >= 1


# ------------------------------------------------------------- specific facts
def test_repeated_integer_indices_accumulate_gradients():
    x = mlcore.tensor([10.0, 20.0, 30.0], requires_grad=True)
    x[np.array([0, 0, 2, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_boolean_mask_routes_gradient_to_selected_elements():
    x = mlcore.tensor([[1.0, -2.0], [-3.0, 4.0]], requires_grad=True)
    picked = x[x > 0]
    np.testing.assert_array_equal(picked.data, [1.0, 4.0])
    (picked * mlcore.tensor([5.0, 7.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [[5.0, 0.0], [0.0, 7.0]])


def test_numpy_array_on_the_left_gives_a_tensor_in_the_graph():
    x = mlcore.tensor([1.0, 2.0], requires_grad=True)
    for result in (np.ones(2) + x, np.ones(2) - x, np.ones(2) * x, np.ones(2) / x,
                   np.ones(2) ** x, np.ones((3, 2)) @ x):
        assert isinstance(result, mlcore.Tensor) and result.requires_grad


def test_max_over_everything_splits_gradient_between_ties_like_torch():
    values = [[1.0, 3.0, 3.0], [3.0, 0.0, 2.0]]
    x = mlcore.tensor(values, requires_grad=True)
    ref = torch.tensor(values, requires_grad=True)
    x.max().backward()
    ref.max().backward()
    assert_close(x.grad, ref.grad)
    np.testing.assert_allclose(x.grad, [[0, 1 / 3, 1 / 3], [1 / 3, 0, 0]], rtol=1e-15)


def test_max_along_dim_sends_gradient_to_first_tie_like_torch():
    values = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]
    x = mlcore.tensor(values, requires_grad=True)
    ref = torch.tensor(values, requires_grad=True)
    x.max(dim=1).sum().backward()
    ref.max(dim=1).values.sum().backward()
    assert_close(x.grad, ref.grad)


@pytest.mark.parametrize("values", [[1.0, np.nan, 0.5], [np.nan, 1.0, np.nan],
                                    [[1.0, np.nan, 0.5], [2.0, 3.0, np.nan]]])
@pytest.mark.parametrize("reduce", ["max", "min", "max_dim", "min_dim"])
def test_a_nan_is_the_maximum_and_takes_the_gradient_like_torch(values, reduce):
    name, along = reduce.split("_")[0], reduce.endswith("dim")
    x, ref = mlcore.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out = getattr(x, name)(dim=-1) if along else getattr(x, name)()
    ref_out = getattr(ref, name)(dim=-1).values if along else getattr(ref, name)()
    out.sum().backward()
    ref_out.sum().backward()
    np.testing.assert_array_equal(out.data, ref_out.detach().numpy())  # nan where torch has nan
    assert_close(x.grad, ref.grad, what=f"{reduce} grad")
    assert not np.isnan(x.grad).any()


def test_maximum_with_a_nan_passes_the_gradient_to_both_like_torch():
    a, b = mlcore.tensor([np.nan, 1.0, 2.0], requires_grad=True), mlcore.tensor([1.0, np.nan, 2.0],
                                                                              requires_grad=True)
    ta, tb = torch.tensor(a.data, requires_grad=True), torch.tensor(b.data, requires_grad=True)
    mlcore.maximum(a, b).sum().backward()
    torch.maximum(ta, tb).sum().backward()
    assert_close(a.grad, ta.grad)
    assert_close(b.grad, tb.grad)


@pytest.mark.parametrize("bounds", ["min", "max", "both"])
def test_clamp_with_tensor_bounds_gives_the_bounds_their_gradient_like_torch(bounds):
    # Below, at and above the bounds, and where min > max (the result is then max).
    columns = ([-2.0, -1.0, 0.0, 1.0, 2.0, 3.0], [-1.0, -1.0, -1.0, 0.0, 3.0, 0.0],
               [1.0, 1.0, 1.0, 1.0, 1.0, 3.0])
    used = {"min": (0, 1), "max": (0, 2), "both": (0, 1, 2)}[bounds]
    runs = []
    for lib in (mlcore, torch):
        x, lo, hi = (lib.tensor(c, requires_grad=True) for c in columns)
        bound = {"min": {"min": lo}, "max": {"max": hi}, "both": {"min": lo, "max": hi}}[bounds]
        out = lib.clamp(x, **bound)
        (out * lib.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).sum().backward()
        runs.append((out, [(x, lo, hi)[i].grad for i in used]))
    (out, grads), (ref, ref_grads) = runs
    assert_close(out, ref, what=f"clamp with {bounds}")
    for i, grad, ref_grad in zip(used, grads, ref_grads):
        assert_close(grad, ref_grad, what=f"clamp with {bounds}: grad of input {i}")


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "argmax", "softmax", "log_softmax",
                                  "squeeze", "unsqueeze"])
def test_axis_is_accepted_for_dim_like_torch(name):
    values = np.random.default_rng(3).standard_normal((2, 1, 3))
    x, ref = mlcore.tensor(values), torch.tensor(values)
    out, ref_out = getattr(x, name)(axis=1), getattr(ref, name)(axis=1)
    assert_close(out, ref_out if isinstance(ref_out, torch.Tensor) else ref_out.values, what=name)


def test_maximum_splits_gradient_at_ties_like_torch():
    a, b = mlcore.tensor([1.0, 2.0], requires_grad=True), mlcore.tensor([1.0, 3.0], requires_grad=True)
    ta, tb = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 3.0], requires_grad=True)
    mlcore.maximum(a, b).sum().backward()
    torch.maximum(ta, tb).sum().backward()
    assert_close(a.grad, ta.grad)
    assert_close(b.grad, tb.grad)


@pytest.mark.parametrize("name", ["abs", "relu", "clamp"])
def test_kinks_take_torch_subgradient(name):
    values = [-1.0, 0.0, 0.5, 1.0]
    ops = {"abs": lambda t: t.abs(), "relu": lambda t: t.relu(), "clamp": lambda t: t.clamp(0.0, 0.5)}
    x, ref = mlcore.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ops[name](x).sum().backward()
    ops[name](ref).sum().backward()
    assert_close(x.grad, ref.grad)


def test_pow_derivatives_at_zero_base_match_torch():
    for exponent in (0.0, 2.0, 0.5, -1.0):
        x = mlcore.tensor([0.0, 1.5], requires_grad=True)
        e = mlcore.tensor(exponent, requires_grad=True)
        ref_x = torch.tensor([0.0, 1.5], requires_grad=True)
        ref_e = torch.tensor(exponent, requires_grad=True)
        (x ** e).sum().backward()
        (ref_x ** ref_e).sum().backward()
        assert_close(x.grad, ref_x.grad, what=f"d/dx at exponent {exponent}")
        assert_close(e.grad, ref_e.grad, what=f"d/de at exponent {exponent}")


@pytest.mark.parametrize("dim", [0, 1])
def test_softmax_and_log_softmax_are_finite_for_huge_logits(dim):
    logits = [[1000.0, -1000.0, 0.0], [-1000.0, 999.0, 1000.0]]
    for op in ("softmax", "log_softmax"):
        x, ref = mlcore.tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
        out, ref_out = getattr(x, op)(dim), getattr(ref, op)(dim)
        (out * mlcore.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
        (ref_out * torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
        assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad))
        assert_close(out, ref_out, what=op)
        assert_close(x.grad, ref.grad, what=f"{op} grad")


def test_comparisons_give_boolean_tensors_without_gradient():
    x = mlcore.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in ((x > 2, [False, False, True]), (x >= 2, [False, True, True]),
                             (x < 2, [True, False, False]), (x <= 2, [True, True, False]),
                             (x == 2, [False, True, False]), (x != 2, [True, False, True])):
        assert result.dtype == np.bool_ and not result.requires_grad
        np.testing.assert_array_equal(result.data, expected)


# ---------------------------------------------------------- property tests
def _values(shape, low=-3.0, high=3.0, unique=False):
    return hnp.arrays(np.float64, shape, unique=unique,
                      elements=st.floats(low, high, allow_subnormal=False, width=64))


BINARY = {
    "add": (lambda a, b: a + b, None),
    "sub": (lambda a, b: a - b, None),
    "mul": (lambda a, b: a * b, None),
    "div": (lambda a, b: a / b, (0.5, 3.0)),
    "pow": (lambda a, b: b ** a, (0.5, 3.0)),
    "maximum": (lambda a, b: a.maximum(b), None),
}


def _check(fn, ref_fn, *arrays):
    """fn on mlcore tensors vs ref_fn on torch tensors: forward and every input's gradient."""
    ours = [mlcore.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = fn(*ours), ref_fn(*theirs)
    assert_close(out, ref, what="forward")
    upstream = np.linspace(-1.0, 2.0, max(ref.numel(), 1)).reshape(tuple(ref.shape))
    out.backward(upstream)
    ref.backward(torch.as_tensor(upstream))
    for i, (x, t) in enumerate(zip(ours, theirs)):
        assert_close(x.grad, t.grad, what=f"grad of input {i}")


@PROPERTY
@given(data=st.data(), name=st.sampled_from(sorted(BINARY)))
def test_property_broadcast_binary_ops(data, name):
    fn, second_range = BINARY[name]
    shapes, _ = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4))
    a = data.draw(_values(shapes[0]))
    b = data.draw(_values(shapes[1], *(second_range or (-3.0, 3.0))))
    ref_fn = (lambda x, y: torch.maximum(x, y)) if name == "maximum" else fn
    _check(fn, ref_fn, a, b)


UNARY = {
    "exp": lambda t: t.exp(), "tanh": lambda t: t.tanh(), "sigmoid": lambda t: t.sigmoid(),
    "abs": lambda t: t.abs(), "relu": lambda t: t.relu(), "neg": lambda t: -t,
    "clamp": lambda t: t.clamp(-1.0, 1.0), "square": lambda t: t ** 2,
    "log": lambda t: t.log(), "sqrt": lambda t: t.sqrt(),
}


@PROPERTY
@given(data=st.data(), name=st.sampled_from(sorted(UNARY)))
def test_property_unary_ops(data, name):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, max_side=4))
    low = 0.1 if name in ("log", "sqrt") else -3.0
    _check(UNARY[name], UNARY[name], data.draw(_values(shape, low)))


def _dims(ndim):
    """None, one dim (maybe negative) or a tuple of distinct dims."""
    one = st.integers(-ndim, ndim - 1)
    several = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)
    return st.one_of(st.none(), one, several)


@PROPERTY
@given(data=st.data(), name=st.sampled_from(["sum", "mean"]), keepdim=st.booleans())
def test_property_sum_and_mean(data, name, keepdim):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, max_side=4))
    dim = data.draw(_dims(len(shape)))
    if dim is None:
        fn = lambda t: getattr(t, name)()  # noqa: E731
    else:
        fn = lambda t: getattr(t, name)(dim=dim, keepdim=keepdim)  # noqa: E731
    _check(fn, fn, data.draw(_values(shape)))


@PROPERTY
@given(data=st.data(), name=st.sampled_from(["max", "min"]), keepdim=st.booleans())
def test_property_max_and_min(data, name, keepdim):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, max_side=4))
    dim = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    if dim is None:
        # Ties allowed: both libraries split the gradient evenly between them.
        _check(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), data.draw(_values(shape)))
    else:
        # Distinct values: which of several tied maxima gets the gradient is an implementation detail.
        _check(lambda t: getattr(t, name)(dim, keepdim),
               lambda t: getattr(t, name)(dim, keepdim).values,
               data.draw(_values(shape, unique=True)))


@PROPERTY
@given(data=st.data(), name=st.sampled_from(["softmax", "log_softmax"]))
def test_property_softmax(data, name):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    fn = lambda t: getattr(t, name)(dim)  # noqa: E731
    _check(fn, fn, data.draw(_values(shape, -20.0, 20.0)))


def test_integer_and_boolean_arrays_keep_float32_like_torch():
    x = mlcore.tensor([1.5, -2.0], dtype=np.float32, requires_grad=True)
    t = torch.tensor([1.5, -2.0], dtype=torch.float32, requires_grad=True)
    ints, mask = np.array([2, 3]), np.array([True, False])
    out = (x * ints + np.array([1, 1]) - mask) / ints
    ref = (t * torch.tensor(ints) + torch.tensor([1, 1]) - torch.tensor(mask).float()) / torch.tensor(ints)
    out.sum().backward()
    ref.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
    assert ref.dtype == torch.float32
    assert_close(out, ref, np.float32)
    assert_close(x.grad, t.grad, np.float32)
