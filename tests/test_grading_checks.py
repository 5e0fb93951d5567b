"""mlcore.feedback.checks: coercion, fresh copies, and the misconception each failure names."""

import numpy as np
import pytest
import torch

import mlcore
from mlcore.feedback.checks import (CheckFailed, Misconception, NotAnswered, answers_to, as_float_array,
                                   check_choice, check_choices, check_function, check_value, choices_misconceptions,
                                   driven_misconceptions, explained, format_value, normalise_choice)
from mlcore.feedback.deep_stack import StackProblem
from mlcore.feedback.parts import WRONG_ORDER, check_parts

X = "\N{BALLOT X}"
OK = "\N{CHECK MARK}"


def mse(y_hat, y):
    return np.mean((np.asarray(y_hat) - np.asarray(y)) ** 2)


MSE_CASES = [([1.0, 2.0, 3.0], [1.0, 2.0, 5.0]), ([0.5], [2.0]), ([[1.0, -1.0], [0.0, 3.0]], [[0.0, 0.0], [0.0, 1.0]])]
SUM_NOT_AVERAGED = Misconception("the sum was not averaged",
                                 lambda y_hat, y: np.sum((np.asarray(y_hat) - np.asarray(y)) ** 2),
                                 "Divide by the number of elements.")


def _log_softmax(z):
    z = np.asarray(z, dtype=float)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def cross_entropy(logits, target):
    logits = np.asarray(logits, dtype=float)
    return -np.mean(_log_softmax(logits)[np.arange(len(target)), target])


def softmax(z):
    return np.exp(_log_softmax(z))


def naive_softmax(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / e.sum(axis=-1, keepdims=True)


CE_CASES = [(np.array([[0.1, 0.2, 0.3]]), np.array([1])),
            (np.array([[2.0, -1.0], [0.5, 0.5], [-3.0, 1.0]]), np.array([0, 1, 1]))]
CE_MISCONCEPTIONS = [
    Misconception("the sign is wrong", lambda z, t: -cross_entropy(z, t),
                  "Cross-entropy is minus the mean log-probability of the true class."),
    Misconception("log was taken of probabilities instead of logits",
                  lambda z, t: -np.mean(np.log(np.asarray(z)[np.arange(len(t)), t])),
                  "The inputs are logits: apply log_softmax to them, not log."),
]


def test_correct_function_prints_one_line_and_returns_none(capsys):
    assert check_function(mse, mse, MSE_CASES, misconceptions=[SUM_NOT_AVERAGED]) is None
    assert capsys.readouterr().out == f"{OK} mse: correct on all 3 cases.\n"


def test_sum_not_averaged_is_named_with_the_smallest_counterexample():
    def learner_mse(y_hat, y):
        return np.sum((np.asarray(y_hat) - np.asarray(y)) ** 2)

    with pytest.raises(CheckFailed) as failure:
        check_function(learner_mse, mse, MSE_CASES, misconceptions=[SUM_NOT_AVERAGED])
    assert str(failure.value).splitlines() == [
        f"{X} learner_mse is not right yet: 2 of 3 cases fail.",
        "Likely misconception: the sum was not averaged. Divide by the number of elements.",
        "Smallest failing case: learner_mse(y_hat=[1., 2., 3.], y=[1., 2., 5.])",
        "  expected: 1.33333",
        "  got:      4",
    ]


def test_wrong_sign_is_named():
    def learner_ce(logits, target):
        return np.mean(_log_softmax(logits)[np.arange(len(target)), target])

    with pytest.raises(CheckFailed) as failure:
        check_function(learner_ce, cross_entropy, CE_CASES, misconceptions=CE_MISCONCEPTIONS)
    lines = str(failure.value).splitlines()
    assert lines[1] == ("Likely misconception: the sign is wrong. Cross-entropy is minus the mean "
                        "log-probability of the true class.")
    assert lines[2:] == ["Smallest failing case: learner_ce(logits=[[0.1, 0.2, 0.3]], target=[1.])",
                         "  expected: 1.10194", "  got:      -1.10194"]


def test_log_of_probabilities_instead_of_logits_is_named():
    def learner_ce(logits, target):
        return -np.mean(np.log(logits[np.arange(len(target)), target]))

    with pytest.raises(CheckFailed) as failure:
        check_function(learner_ce, cross_entropy, CE_CASES, misconceptions=CE_MISCONCEPTIONS)
    lines = str(failure.value).splitlines()
    assert lines[0] == f"{X} learner_ce is not right yet: 2 of 2 cases fail."
    assert lines[1] == ("Likely misconception: log was taken of probabilities instead of logits. "
                        "The inputs are logits: apply log_softmax to them, not log.")
    assert lines[3:] == ["  expected: 1.10194", "  got:      1.60944"]


def test_max_not_subtracted_is_named_from_the_overflowing_case():
    cases = [(np.array([1.0, 2.0, 3.0]),), (np.array([1000.0, 0.0]),), (np.array([[0.0, 0.0], [1.0, -1.0]]),)]
    mistake = Misconception("the max was not subtracted before exp", naive_softmax,
                            "exp(1000) overflows; subtract the largest logit first.")
    with pytest.raises(CheckFailed) as failure:
        check_function(naive_softmax, softmax, cases, misconceptions=[mistake], name="softmax")
    assert str(failure.value).splitlines() == [
        f"{X} softmax is not right yet: 1 of 3 cases fail.",
        "Likely misconception: the max was not subtracted before exp. exp(1000) overflows; subtract the "
        "largest logit first.",
        "Smallest failing case: softmax(z=[1000.,    0.])",
        "  expected: [1., 0.]",
        "  got:      [nan,  0.]",
    ]


def test_gradient_of_the_wrong_loss_is_named():
    def mae_grad(y_hat, y):
        return np.sign(np.asarray(y_hat) - np.asarray(y)) / np.size(y)

    def mse_grad(y_hat, y):
        return 2 * (np.asarray(y_hat) - np.asarray(y)) / np.size(y)

    mistakes = [SUM_NOT_AVERAGED, Misconception("this is the gradient of MSE, not of MAE", mse_grad,
                                                "The derivative of |e| is sign(e), not 2e.")]
    with pytest.raises(CheckFailed) as failure:
        check_function(mse_grad, mae_grad, MSE_CASES, misconceptions=mistakes, name="mae_grad")
    lines = str(failure.value).splitlines()
    assert lines[1] == ("Likely misconception: this is the gradient of MSE, not of MAE. "
                        "The derivative of |e| is sign(e), not 2e.")
    assert lines[2:] == ["Smallest failing case: mae_grad(y_hat=[0.5], y=[2.])", "  expected: [-1.]",
                         "  got:      [-3.]"]


def test_unknown_mistake_says_no_misconception_matches():
    with pytest.raises(CheckFailed) as failure:
        check_function(lambda y_hat, y: 0.0, mse, MSE_CASES, misconceptions=[SUM_NOT_AVERAGED], name="mse")
    assert str(failure.value).splitlines()[1] == (
        "No common mistake matches these results; compare your formula with the statement on the case below.")


def test_misconception_must_match_on_every_case():
    # Sums on the first case only: agrees with "sum not averaged" there, not elsewhere.
    def learner(y_hat, y):
        return SUM_NOT_AVERAGED.variant(y_hat, y) if len(y) == 3 else 0.0

    with pytest.raises(CheckFailed) as failure:
        check_function(learner, mse, MSE_CASES, misconceptions=[SUM_NOT_AVERAGED])
    assert str(failure.value).splitlines()[1].startswith("No common mistake matches")


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


@pytest.mark.parametrize("returned, reason", [
    (AlwaysEqual(), "(type AlwaysEqual), which is not a number or an array of numbers"),
    (None, "is None: did the function forget to `return` its result?"),
    ("1.3333333333333333", "is the text '1.3333333333333333'; it should be a number, not a string."),
    (4 / 3 + 0j, "is complex ((1.3333333333333333+0j)); it should be a real number."),
])
def test_results_that_are_not_numbers_fail(returned, reason):
    with pytest.raises(CheckFailed) as failure:
        check_function(lambda y_hat, y: returned, mse, MSE_CASES[:1], name="mse")
    assert str(failure.value).startswith("mse(y_hat=[1., 2., 3.], y=[1., 2., 5.]) returned a value that ")
    assert reason in str(failure.value)


def test_shape_must_match():
    with pytest.raises(CheckFailed) as failure:
        check_function(lambda y_hat, y: np.array([mse(y_hat, y)]), mse, MSE_CASES[:1], name="mse")
    assert str(failure.value).splitlines()[-2:] == ["  expected: 1.33333", "  got:      [1.333333]"]


def test_tensors_are_coerced_through_their_data():
    class TensorLike:  # what mlcore.Tensor offers: a float64 ndarray in .data
        def __init__(self, data):
            self.data = np.asarray(data, dtype=float)

        def __eq__(self, other):
            return True

        __hash__ = object.__hash__

    np.testing.assert_array_equal(as_float_array(TensorLike([1.0, 2.0])), [1.0, 2.0])
    grad_tensor = torch.tensor([1.5, -2.0], dtype=torch.float64, requires_grad=True) * 2
    np.testing.assert_array_equal(as_float_array(grad_tensor), [3.0, -4.0])
    assert as_float_array(True).dtype == np.float64 and as_float_array(True) == 1.0


@pytest.mark.parametrize("value", [torch.tensor([1 + 2j]), mlcore.tensor([1.0]).data.astype(complex)],
                         ids=["torch", "numpy"])
def test_a_complex_tensor_or_array_is_refused_as_complex(value):
    with pytest.raises(CheckFailed, match="is complex .*; it should be a real number"):
        as_float_array(value)


def test_learner_gets_fresh_copies_of_the_inputs(capsys):
    y_hat, y = np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])

    def mutating_mse(y_hat, y):
        y_hat -= y  # changes its argument in place, then gives the right answer
        value = np.mean(y_hat ** 2)
        y[:] = 0.0
        return value

    # The same arrays serve two cases and the misconception: each call must see the originals.
    check_function(mutating_mse, mse, [(y_hat, y), (y_hat, y)], misconceptions=[SUM_NOT_AVERAGED])
    assert capsys.readouterr().out == f"{OK} mutating_mse: correct on all 2 cases.\n"
    np.testing.assert_array_equal(y_hat, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(y, [1.0, 2.0, 5.0])


def test_reference_is_not_affected_by_a_mutating_learner():
    seen = []

    def reference(values):
        seen.append(values.copy())
        return values.sum()

    def learner(values):
        values[:] = 100.0
        return 0.0

    with pytest.raises(CheckFailed):
        check_function(learner, reference, [(np.array([1.0, 2.0]),)] * 2)
    np.testing.assert_array_equal(seen, [[1.0, 2.0], [1.0, 2.0]])


def test_exception_in_the_learner_function_propagates_with_the_case():
    def broken(y_hat, y):
        return y_hat / 0 if isinstance(y_hat, str) else undefined_name  # noqa: F821

    with pytest.raises(NameError) as failure:
        check_function(broken, mse, MSE_CASES[:1], name="mse")
    assert failure.value.__notes__ == [
        "(raised by mse(y_hat=[1., 2., 3.], y=[1., 2., 5.]) while it was being checked)"]


def test_check_failed_shows_only_its_message_in_ipython():
    error = CheckFailed("line one\nline two")
    assert isinstance(error, AssertionError)
    assert error._render_traceback_() == ["line one", "line two"]


def test_check_value(capsys):
    check_value(2, 2.0, name="l1_sum")
    assert capsys.readouterr().out == f"{OK} l1_sum = 2 is correct.\n"
    mean_instead = Misconception("the mean was taken instead of the sum", 2 / 3, "reduction='sum' adds.")
    with pytest.raises(CheckFailed) as failure:
        check_value(0.6666666667, 2.0, name="l1_sum", misconceptions=[mean_instead])
    assert str(failure.value).splitlines() == [
        f"{X} l1_sum = 0.666667 is not right yet.",
        "Likely misconception: the mean was taken instead of the sum. reduction='sum' adds."]
    with pytest.raises(CheckFailed, match="which is not a number"):
        check_value(AlwaysEqual(), 2.0, name="l1_sum")


EXPLANATIONS = {"cross_entropy": "it compares predicted probabilities with the true class.",
                "mse": "through a sigmoid its gradient vanishes when the prediction is confidently wrong."}


def test_check_choice(capsys):
    check_choice("  Cross_Entropy ", "cross_entropy", name="loss_choice", explanations=EXPLANATIONS)
    assert capsys.readouterr().out == (f"{OK} loss_choice = '  Cross_Entropy ' is right: it compares "
                                       "predicted probabilities with the true class.\n")
    with pytest.raises(CheckFailed) as failure:
        check_choice("mse", "cross_entropy", name="loss_choice", explanations=EXPLANATIONS)
    assert str(failure.value) == (f"{X} loss_choice = 'mse' is not the best choice: through a sigmoid its "
                                  "gradient vanishes when the prediction is confidently wrong.")
    with pytest.raises(CheckFailed, match=r"= 'hinge' is not one of the options 'cross_entropy', 'mse'\."):
        check_choice("hinge", "cross_entropy", name="loss_choice", explanations=EXPLANATIONS)


def test_normalise_choice_ignores_case_and_spaces_and_explains_a_bad_answer():
    assert normalise_choice("  Cross_Entropy ", EXPLANATIONS) == "cross_entropy"
    assert normalise_choice("MSE", ("mse", "mae"), name="loss") == "mse"
    with pytest.raises(CheckFailed) as failure:
        normalise_choice("hinge", ("mse", "mae"), name="loss")
    assert str(failure.value) == "loss = 'hinge' is not one of the options 'mse', 'mae'."
    with pytest.raises(CheckFailed) as failure:
        normalise_choice(None, ("mse", "mae"), name="loss")
    assert str(failure.value) == "loss should be one of the strings 'mse', 'mae'; it is None (type NoneType)."


def test_check_choice_cannot_be_fooled_by_eq():
    class Sneaky(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    with pytest.raises(CheckFailed, match="is not the best choice"):
        check_choice(Sneaky("mse"), "cross_entropy", explanations=EXPLANATIONS)
    with pytest.raises(CheckFailed, match="should be one of the strings 'cross_entropy', 'mse'"):
        check_choice(AlwaysEqual(), "cross_entropy", explanations=EXPLANATIONS)


def test_messages_show_numbers_rounded_and_never_as_numpy_reprs():
    with pytest.raises(CheckFailed) as failure:
        check_value(np.float64(2 / 3), 2.0, name="l1_sum")
    assert str(failure.value) == f"{X} l1_sum = 0.666667 is not right yet.\nNo common mistake matches these results; " \
                                 "compare your formula with the statement."  # no "case below": a value has none
    with pytest.raises(CheckFailed) as failure:
        check_choice(np.str_("mse"), "cross_entropy", name="loss_choice", explanations=EXPLANATIONS)
    assert str(failure.value).startswith(f"{X} loss_choice = 'mse' is not the best choice")
    with pytest.raises(CheckFailed) as failure:
        check_function(lambda y_hat, y: np.complex128(1 + 1j), mse, MSE_CASES[:1], name="mse")
    assert "is complex ((1+1j))" in str(failure.value) and "np." not in str(failure.value)
    assert format_value(np.float64(2 / 3)) == "0.666667" and format_value(np.array([0.5, 1 / 3])) == "[0.5     , 0.333333]"


def test_check_failed_carries_the_misconception_and_the_counterexample():
    with pytest.raises(CheckFailed) as failure:
        check_function(lambda y_hat, y: SUM_NOT_AVERAGED.variant(y_hat, y), mse, MSE_CASES,
                       misconceptions=[SUM_NOT_AVERAGED], name="mse")
    assert failure.value.misconception == "the sum was not averaged"
    assert failure.value.counterexample == ("Smallest failing case: mse(y_hat=[1., 2., 3.], y=[1., 2., 5.])\n"
                                            "  expected: 1.33333\n  got:      4")
    with pytest.raises(CheckFailed) as failure:
        check_choice("mse", "cross_entropy", name="loss_choice", explanations=EXPLANATIONS)
    assert failure.value.misconception == "chose 'mse'"


BUG_EXPLANATIONS = {"loop_a": {"zero_grad": "it never clears .grad.", "mode": "its net has no dropout."},
                    "loop_b": {"zero_grad": "it clears .grad.", "mode": "it stays in eval mode."}}
RIGHT_BUGS = {"loop_a": "zero_grad", "loop_b": "mode"}


def test_check_choices_prints_one_line_and_names_the_first_wrong_key(capsys):
    check_choices({"loop_a": " Zero_Grad ", "loop_b": "mode"}, RIGHT_BUGS, name="bugs", explanations=BUG_EXPLANATIONS)
    assert capsys.readouterr().out == f"{OK} bugs: all 2 are right.\n"
    with pytest.raises(CheckFailed) as failure:
        check_choices({"loop_a": "mode", "loop_b": "zero_grad"}, RIGHT_BUGS, name="bugs", explanations=BUG_EXPLANATIONS)
    assert str(failure.value) == (f"{X} bugs['loop_a'] = 'mode' is not the best choice: its net has no dropout.\n"
                                  f"{X} bugs['loop_b'] = 'zero_grad' is not the best choice: it clears .grad.")
    assert failure.value.misconception == "bugs['loop_a']: chose 'mode'"
    assert failure.value.counterexample == "bugs['loop_a'] = 'mode'"
    with pytest.raises(CheckFailed, match=r"bugs should be a dict with the keys \['loop_a', 'loop_b'\], each mapped "
                                          r"to one of \['zero_grad', 'mode'\]; got \['mode'\]"):
        check_choices(["mode"], RIGHT_BUGS, name="bugs", explanations=BUG_EXPLANATIONS)


def test_choices_misconceptions_are_the_right_dict_with_one_wrong_choice():
    mistakes = choices_misconceptions(RIGHT_BUGS, BUG_EXPLANATIONS, name="bugs")
    assert [(m.name, m.variant, m.hint) for m in mistakes] == [
        ("bugs['loop_a']: chose 'mode'", {"loop_a": "mode", "loop_b": "mode"}, "its net has no dropout."),
        ("bugs['loop_b']: chose 'zero_grad'", {"loop_a": "zero_grad", "loop_b": "zero_grad"}, "it clears .grad.")]


def test_explained_adds_a_line_and_keeps_the_misconception_of_any_failed_check():
    with pytest.raises(CheckFailed) as failure, explained("(The numbers: the losses.)"):
        check_function(SUM_NOT_AVERAGED.variant, mse, MSE_CASES, misconceptions=[SUM_NOT_AVERAGED], name="mse")
    assert str(failure.value).endswith("  got:      4\n(The numbers: the losses.)")
    assert failure.value.misconception == "the sum was not averaged" and failure.value.counterexample
    # A failure a driver raised in the learner's kernel reaches the referee as an AssertionError of its name.
    kernel_failure = type("CheckFailed", (AssertionError,), {"__module__": "kernel"})
    with pytest.raises(CheckFailed) as failure, explained("(The numbers: the losses.)"):
        raise kernel_failure("fit should return a dict")
    assert str(failure.value) == "fit should return a dict\n(The numbers: the losses.)"
    assert failure.value.misconception is None
    with pytest.raises(ValueError), explained("(never added)"):
        raise ValueError("not a failed check")


def test_answers_to_gives_each_result_or_raises_what_the_answer_raised_when_read():
    calls = []

    def answer(x):
        calls.append(x)
        if x < 0:
            raise ValueError(f"negative {x}")
        return 2 * x

    results = answers_to(answer, [(1.0,), (-1.0,), (3.0,)])
    assert results[0]() == 2.0 and results[2]() == 6.0 and calls == [1.0, 3.0]
    with pytest.raises(ValueError, match="negative -1.0"):
        results[1]()

    def stub(x):
        raise NotImplementedError()

    with pytest.raises(NotAnswered):
        answers_to(stub, [(1.0,)])[0]()


def test_driven_misconceptions_call_the_driver_with_each_variant():
    def twice(function, x):
        return function(function(x))

    (mistake,) = driven_misconceptions(twice, [Misconception("adds one", lambda x: x + 1, "hint")])
    assert (mistake.name, mistake.hint, mistake.variant(1.0)) == ("adds one", "hint", 3.0)


def test_a_case_that_is_a_dataclass_shows_as_its_whole_repr():
    problem = StackProblem(12, "sigmoid", "xavier", seed=123456, width=8, batch=5, used=True)
    assert format_value(problem) == repr(problem) == \
        "StackProblem(12, 'sigmoid', 'xavier', seed=123456, width=8, batch=5, used=True)"


def _gradients(dout, X, W):
    return dout @ W.T, X.T @ dout, dout.sum(axis=0)


LINEAR_CASES = [(np.ones((2, 3)), np.arange(8.0).reshape(2, 4), np.arange(12.0).reshape(4, 3))]


def test_check_parts_prints_one_line_and_names_the_right_arrays_in_another_order(capsys):
    parts = [("dX", []), ("dW", []), ("db", [])]
    check_parts(_gradients, _gradients, LINEAR_CASES, parts, name="linear_backward")
    assert capsys.readouterr().out == f"{OK} linear_backward: dX, dW and db correct on all 1 cases.\n"
    with pytest.raises(CheckFailed) as failure:
        check_parts(lambda dout, X, W: _gradients(dout, X, W)[::-1], _gradients, LINEAR_CASES, parts,
                    name="linear_backward")
    assert failure.value.misconception == WRONG_ORDER
    assert "returned the arrays (db, dW, dX)" in failure.value.counterexample
    with pytest.raises(CheckFailed) as failure:
        check_parts(lambda dout, X, W: (*_gradients(dout, X, W)[:2], dout), _gradients, LINEAR_CASES, parts,
                    name="linear_backward")
    assert str(failure.value).startswith(f"{X} linear_backward → db is not right yet: 1 of 1 cases fail.")
    assert capsys.readouterr().out == "", "the parts that passed print nothing above the failure"
