"""Present a notebook with jupyterlab-slideshow the way an instructor does.

The deck starts from the command palette entry "Start Deck" (command
`deck:start`, category "Decks"; the extension binds no key to it), at the
selected cell, so the instructor first clicks the title cell. Space steps to
the next fragment, subslide or slide and Escape leaves the deck. What a slide
shows is read from the classes the extension gives cells: a cell is laid out
on the slide with `jp-deck-mod-onscreen` and faded in with `jp-deck-mod-visible`.
"""

import time
from dataclasses import dataclass

PLUGIN = "jupyterlab-slideshow:plugin"
START_LABEL = "Start Deck"
PRESENTING = "body[data-jp-deck-mode='presenting']"
REMOTE = ".jp-Deck-Remote"
# The cells of the notebook, in notebook order (windowingMode "none" renders them all).
CELL = ".jp-Notebook .jp-Cell"
SHOWN_CELL = ".jp-Deck .jp-Cell.jp-deck-mod-onscreen.jp-deck-mod-visible"

STEP_TIMEOUT_S = 5.0
START_TIMEOUT_MS = 15_000

_SLIDE = """
() => {
  const cells = Array.from(document.querySelectorAll('""" + CELL + """'));
  const where = (test) => cells.flatMap((cell, index) => (test(cell) ? [index] : []));
  return {
    onScreen: where((cell) => cell.classList.contains('jp-deck-mod-onscreen')),
    shown: where((cell) => cell.classList.contains('jp-deck-mod-onscreen')
                           && cell.classList.contains('jp-deck-mod-visible')),
    active: cells.findIndex((cell) => cell.classList.contains('jp-mod-active')),
  };
}
"""

_FADED_IN = "(cell, shown) => cell.matches(shown) && getComputedStyle(cell).opacity === '1'"

_PANEL_CELLS = """
() => Array.from(document.querySelectorAll('""" + CELL + """'))
  .flatMap((cell, index) => (cell.querySelector('.jp-Cell-outputWrapper .widget-slider') ? [index] : []))
"""


@dataclass(frozen=True)
class Slide:
    """What the deck shows now, as 0-based cell indices: the cells laid out on
    the slide, those of them faded in so far, and the selected cell."""

    on_screen: tuple[int, ...]
    shown: tuple[int, ...]
    active: int

    @property
    def first_cell(self) -> int:
        """The cell that opens this slide or subslide: it names the slide."""
        return min(self.on_screen)


class Deck:
    """The jupyterlab-slideshow deck of a notebook open in a NotebookPage."""

    def __init__(self, notebook_page):
        self.notebook = notebook_page
        self.page = notebook_page.page

    def panel_cells(self) -> list[int]:
        """0-based indices of the cells whose output holds a slider, top to bottom."""
        return self.page.evaluate(_PANEL_CELLS)

    def start(self) -> Slide:
        """Select the title cell, then Command Palette (Ctrl+Shift+C) > "Start Deck"."""
        self.page.locator(CELL).first.locator(".jp-InputPrompt").click()
        self.page.keyboard.press("Control+Shift+C")
        self.page.keyboard.type(START_LABEL)
        chosen = self.page.locator(".lm-CommandPalette-item.lm-mod-active .lm-CommandPalette-itemLabel")
        label = chosen.inner_text(timeout=START_TIMEOUT_MS).strip()
        if label != START_LABEL:
            raise AssertionError(
                f"the command palette offers {label!r} for {START_LABEL!r}: is the "
                "jupyterlab-slideshow extension installed and enabled (`jupyter labextension list`)?"
            )
        self.page.keyboard.press("Enter")
        self.page.wait_for_selector(PRESENTING, state="attached", timeout=START_TIMEOUT_MS)
        self.page.wait_for_selector(REMOTE, timeout=START_TIMEOUT_MS)
        self._wait_for(lambda: self.slide().on_screen, "the deck put no cell on screen")
        return self.slide()

    def presenting(self) -> bool:
        """True while the deck is shown."""
        return self.page.locator(PRESENTING).count() == 1

    def slide(self) -> Slide:
        """The slide shown now."""
        state = self.page.evaluate(_SLIDE)
        return Slide(tuple(state["onScreen"]), tuple(state["shown"]), state["active"])

    def can_go(self, direction: str) -> bool:
        """Whether the deck's remote (bottom right) offers to go `direction`:
        "forward", "back", "up" or "down". The remote updates a moment after a
        step, so this waits up to STEP_TIMEOUT_S for the button to be enabled."""
        button = self.page.locator(f"{REMOTE} .jp-deck-mod-direction-{direction}")
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while "jp-mod-disabled" in (button.get_attribute("class") or ""):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def step(self) -> Slide | None:
        """Press Space (next fragment, subslide or slide); the new slide, or None at the end."""
        before = self.slide()
        self.page.keyboard.press("Space")
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while time.monotonic() < deadline:
            now = self.slide()
            if now != before and now.on_screen:
                return now
            time.sleep(0.05)
        return None

    def stop(self) -> None:
        """Escape leaves the deck."""
        self.page.keyboard.press("Escape")
        self._wait_for(lambda: not self.presenting(), "Escape did not leave the deck")

    def shown_cell(self, index: int):
        """Cell `index`, once the slide shows it fully faded in (the extension
        fades cells in, and a screenshot mid-fade would differ from the next)."""
        cell = self.page.locator(CELL).nth(index)
        self._wait_for(
            lambda: cell.evaluate(_FADED_IN, SHOWN_CELL),
            f"cell {index + 1} is not shown on the slide",
        )
        return cell

    def screenshot(self, name: str) -> None:
        """The whole slide as the audience sees it (the viewport)."""
        self.page.screenshot(path=self.notebook.screenshot_path(name))

    @staticmethod
    def _wait_for(condition, message: str, timeout_s: float = STEP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"{message} (waited {timeout_s:.0f} s)")
            time.sleep(0.1)
