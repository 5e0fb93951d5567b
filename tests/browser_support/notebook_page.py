"""Drive one notebook in JupyterLab the way a learner does, and report what it shows.

A *panel* is a cell output that holds at least one ipywidgets slider; it
counts as rendered when every figure in it (an ipympl canvas) shows a
picture, and as live when moving its slider changes that picture.
"""

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from .pixels import changed_pixels, distinct_colours

IDLE_KERNEL = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
PANEL = ".jp-Cell-outputWrapper:has(.widget-slider)"
SLIDER_HANDLE = ".widget-slider .noUi-handle"
SLIDER_TRACK = ".widget-slider .noUi-target"
FIGURE_CANVAS = ".jupyter-matplotlib-canvas-div > canvas:first-child"
FIGURE_HEADER = ".jupyter-matplotlib-header"
STDERR_OUTPUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
TRACEBACK = "Traceback (most recent call last)"

OPEN_TIMEOUT_MS = 90_000
RUN_TIMEOUT_S = float(os.environ.get("MLCORE_BROWSER_RUN_TIMEOUT", "300"))
REDRAW_TIMEOUT_S = 15.0
# Anti-aliasing never flips this many pixels by itself; a redrawn curve,
# surface or marker changes far more.
MIN_CHANGED_PIXELS = 50
# Where on its track the test clicks a slider: far from the handle, so that the
# panel jumps (a few arrow-key steps can leave a saturated picture unchanged).
FAR_END = 0.9
# The end of a traceback names the learner's code and the error; the frames
# before it are mostly ipywidgets and traitlets internals.
ERROR_LINES = 25
CONSOLE_CHARS = 300

_FIND_PANEL = """
  const panel = Array.from(window.jupyterapp.shell.widgets('main'))
    .find((widget) => widget.context && widget.context.path === path);
"""

# The execution indicator says "idle" before the notebook's session has a
# kernel, and Run All Cells in that moment silently runs nothing; so also wait
# until the kernel is connected.
_KERNEL_READY = """
(path) => {""" + _FIND_PANEL + """
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return Boolean(kernel) && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}
"""

# Records the kernel's error messages and tracebacks on stderr, including those
# raised by widget callbacks, which JupyterLab sends to its log console
# instead of to a cell.
_RECORD_KERNEL_ERRORS = """
(path) => {""" + _FIND_PANEL + """
  if (!panel) { throw new Error('no open notebook with path ' + path); }
  window.mlcoreKernelErrors = [];
  panel.sessionContext.iopubMessage.connect((_, message) => {
    const content = message.content;
    if (message.header.msg_type === 'error') {
      window.mlcoreKernelErrors.push(content.traceback.join('\\n'));
    } else if (message.header.msg_type === 'stream' && content.name === 'stderr'
               && content.text.includes('""" + TRACEBACK + """')) {
      window.mlcoreKernelErrors.push(content.text);
    }
  });
}
"""

# The menu item runs the command "notebook:run-all-cells", whose result settles
# when the last cell has run (or the first error stopped the run). Watching that
# promise avoids guessing from prompts, which a notebook stored with outputs
# already shows before anything runs.
_WATCH_RUN_ALL = """
() => {
  window.mlcoreRunAll = 'not started';
  window.jupyterapp.commands.commandExecuted.connect((_, executed) => {
    if (executed.id === 'notebook:run-all-cells') {
      window.mlcoreRunAll = 'running';
      Promise.resolve(executed.result).then(
        () => { window.mlcoreRunAll = 'finished'; },
        (error) => { window.mlcoreRunAll = 'failed: ' + error; });
    }
  });
}
"""

_RUN_FINISHED = """
() => {
  const indicator = document.querySelector(".jp-Notebook-ExecutionIndicator");
  return window.mlcoreRunAll !== 'not started' && window.mlcoreRunAll !== 'running'
    && indicator && indicator.dataset.status === 'idle';
}
"""

_UNEXECUTED_CELLS = """
() => Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell'))
  .map((cell, index) => [cell, index + 1])
  .filter(([cell]) => cell.classList.contains('jp-CodeCell'))
  .filter(([cell]) => !/\\[\\d+\\]/.test(cell.querySelector('.jp-InputPrompt').textContent))
  .map(([, number]) => number)
"""

# Runs code in the notebook's kernel outside any cell (nothing is shown in the
# notebook and the execution count does not move) and returns what it printed.
_RUN_IN_KERNEL = """
async ([path, code]) => {""" + _FIND_PANEL + """
  const kernel = panel.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  let printed = '';
  let error = null;
  future.onIOPub = (message) => {
    if (message.header.msg_type === 'stream') { printed += message.content.text; }
    if (message.header.msg_type === 'error') {
      error = message.content.traceback.join('\\n');
    }
  };
  await future.done;
  return {printed, error};
}
"""

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class PanelResult:
    """What moving one panel's slider did."""

    number: int
    slider: str
    value_before: str
    value_after: str
    changed_pixels: int


def _has_area(box) -> bool:
    return box is not None and box["width"] > 0 and box["height"] > 0


def _shortened(text: str, keep: int = CONSOLE_CHARS) -> str:
    """A console message cut to `keep` characters (some carry a whole base64 image)."""
    return text if len(text) <= keep else f"{text[:keep]}... ({len(text) - keep} more characters)"


def _last_lines(text: str, keep: int = ERROR_LINES) -> str:
    lines = text.splitlines()
    if len(lines) <= keep:
        return text
    return "\n".join([f"... ({len(lines) - keep} lines of traceback omitted)"] + lines[-keep:])


class NotebookPage:
    """One notebook open in JupyterLab in a Playwright page."""

    def __init__(self, page, server, path: str, artifacts: Path, prefix: str = ""):
        self.page = page
        self.server = server
        self.path = path
        self.artifacts = artifacts
        self.prefix = prefix
        self.redraw_timeout_s = REDRAW_TIMEOUT_S
        self.console_errors = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))

    def screenshot_path(self, name: str) -> Path:
        """Where the screenshot `name` (e.g. "panel-1-after.png") of this page goes."""
        return self.artifacts / f"{self.prefix}{name}"

    def _on_console(self, message) -> None:
        if message.type == "error":
            source = message.location.get("url", "")
            text = f"{message.text} ({source})" if source else message.text
            self.console_errors.append(_shortened(text))

    def browser_errors(self) -> str:
        """The browser console's errors, for failure messages (a widget view
        that fails to render reports only there)."""
        return "\n".join(self.console_errors[-10:]) or "(none)"

    def open(self) -> None:
        """Open the notebook in a fresh workspace and wait for its kernel."""
        self.page.goto(self.server.url(f"lab/tree/{self.path}?reset"))
        self.page.wait_for_selector(IDLE_KERNEL, timeout=OPEN_TIMEOUT_MS)
        self.page.wait_for_function(_KERNEL_READY, arg=self.path, timeout=OPEN_TIMEOUT_MS, polling=250)
        self.page.evaluate(_RECORD_KERNEL_ERRORS, self.path)

    def run_in_kernel(self, code: str) -> str:
        """Run `code` in the notebook's kernel, outside the notebook; return what it printed."""
        result = self.page.evaluate(_RUN_IN_KERNEL, [self.path, code])
        if result["error"]:
            raise AssertionError(f"{self.path}: code the test ran in the kernel failed:\n"
                                 + _ANSI.sub("", result["error"]))
        return result["printed"]

    def run_all_cells(self) -> None:
        """Run > Run All Cells, then wait until every cell has run and the kernel is idle."""
        self.page.evaluate(_WATCH_RUN_ALL)
        self.page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        self.page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        self.page.wait_for_function(_RUN_FINISHED, timeout=RUN_TIMEOUT_S * 1000, polling=250)
        outcome = self.page.evaluate("() => window.mlcoreRunAll")
        if outcome != "finished":
            raise AssertionError(f"{self.path}: Run All Cells {outcome}")
        self.page.screenshot(path=self.screenshot_path("notebook.png"))

    def errors(self) -> list[str]:
        """Every error the run produced: error outputs in cells, tracebacks on
        stderr, and errors the kernel reported outside any cell. Warnings
        (stderr without a traceback) are not errors."""
        kernel_errors = self.page.evaluate("() => window.mlcoreKernelErrors.slice()")
        shown = [text for text in self.page.locator(STDERR_OUTPUT).all_inner_texts() if TRACEBACK in text]
        unique = {}
        for text in kernel_errors + shown:
            text = _ANSI.sub("", text).strip()
            key = " ".join(text.split())
            # A cell's error arrives both as a kernel message and as an output;
            # a callback that raised on every key press arrives several times.
            if not any(key in seen for seen in unique):
                unique[key] = _last_lines(text)
        return list(unique.values())

    def unexecuted_code_cells(self) -> list[int]:
        """1-based numbers of code cells that show no execution count."""
        return self.page.evaluate(_UNEXECUTED_CELLS)

    def figure_headers(self) -> list[str]:
        """The texts of the ipympl figure headers ("Figure 1") shown anywhere in the notebook."""
        return [header.inner_text().strip() for header in self.page.locator(FIGURE_HEADER).all()
                if header.is_visible()]

    def slider_tracks(self, panel) -> dict[str, float]:
        """The width in pixels of each slider track of a panel, by the slider's label."""
        widths = {}
        for index, slider in enumerate(panel.locator(".widget-slider").all(), start=1):
            label = slider.locator(".widget-label").first.inner_text().strip() or f"slider {index}"
            widths[label] = slider.locator(".noUi-target").first.bounding_box()["width"]
        return widths

    def panels(self):
        """Locators of the cell outputs that hold a slider, top to bottom."""
        return self.page.locator(PANEL).all()

    def assert_rendered(self, number: int, panel) -> None:
        """Every figure of the panel shows a picture (not a blank canvas)."""
        figures = panel.locator(FIGURE_CANVAS)
        if figures.count() == 0:
            raise AssertionError(
                f"{self.path}: panel {number} has a slider but no ipympl figure; "
                "a panel's figure must be an ipympl canvas (`%matplotlib widget`) "
                "shown in the same output as its slider"
            )
        for index in range(figures.count()):
            figure = figures.nth(index)
            where = f"{self.path}: panel {number}, figure {index + 1}"
            self._wait_for(
                lambda: _has_area(figure.bounding_box()),
                f"{where} has no size: its ipympl view did not render. "
                f"Browser console errors:\n{self.browser_errors()}\n",
            )
            self._wait_for(
                lambda: distinct_colours(figure.screenshot()) > 1,
                f"{where} stayed blank. Browser console errors:\n{self.browser_errors()}\n",
            )

    def move_first_slider(self, number: int, panel) -> PanelResult:
        """Click the panel's first slider's track far from its handle, as a learner
        jumps; wait until the panel's figures change."""
        handle = panel.locator(SLIDER_HANDLE).first
        label = panel.locator(".widget-slider").first.inner_text().strip().split("\n")[0]
        value_before = handle.get_attribute("aria-valuenow")
        low, high = (float(handle.get_attribute(f"aria-value{end}")) for end in ("min", "max"))
        upper_half = float(value_before) > (low + high) / 2
        track = panel.locator(SLIDER_TRACK).first

        panel.screenshot(path=self.screenshot_path(f"panel-{number}-before.png"))
        pictures_before = self._pictures(panel)
        size = track.bounding_box()
        track.click(position={"x": size["width"] * (1 - FAR_END if upper_half else FAR_END),
                              "y": size["height"] / 2})
        self._wait_for(
            lambda: handle.get_attribute("aria-valuenow") != value_before,
            f"{self.path}: panel {number}: slider {label!r} did not move when its track was clicked",
        )
        value_after = handle.get_attribute("aria-valuenow")

        changed = 0
        deadline = time.monotonic() + self.redraw_timeout_s
        while time.monotonic() < deadline and changed < MIN_CHANGED_PIXELS:
            time.sleep(0.2)
            changed = max(
                changed_pixels(old, new) for old, new in zip(pictures_before, self._pictures(panel))
            )
        panel.screenshot(path=self.screenshot_path(f"panel-{number}-after.png"))
        if changed < MIN_CHANGED_PIXELS:
            errors = "\n\n".join(self.errors()) or "(the kernel reported no error)"
            raise AssertionError(
                f"{self.path}: panel {number}: slider {label!r} moved from {value_before} to "
                f"{value_after} but its figure changed in only {changed} pixels "
                f"(need {MIN_CHANGED_PIXELS}) within {self.redraw_timeout_s:.0f} s. The callback "
                "should update the artists and call fig.canvas.draw_idle(). "
                f"Screenshots: {self.artifacts}. Kernel errors:\n{errors}\n"
                f"Browser console errors:\n{self.browser_errors()}"
            )
        return PanelResult(number, label, value_before, value_after, changed)

    def _pictures(self, panel) -> list[bytes]:
        figures = panel.locator(FIGURE_CANVAS)
        return [figures.nth(index).screenshot() for index in range(figures.count())]

    @staticmethod
    def _wait_for(condition, message: str, timeout_s: float = REDRAW_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"{message} (waited {timeout_s:.0f} s)")
            time.sleep(0.2)
