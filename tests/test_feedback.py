"""The feedback of the exercise checks (mlcore.feedback, chapters 1 and 2).

- Each misconception the course lists is written here the way a learner would
  write it, and the check must name it and show the smallest failing case.
- Every misconception variant of every check is recognised as itself, so the
  visible cases tell the mistakes apart.
- Correct answers pass with one line; answers that are not numbers, that
  claim to equal everything or that mutate their arguments cannot fool a check.
- The references the checks use agree with PyTorch (float64, rtol 1e-10).
"""

import ast
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

import mlcore
from mlcore.feedback import (article_pairing, best_constant, cases, checks, cross_entropy, loss_choice, noise_scale,
                             registry, regression_gradients, regression_losses, unanswered)
from mlcore.feedback.chapter01 import (check_best_constant, check_column_mse, check_huber, check_huber_grad, check_l1_loss, check_laplace_scale,
                                       check_mae_grad, check_most_outlier_sensitive, check_mse, check_mse_grad)
from mlcore.feedback.chapter02 import (check_article_fix, check_article_loss_weight_grad,
                                       check_binary_cross_entropy, check_choose_loss,
                                       check_cross_entropy_grad, check_fit_linear_regression,
                                       check_mse_weight_grad, check_softmax, check_softmax_cross_entropy,
                                       check_why_cross_entropy)
from mlcore.feedback.checks import CheckFailed, NotAnswered
from mlcore.grading.regions import HIDDEN_TESTS, replace_regions
from oracle import RTOL64


def failure(check, answer):
    """The message of the CheckFailed that ``check(answer)`` must raise."""
    with pytest.raises(CheckFailed) as raised:
        check(answer)
    return str(raised.value)


def assert_passes_in_one_line(check, answer, capsys):
    check(answer)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("\N{CHECK MARK}"), lines


# ---- right answers as learners write them, for the hand-written cases below ------------------------------------

def mse(y_hat, y):
    return np.mean((y_hat - y) ** 2)


def l1_loss(y_hat, y, reduction="mean"):
    losses = np.abs(y_hat - y)
    reducers = {"mean": np.mean, "sum": np.sum, "none": lambda values: values}
    if reduction not in reducers:
        raise ValueError(f"unknown reduction {reduction!r}: use 'mean', 'sum' or 'none'")
    return reducers[reduction](losses)


def softmax(logits):
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def log_softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def choose_loss(task):
    return {"house_prices": "mse", "delivery_times": "huber", "sensor_spikes": "huber",
            "digit_classes": "cross_entropy", "spam_filter": "binary_cross_entropy",
            "photo_tags": " Binary_Cross_Entropy "}[task]


def mse_weight_grad(X, w, y):
    return 2 / len(y) * X.T @ (X @ w - y)


EXERCISES = registry.exercises()
MISCONCEPTIONS = [(entry, mistake) for entry in EXERCISES for mistake in entry.misconceptions]


def assert_passes_with_a_line_per_answer(entry, capsys, **options):
    entry.run(entry.answer, **options)
    lines = capsys.readouterr().out.splitlines()
    answers = len(entry.answer) if isinstance(entry.answer, registry.Answers) else 1
    assert 1 <= len(lines) <= answers and all(line.startswith("\N{CHECK MARK}") for line in lines), lines


@pytest.mark.parametrize("entry", EXERCISES, ids=[entry.name for entry in EXERCISES])
def test_the_registered_answer_passes_with_one_line(entry, capsys):
    # One line in all (a check of several answers: at most one per answer).
    assert_passes_with_a_line_per_answer(entry, capsys)
    if entry.hidden_cases is not None:
        for seed in (1, 2):
            assert_passes_with_a_line_per_answer(entry, capsys, cases=entry.hidden_cases(seed))


@pytest.mark.parametrize("entry, mistake", MISCONCEPTIONS,
                         ids=[f"{entry.name}: {mistake.name}" for entry, mistake in MISCONCEPTIONS])
def test_every_misconception_is_recognised_as_itself(entry, mistake):
    # The visible cases must tell each mistake from the right answer and from
    # every mistake listed before it (the first match is the one named).
    with pytest.raises(CheckFailed) as raised:
        entry.run(mistake.variant)
    assert raised.value.misconception == mistake.name
    assert mistake.hint in str(raised.value)
    assert raised.value.counterexample and raised.value.counterexample in str(raised.value)


@pytest.mark.parametrize("entry", EXERCISES, ids=[entry.name for entry in EXERCISES])
def test_misconceptions_have_distinct_names(entry):
    names = [mistake.name for mistake in entry.misconceptions]
    assert len(names) == len(set(names)), names


def _checks_called_by_test_cells(notebook):
    """Names of the ``check_*`` functions that the graded test cells of ``notebook`` import
    from ``mlcore.feedback``."""
    names = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("grade"):
            continue
        for node in ast.walk(ast.parse(replace_regions(cell.source, HIDDEN_TESTS, keep_content=True)[0])):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mlcore.feedback"):
                names.update(alias.name for alias in node.names if alias.name.startswith("check_"))
    return names


SOLUTIONS = sorted((Path(__file__).resolve().parents[1] / "solutions").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=[path.name for path in SOLUTIONS])
def test_every_check_a_solution_calls_is_registered(notebook):
    called = _checks_called_by_test_cells(notebook)
    assert called, f"{notebook.name} calls no check of mlcore.feedback"
    registered = {entry.name for entry in EXERCISES}
    assert called <= registered, f"not registered with @exercise: {sorted(called - registered)}"


def test_registering_a_name_twice_is_refused():
    with pytest.raises(ValueError, match="a check named 'check_mse' is registered twice"):
        registry.exercise(answer=None)(check_mse)


def test_the_passing_line_says_how_many_cases(capsys):
    check_mse(mse)
    assert capsys.readouterr().out == "\N{CHECK MARK} mse: correct on all 4 cases.\n"


@pytest.mark.parametrize("check, answer", [
    (check_most_outlier_sensitive, "mse"), (check_why_cross_entropy, "B"), (check_article_fix, "b"),
    (check_choose_loss, choose_loss),
])
def test_a_right_choice_passes_with_one_line(check, answer, capsys):
    assert_passes_in_one_line(check, answer, capsys)


@pytest.mark.parametrize("result", [
    np.float64(4 / 3), 4 / 3, np.array(4 / 3), mlcore.tensor(4 / 3), torch.tensor(4 / 3),
], ids=["numpy scalar", "float", "0-d array", "mlcore tensor", "torch tensor"])
def test_any_kind_of_number_counts(result, capsys):
    check_mse(lambda y_hat, y: result, cases=[cases.WORKED_EXAMPLE])
    assert capsys.readouterr().out.startswith("\N{CHECK MARK}")


# ---- the misconceptions the course names, written by hand ------------------------------------

def test_the_sum_was_not_averaged():
    message = failure(check_mse, lambda y_hat, y: np.sum((y_hat - y) ** 2))
    assert "Likely misconception: the sum was not averaged." in message
    assert "Smallest failing case: <lambda>(y_hat=[1., 2., 3.], y=[1., 2., 5.])" in message
    assert "  expected: 1.33333\n  got:      4" in message


def test_the_sum_was_not_averaged_in_a_gradient():
    def cross_entropy_grad_summed(logits, y):
        return softmax(logits) - y

    message = failure(check_cross_entropy_grad, cross_entropy_grad_summed)
    assert "Likely misconception: the sum was not averaged." in message
    assert "cross_entropy_grad_summed(logits=[[ 2. , -1. ,  0.5]," in message


@pytest.mark.parametrize("check, wrong_sign", [
    (check_mse_grad, lambda y_hat, y: 2 * (y - y_hat) / y_hat.size),
    (check_mae_grad, lambda y_hat, y: np.sign(y - y_hat) / y_hat.size),
    (check_huber_grad, lambda y_hat, y, delta=1.0: np.clip(y - y_hat, -delta, delta) / y_hat.size),
    (check_softmax_cross_entropy, lambda logits, y: np.sum(y * log_softmax(logits)) / len(logits)),
    (check_cross_entropy_grad, lambda logits, y: (y - softmax(logits)) / len(logits)),
    (check_binary_cross_entropy, lambda p, y: np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))),
    (check_mse_weight_grad, lambda X, w, y: 2 / len(y) * X.T @ (y - X @ w)),
], ids=["mse_grad", "mae_grad", "huber_grad", "cross_entropy", "cross_entropy_grad", "bce", "weight_grad"])
def test_the_sign_is_wrong(check, wrong_sign):
    message = failure(check, wrong_sign)
    assert "Likely misconception: the sign is wrong." in message
    assert "Smallest failing case:" in message


def test_the_sign_is_wrong_shows_the_smallest_case_with_both_numbers():
    message = failure(check_mse_grad, lambda y_hat, y: 2 * (y - y_hat) / y_hat.size)
    assert message.splitlines()[-3:] == [
        "Smallest failing case: <lambda>(y_hat=[2.5], y=[0.5])", "  expected: [4.]", "  got:      [-4.]"]


def test_log_of_probabilities_instead_of_logits():
    def cross_entropy_of_probabilities(logits, y):
        return -np.sum(y * np.log(softmax(logits))) / len(logits)

    message = failure(check_softmax_cross_entropy, cross_entropy_of_probabilities)
    assert "Likely misconception: log was taken of probabilities instead of logits." in message
    assert "log(0) = -inf" in message
    assert "cross_entropy_of_probabilities(logits=[[1000.,    0.]], y=[[0., 1.]])" in message
    assert "  expected: 1000\n  got:      inf" in message


def test_log_of_the_raw_logits_is_the_source_articles_mistake():
    def cross_entropy_of_logits(logits, y):
        return -np.sum(y * np.log(logits)) / len(logits)

    message = failure(check_softmax_cross_entropy, cross_entropy_of_logits)
    assert "Likely misconception: the softmax was skipped: log was taken of the raw logits." in message
    assert "source article" in message


@pytest.mark.parametrize("check, naive", [
    (check_softmax, lambda logits: np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)),
    (check_softmax_cross_entropy,
     lambda logits, y: -np.sum(y * (logits - np.log(np.exp(logits).sum(axis=1, keepdims=True)))) / len(y)),
    (check_cross_entropy_grad,
     lambda logits, y: (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True) - y) / len(logits)),
], ids=["softmax", "cross_entropy", "cross_entropy_grad"])
def test_the_max_was_not_subtracted(check, naive):
    message = failure(check, naive)
    assert "Likely misconception: the max was not subtracted." in message
    assert "exp(1000) overflows to inf" in message
    assert "1000." in message.split("Smallest failing case:")[1]
    assert "nan" in message.split("got:")[1]


def test_the_max_of_the_whole_batch_is_not_enough():
    def softmax_minus_batch_max(logits):
        exp = np.exp(logits - logits.max())
        return exp / exp.sum(axis=1, keepdims=True)

    message = failure(check_softmax, softmax_minus_batch_max)
    assert ("Likely misconception: the largest logit of the whole batch was subtracted, not each row's."
            in message)
    assert "softmax_minus_batch_max(logits=[[1000.,  999.],\n [   0.,    1.]])" in message


@pytest.mark.parametrize("check, wrong_loss, named", [
    (check_mse_grad, lambda y_hat, y: np.sign(y_hat - y) / y_hat.size, "sign(r) / N is the MAE's"),
    (check_mae_grad, lambda y_hat, y: 2 * (y_hat - y) / y_hat.size, "2 * r / N is the MSE's"),
    (check_huber_grad, lambda y_hat, y, delta=1.0: 2 * (y_hat - y) / y_hat.size, "2 * r / N is the MSE's"),
    (check_cross_entropy_grad, lambda logits, y: (logits - y) / len(y), "squared error on the raw scores"),
    (check_mse_weight_grad, lambda X, w, y: X.T @ (X @ w - y), "the article's X.T @ (y_hat - y)"),
    (check_mse_weight_grad, lambda X, w, y: -X.T @ (y / (X @ w)) / len(y), "-mean(y * log(y_hat))"),
    (check_article_loss_weight_grad, lambda X, w, y: X.T @ (X @ w - y), "belongs to the squared error"),
], ids=["mse_grad", "mae_grad", "huber_grad", "cross_entropy_grad", "article_update", "article_loss",
        "article_loss_grad"])
def test_the_gradient_is_for_the_wrong_loss(check, wrong_loss, named):
    message = failure(check, wrong_loss)
    assert "Likely misconception: the gradient is for the wrong loss (" in message
    assert named in message


def test_training_with_the_articles_update_is_diagnosed():
    def fit_like_the_article(X, y, lr, num_epochs):
        w = np.zeros(X.shape[1])
        for _ in range(num_epochs):
            w = w - lr * X.T @ (X @ w - y)
        return w

    message = failure(check_fit_linear_regression, fit_like_the_article)
    assert "misconception: the gradient is for the wrong loss (the article's X.T @ (y_hat - y)" in message
    assert "fit_like_the_article(X=[[1. , 0.5]," in message and "lr=0.1, num_epochs=1)" in message


def test_dividing_by_the_number_of_rows_shows_on_a_two_dimensional_case():
    def mse_grad_per_row(y_hat, y):
        return 2 * (y_hat - y) / len(y_hat)

    message = failure(check_mse_grad, mse_grad_per_row)
    assert "Likely misconception: the sum was divided by the number of rows, not of elements." in message
    assert "mse_grad_per_row(y_hat=[[ 1. , -2. ,  0. ]," in message


def test_squaring_the_mean_error_is_named():
    message = failure(check_mse, lambda y_hat, y: np.mean(y_hat - y) ** 2)
    assert ("Likely misconception: the mean error was squared (np.mean(r)**2), not the squared errors "
            "averaged.") in message
    assert "Smallest failing case: <lambda>(y_hat=[1., 2., 3.], y=[1., 2., 5.])" in message
    assert "  expected: 1.33333\n  got:      0.444444" in message


@pytest.mark.parametrize("slope, mae_grad_with_a_sign_for_zero", [
    ("+1", lambda y_hat, y: np.where(y_hat - y >= 0, 1.0, -1.0) / y_hat.size),
    ("-1", lambda y_hat, y: np.where(y_hat - y > 0, 1.0, -1.0) / y_hat.size),
], ids=["sign(0)=+1", "sign(0)=-1"])
def test_a_slope_at_an_exact_hit_is_named(slope, mae_grad_with_a_sign_for_zero):
    # Only the residuals that are exactly 0 tell this answer from the right one: the
    # worked example's first two predictions hit their targets.
    message = failure(check_mae_grad, mae_grad_with_a_sign_for_zero)
    assert f"Likely misconception: an exact hit (r = 0) got the slope {slope}: sign(0) was taken" in message
    assert "Smallest failing case: <lambda>(y_hat=[1., 2., 3.], y=[1., 2., 5.])" in message
    assert "  expected: [ 0.      ,  0.      , -0.333333]\n" in message


def test_hubers_linear_part_without_its_delta_is_named():
    def huber_without_delta(y_hat, y, delta=1.0):
        r = y_hat - y
        return np.mean(np.where(np.abs(r) < delta, 0.5 * r**2, np.abs(r) - 0.5 * delta))

    message = failure(check_huber, huber_without_delta)
    assert "Likely misconception: the linear part is missing its factor delta (|r| - delta / 2)." in message
    assert "delta=0.5)\n  expected: 0.62375\n  got:      1.2425" in message


def test_huber_grads_linear_part_without_its_delta_is_named():
    def huber_grad_without_delta(y_hat, y, delta=1.0):
        r = y_hat - y
        return np.where(np.abs(r) <= delta, r, np.sign(r)) / r.size

    message = failure(check_huber_grad, huber_grad_without_delta)
    assert ("Likely misconception: the linear part's slope is missing its factor delta "
            "(sign(r) instead of delta * sign(r)).") in message
    assert "delta=0.5)\n  expected: [[ 0.05 , -0.125]," in message


def test_the_outlier_feedback_quotes_numbers_computed_from_the_data(capsys):
    check_most_outlier_sensitive("mse")
    assert capsys.readouterr().out == (
        "\N{CHECK MARK} most_outlier_sensitive = 'mse' is right: without the outlier the mean and the "
        "median are both 3, and MSE's best constant is 3. The outlier 30 lies 27 away from it, and squaring "
        "makes its error count 729 times as much as an error of 1, so MSE's best constant moves to 8, the "
        "mean with the outlier (the mean is 8 and the median 3).\n")
    without, with_outlier = np.array([1.0, 2.0, 3.0, 4.0, 6.0]), np.array([1.0, 2.0, 3.0, 4.0, 50.0])
    best = best_constant.best_constants_before_and_after(without, with_outlier)
    assert best == {"mse": (3.2, 12.0), "mae": (3.0, 3.0), "huber": (3.0, 3.0)}
    texts = best_constant.outlier_explanations(best, without, with_outlier)
    assert "the mean is 3.2 and the median 3, and MSE's best constant is 3.2" in texts["mse"]
    assert "lies 46.8 away from it" in texts["mse"] and "moves to 12, the mean" in texts["mse"]
    assert "it is 3 without the outlier and 3 with it, while MSE's moves from 3.2 to 12." in texts["mae"]


def test_a_mistake_no_variant_explains_still_gets_a_counterexample():
    message = failure(check_mse, lambda y_hat, y: np.mean((y_hat - y) ** 2) + 1)
    assert "No common mistake matches these results" in message
    assert "Smallest failing case: <lambda>(y_hat=[2.5], y=[0.5])" in message


# ---- the right misconception for the choices --------------------------------------------------

def test_a_wrong_choice_is_explained():
    def choose_loss_softmax_for_tags(task):
        return "cross_entropy" if task == "photo_tags" else choose_loss(task)

    message = failure(check_choose_loss, choose_loss_softmax_for_tags)
    assert message.splitlines()[0] == "\N{BALLOT X} choose_loss is not right yet for 1 of 6 tasks:"
    assert "photo_tags: 'cross_entropy' is not the best choice: softmax makes the 20 labels" in message


def test_a_choice_outside_the_options_lists_them():
    message = failure(check_choose_loss, lambda task: "cross-entropy")
    options = "'mse', 'mae', 'huber', 'cross_entropy', 'binary_cross_entropy'"
    assert (f"  house_prices: choose_loss('house_prices') = 'cross-entropy' is not one of the "
            f"options {options}.") in message.splitlines()


def test_a_choice_that_is_not_a_string_says_to_return_a_name():
    message = failure(check_choose_loss, lambda task: 3)
    assert message.splitlines()[0] == "\N{BALLOT X} choose_loss is not right yet for 6 of 6 tasks:"
    assert ("  spam_filter: choose_loss('spam_filter') should be one of the strings 'mse', 'mae', "
            "'huber', 'cross_entropy', 'binary_cross_entropy'; it is 3 (type int).") in message.splitlines()


def test_a_task_the_answer_forgot_is_reported_with_the_others():
    def choose_loss_for_some(task):
        return {"house_prices": "mse", "digit_classes": "cross_entropy"}[task]

    message = failure(check_choose_loss, choose_loss_for_some)
    assert message.splitlines()[0] == "\N{BALLOT X} choose_loss is not right yet for 4 of 6 tasks:"
    assert "  delivery_times: choose_loss('delivery_times') raised KeyError: 'delivery_times';" in message


@pytest.mark.parametrize("check, wrong, explanation", [
    (check_most_outlier_sensitive, "mae", "the best constant is the median"),
    (check_why_cross_entropy, "c", "an error between probabilities is at most 1"),
    (check_article_fix, "a", "has no minimum"),
    (check_article_fix, "d", "happens to be the squared error's gradient"),
])
def test_a_wrong_letter_or_name_is_explained(check, wrong, explanation):
    message = failure(check, wrong)
    assert "is not the best choice" in message and explanation in message


# ---- answers that must not fool a check ------------------------------------------------------

class EqualsEverything:
    """An answer that claims to equal anything it is compared with."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


@pytest.mark.parametrize("check", [check_mse, check_mse_grad, check_softmax_cross_entropy,
                                   check_cross_entropy_grad])
def test_an_object_equal_to_everything_does_not_pass(check):
    message = failure(check, lambda *args: EqualsEverything())
    assert "not a number or an array of numbers" in message


@pytest.mark.parametrize("check", [check_most_outlier_sensitive, check_why_cross_entropy, check_article_fix])
def test_an_object_equal_to_everything_is_no_choice(check):
    assert "should be one of the strings" in failure(check, EqualsEverything())


def test_a_string_that_pretends_to_be_the_answer_does_not_pass():
    class Sneaky(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

        def lower(self):
            return "mse"

        def strip(self, chars=None):
            return self

    assert "not the best choice" in failure(check_most_outlier_sensitive, Sneaky("mae"))
    assert "not the best choice" in failure(check_choose_loss, lambda task: Sneaky("mae"))


@pytest.mark.parametrize("answer, complaint", [
    (lambda y_hat, y: None, "is None: did the function forget to `return` its result?"),
    (lambda y_hat, y: "1.3333", "it should be a number, not a string"),
    (lambda y_hat, y: [np.mean((y_hat - y) ** 2)], "expected: 4\n  got:      [4.]"),
])
def test_results_that_are_not_the_right_number_fail_clearly(answer, complaint):
    assert complaint in failure(check_mse, answer)


def test_mutating_the_arguments_cannot_change_the_expected_values(capsys):
    before = [tuple(array.copy() for array in case) for case in cases.REGRESSION_CASES]
    seen = []

    def mse_that_overwrites_its_inputs(y_hat, y):
        seen.append((y_hat.copy(), y.copy()))
        result = np.mean((y_hat - y) ** 2)
        y_hat[...] = 0.0
        y[...] = 0.0
        return result

    assert_passes_in_one_line(check_mse, mse_that_overwrites_its_inputs, capsys)
    for (y_hat, y), (y_hat_before, y_before) in zip(seen, before):
        np.testing.assert_array_equal(y_hat, y_hat_before)
        np.testing.assert_array_equal(y, y_before)
    for case, case_before in zip(cases.REGRESSION_CASES, before):
        for array, array_before in zip(case, case_before):
            np.testing.assert_array_equal(array, array_before)


def test_making_the_targets_equal_to_the_predictions_does_not_earn_a_zero_loss():
    def mse_that_moves_the_targets(y_hat, y):
        y[...] = y_hat
        return np.mean((y_hat - y) ** 2)

    message = failure(check_mse, mse_that_moves_the_targets)
    assert "expected: 4\n  got:      0" in message


def test_an_answer_that_raises_is_not_hidden():
    def broken(y_hat, y):
        raise ValueError("shapes differ")

    with pytest.raises(ValueError) as raised:
        check_mse(broken)
    assert "raised by broken(y_hat=[2.5], y=[0.5]) while it was being checked" in raised.value.__notes__[0]


@pytest.mark.parametrize("check", [check_mse, check_choose_loss])
def test_an_untouched_stub_is_not_answered_in_one_line(check):
    def stub(*args):
        raise NotImplementedError()

    with pytest.raises(NotAnswered) as raised:
        check(stub)
    assert isinstance(raised.value, NotImplementedError), "nbgrader and mlcore-grade count it as not answered"
    assert raised.value._render_traceback_() == [
        "\N{BALLOT X} not answered yet: your code still raises NotImplementedError(); replace the stub."]


def test_an_unknown_reduction_must_raise_value_error():
    def l1_loss_that_guesses(y_hat, y, reduction="mean"):
        return l1_loss(y_hat, y, reduction if reduction in ("mean", "sum", "none") else "mean")

    def l1_loss_with_key_error(y_hat, y, reduction="mean"):
        return {"mean": np.mean, "sum": np.sum, "none": np.abs}[reduction](np.abs(y_hat - y))

    assert "returned 0.666667 instead of raising ValueError" in failure(
        check_l1_loss, l1_loss_that_guesses)
    message = failure(check_l1_loss, l1_loss_with_key_error)
    assert "raised KeyError: 'average'. Raise ValueError instead" in message


def test_a_value_error_that_does_not_name_the_reductions_is_named():
    def l1_loss_with_a_terse_error(y_hat, y, reduction="mean"):
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"bad reduction {reduction!r}; use 'mean' or 'sum'")
        return l1_loss(y_hat, y, reduction)

    message = failure(check_l1_loss, l1_loss_with_a_terse_error)
    assert "('none' missing)" in message and "Likely" not in message, message
    with pytest.raises(CheckFailed) as raised:
        check_l1_loss(l1_loss_with_a_terse_error)
    assert raised.value.misconception == "the ValueError does not name the valid reductions"


# ---- the references agree with PyTorch --------------------------------------------------------

def t(array, requires_grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def torch_grad(loss_of, at):
    x = t(at, requires_grad=True)
    loss_of(x).backward()
    return x.grad.numpy()


def assert_agrees(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64),
                               rtol=RTOL64, atol=1e-12)


TF = torch.nn.functional
REGRESSION = cases.REGRESSION_CASES + cases.regression_cases(21)
HUBER = cases.HUBER_CASES + cases.huber_cases(22)
LOGITS = (cases.CROSS_ENTROPY_CASES + cases.classification_cases(23)
          + cases.classification_cases(24, shift=1000.0))
WEIGHTS = cases.WEIGHT_CASES + cases.weight_cases(25)


@pytest.mark.parametrize("y_hat, y", REGRESSION)
def test_regression_references_match_torch(y_hat, y):
    assert_agrees(regression_losses.reference_mse(y_hat, y), TF.mse_loss(t(y_hat), t(y)))
    assert_agrees(regression_losses.reference_mae(y_hat, y), TF.l1_loss(t(y_hat), t(y)))
    assert_agrees(regression_gradients.reference_mse_grad(y_hat, y),
                  torch_grad(lambda x: TF.mse_loss(x, t(y)), y_hat))
    assert_agrees(regression_gradients.reference_mae_grad(y_hat, y),
                  torch_grad(lambda x: TF.l1_loss(x, t(y)), y_hat))
    for reduction in ("mean", "sum", "none"):
        assert_agrees(regression_losses.reference_l1_loss(y_hat, y, reduction),
                      TF.l1_loss(t(y_hat), t(y), reduction=reduction))


@pytest.mark.parametrize("case", HUBER)
def test_huber_references_match_torch(case):
    y_hat, y, delta = (*case, 1.0)[:3]
    assert_agrees(regression_losses.reference_huber(y_hat, y, delta),
                  TF.huber_loss(t(y_hat), t(y), delta=delta))
    assert_agrees(regression_gradients.reference_huber_grad(y_hat, y, delta),
                  torch_grad(lambda x: TF.huber_loss(x, t(y), delta=delta), y_hat))


def test_the_course_facts_hold_for_the_references():
    y_hat, y = cases.WORKED_EXAMPLE
    assert regression_losses.reference_l1_loss(y_hat, y, "sum") == 2.0
    assert regression_losses.reference_mse(y_hat.reshape(1, 1, 1, 3), y.reshape(1, 1, 1, 3)) == pytest.approx(
        4 / 3, rel=RTOL64)
    logits, one_hot_y = cases.CROSS_ENTROPY_CASES[0]
    assert cross_entropy.reference_cross_entropy(logits, one_hot_y) == pytest.approx(
        TF.cross_entropy(t(logits), torch.tensor([1])).item(), rel=RTOL64)
    assert round(float(cross_entropy.reference_cross_entropy(logits, one_hot_y)), 4) == 1.1019


@pytest.mark.parametrize("logits, y", LOGITS)
def test_classification_references_match_torch(logits, y):
    assert_agrees(cross_entropy.reference_softmax(logits), torch.softmax(t(logits), dim=-1))
    assert_agrees(cross_entropy.reference_cross_entropy(logits, y), TF.cross_entropy(t(logits), t(y)))
    assert_agrees(cross_entropy.reference_cross_entropy(logits, y),
                  TF.cross_entropy(t(logits), torch.tensor(np.argmax(y, axis=1))))
    assert_agrees(cross_entropy.reference_cross_entropy_grad(logits, y),
                  torch_grad(lambda x: TF.cross_entropy(x, t(y)), logits))


@pytest.mark.parametrize("p, y", cases.BINARY_CASES + cases.probability_cases(26))
def test_binary_cross_entropy_reference_matches_torch(p, y):
    assert_agrees(cross_entropy.reference_binary_cross_entropy(p, y), TF.binary_cross_entropy(t(p), t(y)))


@pytest.mark.parametrize("X, w, y", WEIGHTS)
def test_weight_gradient_references_match_torch(X, w, y):
    assert_agrees(article_pairing.reference_mse_weight_grad(X, w, y),
                  torch_grad(lambda w_t: TF.mse_loss(t(X) @ w_t, t(y)), w))
    assert_agrees(article_pairing.reference_article_loss_weight_grad(X, w, y),
                  torch_grad(lambda w_t: -(t(y) * torch.log(t(X) @ w_t)).mean(), w))


@pytest.mark.parametrize("X, y, lr, num_epochs", cases.FIT_CASES + cases.fit_cases(27))
def test_fit_reference_matches_torch_sgd(X, y, lr, num_epochs):
    w = torch.zeros(X.shape[1], requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    for _ in range(num_epochs):
        optimizer.zero_grad()
        TF.mse_loss(t(X) @ w, t(y)).backward()
        optimizer.step()
    assert_agrees(article_pairing.reference_fit_linear_regression(X, y, lr, num_epochs), w.detach())


@pytest.mark.parametrize("loss, torch_loss", [(best_constant.MSE, TF.mse_loss),
                                              (best_constant.MAE, TF.l1_loss),
                                              (best_constant.HUBER, TF.huber_loss)],
                         ids=["mse", "mae", "huber"])
def test_the_losses_handed_to_best_constant_match_torch(loss, torch_loss):
    y = best_constant.WITH_OUTLIER
    for c in (0.0, 2.5, 8.0, 31.0):
        expected = torch_loss(t(np.full(y.shape, c)), t(y)).item()
        assert loss(np.full(y.shape, c), y) == pytest.approx(expected, rel=RTOL64)
        assert loss(c, y) == pytest.approx(expected, rel=RTOL64), "a bare constant is broadcast to y"


def test_the_best_constants_are_the_mean_and_the_median():
    y = best_constant.WITH_OUTLIER
    grid = np.linspace(0.0, 30.0, 301)
    assert best_constant.reference_best_constant(y, best_constant.MSE, grid) == pytest.approx(np.mean(y))
    assert best_constant.reference_best_constant(y, best_constant.MAE, grid) == pytest.approx(np.median(y))


def _same_cases(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and \
            bool(np.array_equal(a, b))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same_cases, a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same_cases(a[k], b[k]) for k in a)
    return a == b


WITH_HIDDEN_CASES = [entry for entry in EXERCISES if entry.hidden_cases is not None]


@pytest.mark.parametrize("entry", WITH_HIDDEN_CASES, ids=[entry.name for entry in WITH_HIDDEN_CASES])
def test_hidden_cases_are_the_same_for_the_same_seed_and_differ_for_another(entry):
    first, again, other = entry.hidden_cases(7), entry.hidden_cases(7), entry.hidden_cases(8)
    assert _same_cases(first, again) and not _same_cases(first, other)


def test_every_task_has_an_explanation_for_every_answer():
    for key, task in loss_choice.TASKS.items():
        assert set(task.why) == set(loss_choice.LOSS_NAMES), key
        assert set(task.accepted) <= set(loss_choice.LOSS_NAMES), key


# ---- review 12's mistakes, each named ------------------------------------------------------------------------

def _log_softmax_rows(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _softmax_rows(z):
    return np.exp(_log_softmax_rows(z))


@pytest.mark.parametrize("check, wrong, named", [
    (check_mse, lambda y_hat, y: np.mean((y_hat - y) ** 2, axis=0), "the mean was taken over axis 0 only"),
    (check_mse_grad, lambda y_hat, y: np.mean(2 * (y_hat - y)), "one number was returned"),
    (check_softmax_cross_entropy,
     lambda logits, y: -np.sum(y * _log_softmax_rows(_softmax_rows(logits))) / len(logits),
     "softmax was applied before the cross-entropy"),
    (check_cross_entropy_grad, lambda logits, y: _softmax_rows(logits) / len(logits), "the - y is missing"),
], ids=["mse-axis-0", "mse-grad-scalar", "softmax-twice", "grad-without-y"])
def test_review_12_mistakes_are_named(check, wrong, named):
    message = failure(check, wrong)
    assert f"Likely misconception: {named}" in message, message


@pytest.mark.parametrize("check", [check_most_outlier_sensitive, check_why_cross_entropy, check_article_fix])
def test_a_choice_left_at_none_is_not_answered_in_one_line(check):
    # The student version assigns None above the solution region, so the name exists.
    with pytest.raises(NotAnswered) as raised:
        check(None)
    assert raised.value._render_traceback_() == [f"\N{BALLOT X} {checks.NOT_ANSWERED}"]


def _stub(*args):
    raise NotImplementedError()


def test_a_demo_cell_waiting_for_a_stub_prints_one_line(capsys):
    with unanswered.once_answered("exercises 1, 2 and 8"):
        _stub()
    with unanswered.once_answered("exercise 3"):
        check_mse(_stub)  # a check meets the stub as NotAnswered
    assert capsys.readouterr().out.splitlines() == [
        "Not answered yet: this cell runs once exercises 1, 2 and 8 are answered.",
        "Not answered yet: this cell runs once exercise 3 is answered."]


def test_a_demo_cell_shows_any_other_error_in_full():
    with pytest.raises(ZeroDivisionError), unanswered.once_answered("exercise 3"):
        1 / 0


# ---- chapter 1's debugging and derivation exercises --------------------------------------------------------------

@pytest.mark.parametrize("wrong, named", [
    (lambda y_hat, y: np.mean((y_hat - y) ** 2), "y_hat - y broadcast to an (N, N) matrix"),
    (lambda y_hat, y: ((y_hat - y) ** 2).mean(axis=0), "the (N, N) matrix was averaged over axis 0"),
    (lambda y_hat, y: (y_hat[:, 0] - y) ** 2, "the squared errors were returned one per sample"),
    (lambda y_hat, y: np.sum((y_hat[:, 0] - y) ** 2), "the sum was not averaged"),
], ids=["broadcast", "axis-0", "not-averaged", "summed"])
def test_column_mse_mistakes_are_named(wrong, named):
    message = failure(check_column_mse, wrong)
    assert f"Likely misconception: {named}" in message, message


def test_column_mse_fixed_either_way_passes(capsys):
    assert_passes_in_one_line(check_column_mse, lambda y_hat, y: np.mean((y_hat - y.reshape(-1, 1)) ** 2), capsys)
    assert_passes_in_one_line(check_column_mse, lambda y_hat, y: np.mean((y_hat[:, 0] - y) ** 2), capsys)


@pytest.mark.parametrize("wrong, named", [
    (lambda y_hat, y: np.abs(y_hat - y).sum(), "the sum of |r| was not divided by N"),
    (lambda y_hat, y: y_hat.size / np.abs(y_hat - y).sum(), "the equation was solved upside down"),
    (lambda y_hat, y: np.abs(y_hat - y).mean() / 2, "the derivative of log(2b) was taken as 2 / b"),
    (lambda y_hat, y: np.sqrt(np.mean((y_hat - y) ** 2)), "this is the Gaussian's answer"),
    (lambda y_hat, y: np.mean((y_hat - y) ** 2), "the MSE was returned"),
], ids=["sum", "upside-down", "two-over-b", "root-mse", "mse"])
def test_laplace_scale_mistakes_are_named(wrong, named):
    message = failure(check_laplace_scale, wrong)
    assert f"Likely misconception: {named}" in message, message


@pytest.mark.parametrize("y_hat, y", REGRESSION)
def test_the_laplace_scale_reference_minimises_torchs_laplace_nll(y_hat, y):
    best = noise_scale.reference_laplace_scale(y_hat, y)

    def nll(b):
        scale = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
        value = -torch.distributions.Laplace(torch.tensor(y_hat), scale).log_prob(torch.tensor(y)).sum()
        value.backward()
        return value.item(), scale.grad.item()

    value, slope = nll(best)
    assert abs(slope) < 1e-9
    assert nll(best * 0.99)[0] > value < nll(best * 1.01)[0]


@pytest.mark.parametrize("value, shown", [
    ({"a": np.float64(1.0), "b": np.array([0.5, 2.0])}, "{'a': 1, 'b': [0.5, 2. ]}"),
    (["a", np.float64(2 / 3)], "['a', 0.666667]"),
    ((np.float64(0.25), "x"), "(0.25, 'x')"),
    (np.linspace(0.0, 6.0, 61), "[0. , 0.1, 0.2, ..., 5.8, 5.9, 6. ]"),
    (None, "None"),
])
def test_messages_show_the_numbers_inside_containers_rounded(value, shown):
    assert checks.format_value(value) == shown


def test_best_constants_candidates_show_as_a_range():
    def right_but_for_the_outlier(y, loss, candidates):  # fails only on cases with the 61-candidate grid
        return candidates[0] if len(candidates) > 50 else best_constant.reference_best_constant(y, loss, candidates)

    message = failure(check_best_constant, right_but_for_the_outlier)
    assert "candidates=[ 0. ,  0.5,  1. , ..., 29. , 29.5, 30. ]" in message, message
