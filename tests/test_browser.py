"""Every chapter works in JupyterLab in a real browser, as a learner meets it.

For each notebook in chapters/ (and a fixture that tests this harness), in
headless Chromium against a throwaway JupyterLab on loopback: Run > Run All
Cells, no error output, and every mlcore panel the kernel built holds, once
the browser has settled, exactly the state the notebook's code last gave it
(read through the kernel: see browser_support/panel_states.py). Then every
panel (a cell output holding a slider) shows an ipympl figure, and moving the
panel's first slider changes that figure's pixels. Screenshots go to
artifacts/browser/<notebook>/.

To refresh the README's picture of a live panel, set
MLCORE_README_SCREENSHOT=<path to write> (and optionally
MLCORE_README_PANEL=<notebook stem>:<panel number>, default
01_errors_and_losses:2, the outlier panel); that panel's widget is
photographed there after its slider moved.

Without Chromium or Playwright this module skips, except in CI (CI=true),
where it fails.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_support.chromium import new_page
from browser_support.lab_fixtures import (  # noqa: F401  (fixtures used by name)
    ARTIFACTS,
    CHAPTERS_DIR,
    CHAPTERS_WITHOUT_PANELS,
    FIXTURES,
    REPO,
    browser,
    chapter_params,
    lab,
    open_notebook,
)
from browser_support.lab_server import isolated_env
from browser_support.notebook_page import OPEN_TIMEOUT_MS
from browser_support.panel_states import RECORDER, read_panel_states

BROKEN_PANEL = FIXTURES / "broken_panel.ipynb"

README_SCREENSHOT = os.environ.get("MLCORE_README_SCREENSHOT")
README_PANEL = os.environ.get("MLCORE_README_PANEL", "01_errors_and_losses:2")
README_WIDGET = ".jp-OutputArea-output:has(.widget-slider)"
# A slider a learner can aim with: room for 50 positions 2-3 px apart.
MIN_TRACK_PX = 120
# JupyterLab asks about its news a moment after the page has loaded.
NEWS_PROMPT_WAIT_S = 5.0


def _save_readme_screenshot(notebook: Path, page, panels) -> None:
    """The README's picture of a live panel: the chosen panel's widget (controls
    and figure, without JupyterLab's prompt column) after its slider moved."""
    stem, _, number = README_PANEL.partition(":")
    if not README_SCREENSHOT or stem != notebook.stem:
        return
    destination = REPO / README_SCREENSHOT
    destination.parent.mkdir(parents=True, exist_ok=True)
    widget = panels[int(number) - 1].locator(README_WIDGET)
    # The slider handle keeps the keyboard focus ring; a reader has not clicked it.
    page.page.evaluate("() => document.activeElement && document.activeElement.blur()")
    widget.screenshot(path=destination)
    print(f"\n  README screenshot: {destination} ({destination.stat().st_size // 1024} KB)")


@pytest.mark.parametrize("notebook", chapter_params())
def test_notebook_runs_and_every_panel_responds(notebook, open_notebook):
    started = time.monotonic()
    stored = notebook.read_bytes()
    page = open_notebook(notebook)
    page.run_in_kernel(RECORDER)
    page.run_all_cells()

    errors = page.errors()
    assert not errors, f"{notebook.name} produced errors:\n" + "\n\n".join(errors)
    unexecuted = page.unexecuted_code_cells()
    assert not unexecuted, f"{notebook.name}: code cells {unexecuted} did not run"

    states = read_panel_states(page)
    if notebook.parent == CHAPTERS_DIR and notebook.stem not in CHAPTERS_WITHOUT_PANELS:
        assert states, f"{notebook.name}: the kernel built no mlcore panel"
    misplaced = [problem for state in states for problem in state.problems()]
    assert not misplaced, (f"{notebook.name}: after Run All, panels are not where the code left them:\n"
                           + "\n".join(misplaced))

    panels = page.panels()
    if notebook.stem not in CHAPTERS_WITHOUT_PANELS:
        assert panels, (
            f"{notebook.name} shows no panel (no cell output with a slider); if this "
            "notebook truly has none, add it to CHAPTERS_WITHOUT_PANELS"
        )
    for number, panel in enumerate(panels, start=1):
        page.assert_rendered(number, panel)
        narrow = {label: width for label, width in page.slider_tracks(panel).items() if width < MIN_TRACK_PX}
        assert not narrow, (f"{notebook.name}: panel {number}: slider tracks narrower than {MIN_TRACK_PX} px "
                            f"(a long label squeezes them): {narrow}")
    headers = page.figure_headers()
    assert not headers, f"{notebook.name}: figures show ipympl's header {headers}; hide it (header_visible)"
    moved = [page.move_first_slider(number, panel) for number, panel in enumerate(panels, start=1)]
    errors = page.errors()
    assert not errors, f"{notebook.name}: moving sliders produced errors:\n" + "\n\n".join(errors)
    if states:
        # The learner's moves reach the kernel (they are not taken for echoes).
        followed = [after for before, after in zip(states, read_panel_states(page)) if after.now != before.now]
        assert len(followed) == len(moved), (
            f"{notebook.name}: {len(moved)} panels' sliders moved in the browser, but the state of "
            f"{len(followed)} panels changed in the kernel")

    # Autosave is off and nothing here saves: the test must never rewrite a chapter.
    assert notebook.read_bytes() == stored, f"the browser test modified {notebook}"
    _save_readme_screenshot(notebook, page, panels)
    elapsed = time.monotonic() - started
    for state in states:
        print(f"\n  {notebook.stem} {state.panel} {state.number}: after {state.how} as asked, {state.now}")
    for result in moved:
        print(
            f"\n  {notebook.stem} panel {result.number}: {result.slider} "
            f"{result.value_before} -> {result.value_after}, {result.changed_pixels} pixels changed"
        )
    print(f"\n  {notebook.stem}: {len(panels)} panels, {elapsed:.1f} s in the browser")


CHAPTER_1 = "chapters/01_errors_and_losses.ipynb"
# The schema defaults JupyterLab serves are the course's overrides (.jupyter/labconfig).
_NEWS_DEFAULT = """
async () => (await window.jupyterapp.serviceManager.settings.fetch(
  '@jupyterlab/apputils-extension:notification')).schema.properties.fetchNews.default
"""
_SHOWS = """
(path) => {
  const shown = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return Boolean(shown && shown.context && shown.context.path === path);
}
"""


def test_the_printed_url_opens_chapter_1_with_no_news_prompt_and_no_build_output(lab, browser):
    """The course's settings, as `make lab` applies them: the URL JupyterLab
    prints opens chapter 1 (in any browser, not only one JupyterLab launches),
    no "official Jupyter news?" prompt, and no build output in the file browser."""
    printed = [url for url in lab.printed_urls() if "token=" in url]
    chapter_1 = f"lab/tree/{CHAPTER_1}"
    assert printed and all(url.startswith(f"{lab.base_url}/{chapter_1}?token=") for url in printed), (
        f"JupyterLab printed {printed}, not the URL of {CHAPTER_1}")
    page = new_page(browser)
    try:
        page.goto(lab.url(chapter_1))  # the printed URL, with the token it shows as "..."
        page.wait_for_function(_SHOWS, arg=CHAPTER_1, timeout=OPEN_TIMEOUT_MS, polling=250)
        assert page.evaluate(_NEWS_DEFAULT) == "false"
        time.sleep(NEWS_PROMPT_WAIT_S)
        page.screenshot(path=ARTIFACTS / "printed-url.png")
        assert page.get_by_text("official Jupyter news").count() == 0, "JupyterLab asks about its news"
    finally:
        page.context.close()
    listed = {item["name"] for item in lab.api("api/contents")["content"]}
    assert {"chapters", "exercises", "solutions"} <= listed
    build_output = [name for name in ("mlcore.egg-info", "build", "artifacts") if (REPO / name).exists()]
    assert "artifacts" in build_output  # the browser tests' screenshots, so there is always one to hide
    assert not listed & set(build_output), f"the file browser lists build output: {listed & set(build_output)}"


def test_harness_reports_errors_and_dead_panels(open_notebook):
    """The harness can fail: a cell error and a slider whose callback raises
    are both reported, with the kernel's traceback."""
    page = open_notebook(BROKEN_PANEL)
    page.run_all_cells()
    assert any("ZeroDivisionError" in error for error in page.errors())
    assert page.unexecuted_code_cells() == []

    (panel,) = page.panels()
    page.assert_rendered(1, panel)
    page.redraw_timeout_s = 3.0  # this callback raises at once; no need to wait for a redraw
    with pytest.raises(AssertionError, match=r"(?s)changed in only 0 pixels.*broken on purpose"):
        page.move_first_slider(1, panel)


def test_kernels_run_the_interpreter_that_runs_jupyterlab(tmp_path):
    """The server's python3 kernel is this venv's Python (so `mlcore`, ipympl and
    torch are the ones installed here), whatever kernelspecs the user has."""
    ask = ("from jupyter_client.manager import KernelManager; "
           "print(KernelManager(kernel_name='python3').format_kernel_cmd()[0])")
    kernel = subprocess.run(
        [sys.executable, "-c", ask], env=isolated_env(tmp_path),
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert kernel == sys.executable
