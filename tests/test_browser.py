"""Every chapter works in JupyterLab in a real browser, as a learner meets it.

For each notebook in chapters/ (and a fixture that tests this harness), in
headless Chromium against a throwaway JupyterLab on loopback: Run > Run All
Cells, no error output, every panel (a cell output holding a slider) shows an
ipympl figure, and moving the panel's first slider changes that figure's
pixels. Screenshots go to artifacts/browser/<notebook>/.

To refresh the README's picture of a live panel, set
MLCORE_README_SCREENSHOT=<path to write> (and optionally
MLCORE_README_PANEL=<notebook stem>:<panel number>, default
01_errors_and_losses:2, the outlier panel); that panel's screenshot after its slider moved is
copied there.

Without Chromium or Playwright this module skips, except in CI (CI=true),
where it fails.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_support.chromium import new_page, running_chromium
from browser_support.lab_server import isolated_env, running_lab
from browser_support.notebook_page import NotebookPage

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "artifacts" / "browser"
DEMO_PANEL = REPO / "tests" / "fixtures" / "browser" / "demo_panel.ipynb"
BROKEN_PANEL = REPO / "tests" / "fixtures" / "browser" / "broken_panel.ipynb"
CHAPTERS = sorted((REPO / "chapters").glob("*.ipynb"))
# Chapters whose lesson has no slider at all; every other chapter must show at
# least one panel, so that a panel that silently failed to appear is caught.
CHAPTERS_WITHOUT_PANELS: set[str] = set()

README_SCREENSHOT = os.environ.get("MLCORE_README_SCREENSHOT")
README_PANEL = os.environ.get("MLCORE_README_PANEL", "01_errors_and_losses:2")


@pytest.fixture(scope="module")
def browser():
    started = time.monotonic()
    with running_chromium() as browser:
        print(f"\n  Chromium started in {time.monotonic() - started:.1f} s")
        yield browser


@pytest.fixture(scope="module")
def lab(browser):
    # Depends on `browser` so that a missing Chromium skips before a server starts.
    started = time.monotonic()
    with running_lab(REPO, ARTIFACTS / "jupyterlab.log") as server:
        print(f"\n  JupyterLab ready in {time.monotonic() - started:.1f} s")
        yield server


@pytest.fixture
def open_notebook(browser, lab):
    """Open a notebook in a fresh page; close the page and its kernel afterwards."""
    pages = []

    def open_(notebook: Path) -> NotebookPage:
        artifacts = ARTIFACTS / notebook.stem
        shutil.rmtree(artifacts, ignore_errors=True)
        artifacts.mkdir(parents=True)
        page = new_page(browser)
        pages.append(page)
        notebook_page = NotebookPage(page, lab, notebook.relative_to(REPO).as_posix(), artifacts)
        notebook_page.open()
        return notebook_page

    yield open_
    for page in pages:
        page.context.close()
    lab.shut_down_kernels()


def _copy_readme_screenshot(notebook: Path, artifacts: Path) -> None:
    stem, _, number = README_PANEL.partition(":")
    if README_SCREENSHOT and stem == notebook.stem:
        destination = REPO / README_SCREENSHOT
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(artifacts / f"panel-{number}-after.png", destination)
        print(f"README screenshot: {destination}")


@pytest.mark.parametrize(
    "notebook",
    [pytest.param(path, id=path.stem) for path in CHAPTERS]
    + [pytest.param(DEMO_PANEL, id="fixture-demo_panel")],
)
def test_notebook_runs_and_every_panel_responds(notebook, open_notebook):
    started = time.monotonic()
    stored = notebook.read_bytes()
    page = open_notebook(notebook)
    page.run_all_cells()

    errors = page.errors()
    assert not errors, f"{notebook.name} produced errors:\n" + "\n\n".join(errors)
    unexecuted = page.unexecuted_code_cells()
    assert not unexecuted, f"{notebook.name}: code cells {unexecuted} did not run"

    panels = page.panels()
    if notebook.stem not in CHAPTERS_WITHOUT_PANELS:
        assert panels, (
            f"{notebook.name} shows no panel (no cell output with a slider); if this "
            "notebook truly has none, add it to CHAPTERS_WITHOUT_PANELS"
        )
    for number, panel in enumerate(panels, start=1):
        page.assert_rendered(number, panel)
    moved = [page.move_first_slider(number, panel) for number, panel in enumerate(panels, start=1)]
    errors = page.errors()
    assert not errors, f"{notebook.name}: moving sliders produced errors:\n" + "\n\n".join(errors)

    # Autosave is off and nothing here saves: the test must never rewrite a chapter.
    assert notebook.read_bytes() == stored, f"the browser test modified {notebook}"
    _copy_readme_screenshot(notebook, page.artifacts)
    elapsed = time.monotonic() - started
    for result in moved:
        print(
            f"\n  {notebook.stem} panel {result.number}: {result.slider} "
            f"{result.value_before} -> {result.value_after}, {result.changed_pixels} pixels changed"
        )
    print(f"\n  {notebook.stem}: {len(panels)} panels, {elapsed:.1f} s in the browser")


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
