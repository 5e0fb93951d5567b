"""MSE, L1, Huber and smooth L1 (chapter 1) against PyTorch: values and gradients, float64."""

import numpy as np
import pytest

import mlcore
import mlcore.nn.functional as F
from loss_oracle import assert_matches, run_loss

REDUCTIONS = ["mean", "sum", "none"]
SHAPES = [(), (7,), (4, 3), (2, 3, 4)]
TARGET_KINDS = ["tensor", "array", "list"]
LOSSES = [
    ("mse_loss", {}),
    ("l1_loss", {}),
    ("huber_loss", {}),
    ("huber_loss", {"delta": 0.5}),
    ("huber_loss", {"delta": 2.5}),
    ("smooth_l1_loss", {}),
    ("smooth_l1_loss", {"beta": 0.5}),
    ("smooth_l1_loss", {"beta": 2.0}),
    ("smooth_l1_loss", {"beta": 0.0}),
]
LOSS_IDS = [name + "".join(f"-{k}={v}" for k, v in kw.items()) for name, kw in LOSSES]


def draw(shape, seed=0):
    """Predictions and targets whose errors (scale 2) fall on both sides of delta and beta."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) * 2, rng.standard_normal(shape)


@pytest.mark.parametrize("loss,options", LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("target_kind", TARGET_KINDS)
def test_matches_torch(loss, options, reduction, shape, target_kind):
    x, y = draw(shape)
    run = run_loss(loss, x, y, {**options, "reduction": reduction}, target_kind=target_kind)
    assert_matches(run)


@pytest.mark.parametrize("loss,options", LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradient_reaches_a_target_that_requires_grad(loss, options, reduction):
    x, y = draw((4, 3), seed=1)
    run = run_loss(loss, x, y, {**options, "reduction": reduction}, target_grad=True)
    assert_matches(run)


@pytest.mark.parametrize("loss,options", LOSSES, ids=LOSS_IDS)
def test_errors_at_the_kinks_match_torch(loss, options):
    # Errors of exactly 0, +-delta/beta (0.5, 1, 2, 2.5) where the piecewise rules meet.
    y = np.zeros(11)
    x = np.array([0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 2.5, -2.5, 1e-12, -3.0])
    assert_matches(run_loss(loss, x, y, options))


@pytest.mark.parametrize("loss,options", LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_float32_stays_float32_and_matches_torch(loss, options, reduction):
    x, y = draw((5, 3), seed=2)
    run = run_loss(loss, x, y, {**options, "reduction": reduction}, dtype=np.float32,
                   target_grad=True)
    assert_matches(run)


@pytest.mark.parametrize("loss,options", LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck(loss, options, reduction):
    x, y = draw((3, 4), seed=3)
    prediction = mlcore.tensor(x, requires_grad=True)
    target = mlcore.tensor(y, requires_grad=True)
    fn = getattr(F, loss)
    assert mlcore.gradcheck(lambda a, b: fn(a, b, reduction=reduction, **options),
                            prediction, target)


def test_integer_targets_are_read_as_floats():
    x = mlcore.tensor([1.0, 2.0, 3.0], requires_grad=True)
    loss = F.mse_loss(x, [1, 2, 5])
    loss.backward()
    assert loss.item() == pytest.approx(4 / 3, rel=1e-15)
    np.testing.assert_allclose(x.grad, [0.0, 0.0, -4 / 3], rtol=1e-15)


def test_result_records_the_fused_operation_and_its_parents():
    x = mlcore.tensor([1.0, 2.0], requires_grad=True)
    y = mlcore.tensor([0.0, 0.0])
    loss = F.mse_loss(x, y)
    assert loss.op == "mse_loss"
    assert loss.parents[0] is x and loss.parents[1] is y


def test_empty_batch_gives_nan_mean_and_zero_sum_like_torch():
    x = mlcore.tensor(np.zeros(0), requires_grad=True)
    assert np.isnan(F.mse_loss(x, np.zeros(0)).item())
    loss = F.l1_loss(x, np.zeros(0), reduction="sum")
    loss.backward()
    assert loss.item() == 0.0 and x.grad.shape == (0,)


# ------------------------------------------------- facts from the course (COURSE.md)
@pytest.mark.parametrize("shape", [(3,), (1, 1, 1, 3)], ids=str)
def test_course_fact_l1_sum_is_2(shape):
    predictions = mlcore.tensor([1.0, 2.0, 3.0]).reshape(shape)
    targets = mlcore.tensor([1.0, 2.0, 5.0]).reshape(shape)
    assert mlcore.nn.L1Loss(reduction="sum")(predictions, targets).item() == 2.0


@pytest.mark.parametrize("shape", [(3,), (1, 1, 1, 3)], ids=str)
def test_course_fact_mse_is_4_over_3(shape):
    predictions = mlcore.tensor([1.0, 2.0, 3.0]).reshape(shape)
    targets = mlcore.tensor([1.0, 2.0, 5.0]).reshape(shape)
    loss = mlcore.nn.MSELoss()(predictions, targets).item()
    assert loss == pytest.approx(4 / 3, rel=1e-15)
    assert round(loss, 4) == 1.3333
