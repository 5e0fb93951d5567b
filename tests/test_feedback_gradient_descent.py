"""The feedback of chapter 3's exercise checks (gradient descent, rates, mini-batches, schedules).

- Each misconception issue 11 lists is written here the way a learner would
  write it (not as the registry's variants), and the check must name it and
  show the case. That every registered variant is recognised as itself, and
  that the right answers pass on the visible and the hidden cases, is
  tests/test_feedback.py's, for every chapter.
- The references agree with PyTorch: torch.optim.SGD for the trajectories and
  the mini-batch runs, torch.optim.lr_scheduler for the schedules,
  torch.linalg.eigvalsh for the critical rate.
"""

import math

import numpy as np
import pytest
import torch

from mlcore.feedback import gradient_descent as gd
from mlcore.feedback import learning_rate, minibatches, schedules
from mlcore.feedback.chapter03 import (check_cosine_lr, check_critical_rate, check_goldilocks_rate,
                                       check_gradient_descent, check_minibatches, check_predict_behaviour,
                                       check_rates_per_update, check_sgd_linear_regression, check_should_stop,
                                       check_step_decay, check_steps_to_tolerance)
from mlcore.feedback.descent_problems import BOWL, SQUARE, bowl_grad, double_well_grad, square_grad
from mlcore.feedback.checks import CheckFailed, NotAnswered
from mlcore.nn.parameter import Parameter
from mlcore.optim import SGD, lr_scheduler
from oracle import RTOL64


def failure(check, answer):
    """The message of the CheckFailed that ``check(answer)`` must raise."""
    with pytest.raises(CheckFailed) as raised:
        check(answer)
    return str(raised.value)


def named(check, answer):
    """The misconception the failure message names."""
    message = failure(check, answer)
    assert "Likely misconception: " in message, message
    return message.split("Likely misconception: ", 1)[1].split(".", 1)[0]


# ---- correct answers, written as learners write them ---------------------------------------

def predict_behaviour(lr, L):
    factor = 1 - lr * L
    if abs(factor) < 1:
        return "converges"
    return "oscillates" if abs(factor) == 1 else "diverges"


def minibatch_epoch(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        yield X[batch], y[batch]


def cosine_lr(lr0, T_max, epoch, eta_min=0.0):
    return eta_min + (lr0 - eta_min) * (1 + np.cos(np.pi * epoch / T_max)) / 2


def test_right_predictions_pass_and_spaces_or_case_do_not_matter(capsys):
    def shouting(lr, L):
        return f" {predict_behaviour(lr, L).title()} "

    check_predict_behaviour(shouting)
    check_predict_behaviour(shouting, cases=learning_rate.behaviour_cases(7))
    assert capsys.readouterr().out == ("\N{CHECK MARK} shouting: right on all 6 cases.\n"
                                       "\N{CHECK MARK} shouting: right on all 10 cases.\n")


def test_hidden_predictions_use_other_curvatures_and_meet_both_edges_exactly():
    cases = learning_rate.behaviour_cases(7)
    assert {L for _, L in cases} - {8.0}, "a table of answers for L = 8 must not pass"
    products = [lr * L for lr, L in cases]
    assert products.count(1.0) == products.count(2.0) == 2
    assert [learning_rate.reference_behaviour(lr, L) for lr, L in cases[:5]] == \
        ["converges", "converges", "converges", "oscillates", "diverges"]

    def table_for_eight(lr, L):
        return {0.01: "converges", 0.1: "converges", 0.125: "converges", 0.2: "converges",
                0.25: "oscillates", 0.3: "diverges"}.get(lr, "converges")

    check_predict_behaviour(table_for_eight)
    with pytest.raises(CheckFailed):
        check_predict_behaviour(table_for_eight, cases=cases)


# ---- the misconceptions of issue 11, as learners write them ------------------------------------

def test_ascent_instead_of_descent():
    def climbing(grad, theta0, lr, num_steps):
        theta, trajectory = theta0.copy(), [theta0.copy()]
        for _ in range(num_steps):
            theta = theta + lr * grad(theta)
            trajectory.append(theta)
        return np.array(trajectory)

    message = failure(check_gradient_descent, climbing)
    assert "Likely misconception: ascent instead of descent (theta + lr * grad)." in message
    assert "Smallest failing case: climbing(grad=square_grad, theta0=[1.], lr=0.1, num_steps=3)" in message
    assert "expected: [[1.   ],\n [0.8  ],\n [0.64 ],\n [0.512]]" in message


def test_the_rate_applied_twice():
    def twice(grad, theta0, lr, num_steps):
        theta, trajectory = theta0.copy(), [theta0.copy()]
        for _ in range(num_steps):
            step = lr * grad(theta)
            theta = theta - lr * step
            trajectory.append(theta)
        return np.array(trajectory)

    assert named(check_gradient_descent, twice) == "the rate applied twice (theta - lr * lr * grad)"


def test_an_input_array_mutated_in_place_by_gradient_descent():
    def in_place(grad, theta0, lr, num_steps):
        theta = theta0
        trajectory = [theta.copy()]
        for _ in range(num_steps):
            theta -= lr * grad(theta)
            trajectory.append(theta.copy())
        return np.array(trajectory)

    message = failure(check_gradient_descent, in_place)
    assert "it changed its argument theta0 in place" in message
    assert "Likely misconception: an input array mutated in place." in message
    assert "theta0 before the call: [1.]\n  theta0 after the call:  [0.512]" in message


def test_an_input_array_mutated_in_place_by_shuffling():
    def shuffles_the_data(X, y, batch_size, rng):
        order = rng.permutation(len(X))
        X[:], y[:] = X[order], y[order]
        for start in range(0, len(X), batch_size):
            yield X[start:start + batch_size], y[start:start + batch_size]

    message = failure(check_minibatches, shuffles_the_data)
    assert "Likely misconception: an input array mutated in place." in message
    assert "X before the call: [[0.0, 0.5], [1.0, 1.5]" in message


def test_the_last_partial_batch_dropped():
    def full_batches_only(X, y, batch_size, rng):
        order = rng.permutation(len(X))
        for b in range(len(X) // batch_size):
            batch = order[b * batch_size:(b + 1) * batch_size]
            yield X[batch], y[batch]

    message = failure(check_minibatches, full_batches_only)
    assert "Likely misconception: the last partial batch dropped." in message
    assert ("Smallest failing case: minibatches(X, y, batch_size=2, rng=np.random.default_rng(3)) "
            "with the 5 numbered samples") in message
    assert "expected batches of samples: [[4, 2], [1, 3], [0]]" in message
    assert "got:                         [[4, 2], [1, 3]]" in message


def test_samples_repeated():
    def with_replacement(X, y, batch_size, rng):
        order = rng.choice(len(X), size=len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            yield X[batch], y[batch]

    assert named(check_minibatches, with_replacement) == \
        "samples repeated (drawn with replacement), so others are missed"


def test_x_and_y_shuffled_with_different_permutations():
    def two_shuffles(X, y, batch_size, rng):
        X, y = X[rng.permutation(len(X))], y[rng.permutation(len(y))]
        for start in range(0, len(X), batch_size):
            yield X[start:start + batch_size], y[start:start + batch_size]

    message = failure(check_minibatches, two_shuffles)
    assert "Likely misconception: X and y shuffled with different permutations." in message
    assert "(and some rows of X are not their y's sample)" in message


def test_a_schedule_off_by_one_epoch():
    def one_early(lr0, gamma, step_size, epoch):
        return lr0 * gamma ** ((epoch + 1) // step_size)

    def cosine_one_late(lr0, T_max, epoch, eta_min=0.0):
        return cosine_lr(lr0, T_max, epoch + 1, eta_min)

    assert named(check_step_decay, one_early) == \
        "the schedule is off by one epoch (each decay comes one epoch early)"
    assert named(check_cosine_lr, cosine_one_late) == \
        "the schedule is off by one epoch (the rate of the next epoch)"


def test_the_decay_counted_in_steps_instead_of_epochs():
    def scheduler_stepped_every_update(lr0, gamma, step_size, num_epochs, batches_per_epoch):
        optimizer = SGD([Parameter(np.zeros(1))], lr=lr0)
        scheduler = lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)
        rates = []
        for _ in range(num_epochs):
            for _ in range(batches_per_epoch):
                rates.append(optimizer.param_groups[0]["lr"])
                optimizer.step()
                scheduler.step()
        return rates

    message = failure(check_rates_per_update, scheduler_stepped_every_update)
    assert ("Likely misconception: the decay counted in steps instead of epochs (scheduler.step() "
            "after every update).") in message


def test_a_gradient_on_the_whole_data_set_inside_the_stochastic_loop():
    def full_gradient(X, y, lr, batch_size, num_epochs, seed):
        rng = np.random.default_rng(seed)
        w = np.zeros(X.shape[1])
        for _ in range(num_epochs):
            for X_batch, y_batch in minibatch_epoch(X, y, batch_size, rng):
                w = w - lr * 2 / len(y) * X.T @ (X @ w - y)
        return w

    assert named(check_sgd_linear_regression, full_gradient) == \
        'a gradient computed on the whole data set inside the "stochastic" loop'


def test_a_minibatches_that_is_wrong_shows_in_sgd_too():
    def drops_the_last(X, y, batch_size, rng):
        order = rng.permutation(len(X))
        for start in range(0, len(X) - batch_size + 1, batch_size):
            yield X[order[start:start + batch_size]], y[order[start:start + batch_size]]

    def sgd_with(X, y, lr, batch_size, num_epochs, seed):
        rng, w = np.random.default_rng(seed), np.zeros(X.shape[1])
        for _ in range(num_epochs):
            for X_batch, y_batch in drops_the_last(X, y, batch_size, rng):
                w = w - lr * 2 / len(y_batch) * X_batch.T @ (X_batch @ w - y_batch)
        return w

    assert named(check_sgd_linear_regression, sgd_with) == "the last partial batch dropped"


def boundary_at_one_over_l(lr, L):
    # "Past 1/L it overshoots, so it diverges", except at 2/L, which the chapter calls oscillating.
    if lr <= 1 / L:
        return "converges"
    return "oscillates" if lr == 2 / L else "diverges"


def zigzag_oscillates(lr, L):
    if lr <= 1 / L:
        return "converges"
    return "oscillates" if lr <= 2 / L else "diverges"


def critical_diverges(lr, L):
    return "converges" if abs(1 - lr * L) < 1 else "diverges"


@pytest.mark.parametrize("answer, mistake, wrong", [
    (boundary_at_one_over_l, "the boundary was put at 1/L instead of 2/L", {0.2: "diverges"}),
    (zigzag_oscillates, "a shrinking zig-zag was called oscillating", {0.2: "oscillates"}),
    (critical_diverges, "at exactly lr = 2/L the factor is -1", {0.25: "diverges"}),
])
def test_wrong_predictions_name_the_misconception_and_give_only_the_factor(answer, mistake, wrong):
    message = failure(check_predict_behaviour, answer)
    assert f"Likely misconception: {mistake}" in message
    assert f"is not right yet on {len(wrong)} of 6 cases" in message
    lines = [line for line in message.splitlines() if line.startswith(f"  {answer.__name__}(")]
    assert len(lines) == len(wrong)
    for line, (lr, said) in zip(lines, wrong.items()):
        assert line == (f"  {answer.__name__}(lr={lr:g}, L=8) = '{said}' is not right: each step multiplies "
                        f"theta - theta* by 1 - lr·L = 1 - {lr:g}·8 = {1 - lr * 8:+.3g}; what does that do to "
                        "|theta - theta*| after many steps?")
        # The factor and what it does, never the right word: the points are not given away.
        assert learning_rate.reference_behaviour(lr, 8.0) not in line


def test_predictions_that_are_not_one_of_the_words_fail_clearly():
    message = failure(check_predict_behaviour, lambda lr, L: "explodes" if lr == 0.3 else predict_behaviour(lr, L))
    assert "<lambda>(lr=0.3, L=8) = 'explodes' is not one of the options 'converges', 'oscillates', " \
        "'diverges'" in message
    message = failure(check_predict_behaviour, lambda lr, L: None)
    assert "<lambda>(lr=0.01, L=8) should be one of the strings" in message


# ---- checks cannot be fooled -------------------------------------------------------------------

class EqualToEverything:
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("check", [check_critical_rate, check_step_decay, check_should_stop])
def test_an_object_equal_to_everything_does_not_pass(check):
    failure(check, lambda *args, **kwargs: EqualToEverything())


def test_an_untouched_stub_is_not_answered_even_inside_a_generator():
    # A generator stub raises only when it runs: the check's own run of it says "not answered yet" too.
    def stub(X, y, batch_size, rng):
        raise NotImplementedError()
        yield

    with pytest.raises(NotAnswered):
        check_minibatches(stub)
    with pytest.raises(NotAnswered):
        check_gradient_descent(lambda grad, theta0, lr, num_steps: (_ for _ in ()).throw(NotImplementedError()))


def test_the_gradient_functions_do_not_change_their_argument_and_show_their_name():
    theta = np.array([1.0, -2.0])
    for grad in (square_grad, bowl_grad, double_well_grad, SQUARE, BOWL):
        grad(theta)
    np.testing.assert_array_equal(theta, [1.0, -2.0])
    assert repr(SQUARE) == "square_grad" and repr(BOWL) == "bowl_grad"


def test_hidden_epoch_cases_always_have_a_last_partial_batch():
    for n, size, _ in minibatches.epoch_cases(11, count=20):
        assert n % size and n > size


# ---- the references against PyTorch -----------------------------------------------------------

def _torch_sgd(grad, theta0, lr, num_steps):
    theta = torch.tensor(np.array(theta0, dtype=np.float64), requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=lr)
    trajectory = [theta.detach().numpy().copy()]
    for _ in range(num_steps):
        theta.grad = torch.tensor(grad(theta.detach().numpy().copy()))
        optimizer.step()
        trajectory.append(theta.detach().numpy().copy())
    return np.array(trajectory)


@pytest.mark.parametrize("case", gd.GRADIENT_DESCENT_CASES + gd.gradient_descent_cases(21))
def test_the_gradient_descent_reference_is_torchs_sgd(case):
    np.testing.assert_allclose(gd.reference_gradient_descent(*case), _torch_sgd(*case), rtol=RTOL64, atol=1e-15)


def test_steps_to_tolerance_on_the_parabola_is_the_closed_form():
    # |grad| = 2 * 0.8**k after k updates at lr = 0.1 from theta = 1.
    for tol in (1.0, 0.2, 1e-3, 1e-6):
        expected = math.ceil(math.log(tol / 2) / math.log(0.8))
        assert gd.reference_steps_to_tolerance(SQUARE, np.array([1.0]), 0.1, tol, 1000) == expected
    assert gd.reference_steps_to_tolerance(SQUARE, np.array([1.0]), 1.0, 1e-3, 1000) == math.inf
    assert gd.reference_goldilocks_rate(*gd.GOLDILOCKS_CASES[0]) == 0.5   # 1/L: one step


@pytest.mark.parametrize("H", learning_rate.CRITICAL_CASES + learning_rate.critical_cases(22))
def test_the_critical_rate_is_two_over_torchs_largest_eigenvalue(H):
    expected = 2 / torch.linalg.eigvalsh(torch.tensor(H))[-1].item()
    np.testing.assert_allclose(learning_rate.reference_critical_rate(H), expected, rtol=RTOL64)


def _torch_rate(scheduler, epoch):
    for _ in range(epoch):
        scheduler.optimizer.step()
        scheduler.step()
    return scheduler.get_last_lr()[0]


def _torch_optimizer(lr0):
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)


@pytest.mark.parametrize("case", schedules.STEP_CASES + schedules.schedule_cases(23))
def test_step_decay_reference_is_torchs_step_lr(case):
    lr0, gamma, step_size, epoch = case
    scheduler = torch.optim.lr_scheduler.StepLR(_torch_optimizer(lr0), step_size=step_size, gamma=gamma)
    np.testing.assert_allclose(schedules.reference_step_decay(*case), _torch_rate(scheduler, epoch), rtol=RTOL64)


@pytest.mark.parametrize("case", schedules.COSINE_CASES + schedules.cosine_cases(25))
def test_cosine_reference_is_torchs_cosine_annealing(case):
    lr0, T_max, epoch, eta_min = case
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(_torch_optimizer(lr0), T_max=T_max, eta_min=eta_min)
    np.testing.assert_allclose(schedules.reference_cosine_lr(*case), _torch_rate(scheduler, epoch),
                               rtol=RTOL64, atol=1e-15)


@pytest.mark.parametrize("case", schedules.RATES_CASES + schedules.rates_cases(26))
def test_rates_per_update_reference_is_a_torch_loop_stepping_once_per_epoch(case):
    lr0, gamma, step_size, num_epochs, batches_per_epoch = case
    optimizer = _torch_optimizer(lr0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)
    rates = []
    for _ in range(num_epochs):
        for _ in range(batches_per_epoch):
            rates.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(schedules.reference_rates_per_update(*case), rates, rtol=RTOL64)


@pytest.mark.parametrize("case", minibatches.SGD_CASES + minibatches.sgd_cases(24))
def test_the_sgd_reference_is_torchs_sgd_on_the_same_batches(case):
    X, y, lr, batch_size, num_epochs, seed = case
    rng = np.random.default_rng(seed)
    w = torch.zeros(X.shape[1], requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    for _ in range(num_epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(torch.tensor(X[batch]) @ w, torch.tensor(y[batch])).backward()
            optimizer.step()
    np.testing.assert_allclose(minibatches.reference_sgd_linear_regression(*case), w.detach().numpy(),
                               rtol=1e-9, atol=1e-12)


def test_the_reference_epoch_is_a_permutation_cut_into_batches():
    X, y = minibatches.numbered_samples(10)
    batches = list(minibatches.reference_minibatches(X, y, 4, np.random.default_rng(5)))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    order = np.concatenate([b[1] for b in batches]) / 10
    np.testing.assert_array_equal(order, np.random.default_rng(5).permutation(10))


# ---- mistakes the review found unnamed (or passing) ---------------------------------------------

def test_the_last_iterate_of_the_budget_not_tested():
    def one_short(grad, theta0, lr, tol, max_steps):
        theta = np.array(theta0, dtype=float)
        for k in range(max_steps):                    # theta_max_steps is never looked at
            if np.linalg.norm(grad(theta)) < tol:
                return k
            theta = theta - lr * grad(theta)
        return math.inf

    message = failure(check_steps_to_tolerance, one_short)
    assert ("Likely misconception: the last iterate of the budget was not tested (range(max_steps) "
            "instead of range(max_steps + 1))") in message
    assert ("Smallest failing case: one_short(grad=square_grad, theta0=[1.], lr=0.1, tol=0.2, max_steps=11)\n"
            "  expected: 11\n  got:      inf") in message


def _steps(grad, theta0, lr, tol, max_steps):
    return gd.reference_steps_to_tolerance(grad, theta0, lr, tol, max_steps)


def test_the_last_of_tied_rates_is_named_and_a_heuristic_fails_on_the_tie():
    def keeps_the_last_tie(grad, theta0, rates, tol, max_steps):
        best, fewest = None, math.inf
        for lr in rates:
            k = _steps(grad, theta0, lr, tol, max_steps)
            if k <= fewest:                           # <= keeps the last of equals
                best, fewest = lr, k
        return best

    def smallest_gradient_after_20_steps(grad, theta0, rates, tol, max_steps):
        def after(lr):
            theta = np.array(theta0, dtype=float)
            for _ in range(20):
                theta = theta - lr * grad(theta)
            return np.linalg.norm(grad(theta))
        return min(rates, key=after)

    message = failure(check_goldilocks_rate, keeps_the_last_tie)
    assert "Likely misconception: the last of the equally fast rates was returned, not the first." in message
    assert "rates=[0.1 , 0.3 , 0.32], tol=0.01, max_steps=200)\n  expected: 0.3\n  got:      0.32" in message
    assert _steps(SQUARE, np.array([1.0]), 0.3, 1e-2, 200) == _steps(SQUARE, np.array([1.0]), 0.32, 1e-2, 200) == 6
    assert "got:      0.32" in failure(check_goldilocks_rate, smallest_gradient_after_20_steps)


def _sgd(batch_gradient):
    def sgd_linear_regression(X, y, lr, batch_size, num_epochs, seed):
        rng, w = np.random.default_rng(seed), np.zeros(X.shape[1])
        for _ in range(num_epochs):
            for X_batch, y_batch in minibatch_epoch(X, y, batch_size, rng):
                w = w - lr * batch_gradient(X_batch, w, y_batch, batch_size)
        return w
    return sgd_linear_regression


@pytest.mark.parametrize("batch_gradient, mistake", [
    (lambda X_b, w, y_b, batch_size: 2 / batch_size * X_b.T @ (X_b @ w - y_b),
     "the batch gradient divided by batch_size, also for the last, smaller batch"),
    (lambda X_b, w, y_b, batch_size: 1 / len(y_b) * X_b.T @ (X_b @ w - y_b),
     "the factor 2 of the squared error's derivative is missing"),
])
def test_the_batch_gradient_with_the_wrong_scale_is_named(batch_gradient, mistake):
    assert named(check_sgd_linear_regression, _sgd(batch_gradient)) == mistake


def test_the_right_batch_gradient_passes_in_one_line(capsys):
    check_sgd_linear_regression(_sgd(lambda X_b, w, y_b, batch_size: 2 / len(y_b) * X_b.T @ (X_b @ w - y_b)))
    assert capsys.readouterr().out == "\N{CHECK MARK} sgd_linear_regression: correct on all 4 cases.\n"


def test_a_loss_change_read_before_the_first_update_is_named_not_an_index_error():
    def reads_a_loss_that_is_not_there(losses, grad_norm, max_steps, loss_tol, grad_tol):
        return len(losses) - 1 >= max_steps or grad_norm < grad_tol or abs(losses[-1] - losses[-2]) < loss_tol

    def compares_the_start_with_itself(losses, grad_norm, max_steps, loss_tol, grad_tol):
        previous = losses[-2] if len(losses) > 1 else losses[-1]
        return len(losses) - 1 >= max_steps or grad_norm < grad_tol or abs(losses[-1] - previous) < loss_tol

    message = failure(check_should_stop, reads_a_loss_that_is_not_there)
    assert message == (
        "\N{BALLOT X} reads_a_loss_that_is_not_there is not right yet: reads_a_loss_that_is_not_there("
        "losses=[4.], grad_norm=2, max_steps=10, loss_tol=0.001, grad_tol=0.0001) raised IndexError: list "
        "index out of range.\nLikely misconception: the loss change was tested before the first update. "
        "With one loss there is no change yet; test it only once len(losses) >= 2.")
    assert named(check_should_stop, compares_the_start_with_itself) == \
        "the loss change was tested before the first update"


def test_tolerances_combined_with_and_are_named():
    def both_must_hold(losses, grad_norm, max_steps, loss_tol, grad_tol):
        settled = len(losses) > 1 and abs(losses[-1] - losses[-2]) < loss_tol
        return len(losses) - 1 >= max_steps or (settled and grad_norm < grad_tol)

    assert named(check_should_stop, both_must_hold) == ("the tolerances combined with and: the run stopped only "
                                                        "when the loss had settled and the gradient had vanished")


def test_the_rng_permutation_hint_names_the_sgd_exercise():
    hint = minibatches.EPOCH_MISTAKES[-1].hint
    assert "exercise 7 (sgd_linear_regression)" in hint and "exercise 10" not in hint
