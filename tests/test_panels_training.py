"""Chapter 7's panels, headless, against torch: the playground trains what a torch loop trains and
draws what a torch network computes; the capacity panel's errors are torch's least squares; the
curves panel's runs are a torch loop with Adam.
"""

import numpy as np
import pytest
import torch

import mlcore
from mlcore.polynomial import polynomial_features
from mlcore.widgets import CapacityPanel, CurvesPanel, PlaygroundPanel
from mlcore.widgets.capacity import DEGREES
from mlcore.widgets.curves import LOSS_LIMITS
from mlcore.rate_sweep import EPOCHS, RATES, curve_data, curve_network, training_run
from mlcore.widgets.playground import BOUNDARY_CMAP, MAX_EPOCHS, RESOLUTION, make_network
from mlcore.seeded import seeded
from oracle import RTOL64

pytestmark = pytest.mark.filterwarnings("error")

TORCH_ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}


def torch_twin(panel):
    """The panel's network at epoch 0, in torch: same layers, same starting weights."""
    state = panel.state()
    with seeded(state["seed"]):
        ours = make_network(state["hidden_layers"], state["width"], state["activation"])
    layers, size = [], 2
    for _ in range(state["hidden_layers"]):
        layers += [torch.nn.Linear(size, state["width"]), TORCH_ACTIVATIONS[state["activation"]]()]
        size = state["width"]
    theirs = torch.nn.Sequential(*layers, torch.nn.Linear(size, 2))
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    return theirs


def torch_training(panel, epochs):
    """Train the torch twin on the panel's batches (the same orders, drawn from the same seed)."""
    state = panel.state()
    net = torch_twin(panel)
    optimizer = torch.optim.SGD(net.parameters(), lr=state["lr"], weight_decay=state["weight_decay"])
    X, y = (torch.tensor(a.data) for a in panel.train_set)
    orders = np.random.default_rng([state["seed"], 2])
    losses = []
    for _ in range(epochs):
        order = orders.permutation(len(y))
        for start in range(0, len(y), state["batch_size"]):
            batch = torch.tensor(order[start:start + state["batch_size"]])
            loss = torch.nn.functional.cross_entropy(net(X[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            losses.append(torch.nn.functional.cross_entropy(net(X), y).item())
    return net, losses


# ---------------------------------------------------------------- playground

@pytest.mark.parametrize("settings", [{}, {"dataset": "xor", "hidden_layers": 1, "width": 3, "activation": "relu",
                                           "lr": 0.3, "weight_decay": 0.01, "batch_size": 50, "seed": 4, "train_fraction": 0.6},
                                      {"dataset": "moons", "hidden_layers": 0, "batch_size": 100,
                                       "train_fraction": 0.7}])
def test_the_playground_trains_what_the_same_torch_loop_trains(settings):
    panel = PlaygroundPanel(**settings)
    panel.train_to(6)
    net, losses = torch_training(panel, 6)
    np.testing.assert_allclose(panel.curves["train_loss"][1:], losses, rtol=RTOL64)
    for name, value in net.state_dict().items():
        np.testing.assert_allclose(panel.net.state_dict()[name], value.numpy(), rtol=1e-9, atol=1e-12)
    X_test, y_test = (torch.tensor(a.data) for a in panel.test_set)
    with torch.no_grad():
        logits = net(X_test)
    assert panel.results()["test_loss"] == pytest.approx(
        torch.nn.functional.cross_entropy(logits, y_test).item(), rel=RTOL64)
    assert panel.results()["test_accuracy"] == (logits.argmax(1) == y_test).double().mean().item()
    assert panel.results()["epoch"] == 6 and panel.player.frame == 6


def test_the_boundary_and_neuron_maps_are_the_networks_outputs_over_the_plane():
    panel = PlaygroundPanel(width=3).train_to(4)
    net, _ = torch_training(panel, 4)
    grid = torch.tensor(panel.grid.data)
    with torch.no_grad():
        probability = torch.softmax(net(grid), 1)[:, 1].numpy().reshape(RESOLUTION, RESOLUTION)
        hidden = net[1](net[0](grid)).numpy()
    np.testing.assert_array_equal(panel.image.get_array(), BOUNDARY_CMAP(probability, bytes=True))
    mosaic = panel.neuron_image.get_array()
    for k in range(3):
        tile = BOUNDARY_CMAP((hidden[:, k].reshape(RESOLUTION, RESOLUTION)[::-1] + 1) / 2, bytes=True)
        np.testing.assert_array_equal(mosaic[panel.tiles[k]], tile)
    assert not mosaic[panel.tiles[3]].any(), "a neuron the network does not have is left blank"
    # the grid covers the drawn box, in the network's standardised coordinates
    corners = panel.grid.data[[0, -1]] * panel.std + panel.mean
    np.testing.assert_allclose(corners, [[-1.75, -1.75], [1.75, 1.75]])


def test_the_default_network_separates_the_circles_and_reset_starts_again():
    panel = PlaygroundPanel()
    start = panel.results()
    assert start["epoch"] == 0 and start["train_loss"] == pytest.approx(np.log(2), abs=0.1)
    panel.train_to(150)
    trained = panel.results()
    assert trained["train_accuracy"] >= 0.97 and trained["test_accuracy"] >= 0.9
    assert trained["train_loss"] < 0.1 < start["train_loss"]
    panel.player.reset()
    assert panel.results() == start and panel.player.frame == 0
    panel.train_to(150)
    assert panel.results() == trained, "the same settings train the same way every time"


def test_every_frame_moves_only_dynamic_artists_over_the_cached_background():
    panel = PlaygroundPanel()
    panel.fig.canvas.draw()
    full = panel.fig.full_draws
    for _ in range(30):
        panel.player.step()
        panel.fig.canvas.draw()
    assert panel.fig.full_draws == full
    assert panel.epoch_text.get_text() == "epoch 30" and "<b>epoch 30</b>" in panel.readout.value
    assert len(panel.train_line.get_xdata()) == 31
    panel.train_to(60)   # past the epoch axis: it doubles once
    panel.fig.canvas.draw()
    assert panel.loss_ax.get_xlim() == (0.0, 100.0) and panel.fig.full_draws == full + 1


def test_a_rate_too_high_shows_the_diverged_state_and_reset_clears_it():
    panel = PlaygroundPanel(lr=10.0)
    panel.train_to(20)
    assert panel.diverged.startswith("at epoch 2 the training loss passed 5 times its start")
    assert "lr = 10 is too high" in panel.diverged and panel.epoch == 2
    assert panel._diverged_text.get_visible() and not panel.player.play.playing
    panel.player.reset()
    assert panel.diverged is None and panel.epoch == 0
    panel.set_state(lr=0.1)
    panel.train_to(20)
    assert panel.diverged is None


def test_the_diverged_banner_fits_the_figure_on_two_lines():
    panel = PlaygroundPanel(lr=3.0)
    panel.train_to(20)
    assert panel.diverged and "lr = 3 is too high" in panel.diverged
    panel.fig.canvas.draw()
    box = panel._diverged_text.get_bbox_patch().get_window_extent(panel.fig.canvas.get_renderer())
    assert panel.fig.bbox.x0 < box.x0 and box.x1 < panel.fig.bbox.x1, f"the banner {box} is cut off"
    assert panel._diverged_text.get_text().count("\n") == 1


def test_the_state_holds_every_setting_and_rebuilds_the_same_run():
    panel = PlaygroundPanel(dataset="spiral", noise=0.2, seed=3, width=6, activation="sigmoid", n_samples=120)
    state = panel.state()
    assert state == {"dataset": "spiral", "noise": 0.2, "train_fraction": 0.5, "seed": 3, "hidden_layers": 2,
                     "width": 6, "activation": "sigmoid", "lr": pytest.approx(0.1), "weight_decay": 0.0,
                     "batch_size": 10, "n_samples": 120, "X": None, "y": None}
    panel.train_to(8)
    copy = PlaygroundPanel(**state).train_to(8)
    assert copy.results() == panel.results()
    assert len(copy.y_train) + len(copy.y_test) == 120


def test_building_a_panel_leaves_the_notebooks_random_numbers_alone():
    mlcore.manual_seed(11)
    expected = mlcore.randn(3).data
    mlcore.manual_seed(11)
    PlaygroundPanel(seed=5).train_to(2)
    np.testing.assert_array_equal(mlcore.randn(3).data, expected)


def test_your_own_data_any_scale_and_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2)) * [100.0, 0.01] + [500.0, -3.0]
    y = np.where(X[:, 0] > 500.0, "sick", "well")
    panel = PlaygroundPanel(X=X, y=y, hidden_layers=1)
    assert "dataset" not in panel.controls and "noise" not in panel.controls
    assert panel.class_names == ("sick", "well") and "class 1 is well" in panel.readout.value
    np.testing.assert_array_equal(panel.y_all, (y == "well").astype(int))
    np.testing.assert_allclose(panel.train_set[0].data.std(0), 1.0)  # standardised with the training points
    np.testing.assert_allclose(panel.train_set[0].data.mean(0), 0.0, atol=1e-12)
    x1_lo, x1_hi, x2_lo, x2_hi = panel.extent
    assert x1_lo < X[:, 0].min() and x1_hi > X[:, 0].max() and x2_lo < X[:, 1].min() < X[:, 1].max() < x2_hi
    panel.train_to(100)
    assert panel.results()["train_accuracy"] > 0.9
    state = panel.state()
    assert np.array_equal(np.array(state["X"]), X) and list(state["y"]) == list(y)
    assert PlaygroundPanel(**state).train_to(100).results() == panel.results()


@pytest.mark.parametrize("X,y,message", [
    (np.zeros((20, 3)), np.arange(20) % 2, r"shape \(N, 2\).*has shape \(20, 3\).*Pick two columns"),
    (np.zeros(20), np.arange(20) % 2, r"shape \(20,\).*stack two features"),
    (np.zeros((20, 2)), np.arange(19) % 2, r"one label per row of X, shape \(20,\)"),
    (np.zeros((20, 2)), np.arange(20) % 3, r"two classes, but y has 3 different labels \(0, 1, 2\)"),
    (np.zeros((20, 2)), np.eye(2)[np.arange(20) % 2], r"y.argmax\(1\)"),
    (np.zeros((6, 2)), np.arange(6) % 2, "needs at least 10"),
    (np.full((20, 2), np.nan), np.arange(20) % 2, "nan or inf"),
    ([["a", "b"]] * 20, np.arange(20) % 2, r"X must be numbers"),
    (np.zeros((20, 2)), None, r"bring both the points and their classes"),
])
def test_bad_data_of_your_own_is_refused_with_what_to_do(X, y, message):
    with pytest.raises(ValueError, match=message):
        PlaygroundPanel(X=X, y=y)


def test_bad_epochs_and_sizes_are_refused():
    panel = PlaygroundPanel()
    for bad in (-1, MAX_EPOCHS + 1, 2.5):
        with pytest.raises(ValueError, match=f"from 0 to {MAX_EPOCHS}"):
            panel.train_to(bad)
    with pytest.raises(ValueError, match="n_samples must be a whole number from 20 to 2000"):
        PlaygroundPanel(n_samples=5)
    with pytest.raises(ValueError, match="with your own data the panel uses all len"):
        PlaygroundPanel(X=np.zeros((20, 2)), y=np.arange(20) % 2, n_samples=20)


# ------------------------------------------------------------------ capacity

def test_capacity_errors_are_torchs_least_squares_fits():
    panel = CapacityPanel(n_samples=30, degree=5)
    x, y = panel.x_pool[:30], panel.y_pool[:30]
    errors = panel.errors()
    for degree in (0, 1, 3, 7, 12):
        V = torch.tensor(polynomial_features(x, degree))
        w = torch.linalg.lstsq(V, torch.tensor(y)[:, None], driver="gelsd").solution[:, 0]
        train = torch.mean((V @ w - torch.tensor(y)) ** 2).item()
        val = torch.mean((torch.tensor(polynomial_features(panel.x_val, degree)) @ w
                          - torch.tensor(panel.y_val)) ** 2).item()
        assert errors[degree] == pytest.approx((train, val), rel=1e-6)
    fit = panel.fit_line.get_ydata()
    np.testing.assert_allclose(fit, np.clip(polynomial_features(panel.x_plot, 5) @ panel.weights[5], -3, 3))
    assert list(panel.marker.get_xdata()) == [5, 5]


def test_capacity_shows_the_u_curve_and_what_data_and_weight_decay_do_to_it():
    panel = CapacityPanel()
    errors = panel.errors()
    train = [errors[d][0] for d in DEGREES]
    val = [errors[d][1] for d in DEGREES]
    assert all(a >= b - 1e-12 for a, b in zip(train, train[1:])), "more capacity never fits worse"
    best = int(np.argmin(val))
    assert 2 <= best <= 5 and val[1] > 1.5 * val[best] and val[15] > 100 * val[best]
    assert "lowest at degree 3" in panel.readout.value
    panel.set_state(n_samples=100)
    assert panel.errors()[15][1] < 2 * panel.errors()[3][1], "with 100 samples degree 15 overfits far less"
    panel.set_state(n_samples=20, weight_decay=1e-3)
    assert panel.errors()[15][1] < 0.01 * errors[15][1], "weight decay tames degree 15"


# -------------------------------------------------------------------- curves

def test_a_training_run_is_the_same_adam_loop_in_torch():
    X, y, X_val, y_val = (torch.tensor(a) for a in curve_data(0))
    with seeded(0):
        ours = curve_network()
    net = torch.nn.Sequential(torch.nn.Linear(1, 32), torch.nn.Tanh(), torch.nn.Linear(32, 32), torch.nn.Tanh(),
                              torch.nn.Linear(32, 1))
    net.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    train, val = [], []
    for _ in range(EPOCHS):
        loss = torch.nn.functional.mse_loss(net(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        train.append(loss.item())
        with torch.no_grad():
            val.append(torch.nn.functional.mse_loss(net(X_val), y_val).item())
    history = training_run(0.01)
    np.testing.assert_allclose(history.train_loss, train, rtol=1e-8)
    np.testing.assert_allclose(history.val_loss, val, rtol=1e-8)


def test_the_curves_panel_shows_the_run_up_to_the_chosen_epoch_and_marks_the_best():
    panel = CurvesPanel(lr=0.01, num_epochs=200)
    history = training_run(0.01)
    np.testing.assert_array_equal(panel.val_line.get_ydata(), np.clip(history.val_loss[:200], *LOSS_LIMITS))
    best = int(np.argmin(history.val_loss[:200])) + 1
    assert panel.curves()["best_epoch"] == best
    assert list(panel.best_mark.get_xdata()) == [best] and f"epoch {best}" in panel.readout.value


def test_the_axis_holds_every_loss_of_every_rate_so_no_spike_is_cut_off():
    panel = CurvesPanel()
    for lr in RATES:
        panel.set_state(lr=lr, num_epochs=EPOCHS)
        curves = panel.curves()
        for line, losses in ((panel.train_line, curves["train_loss"]), (panel.val_line, curves["val_loss"])):
            assert LOSS_LIMITS[0] < losses.min() and losses.max() < LOSS_LIMITS[1], f"lr = {lr} leaves the axis"
            np.testing.assert_array_equal(line.get_ydata(), losses)
    assert panel.ax.get_ylim() == LOSS_LIMITS
    assert max(panel.curves()["train_loss"]) > 100, "lr = 1's spike, guided task 3, is on the axis"


def test_the_three_shapes_of_the_guided_tasks():
    panel = CurvesPanel()
    panel.set_state(lr=0.001)   # underfitting: both high, close, still falling
    slow = panel.curves()
    assert slow["train_loss"][-1] > 0.08 and slow["val_loss"][-1] < 1.5 * 0.21
    assert slow["best_epoch"] == EPOCHS
    panel.set_state(lr=0.01)    # overfitting: the training loss falls on, the validation loss turns
    fit = panel.curves()
    assert fit["train_loss"][-1] < 0.3 * slow["train_loss"][-1]
    assert fit["val_loss"][-1] > 1.5 * fit["val_loss"].min() and 50 < fit["best_epoch"] < 150
    panel.set_state(lr=1.0)     # too high: jumps far above the start, and settles worse
    jumpy = panel.curves()
    assert jumpy["train_loss"][:50].max() > 10 * jumpy["train_loss"][0]
    assert jumpy["val_loss"][-1] > 3 * fit["val_loss"].min()
