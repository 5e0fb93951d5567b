"""Headless Debian Chromium driven by Playwright, closed whatever happens."""

import contextlib

from .requirements import chromium_path, sync_playwright

# Measured for this environment: no sandbox (runs as root in containers), no
# GPU, and nothing that phones home, so the browser only talks to loopback.
LAUNCH_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 1000}


@contextlib.contextmanager
def running_chromium():
    """Yield a Playwright Browser on Debian's Chromium; stop both afterwards."""
    executable = chromium_path()
    entry = sync_playwright()
    with entry() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable), args=LAUNCH_FLAGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser):
    """A fresh page with a fixed viewport and scale, so screenshots are comparable run to run."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    return context.new_page()
