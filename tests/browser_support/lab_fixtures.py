"""The pytest fixtures and paths that the browser tests share.

A test module imports `browser`, `lab` and `open_notebook` from here; each
module then starts one Chromium and one JupyterLab for all its tests.
"""

import shutil
import time
from pathlib import Path

import pytest

from .chromium import new_page, running_chromium
from .lab_server import running_lab
from .notebook_page import NotebookPage

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "browser"
FIXTURES = REPO / "tests" / "fixtures" / "browser"
DEMO_PANEL = FIXTURES / "demo_panel.ipynb"
CHAPTERS_DIR = REPO / "chapters"
CHAPTERS = sorted(CHAPTERS_DIR.glob("*.ipynb"))
# Chapters whose lesson has no slider at all; every other chapter must show at
# least one panel, so that a panel that silently failed to appear is caught.
CHAPTERS_WITHOUT_PANELS: set[str] = set()


def chapter_params() -> list:
    """Every chapter, then the demo-panel fixture, as pytest parameters named by stem."""
    return [pytest.param(path, id=path.stem) for path in CHAPTERS] + [
        pytest.param(DEMO_PANEL, id="fixture-demo_panel")
    ]


@pytest.fixture(scope="module")
def browser():
    started = time.monotonic()
    with running_chromium() as browser:
        print(f"\n  Chromium started in {time.monotonic() - started:.1f} s")
        yield browser


@pytest.fixture(scope="module")
def lab(browser, request):
    # Depends on `browser` so that a missing Chromium skips before a server starts.
    started = time.monotonic()
    log = ARTIFACTS / f"jupyterlab-{request.module.__name__}.log"
    with running_lab(REPO, log) as server:
        print(f"\n  JupyterLab ready in {time.monotonic() - started:.1f} s")
        yield server


@pytest.fixture
def open_notebook(browser, lab):
    """Open a notebook in a fresh page; close the page and its kernel afterwards.

    Screenshots go to artifacts/browser/<notebook stem>/, their names starting
    with `prefix`; those left from an earlier run with that prefix are removed
    first (the empty prefix removes them all).
    """
    pages = []

    def open_(notebook: Path, prefix: str = "") -> NotebookPage:
        artifacts = ARTIFACTS / notebook.stem
        artifacts.mkdir(parents=True, exist_ok=True)
        for stale in artifacts.glob(f"{prefix}*"):
            if stale.is_dir():
                shutil.rmtree(stale)
            else:
                stale.unlink()
        page = new_page(browser)
        pages.append(page)
        notebook_page = NotebookPage(
            page, lab, notebook.relative_to(REPO).as_posix(), artifacts, prefix
        )
        notebook_page.open()
        return notebook_page

    yield open_
    for page in pages:
        page.context.close()
    lab.shut_down_kernels()
