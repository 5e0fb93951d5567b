"""What the browser and slides tests need from the machine, and what happens without it.

In CI (`CI=true`, set by `.ci/run`, which installs Chromium) a missing
requirement is a failure: the browser test must run there. On a learner's
machine it is a skip whose reason pytest prints (`-ra`).
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser")
INSTALL_HINT = (
    "install Debian's browser with `sudo apt-get install chromium` "
    "(Playwright's own browser download is not used)"
)


def in_ci() -> bool:
    """True when the CI environment variable says this is a CI run."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def unavailable(reason: str, what: str = "browser test"):
    """Fail in CI, skip elsewhere; either way with `reason` shown."""
    if in_ci():
        pytest.fail(f"{what} cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"{what} skipped: {reason}")


def chromium_path() -> Path:
    """The Chromium executable on PATH, or a fail/skip saying how to install it."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    unavailable(f"no Chromium on PATH (looked for {', '.join(CHROMIUM_NAMES)}); {INSTALL_HINT}")


def sync_playwright():
    """Playwright's sync entry point, or a fail/skip saying how to install it."""
    try:
        from playwright.sync_api import sync_playwright as entry
    except ImportError as error:
        unavailable(f"the playwright package is not importable ({error}); "
                    "install the test extras with `pip install -e '.[test]'`")
    return entry
