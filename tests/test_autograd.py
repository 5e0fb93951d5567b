"""The backward pass as a whole: accumulation, no_grad, detach, retain_grad,
autograd.grad, and freeing the graph, each checked against PyTorch."""

import gc
import weakref

import numpy as np
import pytest
import torch

import mlcore
from mlcore.tensor import Tensor
from oracle import assert_close

X = [[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]]
W = [[0.2, -0.4], [0.9, 0.1], [-0.3, 0.8]]


def _pair(values):
    return mlcore.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)


def _loss(x, w):
    """A small network-shaped function; the same code runs on mlcore and torch tensors."""
    return ((x @ w).tanh() * (x @ w)).sum()


# ------------------------------------------------------------- accumulation
def test_backward_in_a_loop_without_zero_grad_accumulates_like_torch():
    # The mistake COURSE.md warns about: three backward() calls, no zero_grad,
    # so .grad holds three times the gradient -- in both libraries.
    (x, tx), (w, tw) = _pair(X), _pair(W)
    for _ in range(3):
        _loss(x, w).backward()
        _loss(tx, tw).backward()
    assert_close(w.grad, tw.grad)
    assert_close(x.grad, tx.grad)
    single_w, single_tw = _pair(W)
    _loss(mlcore.tensor(X), single_w).backward()
    np.testing.assert_allclose(w.grad, 3 * single_w.grad, rtol=1e-12)


def test_zeroing_grad_between_steps_gives_one_steps_gradient():
    (w, tw) = _pair(W)
    for _ in range(2):
        w.grad = None
        tw.grad = None
        _loss(mlcore.tensor(X), w).backward()
        _loss(torch.tensor(X), tw).backward()
    assert_close(w.grad, tw.grad)


def test_retain_graph_allows_second_backward_which_accumulates_like_torch():
    (x, tx), (w, tw) = _pair(X), _pair(W)
    loss, ref = _loss(x, w), _loss(tx, tw)
    loss.backward(retain_graph=True)
    ref.backward(retain_graph=True)
    loss.backward()
    ref.backward()
    assert_close(w.grad, tw.grad)
    assert_close(x.grad, tx.grad)


def test_tensor_used_several_times_sums_all_paths_like_torch():
    (x, tx) = _pair([0.3, -1.2, 2.0])
    for t in (x, tx):
        a = t * t
        b = a.exp() + a * t - t.tanh()
        (b * a).sum().backward()
    assert_close(x.grad, tx.grad)


def test_random_dag_matches_torch():
    rng = np.random.default_rng(7)
    leaves = [rng.standard_normal(4) for _ in range(3)]
    plan = [(rng.integers(0, 3 + i), rng.integers(0, 3 + i), rng.integers(0, 4)) for i in range(60)]

    def build(nodes):
        for i, j, op in plan:
            a, b = nodes[i], nodes[j]
            nodes.append([a + b, a * b, (a - b).tanh(), a.sigmoid() * 0.5][op])
        return sum(n.sum() for n in nodes[-10:])

    theirs = [torch.tensor(v, requires_grad=True) for v in leaves]
    ours = [mlcore.tensor(v, requires_grad=True) for v in leaves]
    build(list(ours)).backward()
    build(list(theirs)).backward()
    for o, t in zip(ours, theirs):
        assert_close(o.grad, t.grad)


def test_backward_with_explicit_gradient_matches_torch():
    (x, tx) = _pair(X)
    upstream = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, 1.0]])
    (x * x).backward(upstream)
    (tx * tx).backward(torch.tensor(upstream))
    assert_close(x.grad, tx.grad)
    (y, ty) = _pair(X)
    (y.exp()).backward(mlcore.tensor(upstream))
    (ty.exp()).backward(torch.tensor(upstream))
    assert_close(y.grad, ty.grad)


def test_leaf_grad_is_a_copy_of_the_incoming_gradient():
    x = mlcore.tensor([1.0, 2.0], requires_grad=True)
    upstream = np.array([1.0, 1.0])
    x.backward(upstream)
    upstream[0] = 100.0
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])
    # ... also when it reaches the leaf unchanged or as a view (add, reshape pass g on).
    for op in (lambda t: t + 0.0, lambda t: t.reshape(2, 1), lambda t: +t):
        y = mlcore.tensor([1.0, 2.0], requires_grad=True)
        upstream = np.ones(op(y).shape)
        op(y).backward(upstream)
        upstream[0] = 100.0
        np.testing.assert_array_equal(y.grad, [1.0, 1.0])
    # One array reaching two leaves must not be shared between them either.
    a, b = mlcore.tensor([1.0], requires_grad=True), mlcore.tensor([2.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad += 10.0
    np.testing.assert_array_equal(b.grad, [1.0])


def test_leaf_grad_is_not_shared_with_a_retained_graph():
    w = mlcore.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * 3.0).sum()
    loss.backward(retain_graph=True)
    w.grad *= 100.0  # e.g. gradient clipping in place
    w.grad = None
    loss.backward()
    np.testing.assert_array_equal(w.grad, [3.0, 3.0])


def test_grad_is_always_an_array_of_the_leaf_dtype():
    x = mlcore.tensor(2.0, requires_grad=True)
    y = mlcore.tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    (x * np.ones(3)).sum().backward()
    (y.double() * y.double()).sum().backward()
    assert type(x.grad) is np.ndarray and x.grad.shape == () and x.grad == 3.0
    assert type(y.grad) is np.ndarray and y.grad.dtype == np.float32


def test_non_leaf_grad_is_none_like_torch():
    (x, tx) = _pair(X)
    hidden, ref_hidden = x * 2, tx * 2
    hidden.sum().backward()
    ref_hidden.sum().backward()
    assert hidden.grad is None
    assert not hidden.is_leaf and x.is_leaf


# ----------------------------------------------------- no_grad and detach
def test_no_grad_context_records_nothing_and_restores_state():
    x = mlcore.tensor([1.0, 2.0], requires_grad=True)
    assert mlcore.is_grad_enabled()
    with mlcore.no_grad():
        assert not mlcore.is_grad_enabled()
        y = x * 2 + 1
    assert mlcore.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and y.parents == () and y.op is None
    np.testing.assert_array_equal(y.data, [3.0, 5.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_no_grad_restores_state_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with mlcore.no_grad():
            1 / 0
    assert mlcore.is_grad_enabled()


def test_no_grad_nests_and_enable_grad_turns_tracking_back_on():
    x = mlcore.tensor([1.0], requires_grad=True)
    with mlcore.no_grad():
        with mlcore.no_grad():
            pass
        assert not mlcore.is_grad_enabled()
        with mlcore.enable_grad():
            y = x * 3
        z = x * 3
    assert y.requires_grad and not z.requires_grad


@pytest.mark.parametrize("decorator", [mlcore.no_grad(), mlcore.no_grad], ids=["called", "bare"])
def test_no_grad_as_decorator(decorator):
    @decorator
    def evaluate(t):
        """Docstring kept."""
        return t * 2, mlcore.is_grad_enabled()

    x = mlcore.tensor([1.0], requires_grad=True)
    y, enabled = evaluate(x)
    assert not enabled and not y.requires_grad
    assert mlcore.is_grad_enabled()
    assert evaluate.__doc__ == "Docstring kept."


def test_parameter_update_under_no_grad_like_an_optimizer():
    # `p -= lr * p.grad` must change the parameter itself, not rebind a name.
    (w, tw) = _pair(W)
    for p, lib in ((w, mlcore), (tw, torch)):
        _loss(lib.tensor(X), p).backward()
        with lib.no_grad():
            for param in [p]:
                param -= 0.1 * param.grad
                param *= 2.0
                param += 1.0
                param /= 4.0
        assert param is p
    assert_close(w, tw)


def test_detach_shares_data_and_stops_the_gradient_like_torch():
    (x, tx) = _pair(X)
    for t in (x, tx):
        (t * t.detach()).sum().backward()
    assert_close(x.grad, tx.grad)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf and d.grad is None
    d.data[0, 0] = 42.0
    assert x.data[0, 0] == 42.0


def test_retain_grad_keeps_intermediate_gradient_like_torch():
    (x, tx), (w, tw) = _pair(X), _pair(W)
    hidden, ref_hidden = (x @ w).retain_grad(), tx @ tw
    ref_hidden.retain_grad()
    (hidden.tanh() ** 2).sum().backward()
    (ref_hidden.tanh() ** 2).sum().backward()
    assert_close(hidden.grad, ref_hidden.grad)


# --------------------------------------------------------- autograd.grad
def test_autograd_grad_matches_torch_and_leaves_grad_alone():
    (x, tx), (w, tw) = _pair(X), _pair(W)
    gx, gw = mlcore.autograd.grad(_loss(x, w), [x, w])
    ref_gx, ref_gw = torch.autograd.grad(_loss(tx, tw), [tx, tw])
    assert_close(gx, ref_gx)
    assert_close(gw, ref_gw)
    assert x.grad is None and w.grad is None


def test_autograd_grad_with_grad_outputs_and_intermediate_input():
    (x, tx), (w, tw) = _pair(X), _pair(W)
    upstream = np.array([[1.0, 2.0], [-1.0, 0.5]])
    hidden, ref_hidden = x @ w, tx @ tw
    out, ref_out = hidden.tanh(), ref_hidden.tanh()
    ours = mlcore.autograd.grad(out, [hidden, w], grad_outputs=upstream)
    theirs = torch.autograd.grad(ref_out, [ref_hidden, tw], grad_outputs=torch.tensor(upstream))
    for o, t in zip(ours, theirs):
        assert_close(o, t)


def test_autograd_grad_unused_input_is_explained():
    x, unused = mlcore.tensor([1.0], requires_grad=True), mlcore.tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Input 1 .* not used"):
        mlcore.autograd.grad((x * 2).sum(), [x, unused])


# ---------------------------------------------------- memory: no cycles
def _forward_backward():
    x = mlcore.tensor(np.ones((4, 3)), requires_grad=True)
    w = mlcore.tensor(np.full((3, 2), 0.5), requires_grad=True)
    hidden = (x @ w).tanh()
    loss = (hidden * hidden).mean() + hidden.max() + hidden[np.array([0, 0])].sum()
    return x, w, hidden, loss


@pytest.mark.parametrize("when", ["after_backward", "forward_only", "retain_graph"])
def test_graph_is_freed_by_reference_counting_alone(when):
    gc.collect()
    gc.disable()
    try:
        x, w, hidden, loss = _forward_backward()
        if when != "forward_only":
            loss.backward(retain_graph=when == "retain_graph")
        probes = [weakref.ref(hidden.data), weakref.ref(loss.data)]
        del hidden, loss
        assert [p() for p in probes] == [None, None], "an intermediate survived: reference cycle"
        assert x.grad is not None or when == "forward_only"
    finally:
        gc.enable()


def test_garbage_collector_finds_no_mlcore_objects():
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(3):
            _, _, _, loss = _forward_backward()
            loss.backward()
        del loss
        gc.collect()
        ours = [o for o in gc.garbage
                if isinstance(o, (Tensor, np.ndarray))
                or getattr(o, "__module__", "") and o.__module__.startswith("mlcore")]
        assert ours == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def test_training_step_with_layers_and_losses_leaves_no_cycles():
    import mlcore.nn as nn
    import mlcore.nn.functional as F
    import mlcore.optim as optim

    net = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 2))
    opt = optim.SGD(net.parameters(), lr=0.1)
    x, y = mlcore.randn(5, 3), mlcore.tensor([0, 1, 1, 0, 1])
    gc.collect()
    gc.disable()
    try:
        for loss_fn, target in ((F.cross_entropy, y), (F.mse_loss, mlcore.randn(5, 2))):
            opt.zero_grad()
            hidden = net[:2](x)
            loss = loss_fn(net[2:](hidden), target)
            loss.backward()
            opt.step()
            probes = [weakref.ref(hidden.data), weakref.ref(loss.data)]
            del hidden, loss
            assert [p() for p in probes] == [None, None], f"{loss_fn.__name__} left a reference cycle"
    finally:
        gc.enable()


# -------------------------------------- in-place changes after the forward pass
def _change_input(kind, lib, w, c):
    """Change a tensor that `(w * c).sum()` used, the way `kind` says, in mlcore or torch."""
    if kind == "assign_constant":
        c[0] = 100.0
    elif kind == "add_into_parameter":
        with lib.no_grad():
            w += 1.0
    elif kind == "zero_constant":
        c.zero_()
    else:
        optimizer = {"sgd": lib.optim.SGD, "adam": lib.optim.Adam}[kind]([w], lr=0.1)
        w.grad = np.ones(2) if lib is mlcore else torch.ones(2, dtype=torch.float64)
        optimizer.step()


@pytest.mark.parametrize("kind", ["assign_constant", "add_into_parameter", "zero_constant",
                                  "sgd", "adam"])
def test_changing_an_input_in_place_before_backward_is_refused_like_torch(kind):
    # Today's silent bug: y = (w * c).sum(); c[0] = 100; y.backward() gave w.grad = [100, 1].
    for lib in (mlcore, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        # PyTorch keeps w for the backward pass only if c needs a gradient (see the next test).
        c = lib.tensor([10.0, 1.0], requires_grad=kind not in ("assign_constant", "zero_constant"))
        y = (w * c).sum()
        _change_input(kind, lib, w, c)
        w.grad = None
        message = "in place after 'mul'" if lib is mlcore else "modified by an inplace operation"
        with pytest.raises(RuntimeError, match=message):
            y.backward()
        assert w.grad is None


def test_changes_torch_lets_pass_because_it_kept_no_copy_are_refused_too():
    # PyTorch checks only the tensors an operation saved for its backward rule, and w * c with
    # a constant c saves c alone. mlcore checks every input (mlcore/README.md says so).
    w = mlcore.tensor([1.0, 2.0], requires_grad=True)
    y = (w * mlcore.tensor([10.0, 1.0])).sum()
    with mlcore.no_grad():
        w += 1.0
    with pytest.raises(RuntimeError, match="through 'mul': its input 0"):
        y.backward()
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    ref = (t * torch.tensor([10.0, 1.0])).sum()
    with torch.no_grad():
        t += 1.0
    ref.backward()
    assert t.grad.tolist() == [10.0, 1.0]


def test_the_in_place_error_names_the_input_and_says_how_to_fix_it():
    w = mlcore.tensor([1.0, 2.0], requires_grad=True)
    hidden = w.exp()
    y = (hidden * mlcore.tensor([3.0, 4.0])).sum()
    with mlcore.no_grad():
        hidden[1] = 0.0  # exp's rule reads its result, which is now wrong
    with pytest.raises(RuntimeError) as info:
        y.backward()
    message = str(info.value)
    assert "through 'mul': its input 0 (shape (2,)) was changed in place after 'mul'" in message
    assert "Change tensors before the forward pass, or change a copy" in message
    assert "modified by an inplace operation" in message  # PyTorch's words, to search for
    z = mlcore.tensor([1.0, 2.0], requires_grad=True)
    out = z.exp()
    with mlcore.no_grad():
        out[0] = 5.0
    with pytest.raises(RuntimeError, match="through 'exp': its result was changed in place"):
        out.sum().backward()


def test_changes_before_the_forward_pass_or_to_unused_tensors_are_fine():
    w, c, unused = mlcore.tensor([1.0, 2.0], requires_grad=True), mlcore.tensor([10.0, 1.0]), \
        mlcore.tensor([5.0])
    optimizer = mlcore.optim.SGD([w], lr=0.5)
    for _ in range(2):  # the usual loop: every step changes w, then a new forward pass reads it
        optimizer.zero_grad()
        loss = (w * c).sum()
        unused[0] = 7.0
        loss.backward()
        optimizer.step()
    c[0] = 100.0
    w.grad = None
    (w * c).sum().backward()
    np.testing.assert_array_equal(w.grad, [100.0, 1.0])
    np.testing.assert_array_equal(w.data, [1.0 - 10.0, 2.0 - 1.0])


def test_a_numpy_operand_changed_after_the_forward_pass_does_not_change_the_gradient():
    w = mlcore.tensor([1.0, 2.0], requires_grad=True)
    c = np.array([10.0, 1.0])
    y = (w * c).sum() + (c @ w)
    c[0] = 100.0  # an array has no version stamp: the graph keeps a copy instead
    y.backward()
    np.testing.assert_array_equal(w.grad, [20.0, 2.0])


# ------------------------------------------- results that need no gradient
def test_results_that_need_no_gradient_record_no_graph_and_keep_nothing_alive():
    x = mlcore.tensor(np.ones(3))
    probe = weakref.ref(x.data)
    y = (x * 2).exp().sum()
    assert y.op is None and y.parents == () and y.is_leaf and not y.requires_grad
    del x
    assert probe() is None, "a constant's graph kept its input's array alive"
    w = mlcore.tensor([1.0], requires_grad=True)
    assert (w * 2).op == "mul" and (mlcore.tensor([1.0]) * w).parents[1] is w
