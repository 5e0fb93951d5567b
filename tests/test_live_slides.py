"""Every chapter can be taught from live slides in JupyterLab, with working panels.

Instructors present a chapter with jupyterlab-slideshow, which turns the open
notebook into slides from the cells' `slideshow` metadata (the metadata the
static decks of `make slides` use too), so the panels keep their kernel.

For each notebook in chapters/ (and the demo-panel fixture), in headless
Chromium against a throwaway JupyterLab, as an instructor would: Run > Run All
Cells, click the title cell, Command Palette > "Start Deck", then Space through
the deck until every panel has been on a slide. On a panel's slide its ipympl
figure must lie inside the window and show a picture, and moving the panel's
slider must redraw it without leaving the slide. The deck must have more than
one slide, and Escape must leave it. Screenshots go to
artifacts/browser/<notebook>/slides-*.png.

Without Chromium or Playwright this module skips, except in CI (CI=true),
where it fails.
"""

import json
import time

import pytest
from browser_support.chromium import new_page
from browser_support.deck import PLUGIN, PRESENTING, START_TIMEOUT_MS, Deck
from browser_support.lab_fixtures import (  # noqa: F401  (fixtures used by name)
    ARTIFACTS,
    CHAPTERS_WITHOUT_PANELS,
    REPO,
    browser,
    chapter_params,
    lab,
    open_notebook,
)
from browser_support.lab_server import running_lab
from browser_support.notebook_page import FIGURE_CANVAS, PANEL

PREFIX = "slides-"
MENU_BAR = "#jp-menu-panel"
# A deck left on restarts a moment after the page has loaded.
DECK_RESTART_WAIT_S = 8.0


@pytest.fixture
def deck_switched_off(lab):
    """jupyterlab-slideshow stores "active" in the user settings and restarts
    the deck on the next page load; switch it off after every test, whatever
    happened, so the next notebook opens as a notebook."""
    yield
    lab.set_user_settings(PLUGIN, {"active": False})


def _slide_types(notebook) -> list[str]:
    cells = json.loads(notebook.read_text())["cells"]
    return [repr(cell["metadata"].get("slideshow", {}).get("slide_type")) for cell in cells]


def _stuck_at_end(notebook, page, slides: list[int], waiting: list[int]) -> str:
    """Why Space reached the end of the deck before the test was done."""
    seen = f"{len(slides)} slides, opened by cells {[first + 1 for first in slides]}"
    if not waiting:
        return f"{notebook.name}: the deck has only one slide ({seen})"
    types = _slide_types(notebook)
    missing = ", ".join(f"cell {cell + 1} (slide_type {types[cell]})" for cell in waiting)
    return (
        f"{notebook.name}: Space went through the whole deck ({seen}) but never showed "
        f"the panel in {missing}. jupyterlab-slideshow shows a cell that continues a "
        "slide only when its slide_type is absent or empty (what JupyterLab's '-' in "
        "the Property Inspector stores); it hides cells whose slide_type is the string "
        f"'-'.\nBrowser console errors:\n{page.browser_errors()}"
    )


def _check_panel_on_slide(deck: Deck, number: int, cell: int):
    """The panel in cell `cell` is on the slide: its figure is in the window
    and shows a picture, and its slider redraws it without leaving the slide."""
    page = deck.notebook
    panel = deck.shown_cell(cell).locator(PANEL)
    panel.scroll_into_view_if_needed()
    page.assert_rendered(number, panel)
    viewport = deck.page.viewport_size
    for index, figure in enumerate(panel.locator(FIGURE_CANVAS).all(), start=1):
        box = figure.bounding_box()
        inside = (box["x"] >= 0 and box["y"] >= 0
                  and box["x"] + box["width"] <= viewport["width"]
                  and box["y"] + box["height"] <= viewport["height"])
        assert inside, (
            f"{page.path}: on its slide, figure {index} of panel {number} (cell {cell + 1}) "
            f"at {box} does not fit the {viewport['width']}x{viewport['height']} window"
        )
    deck.screenshot(f"deck-panel-{number}.png")
    moved = page.move_first_slider(number, panel)
    assert deck.presenting() and cell in deck.slide().shown, (
        f"{page.path}: moving the slider of panel {number} left its slide "
        f"(the deck now shows cells {deck.slide().shown})"
    )
    return moved


def test_a_deck_left_presenting_is_off_in_the_next_session(browser, tmp_path):
    """Closing the tab while presenting leaves jupyterlab-slideshow's "active"
    setting on, and the extension restarts the deck on the next page load,
    without menus. The course's settings switch it off when JupyterLab starts,
    so chapter 1 opens as a notebook with its menu bar."""
    left_on = {PLUGIN.replace(":", "/"): {"active": True}}
    with running_lab(REPO, ARTIFACTS / "jupyterlab-deck-left-on.log", user_settings=left_on) as server:
        page = new_page(browser)
        try:
            page.goto(server.url("lab/tree/chapters/01_errors_and_losses.ipynb"))
            page.wait_for_selector(MENU_BAR, timeout=START_TIMEOUT_MS)
            time.sleep(DECK_RESTART_WAIT_S)
            page.screenshot(path=ARTIFACTS / "deck-left-on-next-session.png")
            assert page.locator(PRESENTING).count() == 0, "the next session opened in deck mode"
            assert page.locator(MENU_BAR).is_visible()
        finally:
            page.context.close()


@pytest.mark.parametrize("notebook", chapter_params())
def test_every_panel_works_in_live_slides(notebook, open_notebook, deck_switched_off):
    started = time.monotonic()
    page = open_notebook(notebook, prefix=PREFIX)
    page.run_all_cells()
    errors = page.errors()
    assert not errors, f"{notebook.name} produced errors:\n" + "\n\n".join(errors)

    deck = Deck(page)
    panel_cells = deck.panel_cells()
    if notebook.stem not in CHAPTERS_WITHOUT_PANELS:
        assert panel_cells, f"{notebook.name} shows no panel (no cell output with a slider)"

    slide = deck.start()
    deck.screenshot("deck-start.png")
    assert slide.first_cell == 0, (
        f"{notebook.name}: Start Deck with the title cell selected opened on cell "
        f"{slide.first_cell + 1}, not on the title"
    )
    assert deck.can_go("forward"), f"{notebook.name}: the deck's remote offers no next slide"

    slides = [slide.first_cell]  # the cell that opens each slide and subslide visited
    waiting = list(panel_cells)
    moved = []
    while waiting or len(slides) < 2:
        for cell in [cell for cell in waiting if cell in slide.shown]:
            moved.append(_check_panel_on_slide(deck, panel_cells.index(cell) + 1, cell))
            waiting.remove(cell)
        if not waiting and len(slides) >= 2:
            break
        slide = deck.step()
        if slide is None:
            pytest.fail(_stuck_at_end(notebook, page, slides, waiting), pytrace=False)
        if slide.first_cell != slides[-1]:
            slides.append(slide.first_cell)

    assert deck.can_go("back") or deck.can_go("up"), (
        f"{notebook.name}: past slide 1 the deck's remote offers no way back"
    )
    deck.stop()
    errors = page.errors()
    assert not errors, f"{notebook.name}: presenting produced errors:\n" + "\n\n".join(errors)

    elapsed = time.monotonic() - started
    for result in moved:
        print(
            f"\n  {notebook.stem} slides, panel {result.number}: {result.slider} "
            f"{result.value_before} -> {result.value_after}, {result.changed_pixels} pixels changed"
        )
    print(f"\n  {notebook.stem}: {len(slides)} slides visited, {len(moved)} panels, {elapsed:.1f} s")
