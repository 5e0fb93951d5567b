"""Checks for chapter 7's training loops: ``train`` (one loop over epochs and batches) and ``fit``
(the same loop, with a validation loss after every epoch).

Both are graded by training a hidden problem (:mod:`~mlcore.feedback.training_problems`)
with the learner's code and with the reference, from the same starting
weights, over the same batches, and comparing the numbers that come out: for
``train`` the final training loss and two sums of the weights, for ``fit`` the
recorded losses. The drivers :func:`train_outcome` and :func:`fit_outcome`
build the problem from its seed, call the loop and return those numbers; the
checks drive the learner's loop with them (``checks.driven``), so that under
mlcore-grade the network, the optimizer and the loader stay in the learner's
kernel. A known mistake is a loop written with that mistake, run the same
way. The networks of ``fit``'s problems have dropout, so the mode the
network is in (``net.train()``, ``net.eval()``) changes the numbers; the dropout
masks come from mlcore's generator, seeded for each run.
"""

import contextlib
import functools
import io

import numpy as np

from .. import nn
from ..data.dataloader import DataLoader
from ..data.dataset import TensorDataset
from ..factories import tensor
from ..optim import SGD
from ..seeded import seeded
from ..train import evaluate as library_evaluate
from ..train import fit as library_fit
from .checks import (FAIL_MARK, PASS_MARK, CheckFailed, Misconception, check_function, driven, driven_misconceptions,
                     explained)
from .registry import exercise
from .training_problems import problem_data, problem_loader, problem_network, validation_data

__all__ = ["FIT_CASES", "FIT_MISCONCEPTIONS", "TRAIN_CASES", "TRAIN_MISCONCEPTIONS", "TRAIN_TARGET",
           "check_fit", "check_train", "fit_cases", "fit_outcome", "reference_fit", "reference_train",
           "train_cases", "train_outcome"]

ZERO_GRAD_MISSING = "zero_grad missing"
VALIDATION_ON_TRAINING_DATA = "validation measured on training data"
WRONG_MODE = "the model left in the wrong mode"
_ON_TRAINING_DATA_HINT = ("The validation loss must come from X_val, y_val, which the network never trains on. "
                          "Measured on the training data it can only follow the training loss down, and never "
                          "shows overfitting.")
# Every hidden problem trained by a correct loop ends below this training loss.
TRAIN_TARGET = 0.45


# ---- train ----------------------------------------------------------------------------------

def reference_train(net, loss_fn, optimizer, loader, num_epochs):
    """The loop: for every epoch and batch, forward, loss, zero_grad, backward, step (mlcore.train.fit)."""
    library_fit(net, loss_fn, optimizer, loader, num_epochs=num_epochs, progress=False)


def train_outcome(train, seed, lr, batch_size, num_epochs):
    """The driver: ``[final training loss, sum of squared weights, sum of weights]`` after
    ``train(net, loss_fn, optimizer, loader, num_epochs)`` on the hidden problem ``seed``."""
    net = problem_network(seed)
    loss_fn = nn.CrossEntropyLoss()
    result = train(net, loss_fn, SGD(net.parameters(), lr=lr), problem_loader(seed, batch_size), num_epochs)
    if hasattr(result, "__next__"):
        list(result)
    X, y = problem_data(seed)
    loss, _ = library_evaluate(net, loss_fn, [(tensor(X), tensor(y))])
    weights = np.concatenate([p.data.ravel() for p in net.parameters()])
    return np.array([loss, np.sum(weights ** 2), np.sum(weights)])


def _without_zero_grad(net, loss_fn, optimizer, loader, num_epochs):
    for _ in range(num_epochs):
        for X, y in loader:
            loss = loss_fn(net(X), y)
            loss.backward()
            optimizer.step()


def _zero_grad_between_backward_and_step(net, loss_fn, optimizer, loader, num_epochs):
    for _ in range(num_epochs):
        for X, y in loader:
            loss = loss_fn(net(X), y)
            loss.backward()
            optimizer.zero_grad()
            optimizer.step()


def _step_after_the_batches(net, loss_fn, optimizer, loader, num_epochs):
    for _ in range(num_epochs):
        for X, y in loader:
            loss = loss_fn(net(X), y)
            optimizer.zero_grad()
            loss.backward()
        optimizer.step()


def _one_epoch(net, loss_fn, optimizer, loader, num_epochs):
    reference_train(net, loss_fn, optimizer, loader, 1)


def _first_batch_only(net, loss_fn, optimizer, loader, num_epochs):
    for _ in range(num_epochs):
        X, y = next(iter(loader))
        loss = loss_fn(net(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


TRAIN_MISCONCEPTIONS = [
    Misconception(ZERO_GRAD_MISSING, _without_zero_grad,
                  "backward() adds to .grad: without optimizer.zero_grad() every step also applies all "
                  "the gradients before it. Call optimizer.zero_grad() before loss.backward() in every step."),
    Misconception("the optimizer never updated the weights: zero_grad between backward and step",
                  _zero_grad_between_backward_and_step,
                  "zero_grad() throws away the gradients backward() just computed, so step() has nothing "
                  "to apply. The order is: forward, loss, zero_grad, backward, step."),
    Misconception("optimizer.step() outside the batch loop: one update per epoch, with the last batch's gradient",
                  _step_after_the_batches,
                  "Every batch makes one update: forward, loss, zero_grad, backward and step all go "
                  "inside `for X, y in loader:`."),
    Misconception("trained one epoch instead of num_epochs", _one_epoch,
                  "Repeat the pass over the loader: `for epoch in range(num_epochs):` around it."),
    Misconception("only the first batch of every epoch was trained on", _first_batch_only,
                  "Go through every batch: `for X, y in loader:`."),
]

# (seed, lr, batch_size, num_epochs): batches of 4 and 8 from 24 samples, and the full batch.
TRAIN_CASES = [(0, 0.5, 8, 3), (1, 0.5, 4, 5), (2, 1.0, 24, 20), (3, 0.3, 6, 40)]


def train_cases(seed, count=3):
    """Hidden cases: other problems, rates and batch sizes, long enough to reach the target."""
    rng = np.random.default_rng(seed)
    return [(int(rng.integers(100, 1000)), float(rng.choice([0.3, 0.5])), int(rng.choice([4, 6, 8])),
             int(rng.integers(30, 50))) for _ in range(count)]


@exercise(answer=reference_train, misconceptions=TRAIN_MISCONCEPTIONS, hidden_cases=train_cases)
def check_train(train, cases=TRAIN_CASES):
    """Check ``train(net, loss_fn, optimizer, loader, num_epochs)`` by training hidden problems with it:
    the same final loss and weights as the reference loop; the line it prints gives the last case's final
    loss, below :data:`TRAIN_TARGET` on every case the course uses."""
    with explained("(The three numbers: the final training loss, the sum of the squared weights and the sum "
                   "of the weights after training.)"), contextlib.redirect_stdout(io.StringIO()):
        check_function(driven(train_outcome, train), functools.partial(train_outcome, reference_train), cases,
                       name="train", misconceptions=driven_misconceptions(train_outcome, TRAIN_MISCONCEPTIONS),
                       rtol=1e-7)
    # The learner's numbers are the reference's (to 1e-7): read the final loss there, not in another run.
    final = train_outcome(reference_train, *cases[-1])[0]
    print(f"{PASS_MARK} train: correct on all {len(cases)} cases; the hidden problem of the last case ends at a "
          f"training loss of {final:.4f} (target: below {TRAIN_TARGET}).")


# ---- fit ------------------------------------------------------------------------------------

def reference_fit(net, loss_fn, optimizer, train_loader, X_val, y_val, num_epochs):
    """``{"train_loss": [...], "val_loss": [...]}``: per epoch, the mean of the batch losses, and the
    validation loss after the epoch in evaluation mode (mlcore.train.fit, which does both)."""
    history = library_fit(net, loss_fn, optimizer, train_loader,
                          DataLoader(TensorDataset(X_val, y_val), batch_size=len(y_val.data)),
                          num_epochs=num_epochs, progress=False)
    return {"train_loss": history.train_loss, "val_loss": history.val_loss}


def fit_outcome(fit, seed, lr, batch_size, num_epochs):
    """The driver: the training losses, then the validation losses, that ``fit(net, loss_fn, optimizer,
    train_loader, X_val, y_val, num_epochs)`` records on the hidden problem ``seed`` (dropout 0.5)."""
    net = problem_network(seed, dropout=0.5)
    X_val, y_val = validation_data(seed)
    with seeded(seed):
        history = fit(net, nn.CrossEntropyLoss(), SGD(net.parameters(), lr=lr), problem_loader(seed, batch_size),
                      X_val, y_val, num_epochs)
    if not isinstance(history, dict) or not {"train_loss", "val_loss"} <= set(history):
        raise CheckFailed(f"{FAIL_MARK} fit should return a dict with the lists 'train_loss' and 'val_loss', "
                          f"but returned {type(history).__name__} {str(history)[:60]}.")
    return np.concatenate([np.asarray(history["train_loss"], dtype=np.float64),
                           np.asarray(history["val_loss"], dtype=np.float64)])


def _evaluation_loss(net, loss_fn, X, y):
    net.eval()
    return library_evaluate(net, loss_fn, [(X, y)])[0]


def _hand_fit(*, zero_grad=True, train_mode=True, validation="after", last_batch=False):
    """The exercise's fit with one thing done differently (with every default, the reference).

    ``validation`` is "after" (the epoch), "before", "training data" (all the training samples,
    in evaluation mode) or "training loss" (the epoch's mean training loss itself).
    """
    def fit(net, loss_fn, optimizer, train_loader, X_val, y_val, num_epochs):
        history = {"train_loss": [], "val_loss": []}
        if validation == "training data":
            X_val, y_val = (tensor(t.data) for t in train_loader.dataset.tensors)
        for epoch in range(num_epochs):
            if train_mode or epoch == 0:
                net.train()
            if validation == "before":
                history["val_loss"].append(_evaluation_loss(net, loss_fn, X_val, y_val))
                if train_mode:
                    net.train()
            losses = []
            for X, y in train_loader:
                loss = loss_fn(net(X), y)
                if zero_grad:
                    optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(float(loss.data))
            history["train_loss"].append(losses[-1] if last_batch else float(np.mean(losses)))
            if validation in ("after", "training data"):
                history["val_loss"].append(_evaluation_loss(net, loss_fn, X_val, y_val))
            elif validation == "training loss":
                history["val_loss"].append(float(np.mean(losses)))
        return history
    return fit


FIT_MISCONCEPTIONS = [
    Misconception(f"{VALIDATION_ON_TRAINING_DATA}: the training samples evaluated after each epoch",
                  _hand_fit(validation="training data"), _ON_TRAINING_DATA_HINT),
    Misconception(f"{VALIDATION_ON_TRAINING_DATA}: the epoch's training loss recorded as the validation loss",
                  _hand_fit(validation="training loss"), _ON_TRAINING_DATA_HINT),
    Misconception(f"{WRONG_MODE}: after the first evaluation, training went on in evaluation mode",
                  _hand_fit(train_mode=False),
                  "evaluate() switches to net.eval(), which turns dropout off. Switch back with net.train() "
                  "at the start of every epoch, as PyTorch's examples do."),
    Misconception(ZERO_GRAD_MISSING, _hand_fit(zero_grad=False),
                  "backward() adds to .grad: call optimizer.zero_grad() before loss.backward() in every step."),
    Misconception("the training loss recorded is the last batch's, not the mean over the epoch's batches",
                  _hand_fit(last_batch=True),
                  "Collect every batch's loss.item() during the epoch and record their mean."),
    Misconception("the validation loss was measured before the epoch's training, not after it",
                  _hand_fit(validation="before"),
                  "Evaluate after the batches of the epoch, so that val_loss[k] belongs to the weights "
                  "that train_loss[k] ends with."),
]

# (seed, lr, batch_size, num_epochs): 24 samples in batches of 6 and 8 and 24.
FIT_CASES = [(0, 0.5, 6, 3), (1, 0.5, 8, 4), (2, 1.0, 24, 5)]


def fit_cases(seed, count=2):
    """Hidden cases: other problems and batch sizes that divide 24."""
    rng = np.random.default_rng(seed)
    return [(int(rng.integers(100, 1000)), 0.5, int(rng.choice([4, 6, 12])), int(rng.integers(3, 7)))
            for _ in range(count)]


@exercise(answer=reference_fit, misconceptions=FIT_MISCONCEPTIONS, hidden_cases=fit_cases)
def check_fit(fit, cases=FIT_CASES):
    """Check ``fit(net, loss_fn, optimizer, train_loader, X_val, y_val, num_epochs)``: the losses it records
    on hidden problems with dropout."""
    with explained("(The numbers: history['train_loss'], then history['val_loss'].)"):
        check_function(driven(fit_outcome, fit), functools.partial(fit_outcome, reference_fit), cases, name="fit",
                       misconceptions=driven_misconceptions(fit_outcome, FIT_MISCONCEPTIONS), rtol=1e-7)
