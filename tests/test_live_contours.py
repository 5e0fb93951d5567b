"""mlcore.plots.live_contours: swappable contours drawn over a cached background (chapter 6)."""

import numpy as np
import pytest

from mlcore.plots.figures import subplots
from mlcore.plots.live_contours import LEVELS, LiveContours, band_colors, log_levels


def bowl(w1, w2):
    return 0.5 * (3.0 * w1**2 + 0.3 * w2**2)


def ring(w1, w2):
    return (w1**2 + w2**2 - 4.0) ** 2


@pytest.fixture
def contours():
    fig, ax = subplots()
    live = LiveContours(ax, (-4, 4), (-4, 4), resolution=81)
    fig.canvas.draw()
    return live


def test_level_lines_lie_on_their_levels(contours):
    levels = contours.show(bowl)
    assert levels[0] == pytest.approx(bowl(4.0, 4.0)) and levels[-1] == pytest.approx(levels[0] * 1e-4)
    vertices = np.vstack(contours.lines.get_segments())
    values = bowl(vertices[:, 0], vertices[:, 1])
    nearest = levels[np.argmin(np.abs(np.log(values[:, None]) - np.log(levels[None, :])), axis=1)]
    # contourpy interpolates linearly between grid points 0.1 apart: close, not exact
    np.testing.assert_allclose(values, nearest, rtol=0.05, atol=0.005)


def test_bands_are_coloured_by_how_many_levels_lie_above(contours):
    levels = contours.show(ring, decades=3)
    image = contours.image.get_array()
    z = ring(*contours.grid)
    above = (levels[None, None, :] > z[..., None]).sum(axis=-1)
    colors = np.vstack([np.ones((1, 4)), band_colors(LEVELS)])
    np.testing.assert_array_equal(image, np.round(255 * colors[above]).astype(np.uint8))
    assert image.dtype == np.uint8


def test_a_new_surface_redraws_no_background_and_a_key_reuses_the_picture(contours):
    figure = contours.ax.figure
    full_draws = figure.full_draws
    first = contours.show(bowl, key="bowl").copy()
    image = contours.image.get_array().copy()
    contours.show(ring, key="ring")
    figure.canvas.draw()
    assert figure.full_draws == full_draws
    np.testing.assert_array_equal(contours.show(lambda a, b: a, key="bowl"), first)  # f not called again
    np.testing.assert_array_equal(contours.image.get_array(), image)


def test_bad_surfaces_are_refused_with_what_to_do(contours):
    with pytest.raises(ValueError, match="one finite value per grid point"):
        contours.show(lambda w1, w2: np.where(w1 > 0, w1, np.nan))
    with pytest.raises(ValueError, match="rise above its minimum 0"):
        log_levels(0.0, 4)
