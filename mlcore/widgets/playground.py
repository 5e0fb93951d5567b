"""The playground: a small network learns to separate two classes in the plane, live (chapter 7).

After TensorFlow Playground. Pick a data set (circles, moons, XOR, a spiral,
two Gaussians) with its noise, the share of points used for training and a
seed; a network of 0 to 4 hidden layers of 1 to 8 neurons with ReLU, tanh or
sigmoid; and the training settings: learning rate, weight decay, batch size.
Play trains it, one epoch per frame, with ``mlcore.optim.SGD`` and chapter 7's
:func:`~mlcore.train.fit`, minimising the cross-entropy of its two class
scores. The picture shows

* the decision boundary: the network's probability of class 1 over the plane,
  as one image whose pixels are replaced every frame, with the training points
  (filled) and the test points (ringed);
* the first hidden layer's neurons, each as a small map of its activation over
  the same plane: the features the rest of the network combines;
* the training and test loss after every epoch.

Any 2-D data with two classes can be brought in: ``PlaygroundPanel(X=X, y=y)``.
Inputs are standardised (mean 0, standard deviation 1 per coordinate, with the
training points' mean and spread) before they reach the network, so data on any
scale trains alike.
"""

import numbers
import time

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_rgb

from .. import nn
from ..data import DATASETS, DataLoader, TensorDataset, make_two_class, train_val_split
from ..factories import tensor
from ..grad_mode import no_grad
from ..optim import SGD
from ..plots.cached_figure import mark_dynamic
from ..plots.style import COLORS, LOSS_COLORS, tidy
from ..train import evaluate, fit
from .base import Diverged
from .controls import choice, discrete_slider, log_slider, slider
from .player import SteppedPanel
from .readout import table
from ..seeded import seeded

__all__ = ["ACTIVATIONS", "PlaygroundPanel", "make_network"]

def _tint(color, strength=0.55):
    """``color`` mixed with white: ``strength`` of the colour, the rest white."""
    return tuple(strength * c + (1.0 - strength) for c in to_rgb(color))


ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100)
WEIGHT_DECAYS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1)
MAX_EPOCHS = 1000
RESOLUTION = 40               # the boundary and each neuron's map are RESOLUTION x RESOLUTION pixels
MAX_WIDTH = 8
TILE_COLUMNS, TILE_GAP = 2, 5  # the neuron maps share one image: MAX_WIDTH tiles, 2 per row
LOSS_LIMITS = (1e-3, 3.0)     # the loss axis (log scale) is fixed, so the background stays cached
PROGRESS_S = 0.5              # while training towards a far epoch, redraw at least this often
DIVERGED_FACTOR = 5.0         # a training loss this many times its value at epoch 0 has diverged
BUILT_IN_BOX = 1.75           # the built-in data sets are shown on [-1.75, 1.75] squared
CLASS_COLORS = (COLORS["orange"], COLORS["blue"])
# Probability of class 1, from a tint of class 0's orange through white to a tint of class 1's
# blue; the points are drawn in the full colours, so they stand out on either side.
BOUNDARY_CMAP = LinearSegmentedColormap.from_list(
    "playground", [_tint(CLASS_COLORS[0]), (1.0, 1.0, 1.0), _tint(CLASS_COLORS[1])])


def make_network(hidden_layers, width, activation, in_features=2, out_features=2):
    """``nn.Sequential``: ``hidden_layers`` layers of ``width`` neurons, each Linear then ``activation``
    ("relu", "tanh" or "sigmoid"), and a Linear layer to ``out_features`` class scores (chapter 7)."""
    layers, size = [], in_features
    for _ in range(hidden_layers):
        layers += [nn.Linear(size, width), ACTIVATIONS[activation]()]
        size = width
    return nn.Sequential(*layers, nn.Linear(size, out_features))


class PlaygroundPanel(SteppedPanel):
    """Train a small classifier on 2-D data, one epoch per frame of the Player (chapter 7).

    Controls: ``dataset``, ``noise``, ``train_fraction``, ``seed`` (data, split,
    initial weights and batch order), ``hidden_layers``, ``width``,
    ``activation``, ``lr``, ``weight_decay``, ``batch_size``. Settings fixed when
    the panel is built: ``n_samples`` (built-in data) or ``X`` and ``y`` (your
    own data, which replaces the ``dataset`` and ``noise`` controls). Every
    change starts training again from epoch 0; :meth:`train_to` plays to an
    epoch from code and :meth:`results` reads the numbers on show.
    """

    chapter = 7
    unit = "epoch"
    interval_ms = 60
    start_at_end = False
    diverges_part_way = True
    figsize = (8.4, 3.4)
    question = ("Press play: how many epochs does the default network need to separate the circles? "
                "Which data set can it not separate, and what must change in the network for it to?")

    def __init__(self, dataset="circles", noise=0.1, train_fraction=0.5, seed=0, hidden_layers=2, width=4,
                 activation="tanh", lr=0.1, weight_decay=0.0, batch_size=10, n_samples=None, X=None, y=None,
                 *, caption=None):
        self.own_data = X is not None or y is not None
        if self.own_data:
            self.X_all, self.y_all, self.class_names, settings = _own_data(X, y, n_samples)
        else:
            n_samples = 200 if n_samples is None else _check_n_samples(n_samples)
            self.class_names = ("0", "1")
            settings = {"n_samples": n_samples, "X": None, "y": None}
        controls = {}
        if not self.own_data:
            controls["dataset"] = choice("data", list(DATASETS), dataset)
            controls["noise"] = slider("noise", noise, 0.0, 0.5, 0.05)
        controls.update({
            "train_fraction": slider("training share", train_fraction, 0.1, 0.9, 0.1, readout_format=".1f"),
            "seed": discrete_slider("seed", list(range(10)), seed),
            "hidden_layers": discrete_slider("hidden layers", list(range(5)), hidden_layers),
            "width": discrete_slider("neurons per layer", list(range(1, MAX_WIDTH + 1)), width),
            "activation": choice("activation", list(ACTIVATIONS), activation),
            "lr": log_slider("learning rate lr", lr, 1e-3, 10.0),
            "weight_decay": discrete_slider("weight decay", list(WEIGHT_DECAYS), weight_decay),
            "batch_size": discrete_slider("batch size", list(BATCH_SIZES), batch_size),
        })
        self.extent = _extent(self.X_all) if self.own_data else (-BUILT_IN_BOX, BUILT_IN_BOX) * 2
        self.epoch = 0
        super().__init__(controls, settings=settings, caption=caption)

    # ------------------------------------------------------------------ build
    def _build(self):
        grid = self.fig.add_gridspec(1, 3, width_ratios=(1.3, 0.55, 1.25))
        self.ax = self.fig.add_subplot(grid[0])
        self.neuron_ax = self.fig.add_subplot(grid[1])
        self.loss_ax = self.fig.add_subplot(grid[2])
        extent = self.extent
        # One image each for the boundary and for all the neuron maps, as RGBA pixels: replacing
        # the pixels of an image is the cheapest thing matplotlib draws.
        self.image = self.ax.imshow(np.ones((RESOLUTION, RESOLUTION, 4)), extent=extent, origin="lower",
                                    interpolation="bilinear", aspect="equal" if not self.own_data else "auto")
        # One line of markers per class and split: markers of one style are stamped, which draws
        # several times faster than a scatter with a colour per point.
        self.points = {(split, label): self.ax.plot([], [], "o", ms=4.2, mfc=CLASS_COLORS[label],
                                                    mec="white" if split == "train" else COLORS["black"],
                                                    mew=0.7 if split == "train" else 1.0, zorder=3)[0]
                       for split in ("train", "test") for label in (0, 1)}
        self.epoch_text = self.ax.text(0.03, 0.97, "", transform=self.ax.transAxes, ha="left", va="top",
                                       fontsize=9, fontweight="bold")
        self.ax.set_xlim(*extent[:2])
        self.ax.set_ylim(*extent[2:])
        tidy(self.ax, title="P(class 1): filled = train, ringed = test", xlabel="$x_1$", ylabel="$x_2$")

        rows = -(-MAX_WIDTH // TILE_COLUMNS)
        self.tiles = [(slice(r * (RESOLUTION + TILE_GAP), r * (RESOLUTION + TILE_GAP) + RESOLUTION),
                       slice(c * (RESOLUTION + TILE_GAP), c * (RESOLUTION + TILE_GAP) + RESOLUTION))
                      for r in range(rows) for c in range(TILE_COLUMNS)][:MAX_WIDTH]
        self.mosaic = np.zeros((rows * (RESOLUTION + TILE_GAP) - TILE_GAP,
                                TILE_COLUMNS * (RESOLUTION + TILE_GAP) - TILE_GAP, 4), dtype=np.uint8)
        # Tiles fill the rows from the top left (neuron 1, 2 in the first row); each tile is flipped so
        # that x2 grows upwards, as in the boundary map.
        # Nearest pixels: the tiles are enlarged less than the boundary, and it draws faster.
        self.neuron_image = self.neuron_ax.imshow(self.mosaic, interpolation="nearest", aspect="equal")
        self.no_hidden_text = self.neuron_ax.text(0.5, 0.5, "", transform=self.neuron_ax.transAxes,
                                                  ha="center", va="center", fontsize=8, color=COLORS["grey"])
        # No ticks and no frame (set_axis_off would leave ticks to be made on the fly, which
        # invalidates the cached background).
        self.neuron_ax.set_xticks([])
        self.neuron_ax.set_yticks([])
        self.neuron_ax.grid(False)
        for spine in self.neuron_ax.spines.values():
            spine.set_visible(False)
        self.neuron_ax.set_title("first hidden layer,\none map per neuron", fontsize=8)

        (self.train_line,) = self.loss_ax.plot([], [], color=LOSS_COLORS["train"], label="train")
        (self.test_line,) = self.loss_ax.plot([], [], color=LOSS_COLORS["val"], label="test")
        self.loss_ax.set_yscale("log")
        self.loss_ax.set_ylim(*LOSS_LIMITS)
        self.loss_ax.set_xlim(0, 50)
        self.loss_ax.legend(loc="upper right")
        tidy(self.loss_ax, title="cross-entropy after each epoch", xlabel="epoch", ylabel="loss (log scale)")
        mark_dynamic(self.image, self.neuron_image, *self.points.values(), self.epoch_text,
                     self.no_hidden_text, self.train_line, self.test_line)

    # -------------------------------------------------------------------- run
    def _run(self, state):
        self.settings_now = state
        seed = state["seed"]
        if self.own_data:
            X, y = self.X_all, self.y_all
        else:
            X, y = make_two_class(state["dataset"], self.settings["n_samples"], state["noise"],
                                  np.random.default_rng([seed, 0]))
        X_train, y_train, X_test, y_test = train_val_split(X, y, 1.0 - state["train_fraction"],
                                                           np.random.default_rng([seed, 1]))
        self.X_train, self.y_train, self.X_test, self.y_test = X_train, y_train, X_test, y_test
        # Standardised with the training points' statistics: the test points stay unseen.
        spread = X_train.std(axis=0)
        self.mean, self.std = X_train.mean(axis=0), np.where(spread > 0, spread, 1.0)
        self.train_set = (tensor((X_train - self.mean) / self.std), tensor(y_train))
        self.test_set = (tensor((X_test - self.mean) / self.std), tensor(y_test))
        x1_lo, x1_hi, x2_lo, x2_hi = self.extent
        g1, g2 = np.meshgrid(np.linspace(x1_lo, x1_hi, RESOLUTION), np.linspace(x2_lo, x2_hi, RESOLUTION))
        self.grid = tensor((np.column_stack([g1.ravel(), g2.ravel()]) - self.mean) / self.std)
        self.loss_fn = nn.CrossEntropyLoss()
        self._start()
        self._show_points()
        return MAX_EPOCHS

    def _start(self):
        """The untrained network of this setting, at epoch 0: the same weights and batches every time."""
        state = self.settings_now
        with seeded(state["seed"]):
            self.net = make_network(state["hidden_layers"], state["width"], state["activation"])
        self.optimizer = SGD(self.net.parameters(), lr=state["lr"], weight_decay=state["weight_decay"])
        self.train_loader = DataLoader(TensorDataset(*self.train_set), batch_size=state["batch_size"],
                                       shuffle=True, generator=np.random.default_rng([state["seed"], 2]))
        self.epoch, self.diverged_at = 0, None
        self.curves = {"train_loss": [], "test_loss": [], "train_accuracy": [], "test_accuracy": []}
        self._measure()

    def _train_epoch(self):
        history = fit(self.net, self.loss_fn, self.optimizer, self.train_loader, num_epochs=1, progress=False)
        self.epoch += 1
        self._measure()
        loss = self.curves["train_loss"][-1]
        if history.diverged_at is not None or not loss <= DIVERGED_FACTOR * self.curves["train_loss"][0]:
            self.diverged_at = self.epoch

    def _measure(self):
        for name, (X, y) in (("train", self.train_set), ("test", self.test_set)):
            loss, accuracy = evaluate(self.net, self.loss_fn, [(X, y)])
            self.curves[f"{name}_loss"].append(loss)
            self.curves[f"{name}_accuracy"].append(accuracy)

    def _show_frame(self, frame):
        if frame < self.epoch:
            self._start()
        shown = time.perf_counter()
        while self.epoch < frame and self.diverged_at is None:
            self._train_epoch()
            if time.perf_counter() - shown > PROGRESS_S and self.epoch < frame:
                # A long jump (train_to(600)) is a run of several seconds: the panel shows its
                # own progress, the epoch and the losses so far, instead of a progress bar.
                self._draw_frame()
                self._redraw()
                shown = time.perf_counter()
        if self.diverged_at is not None:
            self._draw_curves()
            self.player.play.playing = False
            start = self.curves["train_loss"][0]
            raise Diverged(f"at epoch {self.diverged_at} the training loss passed {DIVERGED_FACTOR:g} times its "
                           f"start ({DIVERGED_FACTOR * start:.2f}); lr = {self.settings_now['lr']:.3g} is too "
                           f"high for this network: lower it, or press reset")
        self._draw_frame()

    def _draw_frame(self):
        self._draw_maps()
        self._draw_curves()
        self._fill_readout()

    # ---------------------------------------------------------------- drawing
    def _show_points(self):
        for split, X, y in (("train", self.X_train, self.y_train), ("test", self.X_test, self.y_test)):
            for label in (0, 1):
                self.points[split, label].set_data(X[y == label, 0], X[y == label, 1])

    def _draw_maps(self):
        with no_grad():
            out, first_hidden = self.grid, None
            for index, layer in enumerate(self.net):
                out = layer(out)
                if index == 1:
                    first_hidden = out.data
            scores = out.data
        # P(class 1) is the softmax of the two scores, sigmoid(z1 - z0), clipped to stay finite.
        margin = np.clip(scores[:, 1] - scores[:, 0], -50.0, 50.0)
        probability = 1.0 / (1.0 + np.exp(-margin))
        self.image.set_data(BOUNDARY_CMAP(probability.reshape(RESOLUTION, RESOLUTION), bytes=True))
        self.mosaic[...] = 0
        width = 0 if first_hidden is None else first_hidden.shape[1]
        low, high = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "relu": (0.0, None)}[self.settings_now["activation"]]
        for k in range(width):
            activation = first_hidden[:, k]
            top = high if high is not None else max(float(activation.max()), 1e-12)
            tile = ((activation - low) / (top - low)).reshape(RESOLUTION, RESOLUTION)[::-1]
            self.mosaic[self.tiles[k]] = BOUNDARY_CMAP(tile, bytes=True)
        self.neuron_image.set_data(self.mosaic)
        self.no_hidden_text.set_text("" if width else "no hidden layer:\nthe boundary is a line")

    def _draw_curves(self):
        epochs = np.arange(len(self.curves["train_loss"]))
        for line, losses in ((self.train_line, self.curves["train_loss"]), (self.test_line, self.curves["test_loss"])):
            values = np.asarray(losses, dtype=np.float64)
            finite = np.isfinite(values)
            line.set_data(epochs[finite], np.clip(values[finite], *LOSS_LIMITS))
        right = self.loss_ax.get_xlim()[1]
        if self.epoch > right or (self.epoch <= 50 < right):
            # Grow the epoch axis by doubling (rare full redraws), and go back to 50 on reset.
            self.loss_ax.set_xlim(0, 50 * 2 ** int(np.ceil(np.log2(max(self.epoch, 50) / 50))))
        self.epoch_text.set_text(f"epoch {self.epoch}")

    def _fill_readout(self):
        state, curves = self.settings_now, self.curves
        sizes = " → ".join(["2"] + [str(state["width"])] * state["hidden_layers"] + ["2"])
        if not state["hidden_layers"]:
            sizes += f" (no hidden layer, so the {state['width']} neurons per layer are not used)"
        parameters = sum(p.data.size for p in self.net.parameters())
        n_train, n_test = len(self.y_train), len(self.y_test)
        batch = min(state["batch_size"], n_train)
        steps = -(-n_train // batch)
        classes = ("" if not self.own_data else
                   f" Class 0 is your label {self.class_names[0]}, class 1 is {self.class_names[1]}.")
        self.readout.value = (
            f"<b>epoch {self.epoch}</b>: network {sizes} ({state['activation']}, {parameters} parameters); "
            f"{n_train} training and {n_test} test points, batch size {batch}: {steps} steps per epoch; "
            f"lr = {state['lr']:.3g}, weight decay = {state['weight_decay']:g}.{classes}"
            + table(["", "loss", "accuracy"],
                    [["train", f"{curves['train_loss'][-1]:.4f}", f"{curves['train_accuracy'][-1]:.3f}"],
                     ["test", f"{curves['test_loss'][-1]:.4f}", f"{curves['test_accuracy'][-1]:.3f}"]]))

    # ------------------------------------------------------------------ reading
    def train_to(self, epoch):
        """Play to ``epoch`` (0 ... 1000) and draw it, as pressing *step* that many times would."""
        if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or not 0 <= epoch <= MAX_EPOCHS:
            raise ValueError(f"epoch must be a whole number from 0 to {MAX_EPOCHS}, got {epoch!r}.")
        self.player.show(int(epoch))
        return self

    def results(self):
        """The numbers on show: the epoch, and the training and test loss and accuracy after it."""
        return {"epoch": self.epoch, **{name: float(values[-1]) for name, values in self.curves.items()}}


# ---------------------------------------------------------------- your own data
def _own_data(X, y, n_samples):
    """``(X, labels 0/1, the two class names, settings)`` from data a learner brings; errors that teach."""
    if X is None or y is None:
        raise ValueError("bring both the points and their classes: PlaygroundPanel(X=X, y=y), X of shape "
                         "(N, 2) and y with one of two labels per point.")
    if n_samples is not None:
        raise ValueError("n_samples sets the size of the built-in data sets; with your own data the panel "
                         "uses all len(X) points: leave n_samples out.")
    X_array = np.asarray(X, dtype=object)
    try:
        X_array = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"X must be numbers: an array of shape (N, 2), one row (x1, x2) per point; got "
                         f"{type(X).__name__} of shape {X_array.shape}.") from None
    if X_array.ndim != 2 or X_array.shape[1] != 2:
        hint = (" It has one column: stack two features, np.column_stack([x1, x2])." if X_array.ndim == 1
                or (X_array.ndim == 2 and X_array.shape[1] == 1) else
                " Pick two columns, e.g. X[:, :2], or project the data to 2-D first." if X_array.ndim == 2 else "")
        raise ValueError(f"X must have shape (N, 2), one row (x1, x2) per point, but has shape "
                         f"{X_array.shape}.{hint}")
    if not np.isfinite(X_array).all():
        raise ValueError("X contains nan or inf; drop those rows first.")
    y_array = np.asarray(y)
    if y_array.ndim != 1 or len(y_array) != len(X_array):
        raise ValueError(f"y must hold one label per row of X, shape ({len(X_array)},), but has shape "
                         f"{y_array.shape}. For one-hot labels pass y.argmax(1).")
    classes = np.unique(y_array)
    if len(classes) != 2:
        raise ValueError(f"the playground separates two classes, but y has {len(classes)} different "
                         f"labels ({', '.join(map(str, classes[:5]))}{', ...' if len(classes) > 5 else ''}). "
                         "Keep two of them, or merge labels into two groups.")
    if len(X_array) < 10:
        raise ValueError(f"X has {len(X_array)} points; the playground needs at least 10, so that both the "
                         "training and the test share keep a few.")
    labels = (y_array == classes[1]).astype(np.int64)
    settings = {"n_samples": None, "X": tuple(tuple(float(v) for v in row) for row in X_array),
                "y": tuple(y_array.tolist())}
    return X_array, labels, tuple(str(c) for c in classes), settings


def _check_n_samples(n_samples):
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or not 20 <= n_samples <= 2000:
        raise ValueError(f"n_samples must be a whole number from 20 to 2000, got {n_samples!r}.")
    return int(n_samples)


def _extent(X):
    """``(x1_lo, x1_hi, x2_lo, x2_hi)``: the box around the points, 10% wider on every side."""
    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.1 * np.where(high > low, high - low, 1.0)
    return (float(low[0] - margin[0]), float(high[0] + margin[0]), float(low[1] - margin[1]),
            float(high[1] + margin[1]))
