"""The live panels of mlcore.widgets, driven headless: set a control, read the artists.

Setting ``.value`` on an ipywidget runs its observers synchronously, so no
kernel is needed; figures draw with Agg. Every warning is an error here: a
panel must show a diverged state instead of printing numpy warnings.
"""

import base64
import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
import textwrap

import ipywidgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import mlcore.widgets
from mlcore.plots import mark_dynamic
from mlcore.widgets import ErrorBarPanel, LossShapePanel, OutlierPanel, SaturationPanel, SoftmaxPanel
from mlcore.widgets.base import Diverged, Panel
from mlcore.widgets.controls import jump_values, log_slider, sweep_values
from mlcore.widgets.line_fits import fit_huber, fit_mae, fit_mse
from oracle import RTOL64

pytestmark = pytest.mark.filterwarnings("error")

PANELS = [getattr(mlcore.widgets, name) for name in mlcore.widgets.__all__]


def t(values):
    return torch.tensor(np.asarray(values, dtype=np.float64))


def all_artists(fig):
    return [artist for artist in fig.findobj() if artist is not fig]


def sweep(panel, count=5):
    """Set every control of a panel to `count` values over its range, one control at a time."""
    for name, control in panel.controls.items():
        for value in sweep_values(control, count):
            control.value = value
            yield name, value


# ------------------------------------------------------------ every panel

def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_all_is_the_registry_of_every_panel_and_its_chapter():
    for module in pkgutil.iter_modules(mlcore.widgets.__path__):
        importlib.import_module(f"mlcore.widgets.{module.name}")
    # A base class for panels (Panel, SteppedPanel) names no chapter and is not a panel itself.
    defined = {cls for cls in _subclasses(Panel)
               if cls.__module__.startswith("mlcore.widgets.") and cls.chapter is not None}
    bases = {cls for cls in _subclasses(Panel)
             if cls.__module__.startswith("mlcore.widgets.") and cls.chapter is None}
    assert all(cls.__subclasses__() for cls in bases), \
        f"a Panel subclass without `chapter` must be a base of other panels: {bases}"
    assert len(set(mlcore.widgets.__all__)) == len(mlcore.widgets.__all__), "a panel listed twice"
    assert set(PANELS) == defined, "every Panel subclass in mlcore.widgets is listed in __all__, and only those"
    assert {"OutlierPanel", "LossShapePanel", "ErrorBarPanel", "SoftmaxPanel", "SaturationPanel"} \
        <= set(mlcore.widgets.__all__)
    for cls in PANELS:
        assert type(cls.chapter) is int and cls.chapter >= 1, f"{cls.__name__}.chapter must name its chapter"
    assert OutlierPanel.chapter == 1 and SoftmaxPanel.chapter == 2


@pytest.mark.parametrize("cls", PANELS, ids=lambda cls: cls.__name__)
def test_panel_builds_with_no_arguments_and_exposes_controls_and_figure(cls):
    panel = cls()
    assert isinstance(panel.fig, Figure)
    assert panel.controls and all(isinstance(c, ipywidgets.ValueWidget) for c in panel.controls.values())
    assert panel.state() == {**{name: c.value for name, c in panel.controls.items()}, **panel.settings}
    assert panel.diverged is None
    assert panel.caption.value, "every panel asks its question in a caption"


@pytest.mark.parametrize("cls", PANELS, ids=lambda cls: cls.__name__)
def test_every_control_changes_the_picture_in_place_without_new_figures(cls):
    plt.close("all")
    panel = cls()
    panel.fig.canvas.draw()
    artists = all_artists(panel.fig)
    axes = list(panel.fig.axes)
    for name, control in panel.controls.items():
        pictures = {_picture(panel)}
        for value in sweep_values(control, 3):
            full_draws = panel.fig.full_draws
            control.value = value
            panel.fig.canvas.draw()
            pictures.add(_picture(panel))
            assert panel.fig.full_draws == full_draws, f"{name}={value!r} redrew the background"
        assert len(pictures) > 1, f"changing {name} did not change the picture"
    assert plt.get_fignums() == []
    assert list(panel.fig.axes) == axes
    assert len(all_artists(panel.fig)) == len(artists)
    assert all(a is b for a, b in zip(all_artists(panel.fig), artists))


@pytest.mark.parametrize("cls", PANELS, ids=lambda cls: cls.__name__)
def test_jumps_across_the_range_and_set_state_keep_the_cached_background(cls):
    # A jump must not change axis limits: new limits redraw the whole figure
    # (~50 ms), over the 30 ms a move may take (benchmarks/bench_panels.py).
    panel = cls()
    panel.fig.canvas.draw()
    full_draws = panel.fig.full_draws
    for name, control in panel.controls.items():
        for value in jump_values(control, 6):
            control.value = value
            panel.fig.canvas.draw()
            assert panel.fig.full_draws == full_draws, f"{name}={value!r} redrew the background"
    for k in range(6):
        setting = {name: jump_values(control, 6)[k] for name, control in panel.controls.items()}
        panel.set_state(setting)
        panel.fig.canvas.draw()
        assert panel.fig.full_draws == full_draws, f"set_state({setting}) redrew the background"


def _picture(panel):
    """Everything a control can change: dynamic artists' data and visibility, and the readout."""
    parts = [panel.readout.value]
    for artist in panel.fig.dynamic_artists() + [a for a in panel.fig.findobj() if a.get_animated()]:
        parts.append(repr(artist.get_visible()))
        for getter in ("get_xydata", "get_xy", "get_height", "get_text", "get_segments", "get_position"):
            if hasattr(artist, getter):
                parts.append(repr(np.asarray(getattr(artist, getter)(), dtype=object).tolist()))
    return "".join(parts)


@pytest.mark.parametrize("cls", PANELS, ids=lambda cls: cls.__name__)
def test_every_setting_over_the_full_range_stays_finite_and_quiet(cls):
    panel = cls()
    for name, value in sweep(panel, count=7):
        assert panel.diverged is None, f"{cls.__name__} diverged at {name}={value}"
        for artist in panel.fig.dynamic_artists():
            if hasattr(artist, "get_xydata"):
                assert np.all(np.isfinite(artist.get_xydata())), f"{name}={value}"
            if hasattr(artist, "get_height"):
                assert np.isfinite(artist.get_height()), f"{name}={value}"


@pytest.mark.parametrize("cls", PANELS, ids=lambda cls: cls.__name__)
def test_state_round_trip_and_reset(cls):
    panel = cls()
    defaults = panel.state()
    picture = _picture(panel)
    changed = {name: sweep_values(control, 3)[1] for name, control in panel.controls.items()}
    panel.set_state(changed)
    assert panel.state() == {**defaults, **changed}
    moved = _picture(panel)
    assert moved != picture
    written_down = panel.state()
    panel.reset()
    assert panel.state() == defaults
    assert _picture(panel) == picture
    panel.set_state(written_down)
    assert _picture(panel) == moved
    assert cls(**{k: v for k, v in written_down.items()}).state() == written_down


@pytest.mark.parametrize("cls", PANELS, ids=lambda cls: cls.__name__)
def test_state_holds_every_argument_of_the_constructor(cls):
    arguments = set(inspect.signature(cls).parameters) - {"caption"}
    assert set(cls().state()) == arguments, "state() must hold every setting the panel was built with"
    assert set(cls().settings) == arguments - set(cls().controls)


@pytest.mark.parametrize("cls", PANELS, ids=lambda cls: cls.__name__)
def test_a_panel_built_from_its_state_is_the_same_panel(cls):
    panel = cls()
    panel.set_state({name: sweep_values(control, 5)[3] for name, control in panel.controls.items()})
    copy = cls(**panel.state())
    assert copy.state() == panel.state()
    assert _picture(copy) == _picture(panel)
    np.testing.assert_array_equal(_pixels(copy), _pixels(panel))
    fresh = cls()
    fresh.set_state(fresh.state())  # a whole state, settings included, is accepted back
    assert fresh.state() == cls().state()


def _pixels(panel):
    panel.fig.canvas.draw()
    return np.asarray(panel.fig.canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("cls,settings", [
    (OutlierPanel, {"seed": 3, "n_points": 6}),
    (ErrorBarPanel, {"x": (0.0, 1.0, 2.5, 4.0), "y": (2.0, -1.0, 3.0, 0.5)}),
])
def test_settings_fixed_at_build_time_come_back_from_the_state(cls, settings):
    panel = cls(**settings)
    assert {name: panel.state()[name] for name in settings} == settings
    copy = cls(**panel.state())
    np.testing.assert_array_equal(copy.x, panel.x)
    np.testing.assert_array_equal(copy.y, panel.y)
    assert _picture(copy) == _picture(panel)
    assert not np.array_equal(cls().y, panel.y)
    name, value = next(iter(settings.items()))
    with pytest.raises(ValueError, match=rf"{cls.__name__}: {name} is fixed when the panel is built.*"
                                         rf"build a new panel instead: {cls.__name__}\(\*\*state\)"):
        cls().set_state({name: value})
    panel.set_state({name: list(value) if isinstance(value, tuple) else value})  # its own value is fine


@pytest.mark.parametrize("cls", PANELS, ids=lambda cls: cls.__name__)
def test_bad_settings_are_refused_with_the_allowed_values_and_change_nothing(cls):
    panel = cls()
    before = panel.state()
    with pytest.raises(ValueError, match="has no control named nonsense; its controls are"):
        panel.set_state(nonsense=1.0)
    # A number far outside a slider's range, or, for a panel of choices only, a value no choice has.
    name, refusal = next(((n, "outside the slider's range") for n, c in panel.controls.items()
                          if isinstance(c, (ipywidgets.FloatSlider, ipywidgets.FloatLogSlider))),
                         (next(iter(panel.controls)), "is not one of the choices"))
    first = next(iter(panel.controls))
    with pytest.raises(ValueError, match=refusal):
        panel.set_state({first: sweep_values(panel.controls[first], 2)[0], name: 1e6})
    assert panel.state() == before
    with pytest.raises(ValueError, match=refusal):
        cls(**{name: -1e6})


def test_choices_checkboxes_and_log_sliders_refuse_what_they_cannot_hold():
    with pytest.raises(ValueError, match=r"ErrorBarPanel: loss='huber' is not one of the choices \['mse', 'mae'\]"):
        ErrorBarPanel().set_state(loss="huber")
    with pytest.raises(ValueError, match="show_mae=1 must be True or False"):
        LossShapePanel().set_state(show_mae=1)
    with pytest.raises(ValueError, match="z=nan is not a number"):
        SaturationPanel().set_state(z=float("nan"))
    with pytest.raises(ValueError, match="needs 0 < low < high"):
        log_slider("lr", 0.1, 0.0, 1.0)
    panel = LossShapePanel()
    panel.set_state(delta=5.0)  # the top of a log slider is 10**0.699..., which rounds
    assert panel.state()["delta"] == pytest.approx(5.0, rel=1e-12)


@pytest.mark.parametrize("cls", PANELS, ids=lambda cls: cls.__name__)
def test_display_shows_one_widget_box_with_a_png_fallback(cls, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    panel = cls()
    panel._ipython_display_()
    assert len(shown) == 1
    (bundle,), options = shown[0]
    assert options == {"raw": True}
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == panel.widget.model_id
    assert bundle["text/plain"] == repr(panel)
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    box = panel.widget
    assert isinstance(box, ipywidgets.VBox)
    assert panel.readout in box.children and panel.caption in box.children
    image = box.children[1]
    assert isinstance(image, ipywidgets.Image)
    before = image.value
    name, control = next(iter(panel.controls.items()))
    control.value = sweep_values(control, 2)[0]
    assert image.value != before, "the PNG fallback must follow the controls"


@pytest.fixture
def keep_backend():
    """Importing ipympl switches matplotlib to its backend; switch back afterwards."""
    backend = matplotlib.get_backend()
    yield
    plt.switch_backend(backend)


@pytest.mark.parametrize("cls", PANELS, ids=lambda cls: cls.__name__)
def test_with_ipympl_the_figure_canvas_is_the_widget(cls, monkeypatch, keep_backend):
    from ipympl.backend_nbagg import Canvas

    monkeypatch.setattr(mlcore.widgets.canvas, "ipympl_active", lambda: True)
    plt.close("all")
    panel = cls()
    assert isinstance(panel.fig.canvas, Canvas)
    assert panel.widget.children[1] is panel.fig.canvas
    assert not panel.fig.canvas.header_visible and not panel.fig.canvas.toolbar_visible
    for _ in sweep(panel, count=2):
        pass
    assert plt.get_fignums() == [], "panels must not register figures with pyplot"


@pytest.mark.parametrize("backend,expected", [("widget", True), ("module://ipympl.backend_nbagg", True),
                                              ("agg", False)])
def test_ipympl_is_detected_from_the_matplotlib_backend(backend, expected):
    # A fresh interpreter, as in a notebook whose first cell is `%matplotlib widget`.
    code = textwrap.dedent("""
        import matplotlib.pyplot as plt
        from mlcore.widgets import OutlierPanel
        from mlcore.widgets.canvas import ipympl_active
        panel = OutlierPanel()
        panel.controls["outlier_y"].value = 3.0
        print(ipympl_active(), type(panel.fig.canvas).__module__, plt.get_fignums())
    """)
    env = {**os.environ, "MPLBACKEND": backend}
    out = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", code], env=env,
                         check=True, capture_output=True, text=True).stdout.split()
    canvas_module = "ipympl.backend_nbagg" if expected else "matplotlib.backends.backend_agg"
    assert out == [str(expected), canvas_module, "[]"]


def test_importing_mlcore_imports_no_plotting_and_widgets_import_no_pyplot():
    code = textwrap.dedent("""
        import sys
        import mlcore
        assert not {"matplotlib", "ipywidgets", "torch"} & set(sys.modules), "import mlcore"
        import mlcore.widgets, mlcore.plots
        assert "matplotlib.pyplot" not in sys.modules, "pyplot"
        assert "torch" not in sys.modules, "torch"
    """)
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------- divergence

class GradientDescentPanel(Panel):
    """A test panel: 300 steps of gradient descent on x**2 from x = 1, which diverge for lr > 1.

    With ``guard`` it checks the iterate and raises Diverged itself; without,
    numpy's overflow is what stops it.
    """

    question = "Which learning rates diverge?"

    def __init__(self, lr=0.1, guard=True):
        self.guard = guard
        super().__init__({"lr": log_slider("lr", lr, 1e-3, 1e3)})

    def _build(self):
        ax = self.fig.add_subplot()
        (self.line,) = ax.plot([], [])
        mark_dynamic(self.line)

    def _update(self, state):
        path = [1.0]
        for _ in range(300):
            path.append(path[-1] - state["lr"] * 2 * path[-1])
            if self.guard and abs(path[-1]) > 1e6:
                raise Diverged(f"|x| passed 1e6 after {len(path) - 1} steps at lr = {state['lr']:g}")
        self.line.set_data(np.arange(len(path)), np.array(path) * np.array(path))
        self.readout.value = f"final x = {path[-1]:.3g}"


@pytest.mark.parametrize("guard,message", [(True, "passed 1e6 after 3 steps"), (False, "overflow")])
def test_a_diverging_setting_shows_the_diverged_state_without_warnings(guard, message):
    panel = GradientDescentPanel(guard=guard)
    assert panel.diverged is None
    panel.controls["lr"].value = 100.0
    assert message in panel.diverged
    assert panel._diverged_text.get_visible()
    assert panel._diverged_text.get_text() == f"diverged: {panel.diverged}"
    assert "diverged" in panel.readout.value
    panel.fig.canvas.draw()
    assert panel.fig.background_valid, "the diverged message is drawn over the cached background"
    panel.controls["lr"].value = 0.1
    assert panel.diverged is None and not panel._diverged_text.get_visible()
    assert panel.readout.value.startswith("final x")


def banner_extent(panel):
    """The diverged banner's box, frame included, in the figure's pixels after a draw."""
    panel.fig.canvas.draw()
    return panel._diverged_text.get_bbox_patch().get_window_extent(panel.fig.canvas.get_renderer())


@pytest.mark.parametrize("cls", PANELS, ids=lambda cls: cls.__name__)
def test_a_long_diverged_message_wraps_inside_the_figure(cls):
    panel = cls()
    words = "the loss passed five times its start at this learning rate; lower it, or press reset"
    panel._show_diverged(f"{words}, {words}")
    box, figure = banner_extent(panel), panel.fig.bbox
    assert figure.x0 < box.x0 and box.x1 < figure.x1 and figure.y0 < box.y0 and box.y1 < figure.y1, \
        f"the banner {box} leaves the figure {figure}"
    assert panel._diverged_text.get_text().count("\n") >= 1, "a message wider than the figure is wrapped"


@pytest.mark.parametrize("cls", PANELS, ids=lambda cls: cls.__name__)
def test_a_fast_draw_shows_the_same_pixels_as_a_full_redraw(cls):
    panel = cls()
    panel.fig.canvas.draw()
    for name, control in panel.controls.items():
        control.value = sweep_values(control, 2)[0]
    panel.fig.canvas.draw()
    fast = np.asarray(panel.fig.canvas.buffer_rgba()).copy()
    panel.fig.stale = True  # throw the cached background away
    full_draws = panel.fig.full_draws
    panel.fig.canvas.draw()
    assert panel.fig.full_draws == full_draws + 1
    np.testing.assert_array_equal(fast, np.asarray(panel.fig.canvas.buffer_rgba()))


# ---------------------------------------------------------------- outlier

def _line_params(line):
    xs, ys = line.get_data()
    slope = (ys[1] - ys[0]) / (xs[1] - xs[0])
    return slope, ys[0] - slope * xs[0]


def _data(panel):
    state = panel.state()
    return np.append(panel.x, state["outlier_x"]), np.append(panel.y, state["outlier_y"])


@pytest.mark.parametrize("outlier", [(12.0, 20.0), (3.0, -8.0), (15.0, 30.0), (5.0, 3.0)])
def test_outlier_mse_line_is_numpys_least_squares_fit(outlier):
    panel = OutlierPanel(*outlier)
    x, y = _data(panel)
    np.testing.assert_allclose(_line_params(panel.lines["mse"]), np.polyfit(x, y, 1), rtol=1e-9)


@pytest.mark.parametrize("outlier", [(12.0, 20.0), (3.0, -8.0), (15.0, 30.0), (9.5, 5.0)])
def test_outlier_mae_line_minimises_the_absolute_error(outlier):
    panel = OutlierPanel(*outlier)
    x, y = _data(panel)
    slope, intercept = _line_params(panel.lines["mae"])

    def l1(s, b):
        return np.abs(np.multiply.outer(s, x) + np.asarray(b)[..., None] - y).mean(axis=-1)

    best = l1(slope, intercept)
    np.testing.assert_allclose(best, torch.nn.functional.l1_loss(t(slope * x + intercept), t(y)).item(),
                               rtol=RTOL64)
    # Brute force: no line on a fine grid around it, nor any nearby line, does better.
    slopes, intercepts = np.meshgrid(np.linspace(slope - 2, slope + 2, 401),
                                     np.linspace(intercept - 5, intercept + 5, 401))
    assert best <= l1(slopes, intercepts).min() + 1e-12
    for ds, db in [(1e-6, 0), (-1e-6, 0), (0, 1e-6), (0, -1e-6), (1e-6, -1e-5), (-1e-6, 1e-5)]:
        assert best <= l1(slope + ds, intercept + db) + 1e-15
    # An L1 line passes through (at least) two data points.
    assert np.sum(np.isclose(slope * x + intercept, y, atol=1e-9)) >= 2


@pytest.mark.parametrize("delta", [0.1, 1.0, 3.0, 10.0])
@pytest.mark.parametrize("outlier", [(12.0, 20.0), (2.0, -9.0)])
def test_outlier_huber_line_is_where_torchs_huber_gradient_vanishes(delta, outlier):
    panel = OutlierPanel(*outlier, delta=delta)
    x, y = _data(panel)
    params = torch.tensor(_line_params(panel.lines["huber"]), requires_grad=True)
    loss = torch.nn.functional.huber_loss(params[0] * t(x) + params[1], t(y), delta=delta)
    loss.backward()
    np.testing.assert_allclose(params.grad.numpy(), 0.0, atol=1e-9)


def test_outlier_huber_with_a_large_delta_is_the_mse_fit():
    x = np.linspace(0, 9, 10)
    y = 1 + 0.5 * x
    np.testing.assert_allclose(fit_huber(x, y + np.sin(x), 100.0), fit_mse(x, y + np.sin(x)), rtol=1e-10)


def _slopes(panel):
    return {name: _line_params(line)[0] for name, line in panel.lines.items()}


def test_moving_the_outlier_moves_the_mae_line_less_than_the_mse_line():
    panel = OutlierPanel(outlier_x=12.0, outlier_y=5.0)
    before = _slopes(panel)
    panel.controls["outlier_y"].value = 30.0
    moved = {name: abs(slope - before[name]) for name, slope in _slopes(panel).items()}
    assert moved["mse"] > 1.0
    assert moved["mae"] < 0.2 * moved["mse"]
    assert moved["huber"] < 0.2 * moved["mse"]


def test_once_far_away_the_outlier_no_longer_moves_the_mae_and_huber_lines():
    # Beyond delta only the sign of a residual enters the MAE and Huber gradients,
    # so pulling the outlier further changes nothing; MSE keeps following it.
    panel = OutlierPanel(outlier_x=12.0, outlier_y=15.0, delta=1.0)
    before = _slopes(panel)
    panel.controls["outlier_y"].value = 30.0
    after = _slopes(panel)
    assert after["mse"] - before["mse"] > 0.5
    np.testing.assert_allclose(after["mae"], before["mae"], rtol=1e-12)
    np.testing.assert_allclose(after["huber"], before["huber"], rtol=1e-9)


def test_outlier_legend_and_readout_report_each_fit_and_its_loss():
    panel = OutlierPanel(outlier_x=14.0, outlier_y=25.0, delta=2.0)
    x, y = _data(panel)
    slopes = {name: _line_params(line)[0] for name, line in panel.lines.items()}
    assert panel.slopes_text.get_text() == (f"slopes: MSE {slopes['mse']:.2f}, MAE {slopes['mae']:.2f}, "
                                            f"Huber {slopes['huber']:.2f}")
    assert panel.outlier.get_xydata().tolist() == [[14.0, 25.0]]
    losses = {"mse": torch.nn.functional.mse_loss, "mae": torch.nn.functional.l1_loss,
              "huber": lambda a, b: torch.nn.functional.huber_loss(a, b, delta=2.0)}
    for name, loss in losses.items():
        slope, intercept = _line_params(panel.lines[name])
        assert f"{loss(t(slope * x + intercept), t(y)).item():.4f}" in panel.readout.value


def test_line_fits_refuse_data_with_a_single_x():
    with pytest.raises(ValueError, match="at least two different x values"):
        fit_mae(np.ones(4), np.arange(4.0))


# ------------------------------------------------------------- loss shape

TORCH_LOSSES = {
    "mse": lambda a, b, d: torch.nn.functional.mse_loss(a, b, reduction="none"),
    "mae": lambda a, b, d: torch.nn.functional.l1_loss(a, b, reduction="none"),
    "huber": lambda a, b, d: torch.nn.functional.huber_loss(a, b, reduction="none", delta=d),
    "smooth_l1": lambda a, b, d: torch.nn.functional.smooth_l1_loss(a, b, reduction="none", beta=d),
}


@pytest.mark.parametrize("delta", [0.1, 0.5, 1.0, 4.9])
def test_loss_shape_curves_and_gradients_are_torchs(delta):
    panel = LossShapePanel(delta=delta, residual=-1.3)
    r = panel.curves["loss", "mse"].get_xdata()
    for name, torch_loss in TORCH_LOSSES.items():
        y_hat = t(r).requires_grad_(True)
        losses = torch_loss(y_hat, torch.zeros_like(y_hat), delta)
        losses.sum().backward()
        np.testing.assert_allclose(panel.curves["loss", name].get_ydata(), losses.detach().numpy(),
                                   rtol=RTOL64, atol=1e-15)
        np.testing.assert_allclose(panel.curves["gradient", name].get_ydata(), y_hat.grad.numpy(),
                                   rtol=RTOL64, atol=1e-15)
        marker = t([-1.3])
        np.testing.assert_allclose(panel.markers["loss", name].get_ydata(),
                                   torch_loss(marker, torch.zeros(1), delta).numpy(), rtol=RTOL64)
    assert sorted(line.get_xdata()[0] for _, line in panel.delta_lines) == [-delta] * 2 + [delta] * 2


def test_loss_shape_smooth_l1_is_huber_divided_by_delta():
    panel = LossShapePanel(delta=2.5)
    np.testing.assert_allclose(panel.curves["loss", "smooth_l1"].get_ydata() * 2.5,
                               panel.curves["loss", "huber"].get_ydata(), rtol=1e-12, atol=1e-15)


def test_loss_shape_checkboxes_hide_a_loss_everywhere():
    panel = LossShapePanel()
    panel.controls["show_mae"].value = False
    assert not panel.curves["loss", "mae"].get_visible()
    assert not panel.markers["gradient", "mae"].get_visible()
    assert "MAE" not in panel.readout.value and "MSE" in panel.readout.value
    panel.controls["show_mae"].value = True
    assert panel.curves["gradient", "mae"].get_visible()


# -------------------------------------------------------------- error bars

@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss", ["mse", "mae"])
def test_error_bar_readout_and_bars_are_torchs_loss_with_each_reduction(loss, reduction):
    panel = ErrorBarPanel(w=1.7, b=-0.6, loss=loss, reduction=reduction)
    y_hat = 1.7 * panel.x - 0.6
    torch_loss = {"mse": torch.nn.functional.mse_loss, "mae": torch.nn.functional.l1_loss}[loss]
    per_sample = torch_loss(t(y_hat), t(panel.y), reduction="none").numpy()
    expected = torch_loss(t(y_hat), t(panel.y), reduction=reduction).numpy()
    np.testing.assert_allclose([bar.get_height() for bar in panel.sample_bars], per_sample, rtol=RTOL64)
    if reduction == "none":
        assert not panel.total_bar.get_visible()
        assert np.array2string(expected, precision=4) in panel.readout.value
    else:
        assert panel.total_bar.get_visible()
        np.testing.assert_allclose(panel.total_bar.get_height(), expected, rtol=RTOL64)
        assert f"reduction='{reduction}') = {float(expected):.4f}" in panel.readout.value
    assert max(per_sample.max(), float(expected.max())) <= panel.loss_scale.top


def test_error_bar_defaults_reproduce_the_course_facts():
    panel = ErrorBarPanel()
    assert "F.mse_loss(y_hat, y, reduction='mean') = 1.3333" in panel.readout.value
    panel.set_state(loss="mae", reduction="sum")
    assert "F.l1_loss(y_hat, y, reduction='sum') = 2.0000" in panel.readout.value


def test_error_bars_join_each_target_to_its_prediction():
    panel = ErrorBarPanel(w=2.0, b=1.0)
    segments = panel.error_bars.bars.get_segments()
    expected = [[[x, y], [x, 2 * x + 1]] for x, y in zip(panel.x, panel.y)]
    np.testing.assert_allclose(np.array(segments), expected, rtol=RTOL64)
    np.testing.assert_allclose(panel.error_bars.predictions.get_ydata(), 2 * panel.x + 1, rtol=RTOL64)


def test_error_bar_loss_axis_grows_and_shrinks_with_the_bars():
    panel = ErrorBarPanel(w=3.0, b=3.0, reduction="sum")
    assert panel.total_bar.get_height() == pytest.approx(123.0)  # errors 5, 7, 7
    assert panel.loss_scale.top == 200.0  # the round number above 1.15 x the largest bar, 123
    panel.set_state(w=1.0, b=0.0, reduction="mean")
    assert panel.loss_scale.top == 5.0  # the largest bar is now the sum of MSE, 4
    assert panel.loss_ax.get_ylim() == (0.0, 1.0), "the axes' own limits never move"


def test_error_bar_predictions_stay_on_the_plot_at_every_slider_setting():
    panel = ErrorBarPanel()
    low, high = panel.error_bars.ax.get_ylim()
    for w in (panel.controls["w"].min, panel.controls["w"].max):
        for b in (panel.controls["b"].min, panel.controls["b"].max):
            panel.set_state(w=w, b=b)
            predictions = panel.error_bars.predictions.get_ydata()
            assert low < predictions.min() and predictions.max() < high, f"w={w}, b={b}"
    assert low < panel.y.min() and panel.y.max() < high


def test_error_bar_samples_are_labelled_by_their_input():
    panel = ErrorBarPanel(x=(0.5, 2.0, 4.0), y=(1.0, 1.0, 1.0))
    assert [label.get_text() for label in panel.loss_ax.get_xticklabels()] == ["x=0.5", "x=2", "x=4", "loss"]


def test_error_bar_panel_refuses_mismatched_data():
    with pytest.raises(ValueError, match="same length"):
        ErrorBarPanel(x=[1, 2, 3], y=[1, 2])


# ----------------------------------------------------------------- softmax

@pytest.mark.parametrize("logits,target", [((0.1, 0.2, 0.3), 1), ((8.0, -8.0, 0.0), 1),
                                           ((-10.0, 10.0, 10.0), 0), ((3.0, 1.0, -2.0), 2)])
def test_softmax_bars_are_torchs_probabilities_and_gradient(logits, target):
    panel = SoftmaxPanel(*logits, target=target)
    z = t([logits]).requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(z, torch.tensor([target]))
    loss.backward()
    p = torch.softmax(z.detach(), dim=1)[0].numpy()
    np.testing.assert_allclose([bar.get_height() for bar in panel.prob_bars], p, rtol=RTOL64)
    np.testing.assert_allclose([bar.get_height() for bar in panel.grad_bars], z.grad[0].numpy(),
                               rtol=RTOL64, atol=1e-16)
    one_hot = np.eye(3)[target]
    np.testing.assert_allclose([bar.get_height() for bar in panel.grad_bars], p - one_hot,
                               rtol=RTOL64, atol=1e-16)
    assert panel.loss_text.get_text() == f"cross-entropy {loss.item():.4f}"
    box = panel.target_box
    assert box.get_x() + box.get_width() / 2 == target


def test_softmax_default_is_the_course_example_and_shows_pytorch_next_to_mlcore():
    panel = SoftmaxPanel()
    assert panel.loss_text.get_text() == "cross-entropy 1.1019"
    assert "PyTorch" in panel.readout.value and "[1.1019]" in panel.readout.value
    assert panel.readout.value.count("[0.3006, -0.6678, 0.3672]") == 2  # mlcore and torch


def test_softmax_panel_keeps_torch_to_one_thread_next_to_numpy():
    torch.set_num_threads(2)
    try:
        SoftmaxPanel()
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(1)


def test_softmax_without_torch_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    panel = SoftmaxPanel()
    assert "PyTorch is not installed" in panel.readout.value
    assert "pip install torch" in panel.readout.value
    assert "[1.1019]" in panel.readout.value


# -------------------------------------------------------------- saturation

@pytest.mark.parametrize("y", [0, 1])
def test_saturation_curves_and_gradients_are_torchs(y):
    panel = SaturationPanel(z=2.5, y=y)
    z = t(panel.curves["loss", "mse"].get_xdata()).requires_grad_(True)
    target = torch.full_like(z, float(y))
    expected = {
        "mse": torch.nn.functional.mse_loss(torch.sigmoid(z), target, reduction="none"),
        "cross_entropy": torch.nn.functional.binary_cross_entropy_with_logits(z, target, reduction="none"),
    }
    for name, losses in expected.items():
        (grad,) = torch.autograd.grad(losses.sum(), z)
        np.testing.assert_allclose(panel.curves["loss", name].get_ydata(), losses.detach().numpy(),
                                   rtol=RTOL64, atol=1e-15)
        np.testing.assert_allclose(panel.curves["gradient", name].get_ydata(), grad.numpy(),
                                   rtol=RTOL64, atol=1e-15)


def test_saturation_mse_barely_pushes_a_confidently_wrong_prediction():
    panel = SaturationPanel(z=-8.0, y=1)
    mse_grad = panel.markers["gradient", "mse"].get_ydata()[0]
    ce_grad = panel.markers["gradient", "cross_entropy"].get_ydata()[0]
    p = 1 / (1 + np.exp(8.0))
    np.testing.assert_allclose(mse_grad, 2 * (p - 1) * p * (1 - p), rtol=RTOL64)
    np.testing.assert_allclose(ce_grad, p - 1, rtol=RTOL64)
    assert abs(ce_grad) > 1000 * abs(mse_grad)
    assert f"{abs(ce_grad / mse_grad):.1f} times as hard as MSE" in panel.readout.value


def test_saturation_label_zero_mirrors_label_one():
    one, zero = SaturationPanel(y=1), SaturationPanel(y=0)
    for name in ("mse", "cross_entropy"):
        np.testing.assert_allclose(zero.curves["loss", name].get_ydata(),
                                   one.curves["loss", name].get_ydata()[::-1], rtol=1e-9, atol=1e-15)
