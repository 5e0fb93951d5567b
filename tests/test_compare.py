"""mlcore.cmp: one aligned row per tensor, in the style of zero-to-hero's cmp."""

import numpy as np
import torch

import mlcore


def test_exact_match_row(capsys):
    ours = mlcore.tensor([1.0, 2.0], requires_grad=True) * 2
    assert mlcore.cmp("logits", ours, torch.tensor([2.0, 4.0])) is True
    assert capsys.readouterr().out == (
        "logits           | exact: True  | allclose: True  | max abs diff: 0.00e+00\n")


def test_close_but_not_exact_row(capsys):
    assert mlcore.cmp("dW1", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12])) is True
    assert capsys.readouterr().out == (
        "dW1              | exact: False | allclose: True  | max abs diff: 1.00e-12\n")


def test_different_row(capsys):
    assert mlcore.cmp("h", [1.0, 2.0], [1.0, 2.5]) is False
    assert capsys.readouterr().out == (
        "h                | exact: False | allclose: False | max abs diff: 5.00e-01\n")


def test_rows_stay_aligned_for_several_names(capsys):
    for name in ("a", "logprobs", "dlogits"):
        mlcore.cmp(name, 1.0, 1.0)
    lines = capsys.readouterr().out.splitlines()
    assert len({line.index("|") for line in lines}) == 1


def test_shape_mismatch_is_reported(capsys):
    assert mlcore.cmp("x", np.ones((2, 3)), torch.ones(3, 2)) is False
    assert capsys.readouterr().out == "x                | shape mismatch: (2, 3) vs (3, 2)\n"


def test_torch_tensor_requiring_grad_and_float32_are_accepted(capsys):
    theirs = torch.tensor([1.0, 2.0], dtype=torch.float32, requires_grad=True) * 1
    ours = mlcore.tensor([1.0, 2.0], dtype=np.float32)
    assert mlcore.cmp("float32", ours, theirs)
    assert "exact: True" in capsys.readouterr().out


def test_tolerances_can_be_loosened(capsys):
    assert not mlcore.cmp("x", [1.0], [1.001])
    assert mlcore.cmp("x", [1.0], [1.001], rtol=1e-2)
