"""The source articles' convolutional network for CIFAR-10, and a trace of its shapes (chapter 8).

The network, as the PyTorch example the articles quote writes it: three 5x5
convolutions of 32, 32 and 64 channels, padding 2 (so a convolution keeps the
height and width), each followed by 2x2 max-pooling (which halves them), then
``Flatten`` and ``Linear(1024, 64)``, ``Linear(64, 10)``. It has no activation
function: max-pooling is its only non-linearity. Written once, for mlcore and
for torch alike (``lib=torch.nn``), so the course's checks build the same
network in both libraries.
"""

import numpy as np

from . import nn
from .factories import zeros
from .grad_mode import no_grad

__all__ = ["article_cnn", "layer_shapes"]


def article_cnn(in_channels=3, *, lib=None):
    """The articles' CIFAR-10 network with ``in_channels`` input channels, built from ``lib`` (chapter 8).

    ``lib`` is ``mlcore.nn`` (the default) or any library with its names, such
    as ``torch.nn``. 145,578 parameters for 3 input channels, 143,978 for 1:
    only the first convolution's kernels depend on ``in_channels``.
    """
    lib = nn if lib is None else lib
    return lib.Sequential(
        lib.Conv2d(in_channels, 32, 5, padding=2), lib.MaxPool2d(2),
        lib.Conv2d(32, 32, 5, padding=2), lib.MaxPool2d(2),
        lib.Conv2d(32, 64, 5, padding=2), lib.MaxPool2d(2),
        lib.Flatten(), lib.Linear(1024, 64), lib.Linear(64, 10),
    )


def layer_shapes(net, input_shape):
    """``[(layer, output shape, parameter count), ...]`` for each layer of a Sequential ``net`` fed a
    batch of zeros of ``input_shape`` (chapter 8): the shape of the data after every layer."""
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"layer_shapes follows the layers of an nn.Sequential one by one; got a "
                        f"{type(net).__name__}.")
    params = list(net.parameters())
    x = zeros(*input_shape, dtype=params[0].data.dtype if params else np.float64)
    rows = []
    with no_grad():
        for layer in net:
            x = layer(x)
            rows.append((layer, tuple(x.shape), sum(p.data.size for p in layer.parameters())))
    return rows
