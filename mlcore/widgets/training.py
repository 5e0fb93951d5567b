"""Training panel: a classifier trained epoch by epoch, its loss and accuracy drawn as they come (chapter 8).

Every frame of the Player is one epoch of chapter 7's :func:`~mlcore.train.fit`
(Adam, cross-entropy, shuffled mini-batches), followed by an evaluation on the
validation data, on one BLAS thread (:mod:`~mlcore.widgets.blas_threads`). Play trains on, pause stops after the epoch in progress,
reset goes back to the initial weights; a progress bar counts the epochs.
By default the panel trains the source articles' convolutional network on the
digits; chapter 8 passes its own network and data.
"""

import math
import numbers
import time

import ipywidgets as widgets
import numpy as np

from .. import nn, optim
from ..cnn import article_cnn
from ..data import DataLoader, TensorDataset
from ..data.digits import digit_images, stratified_split
from ..plots.cached_figure import mark_dynamic
from ..plots.style import LOSS_COLORS, tidy
from ..seeded import seeded
from ..train import History, fit
from .base import Diverged
from .blas_threads import one_blas_thread
from .canvas import uses_ipympl
from .controls import discrete_slider, log_slider
from .player import SteppedPanel
from .readout import table

__all__ = ["TrainingPanel"]

MAX_EPOCHS = 15
BATCH_SIZES = (16, 32, 64, 128, 256)
LOSS_LIMITS = (1e-3, 10.0)
HISTORY_FIELDS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy")
# The validation accuracy the question asks about (chapter 8's network passes it after a few epochs).
TARGET_ACCURACY = 0.96


def default_training_data():
    """The digits, upsampled to 32x32 with one channel, as TensorDatasets: the training part of chapter 8's
    stratified 80/20 split, split 80/20 again into training and validation images (the test images are
    kept out of sight, as chapter 7 teaches)."""
    X, y = digit_images()
    X_rest, _, y_rest, _ = stratified_split(X, y)
    X_train, X_val, y_train, y_val = stratified_split(X_rest, y_rest, seed=1)
    return TensorDataset(X_train, y_train), TensorDataset(X_val, y_val)


def _clipped_line(label, epochs, values, shown=3):
    """``"training 2.44e+05, 3.1e+04 (epochs 1, 2)"``: the first ``shown`` losses above the scale."""
    more = ", ..." if len(values) > shown else ""
    return (f"{label} {', '.join(f'{v:.3g}' for v in values[:shown])}{more} "
            f"(epoch{'s' if len(epochs) > 1 else ''} {', '.join(str(e) for e in epochs[:shown])}{more})")


class TrainingPanel(SteppedPanel):
    """Train ``net`` on ``train_set`` with Adam, one epoch per frame, validating on ``val_set`` (chapter 8).

    Controls: ``lr``, ``num_epochs`` (frames of the Player) and ``batch_size``;
    any change starts a new run from the network's initial weights. Settings
    fixed when the panel is built: ``net`` (trained in place, so after a run it
    holds the trained weights; its weights when the panel was built are the
    start of every run), ``train_set`` and ``val_set``
    (:class:`~mlcore.data.TensorDataset` of images and class labels), and
    ``seed`` (the order of the batches). Without ``net`` and the data sets the
    panel trains the article's network (seed 0, float32) on the digits.
    :meth:`train_to` trains from code; :attr:`history` holds the run.
    """

    chapter = 8
    unit = "epoch"
    # A tick of play asks for the next epoch. An epoch takes seconds, and ticks that arrive while
    # one trains wait their turn, so the interval follows the time an epoch takes (see _train_epoch):
    # then pause stops training after the epoch in progress.
    interval_ms = 1000
    # A frame is an epoch of real training, seconds long: no 30 ms target for a frame. The benchmark
    # (benchmarks/bench_panels.py) reports its seconds per epoch instead.
    frame_is_training = True
    start_at_end = False
    diverges_part_way = True
    figsize = (8.5, 3.3)
    question = (f"Press play at lr = 0.001: after how many epochs does the validation accuracy pass "
                f"{TARGET_ACCURACY * 100:.0f} %? "
                "What do the curves do at lr = 0.1?")

    def __init__(self, lr=1e-3, num_epochs=8, batch_size=64, *, net=None, train_set=None, val_set=None,
                 seed=0, caption=None):
        given = [value is not None for value in (net, train_set, val_set)]
        if any(given) and not all(given):
            raise ValueError("TrainingPanel needs a network and both data sets, TrainingPanel(net=net, "
                             "train_set=TensorDataset(X_train, y_train), val_set=TensorDataset(X_val, y_val)), "
                             "or none of them (the article's network on the digits).")
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise ValueError(f"seed must be a whole number (it orders the batches), got {seed!r}.")
        if net is None:
            with seeded(seed):
                self.net = article_cnn(in_channels=1).float()
            self.train_set, self.val_set = default_training_data()
        else:
            self.net, self.train_set, self.val_set = net, train_set, val_set
        self.seed = seed
        self.initial_weights = self.net.state_dict()
        self.loss_fn = nn.CrossEntropyLoss()
        self.history = History()
        self.progress = widgets.IntProgress(value=0, min=0, max=num_epochs, description="epochs trained",
                                            style={"description_width": "initial"})
        self.progress_text = widgets.HTML()
        controls = {
            "lr": log_slider("learning rate lr", lr, 1e-4, 1e-1),
            "num_epochs": discrete_slider("epochs", list(range(1, MAX_EPOCHS + 1)), num_epochs),
            "batch_size": discrete_slider("batch size", list(BATCH_SIZES), batch_size),
        }
        super().__init__(controls, settings={"net": net, "train_set": train_set, "val_set": val_set,
                                             "seed": seed}, caption=caption)

    # ------------------------------------------------------------------ build
    def _build(self):
        loss_ax, accuracy_ax = self.fig.subplots(1, 2)
        self.lines = {}
        for ax, kind in ((loss_ax, "loss"), (accuracy_ax, "accuracy")):
            for split, label in (("train", "training"), ("val", "validation")):
                (self.lines[f"{split}_{kind}"],) = ax.plot([], [], "o-", ms=4, lw=1.6, color=LOSS_COLORS[split],
                                                           label=label)
            ax.set_xlim(0.5, MAX_EPOCHS + 0.5)
            ax.set_xticks(range(1, MAX_EPOCHS + 1, 2))
        # Where the run will end, and its settings: the picture says which run it is before it starts.
        self.end_lines = [ax.axvline(MAX_EPOCHS, color="grey", lw=0.8, ls="--") for ax in (loss_ax, accuracy_ax)]
        # On a white box above the dashed line, which would cross it at some epochs.
        self.settings_text = loss_ax.text(0.98, 0.94, "", transform=loss_ax.transAxes, ha="right", va="top",
                                          fontsize=8, color="grey", zorder=5,
                                          bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.9, "pad": 1})
        # A loss above the scale is drawn at its top edge as a triangle, and its value is written out.
        self.clipped = {split: loss_ax.plot([], [], "^", ms=8, color=LOSS_COLORS[split], clip_on=False, zorder=6)[0]
                        for split in ("train", "val")}
        self.clipped_text = loss_ax.text(0.02, 0.03, "", transform=loss_ax.transAxes, ha="left", va="bottom",
                                         fontsize=8, zorder=5,
                                         bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.9, "pad": 1})
        loss_ax.set_yscale("log")
        loss_ax.set_ylim(*LOSS_LIMITS)
        accuracy_ax.set_ylim(0.0, 1.02)
        accuracy_ax.axhline(TARGET_ACCURACY, color="grey", lw=0.8, ls=":")
        accuracy_ax.legend(loc="lower right")
        tidy(loss_ax, title="cross-entropy after each epoch (log scale)", xlabel="epoch", ylabel="loss")
        tidy(accuracy_ax, title=f"accuracy (dotted: {TARGET_ACCURACY * 100:.0f} %)", xlabel="epoch", ylabel="accuracy")
        mark_dynamic(*self.lines.values(), *self.end_lines, self.settings_text, *self.clipped.values(),
                     self.clipped_text)

    # ------------------------------------------------------------------ a run
    def _run(self, state):
        """A new run for the controls in ``state``: the initial weights, a fresh Adam and batch order."""
        self.net.load_state_dict(self.initial_weights)
        self.optimizer = optim.Adam(self.net.parameters(), lr=state["lr"])
        self.train_loader = DataLoader(self.train_set, batch_size=state["batch_size"], shuffle=True,
                                       generator=np.random.default_rng(self.seed))
        self.val_loader = DataLoader(self.val_set, batch_size=256)
        self.history = History()
        self.progress.max = state["num_epochs"]
        self.progress.value = 0
        for line in self.end_lines:
            line.set_xdata([state["num_epochs"]] * 2)
        self.settings_text.set_text(f"Adam, lr = {state['lr']:.3g}, batches of {state['batch_size']}; "
                                    f"the run ends at epoch {state['num_epochs']} (dashed)")
        self.progress_text.value = ""
        return state["num_epochs"]

    def _train_epoch(self):
        start = time.perf_counter()
        with one_blas_thread():
            epoch = fit(self.net, self.loss_fn, self.optimizer, self.train_loader, self.val_loader, num_epochs=1,
                        progress=False)
        seconds = time.perf_counter() - start
        for name in HISTORY_FIELDS:
            getattr(self.history, name).extend(getattr(epoch, name))
        if epoch.diverged_at is not None:
            self.history.diverged_at = len(self.history.train_loss)
        self.progress.value = len(self.history.train_loss)
        self.progress_text.value = f"{seconds:.1f} s per epoch"
        self.player.play.interval = max(1000, math.ceil(1500 * seconds))

    def _show_frame(self, frame):
        if frame < len(self.history.train_loss):
            self._run(self.state())  # going back means starting again: the weights cannot be untrained
        while len(self.history.train_loss) < frame and self.history.diverged_at is None:
            self._train_epoch()
            if len(self.history.train_loss) < frame:  # several epochs at once: show each as it comes
                self._draw_curves()
                self._redraw_now()
        self._draw_curves()
        if self.history.diverged_at is not None:
            self.player.play.playing = False
            raise Diverged(f"at epoch {self.history.diverged_at} the loss stopped being a number; "
                           f"lr = {self.state()['lr']:.3g} is too high: lower it, or press reset")
        self._fill_readout()

    # ---------------------------------------------------------------- drawing
    def _draw_curves(self):
        above = []
        for name, line in self.lines.items():
            values = np.asarray(getattr(self.history, name), dtype=np.float64)
            epochs = np.arange(1, len(values) + 1)
            finite = np.isfinite(values)
            if name.endswith("loss"):
                split = name.split("_")[0]
                high = finite & (values > LOSS_LIMITS[1])
                self.clipped[split].set_data(epochs[high], np.full(high.sum(), LOSS_LIMITS[1]))
                if high.any():
                    above.append(_clipped_line("training" if split == "train" else "validation",
                                               epochs[high], values[high]))
                values = np.clip(values, *LOSS_LIMITS)
            line.set_data(epochs[finite], values[finite])
        self.clipped_text.set_text(f"\N{BLACK UP-POINTING TRIANGLE} loss above {LOSS_LIMITS[1]:g}:\n" + "\n".join(above)
                                   if above else "")

    def _redraw_now(self):
        """Draw at once, also while a cell is still running: ipympl sends the picture on ``draw()``.

        Only once the browser's view of the figure has said it is ready (ipympl
        then stops ``syncing_data_url``): pictures sent before that, while a cell
        that trains keeps the kernel from hearing the view, break the view.
        """
        if not uses_ipympl(self.fig):
            self._redraw()
        elif not getattr(self.fig.canvas, "syncing_data_url", True):
            self.fig.canvas.draw()

    def _fill_readout(self):
        state, h = self.state(), self.history
        steps = len(self.train_loader)
        intro = (f"Adam, lr = {state['lr']:.3g}, batches of {state['batch_size']} ({steps} steps per epoch) "
                 f"from {len(self.train_set)} training images; {len(self.val_set)} validation images.")
        if not h.train_loss:
            self.readout.value = intro + " Press play, or step, to train."
            return
        self.readout.value = f"<b>epoch {len(h.train_loss)}</b>: {intro}" + table(
            ["", "loss", "accuracy"],
            [["training (during the epoch)", f"{h.train_loss[-1]:.4f}", f"{h.train_accuracy[-1]:.4f}"],
             ["validation (after it)", f"{h.val_loss[-1]:.4f}", f"{h.val_accuracy[-1]:.4f}"]])

    def _controls_box(self):
        return widgets.VBox([super()._controls_box(), widgets.HBox([self.progress, self.progress_text])])

    # ------------------------------------------------------------------ reading
    def train_to(self, epoch=None):
        """Train to ``epoch`` (default: the ``num_epochs`` control) and draw it, as pressing play would.

        Stop it early with the kernel's interrupt: the epochs already trained stay.
        """
        epoch = self.state()["num_epochs"] if epoch is None else epoch
        if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or not 0 <= epoch <= self.player.num_frames:
            raise ValueError(f"epoch must be a whole number from 0 to num_epochs = {self.player.num_frames}, "
                             f"got {epoch!r}.")
        self.player.show(int(epoch))
        return self

    def results(self):
        """The numbers on show: the epochs trained, and the last epoch's losses and accuracies."""
        h = self.history
        return {"epochs": len(h.train_loss), **{name: float(getattr(h, name)[-1]) if getattr(h, name) else None
                                                for name in HISTORY_FIELDS}}
