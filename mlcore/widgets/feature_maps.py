"""Feature-map panel: what each convolution of a network makes of one test image, and its prediction (chapter 8).

A convolution layer with C output channels turns an image into C feature
maps, one per kernel. The panel runs one image through the network layer by
layer (``mlcore.nn``, no graph), tiles each convolution's maps into one
picture, and draws the softmax probabilities of the ten classes as bars.
"""

import math

import numpy as np

import mlcore
import mlcore.nn.functional as F

from .. import nn
from ..cnn import article_cnn
from ..data import TensorDataset
from ..data.digits import digit_images, stratified_split
from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, tidy
from ..seeded import seeded
from .base import Panel
from .blas_threads import one_blas_thread
from .controls import discrete_slider

__all__ = ["FeatureMapPanel", "feature_maps", "mosaic"]


def feature_maps(net, image):
    """``(maps, probabilities)``: the output (C, H, W) of every Conv2d of a Sequential ``net`` for one
    ``image`` (channels, H, W), and the softmax of the network's logits (chapter 8)."""
    x = mlcore.tensor(np.asarray(image)[None].astype(_dtype(net), copy=False))
    maps = []
    with mlcore.no_grad(), one_blas_thread():
        for layer in net:
            x = layer(x)
            if isinstance(layer, nn.Conv2d):
                maps.append(x.data[0].copy())
        probabilities = F.softmax(x, dim=1).data[0]
    return maps, probabilities


def mosaic(maps, columns=8, gap=1):
    """The feature maps (C, H, W) tiled row by row, ``columns`` to a row, into one image, ``gap``
    pixels of nan apart (drawn blank)."""
    c, h, w = maps.shape
    columns = min(columns, c)
    rows = math.ceil(c / columns)
    tiled = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), np.nan)
    for k in range(c):
        r, col = divmod(k, columns)
        tiled[r * (h + gap):r * (h + gap) + h, col * (w + gap):col * (w + gap) + w] = maps[k]
    return tiled


def _dtype(net):
    return next(iter(net.parameters())).data.dtype


def default_network_and_images():
    """The untrained article network (1 input channel, float32, seed 0) and the digits' test split."""
    X, y = digit_images()
    _, X_test, _, y_test = stratified_split(X, y)
    with seeded(0):
        net = article_cnn(in_channels=1).float()
    return net, TensorDataset(X_test, y_test)


class FeatureMapPanel(Panel):
    """The feature maps of every convolution of ``net`` for one image of ``dataset``, and the
    predicted probabilities (chapter 8).

    Settings: ``index`` (which image of ``dataset``). ``net`` is a Sequential of
    mlcore layers with 10 outputs (chapter 8's trained network); ``dataset`` a
    :class:`~mlcore.data.TensorDataset` of images (N, C, H, W) and labels.
    Without them the panel shows the article's network untrained, on the
    digits' test images: pass the trained network to see what it learned.
    """

    chapter = 8
    figsize = (8.6, 3.9)
    question = ("Which maps of the first layer light up on the strokes of the digit, and which on its "
                "background? How sure is the network of the digit, and where does it hesitate?")

    def __init__(self, index=0, *, net=None, dataset=None, caption=None):
        if (net is None) != (dataset is None):
            raise ValueError("FeatureMapPanel needs both a network and the images to show it, "
                             "FeatureMapPanel(net=net, dataset=TensorDataset(X_test, y_test)), or neither "
                             "(the untrained article network on the digits).")
        self.net, self.dataset = default_network_and_images() if net is None else (net, dataset)
        self.images, self.labels = (t.data for t in self.dataset.tensors[:2])
        self.maps = feature_maps(self.net, self.images[0])[0]
        controls = {"index": discrete_slider("test image", list(range(len(self.images))), index)}
        super().__init__(controls, settings={"net": net, "dataset": dataset}, caption=caption)

    def _build(self):
        # Each mosaic gets a width in proportion to its shape, so all of them are drawn the same height.
        shapes = [mosaic(maps).shape for maps in self.maps]
        grid = self.fig.add_gridspec(2, 1 + len(self.maps), height_ratios=[2.2, 1.0],
                                     width_ratios=[1.0] + [w / h for h, w in shapes])
        image_ax = self.fig.add_subplot(grid[0, 0])
        first = self.images[0]
        self.image = mark_dynamic(image_ax.imshow(first[0], cmap="gray_r", vmin=0.0, vmax=1.0))
        self.image_title = mark_dynamic(image_ax.set_title(" \n ", fontsize=9))
        self.map_images = []
        for k, maps in enumerate(self.maps):
            ax = self.fig.add_subplot(grid[0, 1 + k])
            tiles = mosaic(maps)
            self.map_images.append(mark_dynamic(ax.imshow(tiles, cmap="RdBu_r", interpolation="nearest")))
            tidy(ax, title=f"conv {k + 1}\n{maps.shape[0]} maps of {maps.shape[1]}x{maps.shape[2]}")
        for ax in self.fig.axes:
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            ax.spines[:].set_visible(False)
        bar_ax = self.fig.add_subplot(grid[1, :])
        classes = np.arange(10)
        self.bars = bar_ax.bar(classes, np.zeros(10), color=COLORS["sky"])
        mark_dynamic(*self.bars)
        bar_ax.set_xticks(classes)
        bar_ax.set_xlim(-0.6, 9.6)
        bar_ax.set_ylim(0.0, 1.05)
        tidy(bar_ax, xlabel="class (digit)", ylabel="probability")

    def _update(self, state):
        index = state["index"]
        image, label = self.images[index], int(self.labels[index])
        maps, probabilities = feature_maps(self.net, image)
        self.image.set_data(image[0])
        for artist, layer_maps in zip(self.map_images, maps):
            tiles = mosaic(layer_maps)
            limit = max(float(np.nanmax(np.abs(tiles))), 1e-12)
            artist.set_data(tiles)
            artist.set_clim(-limit, limit)
        predicted = int(np.argmax(probabilities))
        for k, bar in enumerate(self.bars):
            bar.set_height(probabilities[k])
            bar.set_color(COLORS["green"] if k == label else COLORS["red"] if k == predicted else COLORS["sky"])
        verdict = "right" if predicted == label else "wrong"
        self.image_title.set_text(f"test image {index}\na {label}")
        self.readout.value = (f"test image {index}, a <b>{label}</b>: the network says <b>{predicted}</b> "
                              f"({verdict}) with probability {probabilities[predicted]:.3f}; "
                              f"p(true class {label}) = {probabilities[label]:.3f}. "
                              f"Bars: green the true class, red a wrong prediction.")

    def results(self):
        """The feature maps and probabilities on show, from :func:`feature_maps`."""
        maps, probabilities = feature_maps(self.net, self.images[self.state()["index"]])
        return {"maps": maps, "probabilities": probabilities}
