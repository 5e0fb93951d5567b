"""The lecture decks (`python -m mlcore.slides`) hold every slide of a chapter, work offline and fit the screen.

Each deck is built as `make slides` builds it. Its slides are counted against
the notebook's `slideshow` metadata, counted independently of nbconvert; it
must name no CDN and every file it loads must be in the deck's folder. Then
Chromium opens it from disk with every non-file request blocked: reveal.js
must start and the equations must be typeset by the local MathJax. Last, on a
1280x720 screen, every slide (with all its fragments shown) must fit: nothing
sticks out of the screen or the slide, nothing is cut at the right edge, and
no slide is taller than the screen, once the deck has cut the tall ones into
vertical slides, except a slide of one part too tall to cut (one paragraph or
picture), which scrolls inside itself. Screenshots of every slide
go to artifacts/slides/<notebook>/.
"""

import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
from browser_support.chromium import new_page, running_chromium
from browser_support.requirements import unavailable

from mlcore.slides import build_deck

REPO = Path(__file__).resolve().parents[1]
DEMO_PANEL = REPO / "tests" / "fixtures" / "browser" / "demo_panel.ipynb"
NOTEBOOKS = [pytest.param(path, id=path.stem) for path in sorted((REPO / "chapters").glob("*.ipynb"))]
NOTEBOOKS.append(pytest.param(DEMO_PANEL, id="fixture-demo_panel"))
CDN_MARKERS = ("https://cdn", "unpkg.com", "cdnjs", "jsdelivr", "googleapis")


@pytest.fixture(scope="module")
def deck_dir(tmp_path_factory):
    if shutil.which("npm") is None:
        unavailable("npm is not on PATH; the slides builder fetches reveal.js and MathJax "
                    "with it (`sudo apt-get install npm`)", what="slides test")
    return tmp_path_factory.mktemp("slides")


@pytest.fixture(scope="module")
def decks(deck_dir):
    """Build each notebook's deck once for all the tests of this module."""
    built = {}

    def deck(notebook: Path) -> Path:
        if notebook not in built:
            started = time.monotonic()
            built[notebook] = build_deck(notebook, deck_dir)
            print(f"\n  deck of {notebook.stem}: {time.monotonic() - started:.1f} s")
        return built[notebook]

    return deck


def expected_slides(notebook: Path) -> tuple[int, int]:
    """(slides, vertical subslides) that the slideshow metadata asks for.

    As in RISE and nbconvert: "skip" and "notes" cells are not shown, the first
    shown cell opens a slide whatever its type, and every slide starts with a
    subslide of its own.
    """
    types = [
        cell.metadata.get("slideshow", {}).get("slide_type", "-")
        for cell in nbformat.read(notebook, as_version=4).cells
    ]
    shown = [kind for kind in types if kind not in {"skip", "notes"}]
    slides = 1 + shown[1:].count("slide")
    return slides, slides + shown[1:].count("subslide")


class _DeckParser(HTMLParser):
    """The text of each top-level <section>, the subslide count, and every URL the page loads."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.slides = []
        self.subslides = 0
        self.loaded = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.depth += 1
            if self.depth == 1:
                self.slides.append("")
            elif self.depth == 2:
                self.subslides += 1
        if tag in {"script", "img", "iframe"} and attrs.get("src"):
            self.loaded.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.loaded.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "section":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.slides[-1] += data


def _parse(deck: Path) -> tuple[_DeckParser, str]:
    html = deck.read_text(encoding="utf-8")
    parser = _DeckParser()
    parser.feed(html)
    # ES modules and require() calls load scripts that no tag names.
    parser.loaded += re.findall(r"""import\s+\w+\s+from\s+['"]([^'"]+)['"]""", html)
    for call in re.findall(r"require\((.*?)function\s*\(\s*Reveal", html, flags=re.DOTALL):
        parser.loaded += re.findall(r"""["']([^"'\s]+\.js)["']""", call)
    return parser, html


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_deck_has_every_slide_of_the_notebook(notebook, decks):
    parser, _ = _parse(decks(notebook))
    slides, subslides = expected_slides(notebook)
    assert (len(parser.slides), parser.subslides) == (slides, subslides), (
        f"{notebook.name}: the deck has {len(parser.slides)} slides and {parser.subslides} "
        f"subslides; the slideshow metadata asks for {slides} and {subslides}"
    )
    cells = nbformat.read(notebook, as_version=4).cells
    headings = [
        cell.source.lstrip("#").split("\n", 1)[0].strip()
        for cell in cells
        if cell.cell_type == "markdown" and cell.source.startswith("#")
        and cell.metadata.get("slideshow", {}).get("slide_type") == "slide"
    ]
    text = " ".join(" ".join(slide.split()) for slide in parser.slides)
    missing = [heading for heading in headings
               if not all(words in text for words in _visible_words(heading))]
    assert not missing, f"{notebook.name}: slide headings missing from the deck: {missing}"


def _visible_words(heading: str) -> list[str]:
    """The runs of plain words of a markdown heading, as the deck shows them
    (links become their text; emphasis and code marks vanish; math is typeset
    later, so the runs around it are checked instead)."""
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    plain = re.sub(r"[*_`]", "", plain)
    return [" ".join(run.split()) for run in re.split(r"\$[^$]*\$", plain) if run.strip()]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_no_figure_shows_a_title_bar(notebook, decks):
    # ipympl's HTML picture of a figure is headed by its title, "Figure" by default:
    # the deck shows the PNG alone, and the course's figures have no title to show.
    _, html = _parse(decks(notebook))
    labels = [" ".join(label.split()) for label in
              re.findall(r'class="[^"]*widget-label[^"]*"[^>]*>(.*?)</div>', html, flags=re.DOTALL)]
    assert "Figure" not in labels, f"{notebook.name}: a figure in the deck is headed 'Figure'"


def test_skipped_cells_are_left_out(decks):
    _, html = _parse(decks(DEMO_PANEL))
    assert "SKIPPED-CELL-MARKER" not in html
    assert "What the slider does" in html


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_deck_loads_nothing_from_the_network(notebook, decks):
    deck = decks(notebook)
    parser, html = _parse(deck)
    cdn = [marker for marker in CDN_MARKERS if marker in html]
    assert not cdn, f"{deck.name} names a CDN: {cdn}"
    remote = [url for url in parser.loaded if urlparse(url).scheme not in {"", "data"}]
    assert not remote, f"{deck.name} loads from the network: {remote}"
    local = {urlparse(url).path for url in parser.loaded if not url.startswith("data:")}
    absent = sorted(path for path in local if not (deck.parent / path).is_file())
    assert not absent, f"{deck.name} loads files that the builder did not copy: {absent}"
    assert {"vendor/reveal.js/dist/reveal.js", "vendor/requirejs/require.js"} <= local


def _has_math(notebook: Path) -> bool:
    return any(cell.cell_type == "markdown" and "$" in cell.source
               for cell in nbformat.read(notebook, as_version=4).cells)


@pytest.fixture(scope="module")
def browser():
    with running_chromium() as browser:
        yield browser


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_deck_runs_offline_in_chromium(notebook, decks, browser):
    deck = decks(notebook)
    page = new_page(browser)
    blocked, failed = [], []

    def only_local_files(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    try:
        page.route("**/*", only_local_files)
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto(deck.as_uri())
        page.wait_for_selector(".reveal.ready", timeout=30_000)
        # MathJax runs its queue in order, so this callback runs after the
        # page's typesetting (and after any font or extension it had to load).
        page.evaluate("() => new Promise((done) => MathJax.Hub.Queue(done))")
        typeset = page.locator(".MathJax_CHTML").count()
        math_errors = page.locator(".mjx-merror").count()
    finally:
        page.context.close()
    assert not blocked, f"{deck.name} asked the network for {blocked}"
    assert not failed, f"{deck.name} could not load {failed}"
    assert math_errors == 0, f"{deck.name}: MathJax reported {math_errors} errors"
    if _has_math(notebook):
        assert typeset > 0, f"{deck.name}: the notebook has math but MathJax typeset none of it"
    print(f"\n  {deck.name}: {typeset} equations typeset offline")


SCREEN = {"width": 1280, "height": 720}
ARTIFACTS = REPO / "artifacts" / "slides"
_REVEAL = "() => window.Reveal && window.Reveal.isReady()"
_SLIDES = "() => Reveal.getSlides().map((slide) => Reveal.getIndices(slide))"
# Everything a viewer could miss on the slide shown now. MathJax's copies for
# screen readers are clipped on purpose and left out.
_OVERFLOWS = """
() => {
  const slide = Reveal.getCurrentSlide();
  const box = slide.getBoundingClientRect();
  const found = [];
  const name = (element) => element.tagName.toLowerCase()
    + (element.className && typeof element.className === 'string' ? '.' + element.className.split(' ')[0] : '');
  if (box.left < -1 || box.top < -1 || box.right > innerWidth + 1 || box.bottom > innerHeight + 1) {
    found.push(`the slide spans ${Math.round(box.left)},${Math.round(box.top)} to `
               + `${Math.round(box.right)},${Math.round(box.bottom)}, `
               + `off the ${innerWidth}x${innerHeight} screen`);
  }
  const scrolls = ['auto', 'scroll'].includes(getComputedStyle(slide).overflowY);
  const parts = Array.from(slide.children).filter((part) => !part.classList.contains('mlcore-continued'));
  if (slide.scrollHeight > slide.clientHeight + 1 && !(scrolls && parts.length === 1)) {
    found.push(`its content is ${slide.scrollHeight} px tall, the slide ${slide.clientHeight} px, in `
               + `${parts.length} parts: the deck should have cut it into vertical slides`);
  }
  for (const element of slide.querySelectorAll('*')) {
    if (element.closest('.MJX_Assistive_MathML')) continue;
    const rect = element.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    if (rect.right > box.right + 1) {
      found.push(`${name(element)} runs ${Math.round(rect.right - box.right)} px past the right edge`);
    }
    const clips = getComputedStyle(element).overflowX !== 'visible';
    if (clips && element.scrollWidth > element.clientWidth + 1) {
      found.push(`${name(element)} cuts ${element.scrollWidth - element.clientWidth} px of its content`);
    }
  }
  return found;
}
"""
SETTLE_S = 0.8  # reveal.js's slide transition


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_slide_fits_a_1280x720_screen(notebook, decks, browser):
    deck = decks(notebook)
    shots = ARTIFACTS / notebook.stem
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    context = browser.new_context(viewport=SCREEN, device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(deck.as_uri())
        page.wait_for_function(_REVEAL, timeout=30_000)
        page.wait_for_function("() => window.mlcoreSlidesFitted === true", timeout=60_000)
        overflowing = {}
        slides = page.evaluate(_SLIDES)
        for number, where in enumerate(slides, start=1):
            # The slide with every fragment shown: its fullest state.
            page.evaluate("([h, v]) => Reveal.slide(h, v, Number.MAX_SAFE_INTEGER)", [where["h"], where["v"] or 0])
            time.sleep(SETTLE_S)
            page.screenshot(path=shots / f"slide-{number:02d}.png")
            found = page.evaluate(_OVERFLOWS)
            if found:
                overflowing[number] = found[:3] + ([f"... {len(found) - 3} more"] if len(found) > 3 else [])
    finally:
        context.close()
    assert len(slides) > 1
    assert not overflowing, f"{deck.name}: slides that do not fit {SCREEN['width']}x{SCREEN['height']} " \
        f"(screenshots in {shots}):\n" + "\n".join(f"  slide {n}: " + "; ".join(f) for n, f in overflowing.items())
