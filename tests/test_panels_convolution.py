"""Chapter 8's panels, driven headless: the convolution panel, the feature-map panel, the training panel.

The mathematics each shows is compared with PyTorch (conv2d, the network's
feature maps and softmax) and with chapter 7's ``fit`` (the training run).
The feature-map and training panels get a small network and a few images,
so that a test trains in a fraction of a second.
"""

import numpy as np
import pytest
import torch

from mlcore import nn
from mlcore.data import DataLoader, TensorDataset
from mlcore.optim import Adam
from mlcore.seeded import seeded
from mlcore.train import fit
from mlcore.widgets import ConvolutionPanel, FeatureMapPanel, TrainingPanel
from mlcore.widgets.convolution import ENTRIES, KERNELS, kernel_settings, output_size
from mlcore.widgets.feature_maps import feature_maps, mosaic
from oracle import RTOL64

pytestmark = pytest.mark.filterwarnings("error")


# ------------------------------------------------------------ convolution panel

@pytest.fixture(scope="module")
def conv():
    return ConvolutionPanel()


@pytest.mark.parametrize("kernel", list(KERNELS))
@pytest.mark.parametrize("padding,stride", [(0, 1), (1, 1), (2, 1), (0, 2), (1, 3), (2, 2)])
def test_the_feature_map_is_torchs_conv2d_of_the_digit(conv, kernel, padding, stride):
    conv.set_state(**kernel_settings(kernel), padding=padding, stride=stride, digit=7)
    shown = conv.results()
    image = torch.from_numpy(conv.images[7][None, None])
    expected = torch.nn.functional.conv2d(image, torch.tensor(KERNELS[kernel])[None, None], padding=padding,
                                          stride=stride)[0, 0].numpy()
    np.testing.assert_allclose(shown["output"], expected, rtol=RTOL64, atol=1e-12)
    np.testing.assert_array_equal(conv.output_image.get_array(), expected)
    size = (16 + 2 * padding - 3) // stride + 1
    assert shown["output_size"] == size == output_size(16, 3, padding, stride) == expected.shape[0]
    assert f"⌊(16 + 2·{padding} − 3) / {stride}⌋ + 1 = {size} " in conv.formula.get_text()
    assert conv.output_image.get_extent() == [-0.5, size - 0.5, size - 0.5, -0.5]


def test_the_window_on_the_input_is_the_one_the_highlighted_output_pixel_reads(conv):
    conv.set_state(**kernel_settings("sharpen"), padding=1, stride=2, row=3, col=5, digit=2)
    shown = conv.results()
    top, left = 3 * 2 - 1, 5 * 2 - 1
    assert conv.window.get_xy() == (left - 0.5, top - 0.5)
    assert conv.output_pixel.get_xy() == (5 - 0.5, 3 - 0.5)
    window = shown["input"][3 * 2:3 * 2 + 3, 5 * 2:5 * 2 + 3]  # the padded input's rows and columns
    value = float(np.sum(window * shown["kernel"]))
    assert value == pytest.approx(shown["output"][3, 5], rel=RTOL64)
    assert f"input rows {top} to {top + 2}, columns {left} to {left + 2}" in conv.readout.value
    assert f"<b>{value:.4g}</b>" in conv.readout.value


def test_a_window_past_the_edge_of_a_small_output_shows_the_last_one(conv):
    conv.set_state(padding=0, stride=3, row=17, col=2)
    assert conv.results()["position"] == (4, 2)
    assert "the output has 5 rows and columns, so the last window is shown" in conv.readout.value
    assert conv.state()["row"] == 17  # the setting stays as given


def test_the_identity_kernel_returns_the_digit_and_padding_shows_as_zeros(conv):
    conv.set_state(**kernel_settings("identity"), padding=2, stride=1, digit=5)
    shown = conv.results()
    np.testing.assert_array_equal(shown["output"][1:-1, 1:-1], conv.images[5])
    assert shown["input"].shape == (20, 20) and not shown["input"][:2].any() and not shown["input"][:, :2].any()
    assert conv.input_image.get_extent() == [-2.5, 17.5, 17.5, -2.5]


def test_the_preset_buttons_load_their_kernel_and_an_edited_entry_changes_the_map(conv):
    conv.set_state(padding=1, stride=1)
    blur = next(button for button in conv.preset_buttons if button.description == "blur")
    blur.click()
    assert [conv.state()[name] for name in ENTRIES] == np.ravel(KERNELS["blur"]).tolist()
    before = conv.results()["output"].copy()
    conv.controls["k11"].value = 1.0  # the centre weight, 0.25 in the blur: each output gains 0.75 x its centre
    shown = conv.results()
    np.testing.assert_allclose(shown["output"] - before, 0.75 * shown["input"][1:-1, 1:-1], atol=1e-12)
    assert conv.kernel_text[1].get_text().split() == ["0.125", "1", "0.125"]


def test_kernel_settings_refuses_an_unknown_preset():
    with pytest.raises(ValueError, match="no kernel preset named 'emboss'; the presets are edges x, edges y"):
        kernel_settings("emboss")


# ------------------------------------------------------------ a small network for the other panels

def small_network(seed=0):
    """Conv(1 -> 3, 3x3, padding 1), pool, conv(3 -> 4), pool, flatten, Linear(16, 10): 8x8 images."""
    with seeded(seed):
        return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.MaxPool2d(2), nn.Conv2d(3, 4, 3, padding=1),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16, 10))


def small_data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 10
    X = rng.normal(0.0, 0.3, (n, 1, 8, 8)) + (y / 10.0)[:, None, None, None]  # the class is the brightness
    return TensorDataset(X, y)


def torch_copy(net):
    layers = []
    for layer in net:
        if isinstance(layer, nn.Conv2d):
            layers.append(torch.nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size,
                                          padding=layer.padding))
        elif isinstance(layer, nn.MaxPool2d):
            layers.append(torch.nn.MaxPool2d(layer.kernel_size))
        elif isinstance(layer, nn.Flatten):
            layers.append(torch.nn.Flatten())
        else:
            layers.append(torch.nn.Linear(layer.in_features, layer.out_features))
    copy = torch.nn.Sequential(*layers)
    copy.load_state_dict({name: torch.from_numpy(value) for name, value in net.state_dict().items()})
    return copy


# ------------------------------------------------------------ feature-map panel

@pytest.mark.parametrize("index", [0, 7, 23])
def test_the_feature_maps_and_probabilities_are_torchs(index):
    net, data = small_network(), small_data()
    panel = FeatureMapPanel(index=index, net=net, dataset=data)
    shown = panel.results()
    reference = torch_copy(net)
    x = torch.from_numpy(data.tensors[0].data[index][None])
    expected_maps = []
    with torch.no_grad():
        for layer in reference:
            x = layer(x)
            if isinstance(layer, torch.nn.Conv2d):
                expected_maps.append(x[0].numpy())
        expected_p = torch.softmax(x, dim=1)[0].numpy()
    for got, expected, image in zip(shown["maps"], expected_maps, panel.map_images):
        np.testing.assert_allclose(got, expected, rtol=RTOL64, atol=1e-12)
        np.testing.assert_array_equal(np.asarray(image.get_array().filled(np.nan)), mosaic(got))
    np.testing.assert_allclose(shown["probabilities"], expected_p, rtol=RTOL64, atol=1e-12)
    np.testing.assert_allclose([bar.get_height() for bar in panel.bars], expected_p, rtol=RTOL64, atol=1e-12)
    label = int(data.tensors[1].data[index])
    assert f"test image {index}, a <b>{label}</b>: the network says <b>{expected_p.argmax()}</b>" in panel.readout.value


def test_the_mosaic_tiles_the_maps_row_by_row_with_blank_gaps():
    maps = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    tiles = mosaic(maps, columns=2)
    assert tiles.shape == (3 * 3 - 1, 2 * 4 - 1)
    np.testing.assert_array_equal(tiles[0:2, 4:7], maps[1])
    np.testing.assert_array_equal(tiles[6:8, 0:3], maps[4])
    assert np.isnan(tiles[2]).all() and np.isnan(tiles[6:8, 4:7]).all()


def test_feature_maps_follow_every_convolution_of_the_network():
    maps, p = feature_maps(small_network(), small_data().tensors[0].data[0])
    assert [m.shape for m in maps] == [(3, 8, 8), (4, 4, 4)]
    assert p.shape == (10,) and p.sum() == pytest.approx(1.0)


def test_the_default_feature_map_panel_shows_the_untrained_article_network_on_the_test_digits():
    panel = FeatureMapPanel()
    assert sum(p.data.size for p in panel.net.parameters()) == 143_978
    assert len(panel.images) == 360 and panel.images.shape[1:] == (1, 32, 32)
    assert [m.shape for m in panel.results()["maps"]] == [(32, 32, 32), (32, 16, 16), (64, 8, 8)]


def test_the_feature_map_panel_needs_both_a_network_and_its_images():
    with pytest.raises(ValueError, match="needs both a network and the images"):
        FeatureMapPanel(net=small_network())


# ------------------------------------------------------------ training panel

def training_panel(**controls):
    train, val = small_data(40, seed=0), small_data(20, seed=1)
    return TrainingPanel(net=small_network(), train_set=train, val_set=val, **controls)


def test_the_training_panel_records_what_fit_records_for_the_same_run():
    panel = training_panel(lr=0.01, num_epochs=4, batch_size=16)
    panel.train_to(4)
    net = small_network()
    history = fit(net, nn.CrossEntropyLoss(), Adam(net.parameters(), lr=0.01),
                  DataLoader(small_data(40, seed=0), batch_size=16, shuffle=True, generator=np.random.default_rng(0)),
                  DataLoader(small_data(20, seed=1), batch_size=256), num_epochs=4, progress=False)
    for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(getattr(panel.history, name), getattr(history, name), rtol=RTOL64)
    for mine, theirs in zip(panel.net.parameters(), net.parameters()):
        np.testing.assert_allclose(mine.data, theirs.data, rtol=RTOL64)
    np.testing.assert_allclose(panel.lines["val_accuracy"].get_ydata(), history.val_accuracy)
    np.testing.assert_array_equal(panel.lines["train_loss"].get_xdata(), [1, 2, 3, 4])
    assert panel.progress.value == panel.progress.max == 4
    assert panel.results()["epochs"] == 4 and "<b>epoch 4</b>" in panel.readout.value


def test_step_trains_one_epoch_and_reset_or_a_new_rate_starts_from_the_initial_weights():
    panel = training_panel(lr=0.01, num_epochs=3, batch_size=16)
    start = [p.data.copy() for p in panel.net.parameters()]
    panel.player.step()
    assert len(panel.history.train_loss) == 1 and panel.player.frame == 1
    assert not np.array_equal(next(iter(panel.net.parameters())).data, start[0])
    first_run = list(panel.history.val_loss)
    panel.player.reset()
    assert panel.history.train_loss == [] and panel.progress.value == 0
    for param, initial in zip(panel.net.parameters(), start):
        np.testing.assert_array_equal(param.data, initial)
    panel.player.step()
    assert panel.history.val_loss == first_run  # the same run again: same weights, same batches
    panel.set_state(lr=0.001)
    assert panel.history.train_loss == [] and panel.player.frame == 0
    assert "lr = 0.001" in panel.settings_text.get_text()


def test_a_rate_that_overflows_shows_the_diverged_state_and_stops_playing():
    train = small_data(40)
    train.tensors[0].data[5] = np.inf  # one image of inf: its logits, the loss and every weight become nan
    panel = TrainingPanel(net=small_network(), train_set=train, val_set=small_data(20, seed=1), lr=0.1, num_epochs=3)
    panel.player.play.playing = True
    panel.train_to(3)
    assert panel.history.diverged_at == 1 and len(panel.history.train_loss) == 1
    assert panel.diverged.startswith("at epoch 1 the loss stopped being a number; lr = 0.1 is too high")
    assert panel.player.play.playing is False
    assert panel._diverged_text.get_visible()


def test_a_loss_above_the_scale_is_marked_at_the_top_edge_with_its_value():
    panel = training_panel(lr=0.01, num_epochs=2, batch_size=16)
    panel.history.train_loss, panel.history.val_loss = [2.44e5, 0.5], [9.43e4, 0.4]
    panel.history.train_accuracy, panel.history.val_accuracy = [0.1, 0.5], [0.1, 0.5]
    panel._draw_curves()
    np.testing.assert_array_equal(panel.clipped["train"].get_xdata(), [1])
    np.testing.assert_array_equal(panel.clipped["val"].get_ydata(), [10.0])
    assert panel.clipped_text.get_text() == ("\N{BLACK UP-POINTING TRIANGLE} loss above 10:\n"
                                             "training 2.44e+05 (epoch 1)\nvalidation 9.43e+04 (epoch 1)")
    panel.history.train_loss, panel.history.val_loss = [0.7, 0.5], [0.6, 0.4]
    panel._draw_curves()
    assert panel.clipped_text.get_text() == "" and len(panel.clipped["train"].get_xdata()) == 0


def test_the_play_interval_follows_the_time_an_epoch_takes():
    panel = training_panel(num_epochs=2)
    panel.train_to(1)
    assert panel.player.play.interval >= 1000
    assert panel.progress_text.value.endswith("s per epoch")


def test_train_to_refuses_an_epoch_past_the_run():
    with pytest.raises(ValueError, match="epoch must be a whole number from 0 to num_epochs = 2, got 3"):
        training_panel(num_epochs=2).train_to(3)


def test_the_training_panel_needs_a_network_and_both_data_sets():
    with pytest.raises(ValueError, match="needs a network and both data sets"):
        TrainingPanel(net=small_network(), train_set=small_data())


def test_the_default_training_panel_trains_the_article_network_on_the_digits_split():
    panel = TrainingPanel()
    assert sum(p.data.size for p in panel.net.parameters()) == 143_978
    assert next(iter(panel.net.parameters())).data.dtype == np.float32
    # The training part of the 80/20 split, split again: the 360 test images are not the validation set.
    assert (len(panel.train_set), len(panel.val_set)) == (1149, 288)
    assert np.bincount(panel.val_set.tensors[1].data).min() >= 28
    assert panel.history.train_loss == [] and panel.player.num_frames == 8
