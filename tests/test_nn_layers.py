"""Every layer of mlcore.nn against torch.nn with the same weights: outputs, input and weight gradients.

Weights go torch -> mlcore through ``load_state_dict`` (and the other way in
test_weights_copy_from_mlcore_to_torch), so both libraries compute with the
same numbers. A fixed random upstream gradient is backpropagated, which checks
every output element's gradient at once.
"""

import numpy as np
import pytest
import torch

import mlcore
import mlcore.nn.functional as F
from mlcore import nn
from oracle import TORCH_DTYPE, assert_close

LINEAR = [  # (in_features, out_features, bias, input shape)
    (3, 4, True, (5, 3)),
    (3, 4, False, (5, 3)),
    (3, 4, True, (3,)),
    (3, 2, True, (2, 5, 3)),
    (1, 1, True, (7, 1)),
]
CONV = [  # (in_channels, out_channels, kernel_size, stride, padding, bias, (H, W))
    (3, 4, 3, 1, 0, True, (8, 8)),
    (3, 4, 3, 2, 1, True, (9, 7)),
    (2, 5, 5, 1, 2, False, (10, 12)),
    (2, 3, 5, 2, 2, True, (11, 9)),
    (2, 3, (3, 5), (2, 1), (1, 2), True, (11, 9)),
    (1, 2, 5, 2, 0, True, (13, 10)),
    (3, 2, 3, 1, 2, True, (5, 6)),
    (2, 2, 2, 3, 0, True, (8, 8)),
    (2, 3, 1, 1, 0, False, (4, 5)),
    (2, 3, (3, 2), 1, (1, 2), True, (5, 6)),  # padding >= kernel width: the gradient takes col2im
]
POOL = [  # (kernel_size, stride, padding, (H, W))
    (2, None, 0, (8, 8)),
    (2, None, 0, (7, 9)),
    (3, 1, 1, (7, 9)),
    (3, 2, 0, (9, 8)),
    (5, 2, 2, (9, 10)),
    ((2, 3), (1, 2), (1, 1), (8, 9)),
    (2, 2, 1, (7, 7)),
    (3, None, 0, (10, 11)),
]


def make_pair(ml_layer, torch_layer, dtype):
    """The two layers with torch's weights copied into mlcore's, both in `dtype`."""
    torch_layer = torch_layer.to(TORCH_DTYPE[dtype])
    ml_layer.to(dtype)
    ml_layer.load_state_dict(torch_layer.state_dict())
    return ml_layer, torch_layer


def check_forward_backward(ml_layer, torch_layer, x, dtype=np.float64, seed=1):
    """Run both layers on `x`, backpropagate one random upstream gradient, compare everything."""
    ml_layer, torch_layer = make_pair(ml_layer, torch_layer, dtype)
    x_ml = mlcore.tensor(x, dtype=dtype, requires_grad=True)
    x_torch = torch.tensor(x, dtype=TORCH_DTYPE[dtype], requires_grad=True)
    out, ref = ml_layer(x_ml), torch_layer(x_torch)
    assert out.dtype == dtype
    assert_close(out, ref, dtype, what="output")
    upstream = np.random.default_rng(seed).standard_normal(tuple(ref.shape)).astype(dtype)
    out.backward(upstream)
    ref.backward(torch.from_numpy(upstream))
    assert_close(x_ml.grad, x_torch.grad, dtype, what="input gradient")
    ref_params = dict(torch_layer.named_parameters())
    assert [name for name, _ in ml_layer.named_parameters()] == list(ref_params)
    for name, param in ml_layer.named_parameters():
        assert param.grad.dtype == dtype
        assert_close(param.grad, ref_params[name].grad, dtype, what=f"gradient of {name}")


def images(n, c, hw, seed=0):
    return np.random.default_rng(seed).standard_normal((n, c) + hw)


# ------------------------------------------------------------------ layers --
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("in_f,out_f,bias,shape", LINEAR)
def test_linear_matches_torch(in_f, out_f, bias, shape, dtype):
    x = np.random.default_rng(0).standard_normal(shape)
    check_forward_backward(nn.Linear(in_f, out_f, bias), torch.nn.Linear(in_f, out_f, bias), x, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("c_in,c_out,kernel,stride,padding,bias,hw", CONV)
def test_conv2d_matches_torch(c_in, c_out, kernel, stride, padding, bias, hw, dtype):
    layers = (nn.Conv2d(c_in, c_out, kernel, stride, padding, bias),
              torch.nn.Conv2d(c_in, c_out, kernel, stride, padding, bias=bias))
    check_forward_backward(*layers, images(3, c_in, hw), dtype)


def test_conv2d_accepts_one_image_without_batch_dimension():
    layers = nn.Conv2d(2, 3, 3, padding=1), torch.nn.Conv2d(2, 3, 3, padding=1)
    check_forward_backward(*layers, images(1, 2, (5, 6))[0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kernel,stride,padding,hw", POOL)
def test_max_pool2d_matches_torch(kernel, stride, padding, hw, dtype):
    layers = nn.MaxPool2d(kernel, stride, padding), torch.nn.MaxPool2d(kernel, stride, padding)
    check_forward_backward(*layers, images(2, 3, hw), dtype)


@pytest.mark.parametrize("kernel,stride,padding,hw", POOL)
def test_max_pool2d_ties_send_the_gradient_where_torch_does(kernel, stride, padding, hw):
    # Values from {0, 1, 2} make most windows hold several equal maxima.
    x = np.random.default_rng(0).integers(0, 3, (2, 2) + hw).astype(np.float64)
    layers = nn.MaxPool2d(kernel, stride, padding), torch.nn.MaxPool2d(kernel, stride, padding)
    check_forward_backward(*layers, x)


def test_max_pool2d_gradient_goes_to_the_first_maximum_of_a_window():
    x = mlcore.tensor([[[[1.0, 3.0], [3.0, 0.0]]]], requires_grad=True)
    nn.MaxPool2d(2)(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [[[[0.0, 1.0], [0.0, 0.0]]]])


def test_max_pool2d_propagates_nan_like_torch():
    x = images(2, 2, (6, 6))
    x[0, 0, 1, 1] = x[0, 1, 4, 5] = x[1, 1, 0, 0] = x[1, 1, 1, 0] = np.nan
    layers = nn.MaxPool2d(3, stride=1, padding=1), torch.nn.MaxPool2d(3, stride=1, padding=1)
    check_forward_backward(*layers, x)


def test_max_pool2d_sends_a_window_with_nans_its_gradient_at_the_last_nan_like_torch():
    x = images(1, 2, (4, 4))
    x[0, 0, 0, 0] = x[0, 0, 1, 1] = np.nan  # two nans in one window: the later one takes the gradient
    x[0, 0, 2:, 2:] = -np.inf  # a window of -inf: its first pixel does
    x[0, 1, 0, 1] = np.inf
    check_forward_backward(nn.MaxPool2d(2), torch.nn.MaxPool2d(2), x)


def test_max_pool2d_accepts_one_image_without_batch_dimension():
    check_forward_backward(nn.MaxPool2d(2), torch.nn.MaxPool2d(2), images(1, 2, (6, 4))[0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["ReLU", "Tanh", "Sigmoid"])
def test_activation_layers_match_torch(name, dtype):
    x = np.random.default_rng(0).standard_normal((4, 5)) * 3
    check_forward_backward(getattr(nn, name)(), getattr(torch.nn, name)(), x, dtype)


@pytest.mark.parametrize("start,end", [(1, -1), (0, -1), (1, 2), (2, 3), (-2, -1)])
def test_flatten_matches_torch(start, end):
    check_forward_backward(nn.Flatten(start, end), torch.nn.Flatten(start, end), images(2, 3, (4, 5)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sequential_mlp_matches_torch(dtype):
    net = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(),
                        nn.Linear(16, 1), nn.Sigmoid())
    ref = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16),
                              torch.nn.ReLU(), torch.nn.Linear(16, 1), torch.nn.Sigmoid())
    check_forward_backward(net, ref, np.random.default_rng(0).standard_normal((10, 2)), dtype)


# --------------------------------------------------------------- functional --
@pytest.mark.parametrize("bias", [True, False])
def test_functional_linear_matches_torch(bias):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((6, 3)), rng.standard_normal((4, 3)), rng.standard_normal(4)
    ours = [mlcore.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out = F.linear(ours[0], ours[1], ours[2] if bias else None)
    ref = torch.nn.functional.linear(theirs[0], theirs[1], theirs[2] if bias else None)
    assert_close(out, ref)
    (out * out).sum().backward()
    (ref * ref).sum().backward()
    for i in range(3 if bias else 2):
        assert_close(ours[i].grad, theirs[i].grad, what=f"gradient of argument {i}")


def test_functional_linear_skips_the_input_gradient_when_not_needed():
    x = mlcore.randn(5, 3)
    layer = nn.Linear(3, 2)
    layer(x).sum().backward()
    assert x.grad is None
    assert layer.weight.grad is not None


def test_functional_conv2d_and_max_pool2d_match_torch_with_keyword_arguments():
    rng = np.random.default_rng(0)
    x, w, b = (rng.standard_normal(s) for s in [(2, 3, 9, 8), (4, 3, 3, 3), (4,)])
    out = F.max_pool2d(F.conv2d(mlcore.tensor(x), mlcore.tensor(w), bias=mlcore.tensor(b), stride=(2, 1),
                                padding=1), kernel_size=2, stride=1, padding=1)
    T = torch.from_numpy
    ref = torch.nn.functional.max_pool2d(
        torch.nn.functional.conv2d(T(x), T(w), bias=T(b), stride=(2, 1), padding=1),
        kernel_size=2, stride=1, padding=1)
    assert_close(out, ref)


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid"])
def test_functional_activations_match_torch(name):
    x = np.random.default_rng(0).standard_normal((3, 4))
    out = getattr(F, name)(mlcore.tensor(x))
    assert_close(out, getattr(torch.nn.functional, name)(torch.from_numpy(x)))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_functional_softmax_matches_torch(name, dim):
    x = np.random.default_rng(0).standard_normal((3, 4))
    out = getattr(F, name)(mlcore.tensor(x), dim=dim)
    assert_close(out, getattr(torch.nn.functional, name)(torch.from_numpy(x), dim=dim))


def test_gradcheck_linear():
    rng = np.random.default_rng(0)
    args = [mlcore.tensor(rng.standard_normal(s), requires_grad=True) for s in [(4, 3), (2, 3), (2,)]]
    assert mlcore.gradcheck(F.linear, *args)
    assert mlcore.gradcheck(lambda x, w: F.linear(x, w), *args[:2])


@pytest.mark.parametrize("stride,padding", [(1, 0), (2, 1), ((1, 2), (2, 0))])
def test_gradcheck_conv2d(stride, padding):
    rng = np.random.default_rng(0)
    shapes = [(2, 2, 5, 6), (3, 2, 3, 2), (3,)]
    args = [mlcore.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    assert mlcore.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, padding), *args)


@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 1, 1), ((2, 3), 2, 1)])
def test_gradcheck_max_pool2d(kernel, stride, padding):
    x = mlcore.tensor(images(2, 2, (6, 7)), requires_grad=True)
    assert mlcore.gradcheck(lambda x: F.max_pool2d(x, kernel, stride, padding), x)


# ------------------------------------------------------------ copying weights --
def test_weights_copy_from_mlcore_to_torch():
    net = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(3 * 4 * 4, 5))
    ref = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, padding=1), torch.nn.ReLU(),
                              torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(48, 5))
    ref.load_state_dict({k: torch.from_numpy(v) for k, v in net.state_dict().items()})
    x = images(2, 2, (8, 8))
    assert_close(net(mlcore.tensor(x)), ref(torch.from_numpy(x)))


def test_float32_network_runs_end_to_end():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).float()
    x = mlcore.tensor(np.ones((2, 3)), dtype=mlcore.float32)
    out = net(x)
    out.sum().backward()
    assert out.dtype == np.float32
    assert all(p.data.dtype == np.float32 and p.grad.dtype == np.float32 for p in net.parameters())


def test_layers_accept_a_dtype_like_torch():
    layer = nn.Conv2d(1, 2, 3, dtype=mlcore.float32)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    assert nn.Linear(2, 3, dtype=mlcore.float32).weight.dtype == np.float32


# ------------------------------------------------------------ bad input --
def test_conv2d_wrong_channels_says_expected_and_got():
    expected = r"expected 3 input channels, got 1: .*\(4, 1, 8, 8\).*in_channels=1"
    with pytest.raises(ValueError, match=expected):
        nn.Conv2d(3, 8, 3)(mlcore.randn(4, 1, 8, 8))


def test_conv2d_channels_last_input_gets_a_permute_hint():
    with pytest.raises(ValueError, match=r"channels-last.*permute\(0, 3, 1, 2\)"):
        nn.Conv2d(3, 8, 3)(mlcore.randn(4, 8, 8, 3))


@pytest.mark.parametrize("layer", [nn.Conv2d(3, 2, 3), nn.MaxPool2d(2)], ids=["conv", "pool"])
def test_image_layers_reject_wrong_ndim(layer):
    with pytest.raises(ValueError, match=r"\(N, C, H, W\).*\(4, 3\)"):
        layer(mlcore.randn(4, 3))


def test_conv2d_kernel_larger_than_input_is_explained():
    with pytest.raises(ValueError, match=r"5x5 kernel does not fit.*height 3 and width 3"):
        nn.Conv2d(1, 1, 5)(mlcore.randn(1, 1, 3, 3))


def test_linear_feature_mismatch_names_both_shapes():
    expected = r"input of shape \(10, 3\).*weight of shape \(16, 2\).*in_features=3"
    with pytest.raises(ValueError, match=expected):
        nn.Linear(2, 16)(mlcore.randn(10, 3))


def test_linear_on_images_suggests_flatten():
    with pytest.raises(ValueError, match=r"nn\.Flatten\(\)"):
        nn.Linear(3 * 4 * 4, 2)(mlcore.randn(2, 3, 4, 4))


def test_dtype_mismatch_says_how_to_convert():
    with pytest.raises(TypeError, match=r"input is float32 but the weight is float64.*net\.float\(\)"):
        nn.Linear(2, 3)(mlcore.randn(4, 2, dtype=mlcore.float32))
    with pytest.raises(TypeError, match=r"input is float32 but the weight is float64"):
        nn.Conv2d(1, 1, 1)(mlcore.randn(1, 1, 2, 2, dtype=mlcore.float32))


@pytest.mark.parametrize("layer", [nn.Linear(2, 3), nn.Conv2d(1, 1, 1), nn.MaxPool2d(2), nn.Flatten()],
                         ids=["linear", "conv", "pool", "flatten"])
def test_layers_reject_numpy_input_with_a_fix(layer):
    with pytest.raises(TypeError, match=r"mlcore\.Tensor, but got ndarray.*mlcore\.tensor\(data\)"):
        layer(np.ones((1, 1, 2, 2)))


def test_max_pool2d_rejects_padding_over_half_the_kernel_when_built_and_when_called():
    with pytest.raises(ValueError, match=r"MaxPool2d: padding \(2, 2\) must be at most half the "
                                         r"kernel size \(2, 2\).*at most \(1, 1\)"):
        nn.MaxPool2d(2, padding=2)
    with pytest.raises(ValueError, match=r"max_pool2d\(\): padding \(1, 2\) must be at most half "
                                         r"the kernel size \(3, 3\)"):
        F.max_pool2d(mlcore.randn(1, 1, 6, 6), 3, padding=(1, 2))


@pytest.mark.parametrize("args, kwargs, error, match", [
    ((0,), {}, ValueError, r"kernel_size must be at least 1, but got 0\. kernel_size is the "
                           r"height and width of the window"),
    ((2.5,), {}, TypeError, r"kernel_size must be an int, but got 2\.5 \(float\)"),
    ((2,), {"stride": 0}, ValueError, r"stride must be at least 1, but got 0\. stride is how "
                                      r"many pixels the window moves"),
    ((3,), {"padding": -1}, ValueError, r"padding must be at least 0, but got -1"),
], ids=["kernel-0", "kernel-float", "stride-0", "padding-negative"])
def test_max_pool2d_with_a_bad_size_is_refused_when_built(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        nn.MaxPool2d(*args, **kwargs)


def test_max_pool2d_keeps_its_settings_as_given_like_torch():
    for args in [(2,), (3, 1, 1), ((2, 3), (1, 2))]:
        assert repr(nn.MaxPool2d(*args)) == repr(torch.nn.MaxPool2d(*args))


@pytest.mark.parametrize("make, match", [
    (lambda: F.linear(mlcore.randn(2, 3), np.ones((4, 3))),
     r"linear\(\) expects `weight` to be an mlcore\.Tensor, but got ndarray\. .*"
     r"nn\.Parameter\(data\) or mlcore\.tensor\(data, requires_grad=True\) for a weight to learn"),
    (lambda: F.linear(mlcore.randn(2, 3), mlcore.randn(4, 3), np.ones(4)),
     r"linear\(\) expects `bias` to be an mlcore\.Tensor, but got ndarray.*for a bias to learn"),
    (lambda: F.conv2d(mlcore.randn(1, 1, 4, 4), np.ones((2, 1, 3, 3))),
     r"conv2d\(\) expects `weight` to be an mlcore\.Tensor, but got ndarray"),
    (lambda: F.conv2d(mlcore.randn(1, 4, 4), mlcore.randn(2, 1, 3, 3), [1.0, 2.0]),
     r"conv2d\(\) expects `bias` to be an mlcore\.Tensor, but got list.*mlcore\.tensor\(data\) "
     r"for a fixed one"),
], ids=["linear-weight", "linear-bias", "conv-weight", "conv-bias"])
def test_a_numpy_weight_or_bias_says_how_to_wrap_it(make, match):
    with pytest.raises(TypeError, match=match):
        make()


@pytest.mark.parametrize("layer", [nn.Linear, nn.Conv2d])
def test_an_integer_dtype_or_a_bias_that_is_not_a_bool_is_refused_when_built(layer):
    sizes = (2, 3) if layer is nn.Linear else (1, 2, 3)
    with pytest.raises(TypeError, match=rf"{layer.__name__}: dtype must be a floating-point dtype "
                                        r"such as mlcore\.float32 .*but got 'int64': parameters "
                                        r"are learned in small fractional steps"):
        layer(*sizes, dtype=np.int64)
    with pytest.raises(TypeError, match=rf"{layer.__name__}: dtype must be a floating-point dtype"):
        layer(*sizes, dtype="not a dtype")
    with pytest.raises(TypeError, match=rf"{layer.__name__}: bias must be True or False, but got "
                                        r"'False' \(str\)\. bias=False builds the layer without"):
        layer(*sizes, bias="False")


def test_linear_with_zero_features_says_what_a_feature_count_is():
    with pytest.raises(ValueError, match=r"in_features must be at least 1, but got 0\. in_features "
                                         r"is the size of each input"):
        nn.Linear(0, 3)
    with pytest.raises(ValueError, match=r"out_features must be at least 1, but got 0\. "
                                         r"out_features is the number of outputs"):
        nn.Linear(3, 0)


def test_flatten_with_a_dim_that_is_not_an_int_is_refused_when_built():
    with pytest.raises(TypeError, match=r"start_dim must be an int, but got '1' \(str\)\. "
                                        r"start_dim is the first dimension merged"):
        nn.Flatten("1")
    with pytest.raises(TypeError, match=r"end_dim must be an int, but got 1\.5"):
        nn.Flatten(0, 1.5)


@pytest.mark.parametrize("kwargs,match", [
    ({"kernel_size": 0}, "kernel_size must be at least 1"),
    ({"kernel_size": 2.5}, r"kernel_size must be an int, but got 2\.5"),
    ({"kernel_size": (3, 3, 3)}, "pair"),
    ({"kernel_size": 3, "stride": 0}, "stride must be at least 1"),
    ({"kernel_size": 3, "padding": -1}, "padding must be at least 0"),
])
def test_conv2d_rejects_bad_sizes(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        nn.Conv2d(1, 1, **kwargs)


def test_linear_rejects_float_sizes():
    with pytest.raises(TypeError, match=r"in_features must be an int, but got 2\.0"):
        nn.Linear(2.0, 3)


def test_linear_with_a_weight_that_is_not_a_matrix_says_so():
    x = mlcore.tensor(np.ones((4, 3)))
    with pytest.raises(ValueError, match="matrix"):
        F.linear(x, mlcore.tensor(np.ones(3)))
