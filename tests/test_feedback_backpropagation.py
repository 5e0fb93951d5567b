"""The feedback of chapter 5's exercise checks (mlcore.feedback.chapter05).

- Every misconception the chapter names is written here as a learner would
  write it (not by calling the feedback's own variants), and its check must
  name it and show the smallest failing case. That every registered variant
  is recognised as itself, and that the right answers pass on the visible and
  the hidden cases, is tests/test_feedback.py's, for every chapter.
- The references agree with PyTorch (float64), on the visible and on the
  hidden cases.
"""

import numpy as np
import pytest
import torch

import mlcore
from mlcore import nn
from mlcore.feedback import accumulation, deep_stack, gradient_shapes, layer_gradients, mlp_backward
from mlcore.feedback.chapter05 import (check_grad_versus_backward, check_gradient_shapes,
                                       check_layer_gradient_norms, check_linear_backward, check_mlp_backward,
                                       check_relu_backward, check_sigmoid_backward, check_sigmoid_ratio,
                                       check_train_steps, sigmoid_problem)
from mlcore.feedback.checks import NOT_ANSWERED, CheckFailed, NotAnswered
from oracle import RTOL64

F = nn.functional


def failure(check, *answer):
    """The message of the CheckFailed that ``check(*answer)`` must raise."""
    with pytest.raises(CheckFailed) as raised:
        check(*answer)
    return str(raised.value)


def passes(check, *answer, capsys, lines=1):
    check(*answer)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == lines and all(line.startswith("\N{CHECK MARK}") for line in out), out


def names(message, misconception):
    assert f"Likely misconception: {misconception}" in message, message
    return message


# ---- correct answers, as learners write them ------------------------------------------------

SHAPES = {"net[0].weight.grad": (16, 10), "net[2].bias.grad": (3,), "dL/dz1": (32, 16), "dL/dX": (32, 10)}


def layer_gradient_norms(net, X, y):
    net.zero_grad()
    F.mse_loss(net(X), y).backward()
    return [np.linalg.norm(layer.weight.grad) for layer in net if isinstance(layer, nn.Linear)]


# ---- linear_backward: transposes, bias sums, the batch mean -----------------------------------

def test_dW_as_dout_transposed_times_X_is_named_transposes_swapped():
    message = names(failure(check_linear_backward, lambda dout, X, W: (dout @ W.T, dout.T @ X, dout.sum(0))),
                    "transposes swapped")
    assert "linear_backward → dW" in message and "Smallest failing case" in message


def test_dW_as_X_times_dout_transposed_is_named_even_though_it_only_runs_on_square_arrays():
    def x_times_dout_t(dout, X, W):
        return dout @ W.T, X @ dout.T, dout.sum(axis=0)

    message = names(failure(check_linear_backward, x_times_dout_t), "transposes swapped")
    assert "X·doutᵀ pairs samples with samples" in message


def test_dX_with_the_transposes_swapped_is_named():
    names(failure(check_linear_backward, lambda dout, X, W: (W @ dout.T, X.T @ dout, dout.sum(0))),
          "transposes swapped")
    names(failure(check_linear_backward, lambda dout, X, W: (dout @ W, X.T @ dout, dout.sum(0))),
          "transposes swapped")


@pytest.mark.parametrize("db", [lambda dout: dout, lambda dout: dout[0]], ids=["per sample", "first sample"])
def test_a_bias_gradient_not_summed_over_the_batch_is_named(db):
    message = names(failure(check_linear_backward, lambda dout, X, W: (dout @ W.T, X.T @ dout, db(dout))),
                    "bias gradient not summed over the batch")
    assert "linear_backward → db" in message


@pytest.mark.parametrize("answer", [
    lambda dout, X, W: (dout @ W.T, X.T @ dout / len(X), dout.sum(axis=0)),
    lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.mean(axis=0)),
], ids=["dW", "db"])
def test_the_batch_mean_applied_twice_is_named(answer):
    names(failure(check_linear_backward, answer), "the batch mean applied twice")


def test_a_bias_gradient_kept_as_a_row_is_named_and_its_shape_shown():
    message = names(failure(check_linear_backward,
                            lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.sum(axis=0, keepdims=True))),
                    "the bias gradient kept as a row (keepdims=True)")
    assert "  expected: [ 0.5, -1. ]\n  got:      [[ 0.5, -1. ]]" in message


@pytest.mark.parametrize("order", [(1, 0, 2), (0, 2, 1), (2, 1, 0)], ids=["dW dX db", "dX db dW", "db dW dX"])
def test_the_right_gradients_in_another_order_are_named(order):
    def reordered(dout, X, W):
        gradients = (dout @ W.T, X.T @ dout, dout.sum(axis=0))
        return tuple(gradients[k] for k in order)

    message = names(failure(check_linear_backward, reordered), "the gradients returned in the wrong order")
    returned = ", ".join(("dX", "dW", "db")[k] for k in order)
    assert f"returned the arrays ({returned})" in message and "(dX, dW, db)" in message


def test_a_linear_backward_that_returns_one_array_is_told_to_return_the_tuple():
    message = failure(check_linear_backward, lambda dout, X, W: X.T @ dout)
    assert "should return a tuple of its gradients" in message


# ---- through an activation -------------------------------------------------------------------

def test_sigmoid_derivative_at_the_post_activation_is_named():
    def at_the_output(dout, z):
        a = 1 / (1 + np.exp(-z))
        s = 1 / (1 + np.exp(-a))  # sigma'(a): the slope taken at the sigmoid's output
        return dout * s * (1 - s)

    names(failure(check_sigmoid_backward, at_the_output),
          "the derivative taken at the post-activation instead of the pre-activation")


def test_sigmoid_slope_written_with_z_is_named():
    names(failure(check_sigmoid_backward, lambda dout, z: dout * z * (1 - z)),
          "σ'(z) written as z(1 − z)")


@pytest.mark.parametrize("check", [check_sigmoid_backward, check_relu_backward], ids=["sigmoid", "relu"])
def test_the_activations_derivative_forgotten_is_named(check):
    names(failure(check, lambda dout, z: dout.copy()), "the activation's derivative forgotten")


def test_the_upstream_gradient_dropped_is_named():
    names(failure(check_sigmoid_backward, lambda dout, z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
          "the upstream gradient dropped")
    names(failure(check_relu_backward, lambda dout, z: np.where(z > 0, 1.0, 0.0)), "the upstream gradient dropped")


def test_relu_mask_from_the_gradient_and_relu_prime_at_zero_are_named():
    names(failure(check_relu_backward, lambda dout, z: np.where(dout > 0, dout, 0.0)),
          "the mask taken from the gradient instead of from z")
    names(failure(check_relu_backward, lambda dout, z: np.where(z >= 0, dout, 0.0)), "relu'(0) taken as 1")


def test_relu_at_the_post_activation_is_right_because_the_mask_is_the_same(capsys):
    passes(check_relu_backward, lambda dout, z: dout * (np.maximum(z, 0) > 0), capsys=capsys)


def test_the_activation_itself_instead_of_its_derivative_is_named():
    names(failure(check_sigmoid_backward, lambda dout, z: dout / (1 + np.exp(-z))),
          "the activation itself used instead of its derivative")
    names(failure(check_relu_backward, lambda dout, z: dout * np.maximum(z, 0)),
          "the activation itself used instead of its derivative")


# ---- the whole 2-layer backward pass -------------------------------------------------------------

def _mlp(X, y, W1, b1, W2, b2, *, n_power=1, slope=lambda z1, h: 1 - h ** 2, bias=lambda d: d.sum(0),
         weight=lambda a, d: a.T @ d):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    dlogits = p / len(y) ** n_power
    dz1 = (dlogits @ W2.T) * slope(X @ W1 + b1, h)
    return weight(X, dz1), bias(dz1), weight(h, dlogits), bias(dlogits)


@pytest.mark.parametrize("mistake,answer", [
    ("the batch mean applied twice", lambda *a: _mlp(*a, n_power=2)),
    ("the mean over the batch forgotten", lambda *a: _mlp(*a, n_power=0)),
    ("the activation's derivative forgotten", lambda *a: _mlp(*a, slope=lambda z1, h: 1.0)),
    ("the derivative taken at the post-activation", lambda *a: _mlp(*a, slope=lambda z1, h: 1 - np.tanh(h) ** 2)),
    ("1 − tanh² written with z1", lambda *a: _mlp(*a, slope=lambda z1, h: 1 - z1 ** 2)),
    ("bias gradient not summed over the batch", lambda *a: _mlp(*a, bias=lambda d: d)),
    ("transposes swapped", lambda *a: _mlp(*a, weight=lambda inputs, d: d.T @ inputs)),
])
def test_every_mistake_in_the_mlp_backward_pass_is_named(mistake, answer):
    names(failure(check_mlp_backward, answer), mistake)


def test_an_mlp_backward_pass_that_returns_the_output_layer_first_is_named():
    def output_layer_first(*arrays):
        dW1, db1, dW2, db2 = _mlp(*arrays)
        return dW2, db2, dW1, db1

    message = names(failure(check_mlp_backward, output_layer_first), "the gradients returned in the wrong order")
    assert "returned the arrays (dW2, db2, dW1, db1)" in message


def test_the_mlp_reference_is_torchs_and_mlcores():
    for case in mlp_backward.MLP_CASES + mlp_backward.mlp_cases(seed=9):
        X, y, W1, b1, W2, b2 = case
        params = [mlcore.tensor(p, requires_grad=True) for p in (W1, b1, W2, b2)]
        logits = (mlcore.tensor(X) @ params[0] + params[1]).tanh() @ params[2] + params[3]
        F.cross_entropy(logits, mlcore.tensor(y)).backward()
        for ours, theirs in zip(params, mlp_backward.reference_mlp_backward(*case)):
            np.testing.assert_allclose(ours.grad, theirs, rtol=RTOL64, atol=1e-14)


# ---- shapes --------------------------------------------------------------------------------------

@pytest.mark.parametrize("question,answer,mistake", [
    ("net[0].weight.grad", (10, 16), "the (in, out) convention"),
    ("net[0].weight.grad", (32, 10, 16), "the batch kept in a parameter's gradient"),
    ("net[2].bias.grad", (32, 3), "bias gradient not summed over the batch"),
    ("dL/dz1", (16,), "an intermediate gradient summed over the batch"),
    ("dL/dz1", (16, 32), "transposes swapped"),
    ("dL/dX", (10, 32), "transposes swapped"),
    ("dL/dX", (32, 16), "the first layer's output size instead of its input size"),
])
def test_each_wrong_shape_names_its_mistake(question, answer, mistake):
    names(failure(check_gradient_shapes, {**SHAPES, question: answer}), mistake)


def test_the_expected_shapes_are_torchs():
    net = torch.nn.Sequential(torch.nn.Linear(10, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    X = torch.randn(32, 10, requires_grad=True)
    z1 = net[0](X)
    z1.retain_grad()
    torch.nn.functional.cross_entropy(net[2](net[1](z1)), torch.arange(32) % 3).backward()
    torch_shapes = {"net[0].weight.grad": net[0].weight.grad.shape, "net[2].bias.grad": net[2].bias.grad.shape,
                    "dL/dz1": z1.grad.shape, "dL/dX": X.grad.shape}
    assert gradient_shapes.measured_shapes() == {k: tuple(v) for k, v in torch_shapes.items()} == SHAPES


def test_malformed_shape_answers_are_explained():
    assert "should be a dict" in failure(check_gradient_shapes, [(16, 10)])
    assert "has no entry for ['dL/dX']" in failure(check_gradient_shapes,
                                                   {k: v for k, v in SHAPES.items() if k != "dL/dX"})
    assert "with the comma" in failure(check_gradient_shapes, {**SHAPES, "net[2].bias.grad": 3})


# ---- gradient norms of a deep stack ------------------------------------------------------------

def test_norms_without_zero_grad_are_named_gradients_accumulated_from_a_previous_call():
    def forgets_zero_grad(net, X, y):
        F.mse_loss(net(X), y).backward()
        return [np.linalg.norm(layer.weight.grad) for layer in net if isinstance(layer, nn.Linear)]

    names(failure(check_layer_gradient_norms, forgets_zero_grad), "gradients accumulated from a previous call")


@pytest.mark.parametrize("mistake,pick", [
    ("the layers listed from the output back", lambda layers: [np.linalg.norm(l.weight.grad) for l in layers[::-1]]),
    ("the bias's gradient instead of the weight's", lambda layers: [np.linalg.norm(l.bias.grad) for l in layers]),
    ("the norm of the weights instead of their gradients",
     lambda layers: [np.linalg.norm(l.weight.data) for l in layers]),
    ("the squared norm", lambda layers: [np.sum(l.weight.grad ** 2) for l in layers]),
])
def test_other_norm_mistakes_are_named(mistake, pick):
    def answer(net, X, y):
        net.zero_grad()
        F.mse_loss(net(X), y).backward()
        return pick([layer for layer in net if isinstance(layer, nn.Linear)])

    names(failure(check_layer_gradient_norms, answer), mistake)


def test_the_norms_reference_is_torchs_on_a_used_stack():
    net, X, y = deep_stack.StackProblem(4, "sigmoid", "xavier", 11, used=True).build()
    model = torch.nn.Sequential(*[m for layer in net if isinstance(layer, nn.Linear)
                                  for m in (torch.nn.Linear(6, 6), torch.nn.Sigmoid())])
    for ours, theirs in zip([l for l in net if isinstance(l, nn.Linear)], model[::2]):
        theirs.load_state_dict({"weight": torch.tensor(ours.weight.data), "bias": torch.tensor(ours.bias.data)})
    torch.nn.functional.mse_loss(model(torch.tensor(X.data)), torch.tensor(y.data)).backward()
    np.testing.assert_allclose(deep_stack.reference_layer_gradient_norms(net, X, y),
                               [m.weight.grad.norm().item() for m in model[::2]], rtol=RTOL64)


def test_the_inverted_ratio_and_the_bound_are_named():
    norms = layer_gradient_norms(*sigmoid_problem())
    names(failure(check_sigmoid_ratio, norms[-1] / norms[0]), "the ratio inverted")
    names(failure(check_sigmoid_ratio, 0.25 ** 10), "the bound 0.25 ** 10, not the measurement")


# ---- the training loop -------------------------------------------------------------------------

def _loop(order):
    """A learner's training loop with its lines in ``order`` (a string of z, f, b, s)."""
    def train_loop(net, X, y, lr, num_steps):
        opt = mlcore.optim.SGD(net.parameters(), lr=lr)
        losses = []
        if order.startswith("Z"):
            opt.zero_grad()
        for _ in range(num_steps):
            for line in order.lstrip("Z"):
                if line == "z":
                    opt.zero_grad()
                elif line == "f":
                    loss = F.mse_loss(net(X), y)
                elif line == "b":
                    loss.backward()
                elif line == "s":
                    opt.step()
            losses.append(loss.item())
        return losses
    return train_loop


@pytest.mark.parametrize("order,mistake", [
    ("fbs", "gradients accumulated from a previous call"),      # the source article's loop
    ("Zfbs", "zero_grad() called once, before the loop"),
    ("fbzs", "zero_grad() between backward() and step()"),
    ("fbsz", "zero_grad() after step(): the first step used the gradient left from before"),
])
def test_every_misplaced_zero_grad_is_named(order, mistake):
    names(failure(check_train_steps, _loop(order)), mistake)


def test_zero_grad_after_step_fails_only_on_the_network_that_was_used_before():
    message = failure(check_train_steps, _loop("fbsz"))
    assert "1 of 3 cases fail" in message
    assert "Smallest failing case: train(problem=LoopProblem(703, used=True), lr=0.2, num_steps=5)" in message


@pytest.mark.parametrize("order", ["zfbs", "fzbs"], ids=["zero_grad first", "zero_grad after the forward pass"])
def test_zero_grad_anywhere_before_backward_is_right(order, capsys):
    passes(check_train_steps, _loop(order), capsys=capsys)


def test_the_training_reference_is_torchs():
    problem, lr, steps = accumulation.LOOP_CASES[2]
    net, X, y = problem.build()
    model = torch.nn.Sequential(*[m for layer in net if isinstance(layer, nn.Linear)
                                  for m in (torch.nn.Linear(3, 3), torch.nn.Tanh())])
    for ours, theirs in zip([l for l in net if isinstance(l, nn.Linear)], model[::2]):
        theirs.load_state_dict({"weight": torch.tensor(ours.weight.data), "bias": torch.tensor(ours.bias.data)})
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    expected = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(torch.tensor(X.data)), torch.tensor(y.data))
        loss.backward()
        opt.step()
        expected.append(loss.item())
    np.testing.assert_allclose(accumulation.reference_train(net, X, y, lr, steps), expected, rtol=1e-10)


# ---- autograd.grad against backward() ---------------------------------------------------------------

def test_grad_versus_backward_mistakes_are_named():
    names(failure(check_grad_versus_backward, 72.0, 72.0, "autograd.grad"),
          "autograd.grad returned .grad with the new gradient added")
    names(failure(check_grad_versus_backward, 36.0, 108.0, "autograd.grad"), "autograd.grad added into .grad too")
    names(failure(check_grad_versus_backward, 36.0, 36.0, "autograd.grad"), "the last backward() overwrote .grad")
    message = failure(check_grad_versus_backward, 36.0, 72.0, "backward")
    assert "is not the best choice" in message and "always touches .grad" in message


@pytest.mark.parametrize("spelling", ["autograd.grad()", "mlcore.autograd.grad", " Mlcore.autograd.grad() ",
                                      "torch.autograd.grad"])
def test_other_spellings_of_autograd_grad_are_accepted(spelling, capsys):
    passes(check_grad_versus_backward, 36.0, 72.0, spelling, capsys=capsys, lines=3)


def test_other_spellings_of_backward_are_read_as_backward():
    assert "always touches .grad" in failure(check_grad_versus_backward, 36.0, 72.0, "loss.backward()")


def test_grad_versus_backward_numbers_are_torchs():
    w = torch.tensor(2.0, requires_grad=True)
    ((3 * w) ** 2).backward()
    (g,) = torch.autograd.grad((3 * w) ** 2, [w])
    assert w.grad.item() == 36.0
    ((3 * w) ** 2).backward()
    assert accumulation.grad_versus_backward() == (g.item(), w.grad.item()) == (36.0, 72.0)


@pytest.mark.parametrize("check, answers", [
    (check_gradient_shapes, (None,)), (check_sigmoid_ratio, (None,)),
    (check_grad_versus_backward, (None, 72.0, "autograd.grad")),
    (check_grad_versus_backward, (36.0, None, "autograd.grad")), (check_grad_versus_backward, (36.0, 72.0, None)),
], ids=["shapes", "ratio", "g_value", "w_grad_after", "untouched"])
def test_a_value_left_at_none_is_not_answered_in_one_line(check, answers):
    # The student version assigns None above the solution region, so every name exists.
    with pytest.raises(NotAnswered) as raised:
        check(*answers)
    assert raised.value._render_traceback_() == [f"\N{BALLOT X} {NOT_ANSWERED}"]


# ---- the references of the one-layer rules are torch's ---------------------------------------------

def test_linear_and_activation_references_are_torchs():
    for dout, X, W in layer_gradients.LINEAR_CASES + layer_gradients.linear_cases(seed=1):
        x, w = torch.tensor(X, requires_grad=True), torch.tensor(W, requires_grad=True)
        b = torch.zeros(W.shape[1], dtype=torch.float64, requires_grad=True)
        (x @ w + b).backward(torch.tensor(dout))
        for ours, theirs in zip(layer_gradients.reference_linear_backward(dout, X, W), (x.grad, w.grad, b.grad)):
            np.testing.assert_allclose(ours, theirs.numpy(), rtol=RTOL64, atol=1e-14)
    for dout, z in layer_gradients.ACTIVATION_CASES + layer_gradients.activation_cases(seed=2):
        for reference, fn in ((layer_gradients.reference_sigmoid_backward, torch.sigmoid),
                              (layer_gradients.reference_relu_backward, torch.relu)):
            point = torch.tensor(z, requires_grad=True)
            fn(point).backward(torch.tensor(dout))
            np.testing.assert_allclose(reference(dout, z), point.grad.numpy(), rtol=RTOL64, atol=1e-14)
