"""Chapter 5's library against PyTorch: the backward pass in matrix form, deep stacks, and zero_grad.

- mlcore.backprop: every array of the hand-written pass (z, a, dz, dW, db,
  dX), for each activation and both losses, is torch's; autograd_pass
  computes the same arrays with mlcore's engine and leaves .grad alone.
- mlcore.gradient_flow: the per-layer gradient norms are torch's for the
  same weights, and the chapter's facts about vanishing gradients hold.
- mlcore.accumulation: both training loops are torch's loops, and without
  zero_grad .grad is the running sum of the true gradients.
- nn.init's generator= draws from the given generator and leaves mlcore's alone.
"""

import numpy as np
import pytest
import torch

import mlcore
from mlcore import nn
from mlcore.accumulation import START, bmi_data, train
from mlcore.backprop import (ACTIVATIONS, DenseLayer, autograd_pass, backprop, dense_layers, linear_backward,
                             loss_and_gradient)
from mlcore.gradient_flow import deep_stack, gradient_flow
from oracle import RTOL64

TORCH_ACTIVATIONS = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, None: lambda z: z}
MODULES = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "relu": nn.ReLU}


def t(array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


def torch_pass(layers, X, y, loss):
    """z, a (retained) and the parameters' gradients of ``layers`` in torch."""
    x = t(X, True)
    params, zs, outs, inputs = [], [], [], []
    a = x
    for layer in layers:
        W, b = t(layer.W, True), t(layer.b, True)
        params.append((W, b))
        inputs.append(a)
        z = a @ W + b
        z.retain_grad()
        a = TORCH_ACTIVATIONS[layer.activation](z)
        if layer.activation is not None:
            a.retain_grad()
        zs.append(z)
        outs.append(a)
    if loss == "mse":
        value = torch.nn.functional.mse_loss(a, t(y))
    else:
        value = torch.nn.functional.cross_entropy(a, torch.tensor(y))
    value.backward()
    return value, inputs, zs, outs, params


def network(activation, sizes=(3, 4, 2), seed=0):
    mlcore.manual_seed(seed)
    modules = []
    for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        modules.append(nn.Linear(n_in, n_out))
        if k < len(sizes) - 2:
            modules.append(MODULES[activation]())
    return nn.Sequential(*modules)


CASES = [(activation, loss) for activation in ACTIVATIONS for loss in ("mse", "cross_entropy")]


@pytest.mark.parametrize("activation,loss", CASES)
@pytest.mark.parametrize("sizes", [(3, 4, 2), (2, 5, 3, 4)], ids=["one hidden layer", "two hidden layers"])
def test_every_array_of_the_pass_is_torchs(activation, loss, sizes):
    net = network(activation, sizes)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(5, sizes[0]))
    y = rng.normal(size=(5, sizes[-1])) if loss == "mse" else rng.integers(0, sizes[-1], 5)
    result = backprop(net, X, y, loss)
    value, inputs, zs, outs, params = torch_pass(result.layers, X, y, loss)
    assert result.loss == pytest.approx(value.item(), rel=RTOL64)
    for k, layer in enumerate(result.layers):
        np.testing.assert_allclose(result.z[k], zs[k].detach().numpy(), rtol=RTOL64, atol=1e-14)
        np.testing.assert_allclose(result.a[k], outs[k].detach().numpy(), rtol=RTOL64, atol=1e-14)
        np.testing.assert_allclose(result.dz[k], zs[k].grad.numpy(), rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(result.da[k], outs[k].grad.numpy(), rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(result.dW[k], params[k][0].grad.numpy(), rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(result.db[k], params[k][1].grad.numpy(), rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(result.dinputs[k], inputs[k].grad.numpy() if k == 0 else
                                   outs[k - 1].grad.numpy(), rtol=1e-9, atol=1e-14)
        assert result.dW[k].shape == layer.W.shape and result.db[k].shape == layer.b.shape


@pytest.mark.parametrize("activation,loss", CASES)
def test_autograd_pass_is_the_same_pass_by_mlcores_engine_and_leaves_grad_alone(activation, loss):
    net = network(activation, (3, 4, 2), seed=3)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(4, 3))
    y = rng.normal(size=(4, 2)) if loss == "mse" else np.array([0, 1, 1, 0])
    ours, engine = backprop(net, X, y, loss), autograd_pass(net, X, y, loss)
    for name in ("z", "a", "da", "dz", "dW", "db", "dinputs"):
        for a, b in zip(getattr(ours, name), getattr(engine, name)):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-15, err_msg=name)
    assert engine.loss == pytest.approx(ours.loss, rel=1e-12)
    assert all(p.grad is None for p in net.parameters()), "autograd.grad must not write .grad"


def test_linear_backward_is_torchs_and_the_shapes_force_the_transposes():
    rng = np.random.default_rng(4)
    X, W, dout = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=(5, 2))
    dX, dW, db = linear_backward(dout, X, W)
    x, w, b = t(X, True), t(W, True), t(np.zeros(2), True)
    (x @ w + b).backward(t(dout))
    for ours, theirs in ((dX, x.grad), (dW, w.grad), (db, b.grad)):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=RTOL64)
    assert (dX.shape, dW.shape, db.shape) == (X.shape, W.shape, (2,))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_the_activation_table_has_torchs_derivatives_at_the_pre_activation(name):
    z = np.array([-3.0, -0.5, 0.0, 0.2, 2.5, 40.0, -40.0])
    point = t(z, True)
    TORCH_ACTIVATIONS[name](point).sum().backward()
    np.testing.assert_allclose(ACTIVATIONS[name].f(z), TORCH_ACTIVATIONS[name](t(z)).numpy(), rtol=RTOL64)
    np.testing.assert_allclose(ACTIVATIONS[name].df(z), point.grad.numpy(), rtol=RTOL64, atol=1e-300)


def test_losses_and_their_gradients_are_torchs():
    rng = np.random.default_rng(5)
    y_hat, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    for loss, target, torch_loss in (("mse", y, lambda p: torch.nn.functional.mse_loss(p, t(y))),
                                     ("cross_entropy", np.array([2, 0, 1, 1]),
                                      lambda p: torch.nn.functional.cross_entropy(p, torch.tensor([2, 0, 1, 1])))):
        value, gradient = loss_and_gradient(loss, y_hat, target)
        p = t(y_hat, True)
        expected = torch_loss(p)
        expected.backward()
        assert value == pytest.approx(expected.item(), rel=RTOL64)
        np.testing.assert_allclose(gradient, p.grad.numpy(), rtol=RTOL64)


def test_bad_networks_batches_targets_and_losses_are_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"batch of shape \(N, 3\).*x.reshape\(1, -1\)"):
        backprop(network("tanh"), np.zeros(3), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="one target per output"):
        backprop(network("tanh"), np.zeros((2, 3)), np.zeros(2))
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        loss_and_gradient("l1", np.zeros((1, 2)), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="no layers"):
        dense_layers(nn.Sequential())
    layers = dense_layers(nn.Sequential(nn.Linear(2, 2, bias=False)))
    assert isinstance(layers[0], DenseLayer) and np.all(layers[0].b == 0)


# ------------------------------------------------------------------ gradient flow

def torch_norms(net, X, Y):
    model = []
    for module in net:
        if isinstance(module, nn.Linear):
            linear = torch.nn.Linear(32, 32)
            linear.load_state_dict({"weight": t(module.weight.data), "bias": t(module.bias.data)})
            model.append(linear)
        else:
            model.append({nn.Sigmoid: torch.nn.Sigmoid, nn.Tanh: torch.nn.Tanh, nn.ReLU: torch.nn.ReLU}[type(module)]())
    model = torch.nn.Sequential(*model)
    torch.nn.functional.mse_loss(model(t(X)), t(Y)).backward()
    return np.array([m.weight.grad.norm().item() for m in model if isinstance(m, torch.nn.Linear)])


@pytest.mark.parametrize("activation,init,sigma", [("sigmoid", "xavier", 1.0), ("tanh", "normal", 0.3),
                                                   ("relu", "he", 1.0), ("relu", "normal", 0.05)])
def test_gradient_flow_norms_are_torchs_for_the_same_stack(activation, init, sigma):
    flow = gradient_flow(8, activation, init, sigma, seed=3)
    rng = np.random.default_rng(3)
    net = deep_stack(8, activation, init, sigma, generator=rng)
    X, Y = rng.standard_normal((64, 32)), rng.standard_normal((64, 32))
    np.testing.assert_allclose(flow.norms, torch_norms(net, X, Y), rtol=1e-9)
    assert flow.ratio == pytest.approx(flow.norms[0] / flow.norms[-1])
    assert len(flow.activations) == 8 and flow.activations[0].shape == (64, 32)


def test_the_chapters_facts_about_vanishing_gradients():
    sigmoid = gradient_flow(10, "sigmoid", "xavier")
    assert 0.25 ** 10 == pytest.approx(9.5367e-07, rel=1e-4)
    # Ten sigmoid layers shrink the gradient by about sigma's largest slope, 0.25, per layer.
    assert 0.1 * 0.25 ** 10 < sigmoid.ratio < 10 * 0.25 ** 10
    assert sigmoid.behaviour() == "vanishing"
    for activation, init in (("tanh", "xavier"), ("relu", "he")):
        flow = gradient_flow(10, activation, init)
        assert 0.1 < flow.ratio < 10 and flow.behaviour() == "stable", activation
    assert gradient_flow(10, "tanh", "normal", 0.05).behaviour() == "vanishing"  # the signal dies
    assert gradient_flow(10, "relu", "normal", 1.0).behaviour() == "exploding"


def test_a_relu_unit_that_is_zero_for_every_sample_is_counted_dead():
    flow = gradient_flow(3, "relu", "he")
    assert flow.dead.tolist() == [int(np.sum(np.all(a == 0, axis=0))) for a in flow.activations]
    assert gradient_flow(3, "sigmoid", "he").dead.tolist() == [0, 0, 0]


def test_bad_stack_settings_are_refused():
    with pytest.raises(ValueError, match="whole number >= 1"):
        gradient_flow(0)
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        deep_stack(2, "gelu")
    with pytest.raises(ValueError, match="unknown init 'orthogonal'"):
        gradient_flow(2, init="orthogonal")
    with pytest.raises(ValueError, match="must be > 0"):
        gradient_flow(2, init="normal", sigma=0.0)


def test_init_with_a_generator_uses_it_and_leaves_mlcores_generator_alone():
    mlcore.manual_seed(0)
    expected_next = mlcore.randn(3).data
    mlcore.manual_seed(0)
    w = nn.Parameter(np.empty((4, 5)))
    for fill in (lambda g: nn.init.normal_(w, 0.0, 2.0, generator=g), lambda g: nn.init.xavier_normal_(w, generator=g),
                 lambda g: nn.init.kaiming_uniform_(w, generator=g), lambda g: nn.init.uniform_(w, -1, 1, generator=g)):
        fill(np.random.default_rng(9))
        first = w.data.copy()
        fill(np.random.default_rng(9))
        np.testing.assert_array_equal(w.data, first)
    np.testing.assert_array_equal(mlcore.randn(3).data, expected_next)
    nn.init.normal_(w, 0.0, 2.0, generator=np.random.default_rng(9))
    np.testing.assert_array_equal(w.data, np.random.default_rng(9).normal(0.0, 2.0, (4, 5)))
    with pytest.raises(TypeError, match="generator must be a numpy Generator"):
        nn.init.normal_(w, generator=9)


# ---------------------------------------------------------------- accumulation

def torch_training(lr, num_steps, zero_grad):
    X, y = (t(a.data) for a in bmi_data())
    w, b = t([[START[0]]], True), t([START[1]], True)
    opt = torch.optim.SGD([w, b], lr=lr)
    losses, grads = [], []
    for _ in range(num_steps):
        if zero_grad:
            opt.zero_grad()
        loss = torch.nn.functional.mse_loss(X @ w.T + b, y)
        loss.backward()
        losses.append(loss.item())
        grads.append(w.grad.item())
        opt.step()
    return np.array(losses), np.array(grads)


@pytest.mark.parametrize("zero_grad", [True, False])
@pytest.mark.parametrize("lr", [0.01, 0.3])
def test_both_training_loops_are_torchs(lr, zero_grad):
    run = train(lr, 25, zero_grad)
    losses, grads = torch_training(lr, 25, zero_grad)
    np.testing.assert_allclose(run.losses, losses, rtol=1e-9)
    np.testing.assert_allclose(run.grads, grads, rtol=1e-9, atol=1e-12)
    assert run.diverged_at is None and run.weights[0].tolist() == list(START)


def test_without_zero_grad_the_grad_is_the_running_sum_of_the_true_gradients():
    without = train(0.1, 20, zero_grad=False)
    # The true gradient at each step's (w, b): dMSE/dw = 2 mean((w x + b - y) x).
    X, y = (a.data.ravel() for a in bmi_data())
    true = [2 * np.mean((w * X + b - y) * X) for w, b in without.weights]
    np.testing.assert_allclose(without.grads, np.cumsum(true), rtol=1e-9, atol=1e-12)
    with_ = train(0.1, 20, zero_grad=True)
    assert with_.losses[-1] < 0.66 < without.losses[-5:].max()


def test_a_run_stops_where_the_loss_passes_the_limit():
    run = train(2.0, 40, zero_grad=True)
    assert run.diverged_at is not None and len(run.losses) == run.diverged_at
    assert np.all(np.diff(run.losses) > 0)
