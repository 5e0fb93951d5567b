"""Check for chapter 8's ``build_net(in_channels)``: the articles' CIFAR-10 network, built from its description.

The learner's function is called; the network it returns is compared with
:func:`mlcore.cnn.article_cnn` layer by layer (type and sizes), and then run:
with the reference's weights copied in, parameter by parameter, it must give
the reference's logits on a fixed batch. A network is not data: the driver
:func:`net_outcome` builds it (under mlcore-grade, in the learner's kernel) and
returns its description and those logits, which the check compares here. A
network is not a number either, so this check names the difference itself;
the misconceptions it names are the ones a description of the network invites.
"""

import numpy as np

import mlcore

from .. import nn
from ..cnn import article_cnn
from ..seeded import seeded
from .checks import FAIL_MARK, PASS_MARK, CheckFailed, Misconception, answers_to, driven
from .cnn_loss import SOFTMAX_BEFORE_CROSS_ENTROPY
from .conv_layers import PADDING_FORGOTTEN
from .registry import exercise

__all__ = ["ACTIVATION_ADDED", "NET_MISCONCEPTIONS", "check_article_net", "describe_layers", "net_outcome"]

ACTIVATION_ADDED = "an activation the articles' network does not have"
CHANNELS = (1, 3)
# Layers a learner may add as a non-linearity, by type name (mlcore's, and PyTorch's that mlcore may gain).
ACTIVATIONS = {"ReLU", "LeakyReLU", "Tanh", "Sigmoid", "GELU", "ELU", "SELU", "SiLU", "Softplus", "Hardtanh",
               "ReLU6", "PReLU", "Mish"}
# The tolerance for a network in float32: its logits carry float32's rounding, about 1e-7 per operation.
FLOAT32_RTOL = 1e-4


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def describe_layers(net):
    """One tuple per layer of a Sequential: its type and the sizes that define it (the layers of a nested
    Sequential in their place: it computes the same as its layers side by side)."""
    rows = []
    for layer in net:
        if isinstance(layer, nn.Sequential):
            rows.extend(describe_layers(layer))
        elif isinstance(layer, nn.Conv2d):
            rows.append(("Conv2d", layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride,
                         layer.padding))
        elif isinstance(layer, nn.MaxPool2d):
            rows.append(("MaxPool2d", _pair(layer.kernel_size), _pair(layer.stride), _pair(layer.padding)))
        elif isinstance(layer, nn.Linear):
            rows.append(("Linear", layer.in_features, layer.out_features))
        else:
            rows.append((type(layer).__name__,))
    return rows


def _show(row):
    name, *sizes = row
    return f"{name}({', '.join(map(str, sizes))})" if sizes else f"{name}()"


PADDING_HINT = ("The article's convolutions have padding=2: without it each 5x5 convolution takes 4 pixels off "
                "the height and width (32 -> 28, pooled to 14 -> 10, pooled to 5 -> 1, pooled to 0), and "
                "64 x 4 x 4 = 1024 values no longer reach Linear(1024, 64). Use nn.Conv2d(..., 5, padding=2).")
SOFTMAX_HINT = ("The network ends in Linear(64, 10): its 10 raw scores (logits) go to nn.CrossEntropyLoss, "
                "which applies log_softmax itself. A softmax layer before it is applied twice.")
ACTIVATION_HINT = "(A ReLU would be a good idea; the exercise asks for the article's network as it is.)"


def _diagnose(got, want):
    """``(misconception or None, hint)`` for the first way the layers ``got`` differ from ``want``."""
    if any(row[0] == "Conv2d" and row[5] == (0, 0) for row in got):
        return PADDING_FORGOTTEN, PADDING_HINT
    if got and "softmax" in got[-1][0].lower():
        return SOFTMAX_BEFORE_CROSS_ENTROPY, SOFTMAX_HINT
    activations = [row[0] for row in got if row[0] in ACTIVATIONS]
    if activations:
        return ACTIVATION_ADDED, (f"The articles' network has no {activations[0]}: Conv2d and MaxPool2d three "
                                  f"times, Flatten and two Linear layers, nothing else. {ACTIVATION_HINT}")
    for index, (row, expected) in enumerate(zip(got, want)):
        if row != expected:
            return None, f"Layer {index} is {_show(row)}; the article's layer {index} is {_show(expected)}."
    return None, (f"The network has {len(got)} layers; the article's has {len(want)}: "
                  + ", ".join(_show(row) for row in want) + ".")


def _fail(lines, misconception=None, counterexample=None):
    raise CheckFailed("\n".join([f"{FAIL_MARK} build_net is not the articles' network yet."] + lines),
                      misconception, counterexample)


def _reference(in_channels):
    # Seeded, so that the driver (in the learner's kernel) copies the weights the check runs here.
    with seeded(1):
        return article_cnn(in_channels)


def _logits(net, in_channels):
    # The batch in the network's own precision, so that a network in float32 (net.float()) runs too.
    dtype = next(iter(net.parameters())).data.dtype
    x = np.random.default_rng(in_channels).normal(size=(2, in_channels, 32, 32)).astype(dtype)
    with mlcore.no_grad():
        return net(mlcore.tensor(x)).data


def net_outcome(build_net, in_channels):
    """The driver: what ``build_net(in_channels)`` built, as data: ``{"type": its type's name, "layers":
    describe_layers(net) (None if it is not a Sequential), "logits": its logits on a fixed batch with the
    reference's weights copied in (None unless it has the reference's layers, without which it may not
    even run)}``."""
    with seeded(0):
        net = build_net(in_channels)
    if not isinstance(net, nn.Sequential):
        return {"type": type(net).__name__, "layers": None, "logits": None}
    reference, layers, logits = _reference(in_channels), describe_layers(net), None
    if layers == describe_layers(reference):
        for mine, theirs in zip(net.parameters(), reference.parameters()):
            np.copyto(mine.data, theirs.data.astype(mine.data.dtype))
        logits = _logits(net, in_channels)
    return {"type": type(net).__name__, "layers": layers, "logits": logits}


def _without_padding(in_channels):
    return nn.Sequential(nn.Conv2d(in_channels, 32, 5), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 5), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10))


class _SoftmaxLayer(nn.Module):
    # A softmax over the classes as a module, as a learner might add one (mlcore.nn has none).
    def forward(self, x):
        return x.softmax(dim=1)


def _softmax_at_the_end(in_channels):
    return nn.Sequential(*article_cnn(in_channels), _SoftmaxLayer())


def _relu_after_each_convolution(in_channels):
    layers = []
    for layer in article_cnn(in_channels):
        layers.append(layer)
        if isinstance(layer, nn.Conv2d):
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


NET_MISCONCEPTIONS = [Misconception(PADDING_FORGOTTEN, _without_padding, PADDING_HINT),
                      Misconception(SOFTMAX_BEFORE_CROSS_ENTROPY, _softmax_at_the_end, SOFTMAX_HINT),
                      Misconception(ACTIVATION_ADDED, _relu_after_each_convolution, ACTIVATION_HINT)]


@exercise(answer=article_cnn, misconceptions=NET_MISCONCEPTIONS)
def check_article_net(build_net, channels=CHANNELS):
    """Check ``build_net(in_channels)`` for every ``in_channels`` in ``channels``."""
    built = answers_to(driven(net_outcome, build_net), [(in_channels,) for in_channels in channels])
    for in_channels, result in zip(channels, built):
        call = f"build_net({in_channels})"
        try:
            outcome = result()
        except Exception as error:
            error.add_note(f"(raised by {call} while it was being checked)")
            raise
        if outcome["layers"] is None:
            _fail([f"{call} returned a {outcome['type']}; return the nn.Sequential of the layers."])
        reference = _reference(in_channels)
        got, want = outcome["layers"], describe_layers(reference)
        if got != want:
            name, hint = _diagnose(got, want)
            layers = f"{call} has the layers: " + ", ".join(_show(row) for row in got)
            _fail(([f"Likely misconception: {name}. {hint}"] if name else [hint]) + [layers], name, layers)
        logits, expected = np.asarray(outcome["logits"]), _logits(reference, in_channels)
        rtol, atol = (FLOAT32_RTOL, 1e-6) if logits.dtype == np.float32 else (1e-6, 1e-9)
        if logits.shape != expected.shape or not np.allclose(logits.astype(np.float64), expected, rtol=rtol,
                                                             atol=atol):
            _fail([f"{call} has the article's layers, but with the same weights it computes other logits "
                   "than the article's network: does it run its layers in the order given?"])
    count = sum(p.data.size for p in article_cnn(channels[-1]).parameters())
    print(f"{PASS_MARK} build_net: the articles' network for in_channels = "
          f"{', '.join(map(str, channels))} ({count:,} parameters with {channels[-1]}).")
