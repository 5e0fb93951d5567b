"""Check for chapter 8's ``build_net(in_channels)``: the articles' CIFAR-10 network, built from its description.

The learner's function is called; the network it returns is compared with
:func:`mlcore.cnn.article_cnn` layer by layer (type and sizes), and then run:
with the reference's weights copied in, parameter by parameter, it must give
the reference's logits on a fixed batch. A network is not a number, so this
check describes the layers and names the difference itself; the
misconceptions it names are the ones a description of the network invites.
"""

import numpy as np

import mlcore

from .. import nn
from ..cnn import article_cnn
from ..grading.checks import FAIL_MARK, PASS_MARK, CheckFailed
from ..seeded import seeded
from .cnn_loss import SOFTMAX_BEFORE_CROSS_ENTROPY
from .conv_layers import PADDING_FORGOTTEN

__all__ = ["ACTIVATION_ADDED", "check_article_net", "describe_layers"]

ACTIVATION_ADDED = "an activation the articles' network does not have"
CHANNELS = (1, 3)


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def describe_layers(net):
    """One tuple per layer of a Sequential: its type and the sizes that define it."""
    rows = []
    for layer in net:
        if isinstance(layer, nn.Conv2d):
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


def _diagnose(got, want):
    """``(misconception or None, hint)`` for the first way the layers ``got`` differ from ``want``."""
    if any(row[0] == "Conv2d" and row[5] == (0, 0) for row in got):
        return PADDING_FORGOTTEN, (
            "The article's convolutions have padding=2: without it each 5x5 convolution takes 4 pixels off "
            "the height and width (32 -> 28, pooled to 14 -> 10, pooled to 5 -> 1, pooled to 0), and "
            "64 x 4 x 4 = 1024 values no longer reach Linear(1024, 64). Use nn.Conv2d(..., 5, padding=2).")
    if got and "softmax" in got[-1][0].lower():
        return SOFTMAX_BEFORE_CROSS_ENTROPY, (
            "The network ends in Linear(64, 10): its 10 raw scores (logits) go to nn.CrossEntropyLoss, "
            "which applies log_softmax itself. A softmax layer before it is applied twice.")
    activations = [row[0] for row in got if row[0] in ("ReLU", "Tanh", "Sigmoid")]
    if activations:
        return ACTIVATION_ADDED, (
            f"The articles' network has no {activations[0]}: Conv2d and MaxPool2d three times, Flatten and two "
            "Linear layers, nothing else. (A ReLU would be a good idea; the exercise asks for the article's "
            "network as it is.)")
    for index, (row, expected) in enumerate(zip(got, want)):
        if row != expected:
            return None, f"Layer {index} is {_show(row)}; the article's layer {index} is {_show(expected)}."
    return None, (f"The network has {len(got)} layers; the article's has {len(want)}: "
                  + ", ".join(_show(row) for row in want) + ".")


def _fail(lines):
    raise CheckFailed("\n".join([f"{FAIL_MARK} build_net is not the articles' network yet."] + lines))


def _reference_logits(net, in_channels):
    x = np.random.default_rng(in_channels).normal(size=(2, in_channels, 32, 32))
    with mlcore.no_grad():
        return net(mlcore.tensor(x)).data


def check_article_net(build_net, channels=CHANNELS):
    """Check ``build_net(in_channels)`` for every ``in_channels`` in ``channels``."""
    for in_channels in channels:
        call = f"build_net({in_channels})"
        with seeded(0):
            try:
                net = build_net(in_channels)
            except Exception as error:
                error.add_note(f"(raised by {call} while it was being checked)")
                raise
        if not isinstance(net, nn.Sequential):
            _fail([f"{call} returned a {type(net).__name__}; return the nn.Sequential of the layers."])
        reference = article_cnn(in_channels)
        got, want = describe_layers(net), describe_layers(reference)
        if got != want:
            name, hint = _diagnose(got, want)
            _fail(([f"Likely misconception: {name}. {hint}"] if name else [hint])
                  + [f"{call} has the layers: " + ", ".join(_show(row) for row in got)])
        for mine, theirs in zip(net.parameters(), reference.parameters()):
            np.copyto(mine.data, theirs.data.astype(mine.data.dtype))
        logits, expected = _reference_logits(net, in_channels), _reference_logits(reference, in_channels)
        if logits.shape != expected.shape or not np.allclose(logits, expected, rtol=1e-6, atol=1e-9):
            _fail([f"{call} has the article's layers, but with the same weights it computes other logits "
                   "than the article's network: does it run its layers in the order given?"])
    count = sum(p.data.size for p in article_cnn(channels[-1]).parameters())
    print(f"{PASS_MARK} build_net: the articles' network for in_channels = "
          f"{', '.join(map(str, channels))} ({count:,} parameters with {channels[-1]}).")
