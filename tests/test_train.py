"""mlcore.train.fit, evaluate and EarlyStopping: the chapter 7 loop as a helper, against a torch loop.

The torch loop is written out as PyTorch's tutorials write it; with the same
starting weights and the same batches (no shuffling), both libraries must
record the same losses and end with the same weights.
"""

import io
import time

import numpy as np
import pytest
import torch

import mlcore
from mlcore import nn
from mlcore.data import DataLoader, TensorDataset
from mlcore.early_stopping import EarlyStopping
from mlcore.optim import SGD
from mlcore.train import History, evaluate, fit
from oracle import RTOL64

pytestmark = pytest.mark.filterwarnings("error")


def classification(n=24, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.int64)


def twins(dropout=0.0):
    """The same 2-8-2 network in mlcore and in torch."""
    mlcore.manual_seed(1)
    ours = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Dropout(dropout), nn.Linear(8, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Dropout(dropout),
                                 torch.nn.Linear(8, 2))
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    return ours, theirs


def torch_fit(net, X, y, X_val, y_val, lr, num_epochs, batch_size):
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y)),
                                         batch_size=batch_size)
    loss_fn, optimizer = torch.nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), lr=lr)
    train_loss, val_loss, val_accuracy = [], [], []
    for _ in range(num_epochs):
        net.train()
        total = 0.0
        for X_batch, y_batch in loader:
            loss = loss_fn(net(X_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y_batch)
        train_loss.append(total / len(y))
        net.eval()
        with torch.no_grad():
            logits = net(torch.tensor(X_val))
            val_loss.append(loss_fn(logits, torch.tensor(y_val)).item())
            val_accuracy.append((logits.argmax(1) == torch.tensor(y_val)).double().mean().item())
    return train_loss, val_loss, val_accuracy


def loaders(X, y, X_val, y_val, batch_size):
    return (DataLoader(TensorDataset(X, y), batch_size=batch_size),
            DataLoader(TensorDataset(X_val, y_val), batch_size=len(y_val)))


def test_fit_records_the_losses_and_ends_with_the_weights_of_the_same_loop_in_torch():
    (X, y), (X_val, y_val) = classification(24), classification(15, seed=1)
    ours, theirs = twins()
    history = fit(ours, nn.CrossEntropyLoss(), SGD(ours.parameters(), lr=0.5), *loaders(X, y, X_val, y_val, 5),
                  num_epochs=12, progress=False)
    train_loss, val_loss, val_accuracy = torch_fit(theirs, X, y, X_val, y_val, 0.5, 12, 5)
    np.testing.assert_allclose(history.train_loss, train_loss, rtol=RTOL64)
    np.testing.assert_allclose(history.val_loss, val_loss, rtol=RTOL64)
    np.testing.assert_allclose(history.val_accuracy, val_accuracy, rtol=RTOL64)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), rtol=RTOL64)
    assert history.epochs == list(range(1, 13)) and len(history.train_accuracy) == 12
    assert history.best_epoch == int(np.argmin(val_loss)) + 1 and not history.stopped_early


def test_evaluate_measures_in_evaluation_mode_without_a_graph_and_restores_the_mode():
    X, y = classification(10)
    net, theirs = twins(dropout=0.5)
    loader = DataLoader(TensorDataset(X, y), batch_size=4)
    loss, accuracy = evaluate(net, nn.CrossEntropyLoss(), loader)
    assert net.training and all(p.grad is None for p in net.parameters())
    theirs.eval()
    with torch.no_grad():
        logits = theirs(torch.tensor(X))
    assert loss == pytest.approx(torch.nn.functional.cross_entropy(logits, torch.tensor(y)).item(), rel=RTOL64)
    assert accuracy == pytest.approx((logits.argmax(1) == torch.tensor(y)).double().mean().item())
    net.eval()
    evaluate(net, nn.CrossEntropyLoss(), loader)
    assert not net.training


def test_regression_targets_record_no_accuracy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 1))
    net = nn.Linear(1, 1)
    history = fit(net, nn.MSELoss(), SGD(net.parameters(), lr=0.1), DataLoader(TensorDataset(X, 2 * X), 4),
                  DataLoader(TensorDataset(X, 2 * X), 8), num_epochs=3, progress=False)
    assert len(history.val_loss) == 3 and history.train_accuracy == [] and history.val_accuracy == []
    assert history.val_loss[-1] < history.val_loss[0]


def test_early_stopping_stops_after_patience_epochs_and_keeps_the_best_weights():
    (X, y), (X_val, y_val) = classification(12), classification(40, seed=5)
    net, _ = twins()
    history = fit(net, nn.CrossEntropyLoss(), SGD(net.parameters(), lr=2.0), *loaders(X, y, X_val, y_val, 12),
                  num_epochs=300, patience=5, progress=False)
    best = history.best_epoch
    assert history.stopped_early and len(history.val_loss) == best + 5 < 300
    assert history.val_loss[best - 1] == min(history.val_loss)
    again, _ = twins()
    fit(again, nn.CrossEntropyLoss(), SGD(again.parameters(), lr=2.0), *loaders(X, y, X_val, y_val, 12),
        num_epochs=best, progress=False)
    for name, value in again.state_dict().items():
        np.testing.assert_array_equal(net.state_dict()[name], value)


def test_early_stopping_counts_epochs_without_improvement_and_copies_the_weights():
    stopper, net = EarlyStopping(patience=2), nn.Linear(1, 1)
    decisions = []
    for epoch, loss in enumerate([3.0, 2.0, 2.5, 1.5, 1.5, 1.6], start=1):
        net.weight.data[...] = epoch
        decisions.append(stopper.step(loss, net))
    assert decisions == [False, False, False, False, False, True]
    assert (stopper.best_epoch, stopper.best_loss) == (4, 1.5)  # a tie is no improvement
    stopper.restore(net)
    assert net.weight.data.item() == 4.0
    assert EarlyStopping(patience=1, min_delta=0.6).step(1.0, net) is False


def test_a_rate_that_is_too_high_ends_the_run_quietly_with_diverged_at():
    X = np.random.default_rng(0).normal(size=(12, 3))
    net = nn.Linear(3, 1)
    loader = DataLoader(TensorDataset(X, X.sum(1, keepdims=True)), 4)
    history = fit(net, nn.MSELoss(), SGD(net.parameters(), lr=10.0), loader, loader, num_epochs=500,
                  progress=False)
    assert history.diverged_at is not None and len(history.train_loss) == history.diverged_at < 500
    assert not np.isfinite(history.val_loss[-1])
    assert history.best_epoch is None and "diverged at epoch" in repr(history)


class SlowLoss(nn.CrossEntropyLoss):
    def __call__(self, y_hat, y):
        time.sleep(0.2)
        return super().__call__(y_hat, y)


def test_the_progress_bar_shows_the_loss_on_runs_longer_than_a_second_only(monkeypatch):
    X, y = classification(8)
    for loss_fn, epochs, shown in ((nn.CrossEntropyLoss(), 3, False), (SlowLoss(), 7, True)):
        stream = io.StringIO()
        monkeypatch.setattr("sys.stderr", stream)
        net, _ = twins()
        fit(net, loss_fn, SGD(net.parameters(), lr=0.1), DataLoader(TensorDataset(X, y), 8),
            DataLoader(TensorDataset(X, y), 8), num_epochs=epochs)
        text = stream.getvalue()
        assert ("loss=" in text and "val_loss=" in text and "epoch" in text) is shown, text


def test_bad_arguments_are_refused_with_what_to_do():
    X, y = classification(4)
    net, loader = nn.Linear(2, 2), DataLoader(TensorDataset(X, y), 2)
    optimizer = SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="num_epochs must be a whole number >= 1"):
        fit(net, nn.CrossEntropyLoss(), optimizer, loader, num_epochs=0)
    with pytest.raises(ValueError, match="patience=.*watches the validation loss: pass a val_loader"):
        fit(net, nn.CrossEntropyLoss(), optimizer, loader, num_epochs=2, patience=3)
    with pytest.raises(TypeError, match="optimizer must be an mlcore.optim optimizer"):
        fit(net, nn.CrossEntropyLoss(), 0.1, loader, num_epochs=2)
    with pytest.raises(TypeError, match="train_loader must give batches"):
        fit(net, nn.CrossEntropyLoss(), optimizer, 5, num_epochs=2)
    with pytest.raises(ValueError, match="patience is a number of epochs"):
        EarlyStopping(patience=0)
    with pytest.raises(RuntimeError, match="no weights to restore"):
        EarlyStopping().restore(net)
    assert repr(History()) == "History(0 epochs)"
