"""cross_entropy and nll_loss (chapter 2) against PyTorch, every option alone and combined.

Options: ``weight``, ``ignore_index`` (a class that occurs among the targets,
or a negative marker), ``label_smoothing``, each ``reduction``; inputs batched
``(N, C)``, unbatched ``(C,)`` and K-dimensional ``(N, C, d1, ...)``; targets as
class indices or as probabilities.
"""

import numpy as np
import pytest

import mlcore
import mlcore.nn.functional as F
from loss_oracle import assert_matches, run_loss

REDUCTIONS = ["mean", "sum", "none"]
C = 4
# input shape -> class-index target shape
SHAPES = {(5, C): (5,), (C,): (), (3, C, 2): (3, 2), (2, C, 3, 2): (2, 3, 2)}
WEIGHTS = {"no-weight": None, "weight": np.array([0.3, 1.7, 0.9, 2.4])}
# ignore_index, and whether some targets are set to it
IGNORES = {"default": (-100, False), "class-2-ignored": (2, True), "marker--1": (-1, True)}
SMOOTHINGS = [0.0, 0.1, 1.0]


def logits(shape, seed=0, scale=1.5):
    return np.random.default_rng(seed).standard_normal(shape) * scale


def class_targets(shape, ignore_index=None, seed=0):
    """Random class indices; with `ignore_index`, the first target and every third one from
    the second take that value."""
    rng = np.random.default_rng(seed + 100)
    t = rng.integers(0, C, size=shape)
    if ignore_index is not None:
        flat = t.reshape(-1)
        flat[0] = ignore_index
        flat[1::3] = ignore_index
    return t


def probability_targets(shape, seed=0):
    """Random class probabilities that sum to 1 along the class axis."""
    class_axis = 0 if len(shape) == 1 else 1
    p = np.random.default_rng(seed + 200).random(shape)
    return p / p.sum(axis=class_axis, keepdims=True)


def weight_kwargs(weight, ignore):
    ignore_index, _ = ignore
    kwargs = {} if weight is None else {"weight": weight}
    if ignore_index != -100:
        kwargs["ignore_index"] = ignore_index
    return kwargs


@pytest.mark.parametrize("input_shape", list(SHAPES), ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", SMOOTHINGS)
@pytest.mark.parametrize("ignore", list(IGNORES.values()), ids=list(IGNORES))
@pytest.mark.parametrize("weight", list(WEIGHTS.values()), ids=list(WEIGHTS))
def test_cross_entropy_class_indices(input_shape, reduction, smoothing, ignore, weight):
    ignore_index, some_ignored = ignore
    target = class_targets(SHAPES[input_shape], ignore_index if some_ignored else None)
    kwargs = {**weight_kwargs(weight, ignore), "reduction": reduction,
              "label_smoothing": smoothing}
    assert_matches(run_loss("cross_entropy", logits(input_shape), target, kwargs))


@pytest.mark.parametrize("input_shape", list(SHAPES), ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", SMOOTHINGS)
@pytest.mark.parametrize("weight", list(WEIGHTS.values()), ids=list(WEIGHTS))
@pytest.mark.parametrize("target_grad", [False, True], ids=["target-fixed", "target-grad"])
def test_cross_entropy_probability_targets(input_shape, reduction, smoothing, weight,
                                           target_grad):
    kwargs = {**weight_kwargs(weight, IGNORES["default"]), "reduction": reduction,
              "label_smoothing": smoothing}
    run = run_loss("cross_entropy", logits(input_shape), probability_targets(input_shape),
                   kwargs, target_grad=target_grad)
    assert_matches(run)


@pytest.mark.parametrize("input_shape", list(SHAPES), ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ignore", list(IGNORES.values()), ids=list(IGNORES))
@pytest.mark.parametrize("weight", list(WEIGHTS.values()), ids=list(WEIGHTS))
def test_nll_loss(input_shape, reduction, ignore, weight):
    ignore_index, some_ignored = ignore
    target = class_targets(SHAPES[input_shape], ignore_index if some_ignored else None)
    class_axis = 0 if len(input_shape) == 1 else 1
    x = logits(input_shape)
    log_probabilities = x - np.log(np.exp(x).sum(axis=class_axis, keepdims=True))
    kwargs = {**weight_kwargs(weight, ignore), "reduction": reduction}
    assert_matches(run_loss("nll_loss", log_probabilities, target, kwargs))


@pytest.mark.parametrize("target_kind", ["tensor", "array", "list"])
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_targets_may_be_tensors_arrays_or_lists(target_kind, loss):
    run = run_loss(loss, logits((5, C)), class_targets((5,)), {"weight": WEIGHTS["weight"]},
                   target_kind=target_kind)
    assert_matches(run)


@pytest.mark.parametrize("target_kind", ["tensor", "array", "list"])
def test_probability_targets_may_be_tensors_arrays_or_lists(target_kind):
    run = run_loss("cross_entropy", logits((5, C)), probability_targets((5, C)),
                   target_kind=target_kind)
    assert_matches(run)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [{}, {"weight": WEIGHTS["weight"]}, {"label_smoothing": 0.2},
                                    {"weight": WEIGHTS["weight"], "label_smoothing": 0.2}],
                         ids=["plain", "weight", "smoothing", "weight+smoothing"])
def test_every_target_ignored_gives_torchs_nan_mean_and_zero_gradient(reduction, kwargs):
    target = np.full(5, -100)
    run = run_loss("cross_entropy", logits((5, C)), target, {**kwargs, "reduction": reduction})
    assert_matches(run)
    assert np.all(run.input.grad == 0)


def test_zero_total_weight_gives_torchs_nan():
    weight = np.array([0.0, 1.0, 1.0, 1.0])
    run = run_loss("cross_entropy", logits((3, C)), np.zeros(3, dtype=np.int64),
                   {"weight": weight})
    assert_matches(run)
    assert np.isnan(run.out.item())


def test_weighted_mean_divides_by_the_sum_of_the_used_targets_weights():
    x = logits((3, C))
    weight = WEIGHTS["weight"]
    target = np.array([1, 2, 3])
    per_sample = F.cross_entropy(mlcore.tensor(x), target, weight=weight, reduction="none").data
    mean = F.cross_entropy(mlcore.tensor(x), target, weight=weight, ignore_index=2).item()
    used = [0, 2]
    assert mean == pytest.approx(per_sample[used].sum() / weight[target[used]].sum(), rel=1e-14)


# ------------------------------------------------------- numerical stability
EXTREME = np.array([[1000.0, -1000.0, 0.0, 999.0],
                    [-1000.0, -1000.0, 1000.0, -999.0],
                    [-1000.0, -999.5, -1000.0, -1000.0]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [{}, {"weight": WEIGHTS["weight"], "label_smoothing": 0.1},
                                    {"ignore_index": 0}],
                         ids=["plain", "weight+smoothing", "ignore"])
@pytest.mark.parametrize("target", [[0, 2, 1], [1, 0, 3]], ids=["right", "wrong"])
def test_logits_of_1000_give_finite_losses_and_gradients(reduction, kwargs, target):
    run = run_loss("cross_entropy", EXTREME, np.array(target), {**kwargs, "reduction": reduction})
    assert np.all(np.isfinite(run.out.data)) and np.all(np.isfinite(run.input.grad))
    assert_matches(run)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_logits_of_1000_with_probability_targets(reduction):
    run = run_loss("cross_entropy", EXTREME, probability_targets(EXTREME.shape),
                   {"reduction": reduction, "label_smoothing": 0.05}, target_grad=True)
    assert np.all(np.isfinite(run.out.data)) and np.all(np.isfinite(run.input.grad))
    assert_matches(run)


def test_confidently_wrong_prediction_costs_about_the_logit_gap():
    loss = F.cross_entropy(mlcore.tensor([[1000.0, -1000.0]]), [1])
    assert loss.item() == 2000.0


# ------------------------------------------------------------ float32, gradcheck
@pytest.mark.parametrize("kwargs", [{}, {"weight": WEIGHTS["weight"], "ignore_index": 2,
                                         "label_smoothing": 0.1}], ids=["plain", "all-options"])
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_float32_stays_float32_and_matches_torch(kwargs, loss):
    if loss == "nll_loss":
        kwargs = {k: v for k, v in kwargs.items() if k != "label_smoothing"}
    target = class_targets((6,), ignore_index=kwargs.get("ignore_index"))
    assert_matches(run_loss(loss, logits((6, C)), target, kwargs, dtype=np.float32))


def test_float32_probability_targets():
    run = run_loss("cross_entropy", logits((6, C)), probability_targets((6, C)),
                   {"label_smoothing": 0.1}, dtype=np.float32, target_grad=True)
    assert_matches(run)


GRADCHECK_OPTIONS = [
    {},
    {"weight": WEIGHTS["weight"]},
    {"ignore_index": 2},
    {"label_smoothing": 0.3},
    {"weight": WEIGHTS["weight"], "ignore_index": 2, "label_smoothing": 0.3},
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", GRADCHECK_OPTIONS, ids=lambda o: "+".join(o) or "plain")
@pytest.mark.parametrize("input_shape", [(5, C), (2, C, 3)], ids=str)
def test_gradcheck_cross_entropy(reduction, options, input_shape):
    target = class_targets(SHAPES[input_shape] if input_shape in SHAPES else (2, 3), 2)
    x = mlcore.tensor(logits(input_shape), requires_grad=True)
    assert mlcore.gradcheck(
        lambda z: F.cross_entropy(z, target, reduction=reduction, **options), x)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck_cross_entropy_probability_targets(reduction):
    x = mlcore.tensor(logits((4, C)), requires_grad=True)
    y = mlcore.tensor(probability_targets((4, C)), requires_grad=True)
    assert mlcore.gradcheck(lambda a, b: F.cross_entropy(
        a, b, weight=WEIGHTS["weight"], label_smoothing=0.2, reduction=reduction), x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": WEIGHTS["weight"], "ignore_index": 2}],
                         ids=["plain", "weight+ignore"])
def test_gradcheck_nll_loss(reduction, options):
    x = mlcore.tensor(logits((5, C)), requires_grad=True)
    target = class_targets((5,), 2)
    assert mlcore.gradcheck(lambda z: F.nll_loss(z, target, reduction=reduction, **options), x)


def test_cross_entropy_equals_nll_of_log_softmax():
    x = mlcore.tensor(logits((5, C)))
    target = class_targets((5,))
    direct = F.cross_entropy(x, target).item()
    composed = F.nll_loss(x.log_softmax(dim=1), target).item()
    assert direct == pytest.approx(composed, rel=1e-14)


def test_result_records_the_fused_operation():
    loss = F.cross_entropy(mlcore.tensor(logits((2, C)), requires_grad=True), [0, 1])
    assert loss.op == "cross_entropy"


# ------------------------------------------------- fact from the course (COURSE.md)
def test_course_fact_cross_entropy_of_0_1_0_2_0_3_with_target_1():
    import torch

    logits_ = [[0.1, 0.2, 0.3]]
    ours = mlcore.nn.CrossEntropyLoss()(mlcore.tensor(logits_), mlcore.tensor([1])).item()
    theirs = torch.nn.CrossEntropyLoss()(torch.tensor(logits_), torch.tensor([1])).item()
    assert round(ours, 4) == 1.1019
    assert ours == theirs
