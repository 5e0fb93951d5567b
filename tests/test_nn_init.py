"""nn.init against torch.nn.init: gains, fans and formulas exactly, the samples statistically."""

import math

import numpy as np
import pytest
import torch

import mlcore
from mlcore import nn
from mlcore.nn import init

SHAPES = [(4, 3), (8, 3, 5, 5), (2, 3, 4), (1, 7)]
GAINS = [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
         ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("leaky_relu", 1),
         ("selu", None), ("conv_transpose3d", None)]


@pytest.mark.parametrize("nonlinearity,param", GAINS)
def test_calculate_gain_equals_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize("shape", SHAPES)
def test_fan_in_and_fan_out_equal_torch(shape):
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert init.calculate_fan_in_and_fan_out(mlcore.zeros(shape)) == expected


def torch_bound(name, shape, **kwargs):
    """The (uniform bound or normal std) that torch's formula gives, from torch's gain and fans."""
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    if name.startswith("kaiming"):
        gain = torch.nn.init.calculate_gain(kwargs.get("nonlinearity", "leaky_relu"), kwargs.get("a", 0))
        std = gain / math.sqrt(fan_in if kwargs.get("mode", "fan_in") == "fan_in" else fan_out)
    else:
        std = kwargs.get("gain", 1.0) * math.sqrt(2.0 / float(fan_in + fan_out))
    return math.sqrt(3.0) * std if name.endswith("uniform_") else std


CASES = [
    ("kaiming_uniform_", {}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", {}),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "tanh"}),
    ("xavier_uniform_", {}),
    ("xavier_uniform_", {"gain": 5 / 3}),
    ("xavier_normal_", {}),
    ("xavier_normal_", {"gain": math.sqrt(2)}),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name,kwargs", CASES)
def test_initialisers_draw_torch_formula_from_the_seeded_generator(name, kwargs, shape):
    scale = torch_bound(name, shape, **kwargs)
    mlcore.manual_seed(5)
    t = getattr(init, name)(mlcore.zeros(shape), **kwargs)
    rng = np.random.default_rng(5)
    expected = (rng.uniform(-scale, scale, shape) if name.endswith("uniform_")
                else rng.normal(0.0, scale, shape))
    np.testing.assert_array_equal(t.data, expected)


@pytest.mark.parametrize("name,kwargs", CASES)
def test_initialisers_have_the_spread_of_torchs(name, kwargs):
    shape = (300, 200)
    scale = torch_bound(name, shape, **kwargs)
    ours = getattr(init, name)(mlcore.zeros(shape), **kwargs).data
    theirs = getattr(torch.nn.init, name)(torch.empty(shape), **kwargs).numpy()
    std = scale / math.sqrt(3) if name.endswith("uniform_") else scale
    for sample in (ours, theirs):
        assert abs(sample.std() / std - 1) < 0.01
        assert abs(sample.mean()) < 5 * std / math.sqrt(sample.size)
        if name.endswith("uniform_"):
            assert scale * 0.999 < np.abs(sample).max() <= scale


def test_uniform_and_normal_use_their_arguments():
    u = init.uniform_(mlcore.zeros(100_000), -2.0, 3.0).data
    assert -2.0 <= u.min() and u.max() < 3.0 and abs(u.mean() - 0.5) < 0.02
    n = init.normal_(mlcore.zeros(100_000), mean=1.5, std=0.5).data
    assert abs(n.mean() - 1.5) < 0.01 and abs(n.std() - 0.5) < 0.01


def test_constant_zeros_ones_fill_in_place():
    p = nn.Parameter(np.empty((2, 3)))
    array = p.data
    assert init.constant_(p, 0.25) is p and (p.data == 0.25).all()
    assert init.zeros_(p) is p and (p.data == 0).all()
    assert init.ones_(p) is p and (p.data == 1).all()
    assert p.data is array


def test_init_keeps_float32_parameters_float32():
    p = nn.Parameter(np.zeros((3, 4), dtype=np.float32))
    init.xavier_normal_(p)
    assert p.dtype == np.float32 and p.data.any()


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match=r"fewer than 2 dimensions.*shape \(5,\).*uniform_ or zeros_"):
        init.xavier_uniform_(mlcore.zeros(5))
    with pytest.raises(ValueError, match="Mode 'fan_avg' not supported"):
        init.kaiming_normal_(mlcore.zeros(2, 2), mode="fan_avg")
    with pytest.raises(ValueError, match="Unsupported nonlinearity 'gelu'"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="negative_slope"):
        init.calculate_gain("leaky_relu", "0.1")


def test_a_reversed_uniform_range_or_a_negative_std_is_refused_like_torch():
    with pytest.raises(ValueError, match=r"uniform_ draws from \[a, b\), so a must not exceed b, but "
                                         r"got a=2 > b=1\. Swap them: uniform_\(tensor, 1, 2\)"):
        init.uniform_(mlcore.zeros(3), 2, 1)
    with pytest.raises(RuntimeError, match="from=2 > to=1"):
        torch.nn.init.uniform_(torch.empty(3), 2, 1)
    with pytest.raises(ValueError, match=r"normal_ needs a standard deviation std >= 0, but got "
                                         r"std=-1: it is the spread"):
        init.normal_(mlcore.zeros(3), 0, -1)
    with pytest.raises(RuntimeError, match="std >= 0"):
        torch.nn.init.normal_(torch.empty(3), 0, -1)


@pytest.mark.parametrize("name, args", [("zeros_", ()), ("constant_", (0.5,)), ("uniform_", ()),
                                        ("normal_", ()), ("xavier_uniform_", ()),
                                        ("kaiming_normal_", ())])
def test_initialising_a_numpy_array_says_to_wrap_it(name, args):
    array = np.ones((2, 3))
    with pytest.raises(TypeError, match=r"works on an mlcore Tensor, such as layer\.weight, but "
                                        r"got ndarray\. Wrap an array first: "
                                        r"w = mlcore\.tensor\(array\)"):
        getattr(init, name)(array, *args)
    np.testing.assert_array_equal(array, np.ones((2, 3)))
