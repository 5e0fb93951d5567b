"""Bad input to a loss gets an error that says what is wrong and how to fix it (issue 3)."""

import numpy as np
import pytest

import mlcore
import mlcore.nn.functional as F
from mlcore import nn

REAL_VALUED = ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
               "binary_cross_entropy", "binary_cross_entropy_with_logits"]
ALL_LOSSES = REAL_VALUED + ["cross_entropy", "nll_loss"]
MODULES = [nn.MSELoss, nn.L1Loss, nn.HuberLoss, nn.SmoothL1Loss, nn.CrossEntropyLoss,
           nn.NLLLoss, nn.BCELoss, nn.BCEWithLogitsLoss]


def probabilities(shape):
    return mlcore.tensor(np.random.default_rng(0).uniform(0.1, 0.9, size=shape), requires_grad=True)


def scores(shape):
    return mlcore.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)


# ------------------------------------------------------------------ shapes
@pytest.mark.parametrize("loss", REAL_VALUED)
def test_column_of_predictions_against_flat_targets_is_refused(loss):
    prediction = probabilities((4, 1))
    with pytest.raises(ValueError) as error:
        getattr(F, loss)(prediction, np.zeros(4))
    message = str(error.value)
    assert "(4, 1)" in message and "(4,)" in message
    assert "broadcast them to (4, 4)" in message
    assert "every prediction with every target" in message
    assert "input.squeeze(1)" in message and "input.reshape(-1)" in message
    assert "target.reshape(4, 1)" in message


def test_flat_predictions_against_a_column_of_targets_is_refused():
    with pytest.raises(ValueError) as error:
        F.mse_loss(scores((4,)), np.zeros((4, 1)))
    message = str(error.value)
    assert "(4,)" in message and "(4, 1)" in message and "(4, 4)" in message
    assert "target.squeeze(1)" in message and "input.reshape(4, 1)" in message


def test_different_numbers_of_values_are_refused():
    with pytest.raises(ValueError, match=r"shape \(3,\) but the target has shape \(5,\)") as error:
        F.l1_loss(scores((3,)), [1.0, 2.0, 3.0, 4.0, 5.0])
    assert "different numbers of values (3 and 5)" in str(error.value)


def test_same_values_in_another_layout_are_refused_with_a_reshape_fix():
    with pytest.raises(ValueError, match=r"target.reshape\(2, 3\)"):
        F.mse_loss(scores((2, 3)), np.zeros((3, 2)))


# --------------------------------------------------------------- reduction
@pytest.mark.parametrize("loss", ALL_LOSSES)
def test_unknown_reduction_lists_the_valid_ones(loss):
    target = [0, 1] if loss in ("cross_entropy", "nll_loss") else np.full((2, 3), 0.5)
    with pytest.raises(ValueError) as error:
        getattr(F, loss)(probabilities((2, 3)), target, reduction="average")
    message = str(error.value)
    assert f"{loss}: reduction='average' is not a valid reduction" in message
    assert "'mean'" in message and "'sum'" in message and "'none'" in message


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_loss_module_refuses_an_unknown_reduction_when_built(module):
    with pytest.raises(ValueError, match=f"{module.__name__}: reduction='avg' is not a valid "
                                         "reduction. Use one of 'mean'"):
        module(reduction="avg")


# ------------------------------------------------------------ predictions
def test_integer_predictions_are_refused_with_the_fix():
    with pytest.raises(TypeError, match=r"mse_loss: the prediction \(input\) has dtype int64.*"
                                        r"mlcore.tensor\(\[1.0, 2.0, 3.0\]\)"):
        F.mse_loss(mlcore.tensor([1, 2, 3]), mlcore.tensor([1, 2, 5]))


def test_targets_that_are_not_numbers_are_refused():
    with pytest.raises(TypeError, match="mse_loss: the target must hold numbers, but numpy read "
                                        "it as dtype <U1"):
        F.mse_loss(scores((2,)), ["a", "b"])


def test_huber_delta_must_be_positive():
    with pytest.raises(ValueError, match="huber_loss: delta=0 must be positive"):
        F.huber_loss(scores((3,)), np.zeros(3), delta=0)


def test_smooth_l1_beta_must_not_be_negative():
    with pytest.raises(ValueError, match="smooth_l1_loss: beta=-1 must be zero or positive"):
        F.smooth_l1_loss(scores((3,)), np.zeros(3), beta=-1)


# ------------------------------------------------------- class-index targets
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_non_integer_class_index_is_named(loss):
    with pytest.raises(ValueError) as error:
        getattr(F, loss)(scores((3, 4)), np.array([1.0, 0.5, 2.0]))
    message = str(error.value)
    assert "class-index targets must be integers" in message
    assert "target[1] = 0.5 is not a whole number" in message


def test_whole_numbers_stored_as_floats_suggest_long():
    with pytest.raises(ValueError) as error:
        F.cross_entropy(scores((3, 4)), mlcore.tensor([1.0, 0.0, 2.0]))
    message = str(error.value)
    assert "dtype float64 (target[0] = 1.0)" in message and "target.long()" in message
    assert "probabilities must have the input's shape (3, 4)" in message


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_class_index_too_large_is_named_with_its_position(loss):
    with pytest.raises(ValueError) as error:
        getattr(F, loss)(scores((3, 4)), [0, 3, 7])
    message = str(error.value)
    assert "target[2] = 7 is not a valid class index" in message
    assert "C = 4 classes the targets must be in [0, 3]" in message
    assert "labels start at 0" in message


def test_negative_class_index_is_refused_unless_it_is_ignore_index():
    with pytest.raises(ValueError, match=r"target\[0\] = -1 is not a valid class index.*"
                                         r"ignore_index=-100"):
        F.cross_entropy(scores((2, 4)), [-1, 0])
    assert np.isfinite(F.cross_entropy(scores((2, 4)), [-1, 0], ignore_index=-1).item())


def test_bad_class_index_in_a_k_dimensional_target_names_every_coordinate():
    target = np.zeros((2, 3, 2), dtype=np.int64)
    target[1, 2, 0] = 9
    with pytest.raises(ValueError, match=r"target\[1, 2, 0\] = 9 is not a valid class index"):
        F.cross_entropy(scores((2, 4, 3, 2)), target)


def test_boolean_targets_are_not_class_indices():
    with pytest.raises(ValueError, match="class-index targets must be integers, but the target "
                                         "has dtype bool"):
        F.cross_entropy(scores((2, 4)), np.array([True, False]))


def test_one_hot_integer_targets_suggest_argmax():
    one_hot = np.eye(4, dtype=np.int64)[[1, 3]]
    with pytest.raises(ValueError) as error:
        F.cross_entropy(scores((2, 4)), one_hot)
    message = str(error.value)
    assert "looks like one-hot labels" in message and "target.argmax(1)" in message
    assert "convert it to floats" in message


def test_target_of_the_wrong_shape_names_both_kinds_of_target():
    with pytest.raises(ValueError) as error:
        F.cross_entropy(scores((5, 4)), np.full((5, 3), 0.25))
    message = str(error.value)
    assert "the input has shape (5, 4) (C = 4 classes)" in message
    assert "class indices (integers) of shape (5,)" in message
    assert "class probabilities (floats) of shape (5, 4)" in message
    assert "got a target of shape (5, 3)" in message


def test_one_score_per_sample_suggests_binary_cross_entropy_with_logits():
    with pytest.raises(ValueError) as error:
        F.cross_entropy(scores((6,)), [0, 1, 1, 0, 1, 0])
    message = str(error.value)
    assert "read as one sample with 6 class scores" in message
    assert "binary_cross_entropy_with_logits" in message and "input.reshape(1, -1)" in message


def test_nll_loss_takes_no_probability_targets():
    with pytest.raises(ValueError) as error:
        F.nll_loss(scores((2, 4)), np.full((2, 4), 0.25))
    message = str(error.value)
    assert "class indices (integers) of shape (2,)" in message and "probabilities" not in message


def test_a_single_number_is_not_a_row_of_class_scores():
    with pytest.raises(ValueError, match=r"shape \(C,\) for one sample or \(N, C\)"):
        F.cross_entropy(mlcore.tensor(0.5), 0)


def test_probability_targets_refuse_an_ignore_index():
    with pytest.raises(ValueError, match="ignore_index=1 only applies to class-index targets"):
        F.cross_entropy(scores((2, 4)), np.full((2, 4), 0.25), ignore_index=1)


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_weight_needs_one_value_per_class(loss):
    with pytest.raises(ValueError, match=r"weight has shape \(3,\), but the input has 4 "
                                         r"classes: give one weight per class, a 1-D weight "
                                         r"of shape \(4,\)"):
        getattr(F, loss)(scores((2, 4)), [0, 1], weight=[1.0, 2.0, 3.0])


def test_weight_that_requires_grad_is_refused():
    weight = mlcore.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"weight requires grad.*Pass weight.detach\(\)"):
        F.cross_entropy(scores((2, 4)), [0, 1], weight=weight)


@pytest.mark.parametrize("smoothing", [-0.1, 1.5])
def test_label_smoothing_must_be_between_0_and_1(smoothing):
    with pytest.raises(ValueError, match=f"label_smoothing={smoothing} must be between 0.0"):
        F.cross_entropy(scores((2, 4)), [0, 1], label_smoothing=smoothing)


# ---------------------------------------------------------------- binary
@pytest.mark.parametrize("bad", [1.5, -0.2, float("nan")])
def test_binary_cross_entropy_outside_0_1_suggests_the_logits_version(bad):
    p = np.full((2, 3), 0.5)
    p[1, 2] = bad
    with pytest.raises(ValueError) as error:
        F.binary_cross_entropy(mlcore.tensor(p), np.ones((2, 3)))
    message = str(error.value)
    assert f"input[1, 2] = {bad}" in message
    assert "probabilities in [0, 1]" in message
    assert "binary_cross_entropy_with_logits" in message and ".sigmoid()" in message


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_weight_must_broadcast_to_the_input(loss):
    with pytest.raises(ValueError, match=r"weight has shape \(2,\), which does not broadcast to "
                                         r"the input's shape \(4, 3\)"):
        getattr(F, loss)(probabilities((4, 3)), np.ones((4, 3)), weight=[1.0, 2.0])


def test_pos_weight_must_broadcast_to_the_input():
    with pytest.raises(ValueError, match=r"pos_weight has shape \(4, 3, 1\), which does not "
                                         r"broadcast"):
        F.binary_cross_entropy_with_logits(scores((4, 3)), np.ones((4, 3)),
                                           pos_weight=np.ones((4, 3, 1)))


# ------------------------------------------- settings refused when the module is built
BAD_SETTINGS = [
    (nn.HuberLoss, {"delta": -1}, ValueError,
     r"HuberLoss: delta=-1 must be positive\. It is the error size where the loss changes from "
     r"squared to absolute\. The default is delta=1\.0\."),
    (nn.HuberLoss, {"delta": "1"}, TypeError, r"HuberLoss: delta must be a number, but got '1'"),
    (nn.SmoothL1Loss, {"beta": -0.5}, ValueError,
     r"SmoothL1Loss: beta=-0\.5 must be zero or positive\. .*beta=0 is the L1 loss"),
    (nn.CrossEntropyLoss, {"label_smoothing": 2}, ValueError,
     r"CrossEntropyLoss: label_smoothing=2 must be between 0\.0 and 1\.0\. It is the share of "
     r"each target spread evenly over all classes.*0\.05 to 0\.2"),
    (nn.CrossEntropyLoss, {"label_smoothing": None}, TypeError,
     r"CrossEntropyLoss: label_smoothing must be a number, but got None"),
    (nn.CrossEntropyLoss, {"ignore_index": "none"}, TypeError,
     r"CrossEntropyLoss: ignore_index must be a whole number, but got 'none' \(str\)\. "
     r"Targets equal to it are skipped"),
    (nn.NLLLoss, {"ignore_index": 1.5}, TypeError, r"NLLLoss: ignore_index must be a whole number"),
    (nn.CrossEntropyLoss, {"weight": ["a", "b"]}, TypeError,
     r"CrossEntropyLoss: weight must hold numbers"),
    (nn.BCELoss, {"weight": mlcore.tensor([1.0, 2.0], requires_grad=True)}, ValueError,
     r"BCELoss: weight requires grad, but a loss treats weight as a constant.*weight\.detach\(\)"),
    (nn.BCEWithLogitsLoss, {"pos_weight": mlcore.tensor([3.0], requires_grad=True)}, ValueError,
     r"BCEWithLogitsLoss: pos_weight requires grad.*pos_weight\.detach\(\)"),
]


@pytest.mark.parametrize("module, kwargs, error, message", BAD_SETTINGS,
                         ids=[f"{m.__name__}-{next(iter(k))}" for m, k, _, _ in BAD_SETTINGS])
def test_a_bad_setting_is_refused_when_the_loss_module_is_built(module, kwargs, error, message):
    with pytest.raises(error, match=message):
        module(**kwargs)


@pytest.mark.parametrize("loss, kwargs, error, message", [
    ("huber_loss", {"delta": -1}, ValueError, r"huber_loss: delta=-1 must be positive\. It is"),
    ("huber_loss", {"delta": "1"}, TypeError, r"huber_loss: delta must be a number"),
    ("smooth_l1_loss", {"beta": "0"}, TypeError, r"smooth_l1_loss: beta must be a number"),
])
def test_a_bad_setting_of_a_regression_function_says_what_it_means(loss, kwargs, error, message):
    with pytest.raises(error, match=message):
        getattr(F, loss)(scores((3,)), np.zeros(3), **kwargs)


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_an_ignore_index_that_is_not_a_whole_number_is_refused_by_the_function(loss):
    with pytest.raises(TypeError, match=rf"{loss}: ignore_index must be a whole number, but got "
                                        r"'skip' \(str\)"):
        getattr(F, loss)(scores((2, 4)), [0, 1], ignore_index="skip")


def test_cross_entropy_label_smoothing_of_2_is_refused_by_the_function_with_its_meaning():
    with pytest.raises(ValueError, match=r"cross_entropy: label_smoothing=2 must be between 0\.0 "
                                         r"and 1\.0\. It is the share of each target"):
        F.cross_entropy(scores((2, 4)), [0, 1], label_smoothing=2)
