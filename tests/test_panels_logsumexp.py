"""The log-sum-exp panel of chapter 2: its mathematics against PyTorch, and what it draws.

The stable softmax, log-softmax and log-sum-exp must be PyTorch's at every
setting, including logits of +-2000; the naive softmax must fail exactly where
float64 runs out (exp overflows above log(largest float64), every exp underflows
below log(smallest float64)) and agree with PyTorch everywhere else. Every
warning is an error: the failures are shown, never printed.
"""

import math

import numpy as np
import pytest
import torch

from mlcore.widgets import LogSumExpPanel
from mlcore.widgets.controls import sweep_values
from mlcore.widgets.logsumexp import logits_at
from oracle import ATOL64, RTOL64

pytestmark = pytest.mark.filterwarnings("error")

OVERFLOW = math.log(np.finfo(np.float64).max)                   # 709.78: exp(z) is inf above
NORMAL = math.log(np.finfo(np.float64).smallest_normal)         # -708.40: exp(z) loses digits below
UNDERFLOW = math.log(np.finfo(np.float64).smallest_subnormal)   # -744.44: exp(z) is 0 below
LOG_LOST = "log(p) = -inf: a probability rounded to 0, so its log is lost"


def settings():
    """Every pairing of 7 scales and 7 shifts over the sliders' whole ranges."""
    panel = LogSumExpPanel()
    return [(scale, shift) for scale in sweep_values(panel.controls["scale"], 7)
            for shift in sweep_values(panel.controls["shift"], 7)]


def torch_of(z):
    z = torch.tensor(z, dtype=torch.float64)
    return torch.softmax(z, dim=0).numpy(), torch.log_softmax(z, dim=0).numpy(), torch.logsumexp(z, dim=0).item()


@pytest.fixture(scope="module")
def panel():
    return LogSumExpPanel()


@pytest.mark.parametrize("scale, shift", settings())
def test_the_stable_softmax_is_pytorchs_at_every_setting(panel, scale, shift):
    panel.set_state(scale=scale, shift=shift)
    numbers = panel.results()
    np.testing.assert_array_equal(numbers["logits"], scale * np.array([1.0, 0.0, -1.0]) + shift)
    p, log_p, lse = torch_of(numbers["logits"])
    for ours in (numbers["stable_p"], numbers["mlcore_softmax"]):
        np.testing.assert_allclose(ours, p, rtol=RTOL64, atol=0.0)
    for ours in (numbers["stable_log_p"], numbers["mlcore_log_softmax"]):
        np.testing.assert_allclose(ours, log_p, rtol=RTOL64, atol=ATOL64)
    assert numbers["logsumexp"] == pytest.approx(lse, rel=RTOL64)
    assert numbers["stable_exp"].max() == 1.0 and 1.0 <= numbers["stable_sum"] <= 3.0
    assert panel.diverged is None, "the stable softmax never diverges"


@pytest.mark.parametrize("scale, shift", settings())
def test_the_naive_softmax_fails_exactly_where_float64_runs_out(panel, scale, shift):
    panel.set_state(scale=scale, shift=shift)
    numbers = panel.results()
    z = numbers["logits"]
    p, _, lse = torch_of(z)
    if z.max() > OVERFLOW:
        assert panel.naive_status.startswith("invalid: exp(z) overflowed to inf")
        assert np.isnan(numbers["naive_p"][z > OVERFLOW]).all()
        assert numbers["naive_logsumexp"] == math.inf
    elif z.max() < UNDERFLOW:
        assert panel.naive_status.startswith("invalid: every exp(z) underflowed to 0")
        assert np.isnan(numbers["naive_p"]).all()
        assert numbers["naive_logsumexp"] == -math.inf
    elif z.min() > NORMAL:  # every exponential is a normal float64: no digits are lost
        np.testing.assert_allclose(numbers["naive_p"], p, rtol=1e-12, atol=0.0)
        assert numbers["naive_logsumexp"] == pytest.approx(lse, rel=1e-12)
        assert panel.naive_status == "exact"
    agrees = bool(np.allclose(numbers["naive_p"], p, rtol=1e-9, atol=0.0))
    assert (panel.naive_status in {"exact", LOG_LOST}) == agrees, panel.naive_status
    assert (panel.naive_status == "exact") == (agrees and bool((numbers["naive_p"] > 0).all()))


@pytest.mark.parametrize("scale, shift, status, naive_p", [
    (1.0, 0.0, "exact", [0.665241, 0.244728, 0.090031]),
    (1000.0, 0.0, "invalid: exp(z) overflowed to inf, and inf / inf = nan", [math.nan, 0.0, 0.0]),
    (1.0, 1000.0, "invalid: exp(z) overflowed to inf, and inf / inf = nan", [math.nan] * 3),
    (1.0, -1000.0, "invalid: every exp(z) underflowed to 0, and 0 / 0 = nan", [math.nan] * 3),
    (1.0, -740.0, "inexact: an exp(z) fell below float64's normal range and lost its digits",
     [0.66474, 0.245665, 0.089595]),
    (100.0, 0.0, "exact", [1.0, 3.720076e-44, 1.383897e-87]),
], ids=["in range", "a logit of 1000", "all logits near 1000", "all logits near -1000", "subnormal",
        "a scale of 100"])
def test_the_chapters_settings_show_each_way_to_fail(panel, scale, shift, status, naive_p):
    panel.set_state(scale=scale, shift=shift)
    numbers = panel.results()
    assert panel.naive_status == status
    np.testing.assert_allclose(numbers["naive_p"], naive_p, rtol=1e-5, atol=0.0, equal_nan=True)
    np.testing.assert_allclose(numbers["stable_p"], torch_of(numbers["logits"])[0], rtol=RTOL64, atol=0.0)


def test_a_probability_that_rounds_to_zero_loses_its_log_but_log_softmax_keeps_it(panel):
    panel.set_state(scale=1000.0, shift=0.0)  # logits (1000, 0, -1000)
    numbers = panel.results()
    np.testing.assert_array_equal(numbers["stable_p"], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(numbers["mlcore_log_softmax"], [0.0, -1000.0, -2000.0])
    np.testing.assert_array_equal(numbers["mlcore_log_softmax"],
                                  torch.log_softmax(torch.tensor(numbers["logits"]), dim=0).numpy())
    panel.set_state(scale=10 ** 2.85, shift=0.0)  # logits (708, 0, -708): no overflow yet
    numbers = panel.results()
    assert numbers["logits"][0] < OVERFLOW
    assert panel.naive_status == LOG_LOST
    assert numbers["naive_log_p"][2] == -math.inf
    assert numbers["mlcore_log_softmax"][2] == pytest.approx(-2 * 10 ** 2.85, rel=RTOL64)


def test_the_picture_shows_the_numbers(panel):
    panel.set_state(scale=1000.0, shift=0.0)
    numbers = panel.results()
    assert [bar.get_height() for bar in panel.stable_bars] == list(numbers["stable_p"])
    assert [bar.get_height() for bar in panel.naive_bars] == [0.0, 0.0, 0.0]
    np.testing.assert_array_equal(panel.nan_marks.get_xydata(), [[-0.2, 0.08]])  # "nan" over class 0's naive bar
    for k, z in enumerate(numbers["logits"]):
        assert panel.exp_markers["naive", k].get_xdata()[0] == pytest.approx(z / math.log(10))
        assert panel.exp_markers["stable", k].get_xdata()[0] == pytest.approx((z - 1000.0) / math.log(10))
    assert panel.exp_markers["naive", "sum"].get_xdata()[0] == pytest.approx(1000.0 / math.log(10))
    assert "overflowed to inf" in panel.readout.value and "PyTorch" in panel.readout.value
    assert f">{torch.logsumexp(torch.tensor(numbers['logits']), dim=0).item():.6g}<" in panel.readout.value
    panel.set_state(scale=1.0, shift=0.0)
    assert panel.nan_marks.get_xydata().shape == (0, 2)
    assert "Naive softmax: <b>exact</b>" in panel.readout.value
    np.testing.assert_allclose([bar.get_height() for bar in panel.naive_bars], panel.results()["stable_p"],
                               rtol=1e-15)


def test_logits_are_the_scaled_pattern_plus_the_shift():
    np.testing.assert_array_equal(logits_at(2.0, 10.0), [12.0, 10.0, 8.0])
    assert LogSumExpPanel.chapter == 2
