"""The feedback of chapter 7's exercise checks (training loops, splits, accuracy, evaluation, early
stopping, curves, broken loops, the rate sweep).

- Each misconception issue 15 lists is written here the way a learner would
  write it, and the check must name it: zero_grad missing, validation
  measured on training data, labels shuffled separately from inputs,
  accuracy from probabilities without argmax, early stopping keeping the last
  weights instead of the best, the model left in the wrong mode.
- That every registered variant is recognised as itself (its name is what the
  class report counts), and that the right answers pass on the visible and
  the hidden cases, is tests/test_feedback.py's, for every chapter.
- The references agree with PyTorch where it has the same thing: a torch
  training loop, torch's evaluation mode and argmax.
"""

import numpy as np
import pytest
import torch

import mlcore
from mlcore.feedback import evaluation, splitting, training_loop
from mlcore.feedback.chapter07 import (BUGS, SHAPES, check_accuracy, check_broken_loops, check_curve_readings,
                                       check_early_stopping, check_evaluate, check_fit, check_pick_rate,
                                       check_train, check_train_val_split, reading_histories)
from mlcore.feedback.checks import NOT_ANSWERED, CheckFailed, NotAnswered
from mlcore.feedback.training_problems import problem_data, problem_loader, problem_network, validation_data
from mlcore.optim import SGD
from oracle import RTOL64

nn = mlcore.nn


def failure(check, answer):
    """The message of the CheckFailed that ``check(answer)`` must raise."""
    with pytest.raises(CheckFailed) as raised:
        check(answer)
    return str(raised.value)


def named(check, answer):
    """The misconception the failure message names."""
    message = failure(check, answer)
    assert "Likely misconception: " in message, message
    return message.split("Likely misconception: ", 1)[1].split(". ", 1)[0]


# ---- correct answers, written as learners write them ---------------------------------------

def train(net, loss_fn, optimizer, loader, num_epochs):
    for epoch in range(num_epochs):
        for X, y in loader:
            y_hat = net(X)
            loss = loss_fn(y_hat, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def train_val_split(X, y, val_fraction, rng):
    order = rng.permutation(len(X))
    n_val = round(val_fraction * len(X))
    return X[order[n_val:]], y[order[n_val:]], X[order[:n_val]], y[order[:n_val]]


def accuracy(logits, y):
    return np.mean(np.argmax(logits, axis=1) == y)


def evaluate(net, loss_fn, X, y):
    net.eval()
    with mlcore.no_grad():
        y_hat = net(X)
        loss = loss_fn(y_hat, y)
    return loss.item(), accuracy(y_hat.data, y.data)


class EarlyStopping:
    def __init__(self, patience):
        self.patience = patience
        self.best_loss = float("inf")
        self.bad_epochs = 0
        self.best_weights = None

    def step(self, val_loss, net):
        if val_loss < self.best_loss:
            self.best_loss = val_loss
            self.best_weights = net.state_dict()
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience

    def restore(self, net):
        net.load_state_dict(self.best_weights)


def test_answers_written_as_learners_write_them_pass_in_one_line(capsys):
    for check, answer in ((check_train_val_split, train_val_split), (check_accuracy, accuracy),
                          (check_evaluate, evaluate), (check_early_stopping, EarlyStopping)):
        check(answer)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all(line.startswith("✓") for line in lines), lines


def test_train_reports_the_final_loss_of_the_hidden_problem_below_its_target(capsys):
    check_train(train)
    out = capsys.readouterr().out
    final = float(out.split("ends at a training loss of ")[1].split(" ")[0])
    assert final < training_loop.TRAIN_TARGET
    assert f"target: below {training_loop.TRAIN_TARGET}" in out


# ---- the misconceptions of issue 15, as learners write them -------------------------------

def train_without_zero_grad(net, loss_fn, optimizer, loader, num_epochs):
    for epoch in range(num_epochs):
        for X, y in loader:
            loss = loss_fn(net(X), y)
            loss.backward()
            optimizer.step()


def fit_without_zero_grad(net, loss_fn, optimizer, train_loader, X_val, y_val, num_epochs):
    history = {"train_loss": [], "val_loss": []}
    for epoch in range(num_epochs):
        net.train()
        batch_losses = []
        for X, y in train_loader:
            loss = loss_fn(net(X), y)
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        history["train_loss"].append(np.mean(batch_losses))
        history["val_loss"].append(evaluate(net, loss_fn, X_val, y_val)[0])
    return history


def fit_validating_on_training_data(net, loss_fn, optimizer, train_loader, X_val, y_val, num_epochs):
    X_train, y_train = train_loader.dataset.tensors
    history = {"train_loss": [], "val_loss": []}
    for epoch in range(num_epochs):
        net.train()
        batch_losses = []
        for X, y in train_loader:
            loss = loss_fn(net(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        history["train_loss"].append(np.mean(batch_losses))
        history["val_loss"].append(evaluate(net, loss_fn, X_train, y_train)[0])
    return history


def fit_without_train_mode(net, loss_fn, optimizer, train_loader, X_val, y_val, num_epochs):
    history = {"train_loss": [], "val_loss": []}
    for epoch in range(num_epochs):
        batch_losses = []
        for X, y in train_loader:
            loss = loss_fn(net(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        history["train_loss"].append(np.mean(batch_losses))
        history["val_loss"].append(evaluate(net, loss_fn, X_val, y_val)[0])
    return history


def split_shuffling_twice(X, y, val_fraction, rng):
    X_order, y_order = rng.permutation(len(X)), rng.permutation(len(y))
    n_val = round(val_fraction * len(X))
    return X[X_order[n_val:]], y[y_order[n_val:]], X[X_order[:n_val]], y[y_order[:n_val]]


def split_shuffling_in_place(X, y, val_fraction, rng):
    rng.shuffle(X)
    rng.shuffle(y)
    n_val = round(val_fraction * len(X))
    return X[n_val:], y[n_val:], X[:n_val], y[:n_val]


def accuracy_of_probabilities(logits, y):
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return p[np.arange(len(y)), y].mean()


def evaluate_in_training_mode(net, loss_fn, X, y):
    with mlcore.no_grad():
        y_hat = net(X)
        return loss_fn(y_hat, y).item(), accuracy(y_hat.data, y.data)


def evaluate_without_argmax(net, loss_fn, X, y):
    net.eval()
    with mlcore.no_grad():
        y_hat = net(X)
        return loss_fn(y_hat, y).item(), accuracy_of_probabilities(y_hat.data, y.data)


class EarlyStoppingKeepingTheLastWeights(EarlyStopping):
    def restore(self, net):
        pass


class EarlyStoppingSavingTheLiveParameters(EarlyStopping):
    def step(self, val_loss, net):
        if val_loss < self.best_loss:
            self.best_loss = val_loss
            self.best_weights = {name: p.data for name, p in net.named_parameters()}
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


def pick_rate_by_training_loss(histories):
    return min(histories, key=lambda lr: min(histories[lr]["train_loss"]))


ISSUE_MISCONCEPTIONS = [
    (check_train, train_without_zero_grad, "zero_grad missing"),
    (check_fit, fit_without_zero_grad, "zero_grad missing"),
    (check_fit, fit_validating_on_training_data,
     "validation measured on training data: the training samples evaluated after each epoch"),
    (check_pick_rate, pick_rate_by_training_loss, "picked by the training loss: validation measured on training data"),
    (check_train_val_split, split_shuffling_twice, "labels shuffled separately from inputs"),
    (check_accuracy, accuracy_of_probabilities,
     "accuracy from probabilities without argmax (the mean probability of the true class)"),
    (check_evaluate, evaluate_without_argmax, "accuracy from probabilities without argmax"),
    (check_early_stopping, EarlyStoppingKeepingTheLastWeights,
     "early stopping keeping the last weights instead of the best"),
    (check_early_stopping, EarlyStoppingSavingTheLiveParameters,
     "early stopping keeping the last weights instead of the best"),
    (check_evaluate, evaluate_in_training_mode,
     "the model left in the wrong mode: evaluated in training mode, so dropout still dropped half the hidden units"),
    (check_fit, fit_without_train_mode,
     "the model left in the wrong mode: after the first evaluation, training went on in evaluation mode"),
]


@pytest.mark.parametrize("check,answer,name", ISSUE_MISCONCEPTIONS, ids=[m[1].__name__ for m in ISSUE_MISCONCEPTIONS])
def test_each_misconception_of_the_issue_is_named(check, answer, name):
    assert named(check, answer) == name


def test_shuffling_the_callers_arrays_is_named_before_anything_else():
    message = failure(check_train_val_split, split_shuffling_in_place)
    assert "Likely misconception: an input array mutated in place" in message
    assert "it changed its argument X in place" in message


def test_a_split_failure_shows_the_samples_of_the_smallest_case():
    message = failure(check_train_val_split, split_shuffling_twice)
    assert ("Smallest failing case: train_val_split(X, y, val_fraction=0.4, rng=np.random.default_rng(2)) "
            "with the numbered samples X, y = numbered_samples(7)") in message
    order = np.random.default_rng(2).permutation(7)
    assert f"expected samples: validation {order[:3].tolist()}, training {order[3:].tolist()}" in message
    assert "some rows of X are not their label's sample" in message


def test_a_training_failure_says_what_its_numbers_are_and_keeps_its_misconception_for_the_report():
    with pytest.raises(CheckFailed) as raised:
        check_train(train_without_zero_grad)
    message = str(raised.value)
    assert "The three numbers: the final training loss, the sum of the squared weights" in message
    assert "Smallest failing case: train(seed=0, lr=0.5, batch_size=8, num_epochs=3)" in message
    assert raised.value.misconception == "zero_grad missing"
    assert raised.value.counterexample in message and message.endswith("after training.)")


# ---- the split mistakes, read from the split -------------------------------------------------

@pytest.mark.parametrize("index", range(len(splitting.SPLIT_MISTAKES) - 1))
def test_every_split_mistake_is_read_from_the_split(index):
    def swapped(X, y, val_fraction, rng):
        return train_val_split(X, y, 1 - val_fraction, rng)

    def doubled(X, y, val_fraction, rng):
        X_train, y_train, X_val, y_val = train_val_split(X, y, val_fraction, rng)
        return X, y, X_val, y_val

    def floored(X, y, val_fraction, rng):
        order, n_val = rng.permutation(len(X)), int(val_fraction * len(X))
        return X[order[n_val:]], y[order[n_val:]], X[order[:n_val]], y[order[:n_val]]

    def unshuffled(X, y, val_fraction, rng):
        n_val = round(val_fraction * len(X))
        return X[n_val:], y[n_val:], X[:n_val], y[:n_val]

    answers = [split_shuffling_twice, doubled, swapped, floored, unshuffled]
    assert named(check_train_val_split, answers[index]) == splitting.SPLIT_MISTAKES[index].name


def test_a_split_in_another_order_is_named_as_not_the_statements():
    def training_first(X, y, val_fraction, rng):
        order = rng.permutation(len(X))
        n_train = len(X) - round(val_fraction * len(X))
        return X[order[:n_train]], y[order[:n_train]], X[order[n_train:]], y[order[n_train:]]

    assert named(check_train_val_split, training_first) == "shuffled, but not as the statement says"


# ---- the choice checks ------------------------------------------------------------------------

def test_curve_readings_pass_and_each_wrong_reading_is_explained_with_the_runs_numbers():
    right = {"A": "overfitting", "B": "underfitting", "C": "rate too high", "D": "rate too high"}
    check_curve_readings(right)
    check_curve_readings({k: f"  {v.upper()} " for k, v in right.items()})
    histories = reading_histories()
    message = failure(check_curve_readings, {**right, "D": "underfitting"})
    d = histories["D"]
    assert message.startswith("✗ readings['D'] = 'underfitting' is not the best choice: underfitting keeps")
    assert f"after jumping to {d['train_loss'].max():.1f}" in message
    assert f"ends at {d['val_loss'][-1]:.3f}" in message
    assert message.count("✗") == 1
    with pytest.raises(CheckFailed) as raised:
        check_curve_readings({**right, "B": "overfitting", "D": "underfitting"})
    assert raised.value.misconception == "readings['B']: chose 'overfitting'"
    with pytest.raises(CheckFailed, match="a dict with the keys"):
        check_curve_readings(["overfitting"] * 4)
    assert set(SHAPES) == {"underfitting", "overfitting", "rate too high"}


def test_the_curves_to_read_have_the_shapes_they_are_graded_as():
    histories = reading_histories()
    a, b, c, d = (histories[k] for k in "ABCD")
    assert a["val_loss"][-1] > 1.3 * a["val_loss"].min() and a["train_loss"][-1] < 0.5 * a["val_loss"].min()
    assert b["val_loss"].argmin() == len(b["val_loss"]) - 1 and b["train_loss"][-1] > 0.1
    for h in (c, d):
        assert h["train_loss"].max() > 20 * h["train_loss"][0] and h["val_loss"][-1] > 3 * a["val_loss"].min()


def test_broken_loop_answers_and_explanations():
    right = {"loop_a": "zero_grad missing", "loop_b": "validation on training data",
             "loop_c": "labels shuffled separately"}
    check_broken_loops(right)
    message = failure(check_broken_loops, {**right, "loop_a": "wrong mode", "loop_c": "accuracy without argmax"})
    assert message.count("✗") == 2 and "Look at what happens to the parameters' .grad" in message
    assert "zero_grad()" not in message.split("Look at")[1], "a wrong answer is not told the right one"
    with pytest.raises(CheckFailed) as raised:
        check_broken_loops({**right, "loop_c": "wrong mode"})
    assert raised.value.misconception == "bugs['loop_c']: chose 'wrong mode'"
    with pytest.raises(CheckFailed, match="one of the options"):
        check_broken_loops({**right, "loop_b": "overfitting"})
    assert len(BUGS) == 6


@pytest.mark.parametrize("check", [check_curve_readings, check_broken_loops])
def test_a_dict_of_choices_left_at_none_is_not_answered_in_one_line(check):
    # The student version assigns None above the solution region, so the name exists.
    with pytest.raises(NotAnswered) as raised:
        check(None)
    assert raised.value._render_traceback_() == [f"\N{BALLOT X} {NOT_ANSWERED}"]


# ---- the references against torch --------------------------------------------------------

def test_the_reference_training_loop_is_a_torch_loop():
    seed, lr, batch_size, num_epochs = training_loop.TRAIN_CASES[1]
    net = problem_network(seed)
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Dropout(0.0), torch.nn.Linear(8, 2))
    theirs.load_state_dict({k: torch.tensor(v) for k, v in net.state_dict().items()})
    training_loop.reference_train(net, nn.CrossEntropyLoss(), SGD(net.parameters(), lr=lr),
                                  problem_loader(seed, batch_size), num_epochs)
    X, y = (torch.tensor(a) for a in problem_data(seed))
    optimizer = torch.optim.SGD(theirs.parameters(), lr=lr)
    for _ in range(num_epochs):
        for start in range(0, len(y), batch_size):
            loss = torch.nn.functional.cross_entropy(theirs(X[start:start + batch_size]), y[start:start + batch_size])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(net.state_dict()[name], value.numpy(), rtol=RTOL64, atol=1e-14)
    outcome = training_loop.train_outcome(training_loop.reference_train, seed, lr, batch_size, num_epochs)
    assert outcome[0] == pytest.approx(torch.nn.functional.cross_entropy(theirs(X), y).item(), rel=RTOL64)


def test_the_reference_evaluation_is_torchs_evaluation_mode():
    net = problem_network(3, dropout=0.5)
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Dropout(0.5), torch.nn.Linear(8, 2))
    theirs.load_state_dict({k: torch.tensor(v) for k, v in net.state_dict().items()})
    X, y = validation_data(3)
    loss, acc = evaluation.reference_evaluate(net, nn.CrossEntropyLoss(), X, y)
    theirs.eval()
    with torch.no_grad():
        logits = theirs(torch.tensor(X.data))
    assert loss == pytest.approx(torch.nn.functional.cross_entropy(logits, torch.tensor(y.data)).item(), rel=RTOL64)
    assert acc == (logits.argmax(1) == torch.tensor(y.data)).double().mean().item()
    assert not net.training
