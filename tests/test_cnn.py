"""Chapter 8's network builder and data: mlcore.cnn and mlcore.data.digits, against torch and scikit-learn."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

import mlcore
from mlcore import nn
from mlcore.cnn import article_cnn, layer_shapes
from mlcore.data.digits import digit_images, stratified_split


@pytest.mark.parametrize("in_channels,total", [(3, 145_578), (1, 143_978)])
def test_the_article_network_has_torchs_layers_and_the_courses_parameter_count(in_channels, total):
    ours, theirs = article_cnn(in_channels), article_cnn(in_channels, lib=torch.nn)
    assert repr(ours) == str(theirs)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert sum(p.data.size for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters()) == total


@pytest.mark.parametrize("in_channels", [1, 3])
def test_layer_shapes_are_torchs_shape_after_every_layer(in_channels):
    rows = layer_shapes(article_cnn(in_channels), (2, in_channels, 32, 32))
    x, expected = torch.zeros(2, in_channels, 32, 32), []
    for layer in article_cnn(in_channels, lib=torch.nn):
        x = layer(x)
        expected.append((tuple(x.shape), sum(p.numel() for p in layer.parameters())))
    assert [(shape, count) for _, shape, count in rows] == expected
    assert [shape for _, shape, _ in rows][-1] == (2, 10)


def test_layer_shapes_runs_in_the_networks_dtype_and_records_no_graph():
    net = article_cnn(1).float()
    rows = layer_shapes(net, (1, 1, 32, 32))
    assert rows[0][1] == (1, 32, 32, 32)
    assert all(p.grad is None for p in net.parameters())


def test_layer_shapes_refuses_a_network_that_is_not_a_sequential():
    with pytest.raises(TypeError, match="follows the layers of an nn.Sequential one by one; got a Conv2d"):
        layer_shapes(nn.Conv2d(1, 2, 3), (1, 1, 8, 8))


def test_the_digits_are_scikit_learns_upsampled_as_torchs_nearest_interpolation():
    X, y = digit_images(size=32)
    digits = load_digits()
    assert X.shape == (1797, 1, 32, 32) and X.dtype == np.float32 and X.flags.c_contiguous
    np.testing.assert_array_equal(y, digits.target)
    expected = torch.nn.functional.interpolate(torch.tensor(digits.images[:, None] / 16.0, dtype=torch.float32),
                                               scale_factor=4, mode="nearest")
    np.testing.assert_array_equal(X, expected.numpy())
    assert X.min() == 0.0 and X.max() == 1.0


def test_three_channel_digits_repeat_the_grey_image_and_size_8_is_the_original():
    X3, _ = digit_images(size=16, channels=3, dtype=np.float64)
    assert X3.shape == (1797, 3, 16, 16) and X3.dtype == np.float64
    np.testing.assert_array_equal(X3[:, 0], X3[:, 2])
    X8, _ = digit_images(size=8)
    np.testing.assert_array_equal(X8[:, 0] * 16, load_digits().images.astype(np.float32))


@pytest.mark.parametrize("kwargs,match", [
    ({"size": 30}, "size must be a multiple of 8"),
    ({"size": 4}, "size must be a multiple of 8"),
    ({"channels": 2}, "channels must be 1 .grey. or 3"),
])
def test_digit_images_refuses_sizes_and_channels_it_cannot_make(kwargs, match):
    with pytest.raises(ValueError, match=match):
        digit_images(**kwargs)


def test_the_stratified_split_keeps_every_class_share_and_is_seeded():
    X, y = digit_images(size=8)
    X_train, X_test, y_train, y_test = stratified_split(X, y, test_fraction=0.2, seed=0)
    assert (len(y_train), len(y_test)) == (1437, 360)
    share = np.bincount(y_test, minlength=10) / np.bincount(y, minlength=10)
    assert np.all(np.abs(share - 0.2) < 0.02)
    again = stratified_split(X, y, test_fraction=0.2, seed=0)
    np.testing.assert_array_equal(again[3], y_test)
    assert not np.array_equal(stratified_split(X, y, test_fraction=0.2, seed=1)[3], y_test)
    rows = {image.tobytes(): label for image, label in zip(X, y)}
    assert all(rows[image.tobytes()] == label for image, label in zip(X_test, y_test))


@pytest.mark.parametrize("fraction", [0, 1.0, True, "0.2"])
def test_the_split_refuses_a_fraction_outside_zero_to_one(fraction):
    X, y = digit_images(size=8)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        stratified_split(X, y, test_fraction=fraction)


def test_the_network_trains_on_the_digits_in_float32_like_torch_for_a_step():
    X, y = digit_images()
    ours = article_cnn(1)
    theirs = article_cnn(1, lib=torch.nn)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    ours.float()
    theirs.float()
    loss = nn.CrossEntropyLoss()(ours(mlcore.tensor(X[:8])), mlcore.tensor(y[:8]))
    ref = torch.nn.CrossEntropyLoss()(theirs(torch.from_numpy(X[:8])), torch.from_numpy(y[:8]))
    assert loss.item() == pytest.approx(ref.item(), rel=1e-5)
