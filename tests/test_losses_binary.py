"""binary_cross_entropy and binary_cross_entropy_with_logits (chapter 2) against PyTorch."""

import numpy as np
import pytest

import mlcore
import mlcore.nn.functional as F
from loss_oracle import assert_matches, run_loss

REDUCTIONS = ["mean", "sum", "none"]
SHAPES = [(), (6,), (5, 3), (2, 3, 4)]


def probabilities(shape, seed=0):
    return np.random.default_rng(seed).uniform(0.02, 0.98, size=shape)


def logits(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape) * 3


def targets(shape, soft, seed=0):
    """Hard 0/1 labels, or soft labels in [0, 1]."""
    rng = np.random.default_rng(seed + 100)
    return rng.random(shape) if soft else rng.integers(0, 2, size=shape).astype(float)


def weights(kind, shape, seed=0):
    """No weight, one weight per element, or one per column (broadcast along the last axis)."""
    rng = np.random.default_rng(seed + 200)
    if kind is None:
        return None
    if kind == "per-element":
        return rng.uniform(0.1, 3.0, size=shape)
    return rng.uniform(0.1, 3.0, size=shape[-1:])


WEIGHT_KINDS = [None, "per-element", "per-column"]


def shape_and_weight_kinds(count):
    """(shape, kind, kind, ...) combinations; a 0-d input has no column, so no per-column weight."""
    kinds = [[]]
    for _ in range(count):
        kinds = [k + [kind] for k in kinds for kind in WEIGHT_KINDS]
    return [(shape, *k) for shape in SHAPES for k in kinds
            if not (shape == () and "per-column" in k)]


def options(reduction, **arrays):
    return {"reduction": reduction, **{k: v for k, v in arrays.items() if v is not None}}


@pytest.mark.parametrize("shape,weight", shape_and_weight_kinds(1), ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("soft", [False, True], ids=["hard-labels", "soft-labels"])
@pytest.mark.parametrize("target_grad", [False, True], ids=["target-fixed", "target-grad"])
def test_binary_cross_entropy(shape, reduction, weight, soft, target_grad):
    kwargs = options(reduction, weight=weights(weight, shape))
    run = run_loss("binary_cross_entropy", probabilities(shape), targets(shape, soft), kwargs,
                   target_grad=target_grad)
    assert_matches(run)


@pytest.mark.parametrize("shape,weight,pos_weight", shape_and_weight_kinds(2), ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("target_grad", [False, True], ids=["target-fixed", "target-grad"])
def test_binary_cross_entropy_with_logits(shape, reduction, weight, pos_weight, target_grad):
    kwargs = options(reduction, weight=weights(weight, shape),
                     pos_weight=weights(pos_weight, shape, seed=1))
    run = run_loss("binary_cross_entropy_with_logits", logits(shape), targets(shape, soft=True),
                   kwargs, target_grad=target_grad)
    assert_matches(run)


@pytest.mark.parametrize("target_kind", ["tensor", "array", "list"])
@pytest.mark.parametrize("loss", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_targets_may_be_tensors_arrays_or_lists(target_kind, loss):
    x = probabilities((4, 3)) if loss == "binary_cross_entropy" else logits((4, 3))
    assert_matches(run_loss(loss, x, targets((4, 3), soft=False), target_kind=target_kind))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("target", [0.0, 0.3, 1.0])
def test_probabilities_at_and_near_0_and_1_match_torch(reduction, target):
    # Exactly 0 and 1 exercise the log clamp at -100; 1e-10 needs log1p(-p), not log(1 - p).
    p = np.array([0.0, 1.0, 1e-50, 1 - 1e-16, 0.5, 1e-10, 3e-9])
    y = np.full(7, target)
    run = run_loss("binary_cross_entropy", p, y, {"reduction": reduction})
    assert np.all(np.isfinite(run.out.data)) and np.all(np.isfinite(run.input.grad))
    assert_matches(run)


def test_a_certain_wrong_probability_costs_100_like_torch():
    assert F.binary_cross_entropy(mlcore.tensor([0.0]), [1.0]).item() == 100.0


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [None, np.array([0.5, 3.0, 1.0])], ids=["", "pos_weight"])
def test_logits_of_1000_give_finite_losses_and_gradients(reduction, pos_weight):
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    y = np.array([[1.0, 1.0, 0.5], [0.0, 0.0, 0.2]])
    run = run_loss("binary_cross_entropy_with_logits", x, y,
                   options(reduction, pos_weight=pos_weight), target_grad=True)
    assert np.all(np.isfinite(run.out.data)) and np.all(np.isfinite(run.input.grad))
    assert_matches(run)


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
@pytest.mark.parametrize("weight", [False, True], ids=["", "weight"])
def test_float32_stays_float32_and_matches_torch(loss, weight):
    x = probabilities((5, 3)) if loss == "binary_cross_entropy" else logits((5, 3))
    kwargs = options("mean", weight=weights("per-column", (5, 3)) if weight else None)
    run = run_loss(loss, x, targets((5, 3), soft=True), kwargs, dtype=np.float32,
                   target_grad=True)
    assert_matches(run)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", WEIGHT_KINDS, ids=str)
def test_gradcheck_binary_cross_entropy(reduction, weight):
    x = mlcore.tensor(probabilities((4, 3)), requires_grad=True)
    y = mlcore.tensor(targets((4, 3), soft=True), requires_grad=True)
    w = weights(weight, (4, 3))
    assert mlcore.gradcheck(
        lambda a, b: F.binary_cross_entropy(a, b, weight=w, reduction=reduction), x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", WEIGHT_KINDS, ids=str)
def test_gradcheck_binary_cross_entropy_with_logits(reduction, pos_weight):
    x = mlcore.tensor(logits((4, 3)), requires_grad=True)
    y = mlcore.tensor(targets((4, 3), soft=True), requires_grad=True)
    w, pw = weights("per-element", (4, 3)), weights(pos_weight, (4, 3), seed=1)
    assert mlcore.gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, weight=w, pos_weight=pw, reduction=reduction), x, y)


def test_with_logits_equals_binary_cross_entropy_of_the_sigmoid():
    x = mlcore.tensor(logits((4, 3)))
    y = targets((4, 3), soft=True)
    direct = F.binary_cross_entropy_with_logits(x, y).item()
    via_sigmoid = F.binary_cross_entropy(x.sigmoid(), y).item()
    assert direct == pytest.approx(via_sigmoid, rel=1e-12)
