"""mlcore.plots: the static helpers the chapters share, and the background-caching figure."""

import io
import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from mlcore.plots import (BackgroundCachedFigure, LiveLogYScale, LiveYScale, contour_with_trajectory, loss_curves,
                          mark_dynamic, mark_overlay, predictions_with_error_bars)
from mlcore.plots.style import course_style

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def cached_figure():
    fig = BackgroundCachedFigure(figsize=(4, 3))
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


# ------------------------------------------- what the cache relies on in matplotlib

def test_matplotlib_keeps_an_animated_artists_changes_from_marking_its_figure_stale():
    fig = Figure(figsize=(3, 2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    line = ax.plot([0, 1], [0, 1])[0]
    line.set_animated(True)
    fig.canvas.draw()
    assert not fig.stale
    line.set_ydata([1, 0])
    line.set_color("red")
    assert not fig.stale, "an animated artist's change must stop at the artist"
    ax.set_ylim(-2, 2)
    assert fig.stale, "a static change must reach the figure"


def test_matplotlib_leaves_animated_artists_out_of_the_figures_draw_and_blits_with_agg():
    fig = Figure(figsize=(3, 2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    empty = pixels(fig)
    line = ax.plot([0, 1], [0.5, 0.5], linewidth=5, color="red")[0]
    line.set_animated(True)
    np.testing.assert_array_equal(pixels(fig), empty)
    renderer = fig.canvas.get_renderer()
    background = renderer.copy_from_bbox(fig.bbox)
    ax.draw_artist(line)
    assert np.any(np.asarray(fig.canvas.buffer_rgba()) != empty)
    renderer.restore_region(background)
    np.testing.assert_array_equal(np.asarray(fig.canvas.buffer_rgba()), empty)


# --------------------------------------------------------- cached figure

def test_moving_a_dynamic_artist_reuses_the_background_and_draws_what_a_full_redraw_draws():
    fig, ax = cached_figure()
    ax.plot([0, 1], [0, 1], color="black")
    line = mark_dynamic(ax.plot([0, 1], [1, 0], color="red")[0])
    pixels(fig)
    line.set_ydata([0.2, 0.8])
    fast = pixels(fig)
    assert (fig.full_draws, fig.fast_draws) == (1, 1)
    fig.stale = True
    np.testing.assert_array_equal(fast, pixels(fig))
    assert fig.full_draws == 2


def test_a_dynamic_artist_is_really_drawn_on_top_of_the_background():
    fig, ax = cached_figure()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    empty = pixels(fig)
    line = mark_dynamic(ax.plot([0, 1], [0.5, 0.5], color="red", linewidth=5)[0])
    with_line = pixels(fig)
    assert np.any(with_line != empty)
    line.set_visible(False)
    np.testing.assert_array_equal(pixels(fig), empty)


def test_changing_a_static_artist_redraws_the_background():
    fig, ax = cached_figure()
    line = mark_dynamic(ax.plot([0, 1], [0, 1])[0])
    pixels(fig)
    assert fig.background_valid
    line.set_ydata([1, 0])
    assert fig.background_valid, "a dynamic change leaves the background alone"
    ax.set_ylim(-5, 5)
    assert not fig.background_valid, "new limits mean new ticks: the background is stale"
    pixels(fig)
    assert fig.full_draws == 2 and fig.background_valid


def test_a_legend_marked_dynamic_can_change_its_labels_without_a_full_redraw():
    fig, ax = cached_figure()
    line = ax.plot([0, 1], [0, 1], label="a")[0]
    legend = mark_dynamic(ax.legend())
    pixels(fig)
    legend.get_texts()[0].set_text("slope 1.00")
    line.set_color("red")  # a static artist: this one must invalidate
    assert not fig.background_valid
    pixels(fig)
    legend.get_texts()[0].set_text("slope 2.00")
    assert fig.background_valid


def test_an_overlay_is_kept_with_the_background_until_it_changes():
    fig, ax = cached_figure()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    label = mark_overlay(ax.text(0.1, 0.8, "top = 5"))
    line = mark_dynamic(ax.plot([0, 1], [0.2, 0.2], color="red")[0])
    first = pixels(fig)
    assert fig.overlay_draws == 1
    assert fig.dynamic_artists() == [line], "an overlay is not drawn at every draw"
    line.set_ydata([0.4, 0.4])
    moved = pixels(fig)
    assert (fig.full_draws, fig.overlay_draws) == (1, 1), "moving a dynamic artist leaves the overlay cached"
    assert not np.array_equal(first, moved)
    label.set_text("top = 10")
    relabelled = pixels(fig)
    assert (fig.full_draws, fig.overlay_draws) == (1, 2)
    assert not np.array_equal(moved, relabelled)
    fig.stale = True  # a full redraw shows the same picture
    np.testing.assert_array_equal(relabelled, pixels(fig))
    label.set_visible(False)
    hidden = pixels(fig)
    pixels(fig)
    assert fig.overlay_draws == 4, "a hidden overlay is not redrawn at every draw"
    line_only, other_ax = cached_figure()
    other_ax.set_xlim(0, 1)
    other_ax.set_ylim(0, 1)
    mark_dynamic(other_ax.plot([0, 1], [0.4, 0.4], color="red")[0])
    np.testing.assert_array_equal(hidden, pixels(line_only))


def test_mark_dynamic_leaves_artists_of_an_ordinary_figure_alone():
    fig = Figure()
    line = fig.add_subplot().plot([0, 1])[0]
    assert mark_dynamic(line) is line
    assert not line.get_animated(), "an ordinary figure would never draw an animated artist"


def test_vector_export_contains_the_dynamic_artists():
    fig, ax = cached_figure()
    line = mark_dynamic(ax.plot([0, 1], [0, 1], gid="the-dynamic-line")[0])
    line.set_ydata([1, 0])
    with io.BytesIO() as svg:
        fig.savefig(svg, format="svg")
        assert b"the-dynamic-line" in svg.getvalue()


# ----------------------------------------------------------- loss curves

def test_loss_curves_plot_the_histories_and_update_in_place():
    curves = loss_curves([3.0, 2.0, 1.5], [3.5, 2.5, 2.4], title="training")
    assert isinstance(curves.ax.figure, BackgroundCachedFigure)
    np.testing.assert_array_equal(curves.train_line.get_xydata(), [[0, 3.0], [1, 2.0], [2, 1.5]])
    np.testing.assert_array_equal(curves.val_line.get_ydata(), [3.5, 2.5, 2.4])
    train_line = curves.train_line
    curves.update(np.linspace(10, 1, 50))
    assert curves.train_line is train_line and not curves.val_line.get_visible()
    assert curves.ax.get_xlim()[1] >= 49 and curves.ax.get_ylim()[1] >= 10
    assert [t.get_text() for t in curves.ax.get_legend().get_texts()] == ["train", "validation"]


def test_loss_curves_leave_out_non_finite_losses_and_refuse_an_all_nan_history():
    curves = loss_curves([1.0, np.inf, 0.5, np.nan], log_y=True)
    np.testing.assert_array_equal(curves.train_line.get_xydata(), [[0, 1.0], [2, 0.5]])
    assert curves.ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="diverged from the start; lower the learning rate"):
        loss_curves([np.nan, np.nan])


def test_loss_curves_draw_on_a_given_axes():
    fig, ax = plt.subplots()
    curves = loss_curves([1.0, 0.5], ax=ax)
    assert curves.ax is ax and plt.get_fignums() == [fig.number]
    assert curves.train_line.get_animated() is False  # ordinary figure: drawn the normal way


# --------------------------------------------------------------- contour

def bowl(w1, w2):
    return 0.1 * w1**2 + 2.0 * w2**2


def test_contour_with_trajectory_draws_the_path_over_a_background_drawn_once():
    path = np.array([[-4.0, 2.0], [-3.0, -1.0], [-2.0, 0.5], [0.0, 0.0]])
    handle = contour_with_trajectory(bowl, (-5, 5), (-3, 3), path)
    fig = handle.ax.figure
    np.testing.assert_array_equal(handle.path.get_xydata(), path)
    np.testing.assert_array_equal(handle.start.get_xydata(), path[:1])
    np.testing.assert_array_equal(handle.end.get_xydata(), path[-1:])
    pixels(fig)
    for steps in range(2, 200, 20):
        handle.set_trajectory(np.stack([np.linspace(-4, 0, steps), np.linspace(2, 0, steps)], axis=1))
        fast = pixels(fig)
    assert fig.full_draws == 1
    fig.stale = True
    np.testing.assert_array_equal(fast, pixels(fig))


def test_contour_levels_are_spaced_logarithmically_above_the_minimum():
    handle = contour_with_trajectory(bowl, (-5, 5), (-3, 3), levels=10)
    levels = handle.contours.levels
    gaps = np.diff(levels)
    assert np.all(gaps[1:] > gaps[:-1]), "each gap larger than the last"
    linear = contour_with_trajectory(bowl, (-5, 5), (-3, 3), levels=10, log_levels=False)
    np.testing.assert_allclose(np.diff(linear.contours.levels), np.diff(linear.contours.levels)[0])


def test_contour_refuses_bad_functions_and_bad_trajectories():
    with pytest.raises(ValueError, match="one finite value per grid point"):
        contour_with_trajectory(lambda a, b: 1.0, (-1, 1), (-1, 1))
    with pytest.raises(ValueError, match="one finite value per grid point"):
        contour_with_trajectory(lambda a, b: np.full_like(a, np.inf), (-1, 1), (-1, 1))
    with pytest.raises(ValueError, match="constant over the box"):
        contour_with_trajectory(lambda a, b: np.zeros_like(a), (-1, 1), (-1, 1))
    handle = contour_with_trajectory(bowl, (-1, 1), (-1, 1))
    assert not handle.start.get_visible()
    with pytest.raises(ValueError, match=r"shape \(steps, 2\)"):
        handle.set_trajectory([1.0, 2.0, 3.0])


# ------------------------------------------------------------ error bars

def test_predictions_with_error_bars_join_targets_and_predictions():
    x, y, y_hat = [1.0, 2.0, 3.0], [1.0, 2.0, 5.0], [1.0, 2.0, 3.0]
    bars = predictions_with_error_bars(x, y, y_hat)
    np.testing.assert_array_equal(bars.bars.get_segments(),
                                  [[[1, 1], [1, 1]], [[2, 2], [2, 2]], [[3, 5], [3, 3]]])
    bars.update([0.0, 0.0, 0.0])
    np.testing.assert_array_equal(bars.predictions.get_ydata(), [0, 0, 0])
    np.testing.assert_array_equal([s[1][1] for s in bars.bars.get_segments()], [0, 0, 0])
    with pytest.raises(ValueError, match="has 2 values but there are 3 targets"):
        bars.update([1.0, 2.0])


# ------------------------------------------------------------ live y scale

def _live_scale_figure(top):
    with course_style():
        fig, ax = cached_figure()
        bar = ax.bar([0.0], [4.0])[0]
        scale = LiveYScale(ax, top)
        bar.set_transform(scale.transform)
        mark_dynamic(bar)
    return fig, ax, scale, bar


@pytest.mark.parametrize("top,labels", [(5.0, ["0", "1", "2", "3", "4", "5"]),
                                        (2.0, ["0.0", "0.5", "1.0", "1.5", "2.0"]),
                                        (500.0, ["0", "100", "200", "300", "400", "500"]),
                                        (0.2, ["0.00", "0.05", "0.10", "0.15", "0.20"])])
def test_live_scale_draws_a_value_where_an_ordinary_axis_from_0_to_top_would(top, labels):
    fig, ax, scale, bar = _live_scale_figure(top)
    assert [label.get_text() for label in scale.labels if label.get_visible()] == labels
    plain = Figure(figsize=(4, 3))
    FigureCanvasAgg(plain)
    plain_ax = plain.add_subplot()
    plain_ax.set_ylim(0.0, top)
    for value in (0.0, top / 3, top):
        np.testing.assert_allclose(scale.transform.transform((0.0, value))[1],
                                   plain_ax.transData.transform((0.0, value))[1], rtol=1e-12)
    assert bar.get_height() == 4.0, "the artist keeps its true value; only the picture is scaled"


def test_live_scale_moves_its_top_over_the_cached_background():
    fig, ax, scale, bar = _live_scale_figure(5.0)
    before = pixels(fig)
    bar.set_height(3.0)
    pixels(fig)
    assert fig.overlay_draws == 1, "its ticks are drawn again only when the top moves"
    scale.set_top(10.0)
    after = pixels(fig)
    assert (fig.full_draws, fig.fast_draws, fig.overlay_draws) == (1, 2, 2)
    bar.set_height(4.0)
    after = pixels(fig)
    assert not np.array_equal(before, after)
    bar_top = scale.transform.transform((0.0, 4.0))[1]
    axes = ax.get_window_extent()
    np.testing.assert_allclose((bar_top - axes.y0) / axes.height, 0.4, rtol=1e-12)
    fig.stale = True  # the fast draw shows what a full redraw shows
    np.testing.assert_array_equal(after, pixels(fig))


def test_live_scale_refuses_a_top_that_is_not_positive():
    _, _, scale, _ = _live_scale_figure(5.0)
    with pytest.raises(ValueError, match="must be positive, got 0.0"):
        scale.set_top(0.0)


@pytest.mark.parametrize("bottom,top,decades", [(1e-12, 1e2, (-12, -9, -6, -3, 0)),
                                                (1e-4, 1e4, (-4, -2, 0, 2, 4)), (1e-2, 10.0, (-2, -1, 0, 1))])
def test_live_log_scale_draws_a_value_where_an_ordinary_log_axis_would(bottom, top, decades):
    with course_style():
        fig, ax = cached_figure()
        (line,) = ax.plot([0.0, 1.0], [bottom * 10, top / 10])
        scale = LiveLogYScale(ax, bottom, top)
        line.set_transform(scale.transform)
        mark_dynamic(line)
    shown = [label.get_text() for label in scale.labels if label.get_visible()]
    assert shown == [f"$\\mathdefault{{10^{{{k}}}}}$" for k in decades]
    plain = Figure(figsize=(4, 3))
    FigureCanvasAgg(plain)
    plain_ax = plain.add_subplot()
    plain_ax.set_position(ax.get_position())
    plain_ax.set_yscale("log")
    plain_ax.set_ylim(bottom, top)
    for value in (bottom, np.sqrt(bottom * top), top / 3, top):
        np.testing.assert_allclose(scale.transform.transform((0.0, value))[1],
                                   plain_ax.transData.transform((0.0, value))[1], rtol=1e-12)
    assert line.get_ydata()[1] == top / 10, "the artist keeps its true value; only the picture is scaled"


def test_live_log_scale_moves_its_range_over_the_cached_background_and_refuses_a_bad_one():
    with course_style():
        fig, ax = cached_figure()
        scale = LiveLogYScale(ax, 1e-6, 1e2)
    pixels(fig)
    scale.set_range(1e-4, 1e4)
    pixels(fig)
    assert (fig.full_draws, fig.overlay_draws) == (1, 2), "a new range redraws the overlay, not the background"
    for bottom, top in ((0.0, 1.0), (1.0, 1e-3)):
        with pytest.raises(ValueError, match="two positive values, bottom < top"):
            scale.set_range(bottom, top)


@pytest.fixture
def ipympl_backend():
    """pyplot on ipympl's backend, as after `%matplotlib widget`; the backend before afterwards."""
    backend = matplotlib.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    yield
    plt.switch_backend(backend)


def test_with_ipympl_a_static_figure_shows_no_figure_number_header(ipympl_backend):
    with warnings.catch_warnings():
        # ipympl's toolbar passes its canvas on to traitlets, which warns on
        # every figure: a library's DeprecationWarning, which notebooks hide.
        warnings.filterwarnings("ignore", r"Passing unrecognized arguments to super\(Toolbar\)",
                                DeprecationWarning)
        picture = predictions_with_error_bars([1.0, 2.0], [1.0, 3.0], [1.5, 2.5])
        curves = loss_curves([3.0, 2.0, 1.0])
    canvas = picture.ax.figure.canvas
    assert type(canvas).__module__.startswith("ipympl")
    assert canvas.header_visible is False
    assert curves.ax.figure.canvas.header_visible is False
