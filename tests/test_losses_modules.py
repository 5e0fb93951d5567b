"""The loss modules of ``mlcore.nn`` against ``torch.nn``: names, arguments, repr and numbers."""

import numpy as np
import pytest
import torch

import mlcore
from mlcore import nn

RNG = np.random.default_rng(7)
SCORES = RNG.standard_normal((5, 4))
PROBABILITIES = RNG.uniform(0.05, 0.95, size=(5, 4))
REAL_TARGETS = RNG.standard_normal((5, 4))
SOFT_LABELS = RNG.random((5, 4))
CLASSES = np.array([1, 0, 3, 2, 1])
CLASS_WEIGHT = np.array([0.5, 2.0, 1.0, 1.5])
LOG_PROBABILITIES = SCORES - np.log(np.exp(SCORES).sum(axis=1, keepdims=True))

# (class name, constructor arguments, input, target); arrays in the arguments
# become mlcore tensors for mlcore and torch tensors for torch.
CASES = [
    ("MSELoss", {}, SCORES, REAL_TARGETS),
    ("MSELoss", {"reduction": "sum"}, SCORES, REAL_TARGETS),
    ("L1Loss", {"reduction": "none"}, SCORES, REAL_TARGETS),
    ("HuberLoss", {"delta": 0.5}, SCORES, REAL_TARGETS),
    ("HuberLoss", {"reduction": "none", "delta": 2.0}, SCORES, REAL_TARGETS),
    ("SmoothL1Loss", {"beta": 0.3}, SCORES, REAL_TARGETS),
    ("SmoothL1Loss", {"reduction": "sum", "beta": 0.0}, SCORES, REAL_TARGETS),
    ("CrossEntropyLoss", {}, SCORES, CLASSES),
    ("CrossEntropyLoss", {"weight": CLASS_WEIGHT, "ignore_index": 2, "reduction": "sum",
                          "label_smoothing": 0.1}, SCORES, CLASSES),
    ("CrossEntropyLoss", {"label_smoothing": 0.2}, SCORES,
     SOFT_LABELS / SOFT_LABELS.sum(axis=1, keepdims=True)),
    ("NLLLoss", {}, LOG_PROBABILITIES, CLASSES),
    ("NLLLoss", {"weight": CLASS_WEIGHT, "ignore_index": 0, "reduction": "none"},
     LOG_PROBABILITIES, CLASSES),
    ("BCELoss", {}, PROBABILITIES, SOFT_LABELS),
    ("BCELoss", {"weight": CLASS_WEIGHT, "reduction": "sum"}, PROBABILITIES, SOFT_LABELS),
    ("BCEWithLogitsLoss", {}, SCORES, SOFT_LABELS),
    ("BCEWithLogitsLoss", {"weight": CLASS_WEIGHT, "reduction": "none",
                           "pos_weight": CLASS_WEIGHT[::-1].copy()}, SCORES, SOFT_LABELS),
]
CASE_IDS = [f"{name}-{'-'.join(args) or 'defaults'}" for name, args, _, _ in CASES]


def build(library, name, args):
    convert = mlcore.tensor if library is nn else torch.tensor
    return getattr(library, name)(**{k: convert(v) if isinstance(v, np.ndarray) else v
                                     for k, v in args.items()})


@pytest.mark.parametrize("name,args,x,y", CASES, ids=CASE_IDS)
def test_module_matches_torch_module(name, args, x, y):
    ours, theirs = build(nn, name, args), build(torch.nn, name, args)
    prediction = mlcore.tensor(x, requires_grad=True)
    ref_prediction = torch.tensor(x, requires_grad=True)
    out, ref = ours(prediction, mlcore.tensor(y)), theirs(ref_prediction, torch.tensor(y))
    upstream = np.random.default_rng(1).standard_normal(tuple(ref.shape))
    out.backward(upstream)
    ref.backward(torch.as_tensor(upstream))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=0)
    np.testing.assert_allclose(prediction.grad, ref_prediction.grad.numpy(), rtol=1e-10, atol=0)


@pytest.mark.parametrize("name,args,x,y", CASES, ids=CASE_IDS)
def test_repr_is_torchs(name, args, x, y):
    assert repr(build(nn, name, args)) == repr(build(torch.nn, name, args))
    assert repr(build(nn, name, args)) == f"{name}()"


@pytest.mark.parametrize("name,args,x,y", CASES, ids=CASE_IDS)
def test_module_keeps_its_settings_under_torchs_attribute_names(name, args, x, y):
    module = build(nn, name, args)
    assert isinstance(module, nn.Module)
    assert list(module.parameters()) == []
    reference = build(torch.nn, name, args)
    for attribute in ("reduction", "delta", "beta", "ignore_index", "label_smoothing"):
        if hasattr(reference, attribute):
            assert getattr(module, attribute) == getattr(reference, attribute)


def test_module_equals_the_function_of_the_same_name():
    x = mlcore.tensor(SCORES)
    module = nn.CrossEntropyLoss(weight=CLASS_WEIGHT, label_smoothing=0.1)
    function = mlcore.nn.functional.cross_entropy(x, CLASSES, weight=CLASS_WEIGHT,
                                                  label_smoothing=0.1)
    assert module(x, CLASSES).item() == function.item()
