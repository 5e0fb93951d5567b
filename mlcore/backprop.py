"""Backpropagation through a multi-layer perceptron in matrix form, layer by layer, in numpy (chapter 5).

Chapter 5 derives the backward pass of a network by hand; this module is
that derivation as code, so that the chapter's step-through panel can show
every array it computes. Each layer computes ``z = a_prev @ W + b`` and then
``a = f(z)``, with ``W`` of shape ``(in, out)``: the transpose of what
``nn.Linear`` stores (``weight`` is ``(out, in)`` and the layer computes
``x @ weight.T``). Backwards, with ``dz`` the gradient of the loss with
respect to ``z`` (one row per sample):

- ``dW = a_prev.T @ dz``, of ``W``'s shape ``(in, out)``;
- ``db = dz.sum(0)``, one entry per output: the bias is added to every row,
  so its gradient collects every row's;
- ``d a_prev = dz @ W.T``, of ``a_prev``'s shape ``(N, in)``;
- and through the activation, ``dz = da * f'(z)``, the derivative taken at the
  *pre*-activation ``z``.

Nothing here uses autograd: tests/test_backprop.py holds every array against
mlcore's ``backward()`` and PyTorch's.
"""

from dataclasses import dataclass

import numpy as np

from .autograd import grad
from .factories import tensor
from .nn import Linear, ReLU, Sequential, Sigmoid, Tanh
from .nn import functional as F

__all__ = ["ACTIVATIONS", "LOSSES", "Activation", "BackpropPass", "DenseLayer", "activation_backward",
           "as_batch", "as_layers", "autograd_pass", "backprop", "dense_layers", "forward", "linear_backward",
           "loss_and_gradient"]


def _sigmoid(z):
    # 1 / (1 + e^-z) overflows for very negative z; this form never does.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def _sigmoid_slope(z):
    s = _sigmoid(z)
    return s * (1 - s)


def _tanh_slope(z):
    return 1 - np.tanh(z) ** 2


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_slope(z):
    # relu'(0) is taken as 0, as PyTorch and mlcore do.
    return (z > 0).astype(np.float64)


@dataclass(frozen=True)
class Activation:
    """An activation ``f`` (numpy, elementwise), its derivative ``df`` at the pre-activation ``z``,
    and how the chapter writes them."""

    name: str
    f: object
    df: object
    formula: str
    derivative: str


ACTIVATIONS = {
    "tanh": Activation("tanh", np.tanh, _tanh_slope, "tanh(z)", "1 − tanh²(z)"),
    "sigmoid": Activation("sigmoid", _sigmoid, _sigmoid_slope, "σ(z)", "σ(z)·(1 − σ(z))"),
    "relu": Activation("relu", _relu, _relu_slope, "max(z, 0)", "1 where z > 0, else 0"),
}

LOSSES = ("mse", "cross_entropy")


@dataclass(frozen=True)
class DenseLayer:
    """One layer ``a = f(a_prev @ W + b)``: ``W`` of shape ``(in, out)``, ``b`` of shape ``(out,)``,
    ``activation`` a key of :data:`ACTIVATIONS` or None (no activation)."""

    W: np.ndarray
    b: np.ndarray
    activation: object = None


def dense_layers(net):
    """The :class:`DenseLayer` list of ``net``, an ``nn.Sequential`` of ``nn.Linear`` layers, each
    followed by at most one activation (``nn.Tanh``, ``nn.Sigmoid``, ``nn.ReLU``).

    ``W`` is ``linear.weight`` transposed (a copy); the activation modules
    become their names. Anything else is refused with a message that says
    which layer is the problem.
    """
    modules = {Tanh: "tanh", Sigmoid: "sigmoid", ReLU: "relu"}
    if not isinstance(net, Sequential):
        raise TypeError(f"expected an nn.Sequential of Linear layers and activations, got "
                        f"{type(net).__name__}. Build one with nn.Sequential(nn.Linear(2, 3), nn.Tanh(), "
                        "nn.Linear(3, 2)).")
    layers = []
    for position, module in enumerate(net):
        if isinstance(module, Linear):
            if layers and layers[-1]["out"] != module.in_features:
                raise ValueError(f"layer {position} is Linear({module.in_features}, {module.out_features}), "
                                 f"but the layer before it has {layers[-1]['out']} outputs: make its "
                                 f"in_features {layers[-1]['out']}.")
            bias = (np.zeros(module.out_features) if module.bias is None
                    else np.array(module.bias.data, dtype=np.float64))
            layers.append({"W": np.array(module.weight.data.T, dtype=np.float64), "b": bias,
                           "activation": None, "out": module.out_features})
        elif type(module) in modules:
            if not layers or layers[-1]["activation"] is not None:
                where = "starts with" if not layers else "has two activations in a row at"
                raise ValueError(f"the network {where} position {position} ({type(module).__name__}): "
                                 "an activation follows a Linear layer, one per layer.")
            layers[-1]["activation"] = modules[type(module)]
        else:
            raise TypeError(f"layer {position} is {type(module).__name__}; only nn.Linear, nn.Tanh, "
                            "nn.Sigmoid and nn.ReLU are drawn and stepped through here.")
    if not layers:
        raise ValueError("the network has no layers: add nn.Linear layers to the nn.Sequential.")
    return [DenseLayer(layer["W"], layer["b"], layer["activation"]) for layer in layers]


def linear_backward(dout, X, W):
    """``(dX, dW, db)`` of ``z = X @ W + b`` for the upstream gradient ``dout = dL/dz``:
    ``dout @ W.T``, ``X.T @ dout`` and ``dout`` summed over the batch (rows)."""
    return dout @ W.T, X.T @ dout, dout.sum(axis=0)


def activation_backward(dout, z, activation):
    """``dL/dz = dout * f'(z)`` for ``a = f(z)`` and ``dout = dL/da``: the derivative at the
    pre-activation ``z``."""
    return dout * ACTIVATIONS[activation].df(z)


def loss_and_gradient(loss, y_hat, y):
    """``(L, dL/dy_hat)`` for the mean loss ``loss`` over the batch: ``'mse'`` (``y`` the targets,
    of ``y_hat``'s shape) or ``'cross_entropy'`` (``y_hat`` the logits, ``y`` the class indices).

    MSE averages over every element, so its gradient is ``2 (y_hat - y) / y_hat.size``;
    cross-entropy averages over the N samples, so its gradient is
    ``(softmax(y_hat) - one_hot(y)) / N``.
    """
    if loss == "mse":
        y = np.asarray(y, dtype=np.float64)
        if y.shape != y_hat.shape:
            raise ValueError(f"the targets y have shape {y.shape} but the predictions {y_hat.shape}; "
                             "give one target per output, e.g. y = y.reshape(y_hat.shape).")
        error = y_hat - y
        return float(np.mean(error ** 2)), 2 * error / error.size
    if loss == "cross_entropy":
        y = np.asarray(y, dtype=np.int64)
        shifted = y_hat - y_hat.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        rows = np.arange(len(y_hat))
        gradient = np.exp(log_p)
        gradient[rows, y] -= 1
        return float(-log_p[rows, y].mean()), gradient / len(y_hat)
    raise ValueError(f"unknown loss {loss!r}; use one of {LOSSES}.")


@dataclass
class BackpropPass:
    """Every array of one forward and backward pass, per layer ``l = 0, 1, ...``.

    Forward: ``inputs[l]`` (what layer ``l`` reads), ``z[l]``, ``a[l]`` (its
    output, ``z[l]`` itself without an activation), ``y_hat = a[-1]`` and
    ``loss``. Backward: ``dy_hat``, ``da[l]``, ``dz[l]``, ``dW[l]``, ``db[l]``
    and ``dinputs[l]`` (the gradient of ``inputs[l]``; ``dinputs[0]`` is
    ``dL/dX``).
    """

    layers: list
    inputs: list
    z: list
    a: list
    loss: float
    dy_hat: np.ndarray
    da: list
    dz: list
    dW: list
    db: list
    dinputs: list

    @property
    def y_hat(self):
        return self.a[-1]


def as_layers(layers):
    """``layers`` as a list of :class:`DenseLayer` (an ``nn.Sequential`` is read by :func:`dense_layers`)."""
    return list(layers) if isinstance(layers, (list, tuple)) else dense_layers(layers)


def as_batch(layers, X):
    """``X`` as a float64 batch ``(N, in)`` for the first of ``layers``; a ValueError if it does not fit."""
    X = np.asarray(X, dtype=np.float64)
    inputs = as_layers(layers)[0].W.shape[0]
    if X.ndim != 2 or X.shape[1] != inputs:
        raise ValueError(f"X must be a batch of shape (N, {inputs}), one row per sample; got shape "
                         f"{X.shape}. A single sample x is X = x.reshape(1, -1).")
    return X


def forward(layers, X):
    """``(inputs, z, a)`` of the forward pass of ``layers`` on the batch ``X``, one array per layer:
    what the layer reads, its pre-activation ``z = input @ W + b`` and its output ``a = f(z)``."""
    layers = as_layers(layers)
    inputs, zs, outputs = [], [], []
    a = as_batch(layers, X)
    for layer in layers:
        inputs.append(a)
        z = a @ layer.W + layer.b
        a = z if layer.activation is None else ACTIVATIONS[layer.activation].f(z)
        zs.append(z)
        outputs.append(a)
    return inputs, zs, outputs


def backprop(layers, X, y, loss="mse"):
    """The :class:`BackpropPass` of ``layers`` (a list of :class:`DenseLayer`, or an
    ``nn.Sequential``, read by :func:`dense_layers`) on the batch ``X`` of shape ``(N, in)``."""
    layers, X = as_layers(layers), as_batch(layers, X)
    inputs, zs, outputs = forward(layers, X)
    value, dy_hat = loss_and_gradient(loss, outputs[-1], y)
    count = len(layers)
    da, dz, dW, db, dinputs = ([None] * count for _ in range(5))
    upstream = dy_hat
    for l in reversed(range(count)):
        layer = layers[l]
        da[l] = upstream
        dz[l] = upstream if layer.activation is None else activation_backward(upstream, zs[l],
                                                                              layer.activation)
        dinputs[l], dW[l], db[l] = linear_backward(dz[l], inputs[l], layer.W)
        upstream = dinputs[l]
    return BackpropPass(list(layers), inputs, zs, outputs, value, dy_hat, da, dz, dW, db, dinputs)


def autograd_pass(net, X, y, loss="mse"):
    """The same :class:`BackpropPass` as :func:`backprop`, every array computed by mlcore's engine
    instead: forward through ``net``'s own modules, and one ``mlcore.autograd.grad`` for the
    gradients of every intermediate and every parameter (so ``.grad`` is left as it was)."""
    layers = dense_layers(net)
    x = tensor(as_batch(layers, X), requires_grad=True)
    modules = list(net)
    inputs, zs, outputs, linears = [], [], [], []
    a, position = x, 0
    while position < len(modules):
        linear = modules[position]
        inputs.append(a)
        z = linear(a)
        a = z
        position += 1
        if position < len(modules) and not isinstance(modules[position], Linear):
            a = modules[position](z)
            position += 1
        zs.append(z)
        outputs.append(a)
        linears.append(linear)
    if loss == "mse":
        value = F.mse_loss(a, tensor(np.asarray(y, dtype=np.float64)))
    elif loss == "cross_entropy":
        value = F.cross_entropy(a, tensor(np.asarray(y, dtype=np.int64)))
    else:
        raise ValueError(f"unknown loss {loss!r}; use one of {LOSSES}.")
    # A layer without an activation has z and a as one tensor: ask for each tensor once.
    wanted = list({id(t): t for t in (*inputs, *zs, *outputs)}.values())
    parameters = [p for linear in linears for p in (linear.weight, linear.bias) if p is not None]
    grads = dict(zip(map(id, wanted + parameters), grad(value, wanted + parameters)))
    count = len(linears)
    db = [grads[id(linear.bias)] if linear.bias is not None else np.zeros(linear.out_features)
          for linear in linears]
    return BackpropPass(
        layers, [t.data for t in inputs], [t.data for t in zs], [t.data for t in outputs], value.item(),
        grads[id(outputs[-1])], [grads[id(t)] for t in outputs], [grads[id(t)] for t in zs],
        [grads[id(linear.weight)].T for linear in linears], db, [grads[id(t)] for t in inputs[:count]])
