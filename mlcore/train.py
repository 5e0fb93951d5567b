"""``fit``: chapter 7's training loop as a helper, with a validation history and early stopping.

It is the loop the chapter writes by hand, unchanged::

    for epoch in range(num_epochs):
        net.train()
        for X, y in train_loader:
            y_hat = net(X)
            loss = loss_fn(y_hat, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        val_loss, val_accuracy = evaluate(net, loss_fn, val_loader)

plus what a learner would otherwise write again for every run: a record of
the training and validation loss (and accuracy, for class labels) of every
epoch, early stopping on the validation loss that restores the best weights
(:class:`~mlcore.early_stopping.EarlyStopping`), a stop when the loss is no
longer a finite number, and a progress bar with the current loss
(``tqdm.auto``) on any run that takes more than a second. Chapter 8 trains its
convolutional network with it.
"""

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from .early_stopping import EarlyStopping
from .grad_mode import no_grad

__all__ = ["History", "evaluate", "fit"]


@dataclass
class History:
    """What :func:`fit` recorded: one entry per epoch trained, epoch 1 first (chapter 7).

    ``train_loss`` is the mean loss over the epoch's batches (weighted by their
    sizes), measured while training, as most loops and Keras report it: it
    mixes the weights of the start and of the end of the epoch. ``val_loss``
    is measured after the epoch, in evaluation mode. Accuracies are recorded
    when the targets are class indices (integers) and stay empty otherwise.
    ``best_epoch`` is the epoch of the lowest validation loss; with early
    stopping, its weights are the ones the network ends with.
    """

    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    best_epoch: int = None
    stopped_early: bool = False
    diverged_at: int = None

    @property
    def epochs(self):
        """The epoch numbers 1, 2, ... of the entries."""
        return list(range(1, len(self.train_loss) + 1))

    def __repr__(self):
        parts = [f"{len(self.train_loss)} epochs"]
        if self.train_loss:
            parts.append(f"train_loss={self.train_loss[-1]:.4g}")
        if self.val_loss:
            parts.append(f"val_loss={self.val_loss[-1]:.4g}")
        if self.best_epoch is not None:
            parts.append(f"best_epoch={self.best_epoch}")
        if self.stopped_early:
            parts.append("stopped early")
        if self.diverged_at is not None:
            parts.append(f"diverged at epoch {self.diverged_at}")
        return "History(" + ", ".join(parts) + ")"


class _Running:
    """Sums over the batches of an epoch: the loss weighted by batch size, and correct predictions."""

    def __init__(self):
        self.loss_sum, self.correct, self.samples, self.classes = 0.0, 0, 0, None

    def add(self, y_hat, y, loss):
        n = len(y.data)
        self.loss_sum += float(loss.data) * n
        self.samples += n
        if self.classes is None:
            self.classes = y.data.dtype.kind in "iu" and y_hat.data.ndim == 2
        if self.classes:
            self.correct += int(np.sum(y_hat.data.argmax(axis=1) == y.data))

    def loss(self):
        return self.loss_sum / self.samples

    def accuracy(self):
        return self.correct / self.samples if self.classes else None


def evaluate(net, loss_fn, loader):
    """``(loss, accuracy)`` of ``net`` over every batch of ``loader``, in evaluation mode and
    without recording a graph (chapter 7).

    The loss is the mean over the samples (``loss_fn`` averages each batch, and
    the batches are weighted by their sizes). The accuracy is None unless the
    targets are class indices. The network goes back to the mode it was in.
    """
    was_training = net.training
    net.eval()
    try:
        running = _Running()
        with no_grad(), np.errstate(all="ignore"):
            for X, y in loader:
                y_hat = net(X)
                running.add(y_hat, y, loss_fn(y_hat, y))
        return running.loss(), running.accuracy()
    finally:
        net.train(was_training)


def fit(net, loss_fn, optimizer, train_loader, val_loader=None, *, num_epochs, patience=None,
        progress=True):
    """Train ``net`` for ``num_epochs`` epochs over ``train_loader``; return the :class:`History` (chapter 7).

    Every batch is one step: forward, loss, ``zero_grad``, backward, ``step``.
    After every epoch the network is evaluated on ``val_loader`` (see
    :func:`evaluate`). With ``patience``, training stops once the validation
    loss has not improved for that many epochs, and the weights of the best
    epoch are loaded back. A loss that is not a finite number ends training
    (``History.diverged_at``): the rate is too high. ``progress`` shows a
    ``tqdm`` bar with the latest losses if the run takes more than a second.
    """
    _check_arguments(loss_fn, optimizer, train_loader, val_loader, num_epochs, patience)
    history = History()
    stopper = EarlyStopping(patience) if patience is not None else None
    bar = _progress_bar(num_epochs, progress)
    try:
        for epoch in range(1, num_epochs + 1):
            net.train()
            running = _Running()
            # A rate that is too high shows up as an inf or nan loss, which ends the run below;
            # numpy's warnings on the way there would only repeat it.
            with np.errstate(all="ignore"):
                for X, y in train_loader:
                    y_hat = net(X)
                    loss = loss_fn(y_hat, y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    running.add(y_hat, y, loss)
            _record(history.train_loss, history.train_accuracy, running.loss(), running.accuracy())
            if val_loader is not None:
                _record(history.val_loss, history.val_accuracy, *evaluate(net, loss_fn, val_loader))
            if bar is not None:
                bar.update(1)
                bar.set_postfix(_postfix(history), refresh=False)
            latest = history.val_loss[-1] if val_loader is not None else history.train_loss[-1]
            if not (math.isfinite(history.train_loss[-1]) and math.isfinite(latest)):
                history.diverged_at = epoch
                break
            if stopper is not None and stopper.step(history.val_loss[-1], net):
                history.stopped_early = epoch < num_epochs
                break
    finally:
        if bar is not None:
            bar.close()
    if history.val_loss and history.diverged_at is None:
        history.best_epoch = int(np.argmin(history.val_loss)) + 1
    if stopper is not None and stopper.best_state is not None:
        stopper.restore(net)
        history.best_epoch = stopper.best_epoch
    return history


def _record(losses, accuracies, loss, accuracy):
    losses.append(loss)
    if accuracy is not None:
        accuracies.append(accuracy)


def _postfix(history):
    shown = {"loss": f"{history.train_loss[-1]:.4g}"}
    if history.val_loss:
        shown["val_loss"] = f"{history.val_loss[-1]:.4g}"
    if history.val_accuracy:
        shown["val_acc"] = f"{history.val_accuracy[-1]:.3f}"
    return shown


def _progress_bar(num_epochs, progress):
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError("fit's progress bar needs tqdm, part of the course's install (`make lab`, or "
                          "`pip install tqdm`); or call fit(..., progress=False).") from None
    # delay=1: a run that is over within a second shows no bar at all.
    return tqdm(total=num_epochs, desc="fit", unit="epoch", delay=1.0, leave=True)


def _check_arguments(loss_fn, optimizer, train_loader, val_loader, num_epochs, patience):
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, numbers.Integral) or num_epochs < 1:
        raise ValueError(f"num_epochs must be a whole number >= 1, got {num_epochs!r}.")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a loss such as nn.CrossEntropyLoss(), got {loss_fn!r}.")
    if not (hasattr(optimizer, "zero_grad") and hasattr(optimizer, "step")):
        raise TypeError(f"optimizer must be an mlcore.optim optimizer (SGD(net.parameters(), lr=0.1)), "
                        f"got a {type(optimizer).__name__}.")
    for name, loader in (("train_loader", train_loader), ("val_loader", val_loader)):
        if loader is not None and not hasattr(loader, "__iter__"):
            raise TypeError(f"{name} must give batches (X, y), e.g. DataLoader(TensorDataset(X, y), "
                            f"batch_size=32), but got a {type(loader).__name__}.")
    if patience is not None and val_loader is None:
        raise ValueError("early stopping (patience=...) watches the validation loss: pass a val_loader.")
