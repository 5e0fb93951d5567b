"""The chapter notebooks keep the course template ("Writing a chapter" in CONTRIBUTING.md).

These tests read the stored notebooks; they do not run them. Running them is
nbval's job (``pytest --nbval-lax chapters/``), which compares the cells
tagged ``nbval-check-output`` with their stored outputs. What is checked
here is what nbval cannot see: that every chapter has objectives, a summary
and an exercises pointer, slide metadata on every cell, seeded randomness,
panels with a question and a checked guided task, PyTorch only as a referee,
and stored outputs that come from one clean Restart & Run All.
"""

import re
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import find_comment_markers, find_metadata_tags

import mlcore.widgets

CHAPTERS_DIR = Path(__file__).resolve().parent.parent / "chapters"
CHAPTERS = sorted(CHAPTERS_DIR.glob("[0-9][0-9]_*.ipynb"))

# "" continues the current slide: it is what JupyterLab's "-" option stores, and the
# only spelling jupyterlab-slideshow shows (a literal "-" hides the cell from the deck).
SLIDE_TYPES = {"slide", "subslide", "fragment", "", "skip", "notes"}
# nbval's markers live in cell tags, out of the learner's sight. Under --nbval-lax only
# the cells tagged CHECK are compared; IGNORE marks the cells with widgets and pictures.
CHECK = "nbval-check-output"
IGNORE = "nbval-ignore-output"
# The tags nbval reads (plugin.metadata_tags). A tag outside this list that looks like
# one (a typo such as "nbval-check-outputs") would silently switch a check off.
NBVAL_TAGS = {CHECK, IGNORE, "nbval-raises-exception", "nbval-skip", "raises-exception"}
# A comment nbval would read as a marker, which learners would see on every cell and slide.
MARKER_COMMENT = re.compile(r"^\s*#\s*(NBVAL_\w+|PYTEST_VALIDATE_IGNORE_OUTPUT)", re.MULTILINE)
LEARNER_NOTEBOOKS = CHAPTERS + sorted((CHAPTERS_DIR.parent / "solutions").glob("*.ipynb")) + sorted(
    (CHAPTERS_DIR.parent / "exercises").glob("*.ipynb"))
# Outputs nbval cannot compare reliably: widgets, pictures and ipympl's HTML fallback.
RICH_MIME_TYPES = ("application/vnd.jupyter.widget-view+json", "image/png", "text/html")
# The live panels each chapter must show: every panel of mlcore.widgets.__all__ (the one
# registry of panels), under the chapter its class attribute `chapter` names.
REQUIRED_PANELS = {}
for _name in mlcore.widgets.__all__:
    REQUIRED_PANELS.setdefault(getattr(mlcore.widgets, _name).chapter, set()).add(_name)
PANEL_CONSTRUCTION = re.compile(r"^(\w+)\s*=\s*(\w+Panel)\(", re.MULTILINE)
# Every chapter is in exactly one of these lists, so that a new chapter forces a decision.
WITH_EXERCISES = ["01_errors_and_losses", "02_cross_entropy", "03_gradient_descent",
                  "04_chain_rule_and_graphs", "05_backpropagation", "06_optimizers", "07_training",
                  "08_convolutional_network"]
NO_EXERCISES_YET = []


def load(path):
    return nbformat.read(path, as_version=4)


def number(path):
    return int(path.name[:2])


def code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def markdown_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "markdown"]


def tags(cell):
    return cell.metadata.get("tags", [])


def checked(cell):
    return cell.cell_type == "code" and CHECK in tags(cell)


def ignored(cell):
    return cell.cell_type == "code" and IGNORE in tags(cell)


def heading_cell(nb, heading):
    """The index of the markdown cell that starts with ``heading`` (e.g. '## Summary')."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and cell.source.startswith(heading):
            return index
    raise AssertionError(f"no markdown cell starts with {heading!r}")


def describe(path, cell):
    return f"{path.name}, cell {cell.get('id', '?')!r}"


chapter = pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])


def test_the_first_slice_of_chapters_exists():
    assert [p.name for p in CHAPTERS][:2] == ["01_errors_and_losses.ipynb", "02_cross_entropy.ipynb"]


@chapter
def test_notebook_is_valid_nbformat_with_cell_ids(path):
    nb = load(path)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5), "cell ids need nbformat 4.5 or later"
    ids = [cell.id for cell in nb.cells]
    assert len(ids) == len(set(ids)), "cell ids must be unique"
    prefix = f"ch{number(path)}-"
    assert all(i.startswith(prefix) for i in ids), f"cell ids must start with {prefix!r}: {ids}"


@chapter
def test_notebook_metadata_names_the_chapter_and_its_exercises(path):
    nb = load(path)
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.mlcore.chapter == number(path)
    assert nb.metadata.mlcore.exercises == f"exercises/{path.name}"
    assert nb.metadata.rise.scroll is True, "long slides must scroll in RISE"


@chapter
def test_title_and_learning_objectives_open_the_chapter(path):
    nb = load(path)
    opening = nb.cells[0]
    assert opening.cell_type == "markdown"
    assert opening.source.startswith(f"# Chapter {number(path)} · "), opening.source[:60]
    assert "## Learning objectives" in opening.source
    objectives = opening.source.split("## Learning objectives", 1)[1]
    bullets = [line for line in objectives.splitlines() if line.startswith("- ")]
    assert len(bullets) >= 4, f"expected at least 4 learning objectives, found {len(bullets)}"


@chapter
def test_summary_then_exercises_pointer_close_the_chapter(path):
    nb = load(path)
    summary = heading_cell(nb, "## Summary")
    exercises = heading_cell(nb, "## Exercises")
    assert summary < exercises == len(nb.cells) - 1, "the chapter ends with its summary, then its exercises"
    bullets = [line for line in nb.cells[summary].source.splitlines() if line.startswith("- ")]
    assert len(bullets) >= 4, "the summary lists the chapter's main points"
    assert f"](../exercises/{path.name})" in nb.cells[exercises].source


def test_every_chapter_is_listed_once_as_with_or_without_exercises():
    assert sorted(WITH_EXERCISES + NO_EXERCISES_YET) == [path.stem for path in CHAPTERS], (
        "put every chapter in exactly one of WITH_EXERCISES and NO_EXERCISES_YET")
    for stem in NO_EXERCISES_YET:
        assert not (CHAPTERS_DIR.parent / "exercises" / f"{stem}.ipynb").exists(), (
            f"{stem} has exercises now: move it to WITH_EXERCISES")


@pytest.mark.parametrize("stem", WITH_EXERCISES)
def test_exercises_notebook_exists(stem):
    for folder in ("exercises", "solutions"):
        target = CHAPTERS_DIR.parent / folder / f"{stem}.ipynb"
        assert target.is_file(), f"{stem} is listed in WITH_EXERCISES, but {folder}/{target.name} is missing"
        load(target)  # a readable notebook, not an empty or broken file


@chapter
def test_links_to_other_chapters_resolve(path):
    nb = load(path)
    links = {target for cell in markdown_cells(nb)
             for target in re.findall(r"\]\(([0-9][0-9]_\w+\.ipynb)\)", cell.source)}
    assert links, "a chapter links to its neighbours"
    for target in links:
        assert (CHAPTERS_DIR / target).exists(), f"{path.name} links to missing {target}"


@chapter
def test_every_cell_carries_slide_metadata(path):
    nb = load(path)
    for cell in nb.cells:
        slide_type = cell.metadata.get("slideshow", {}).get("slide_type")
        assert slide_type in SLIDE_TYPES, f"{describe(path, cell)}: slide_type {slide_type!r}"
        if cell.cell_type == "markdown" and cell.source.startswith(("# ", "## ")):
            assert slide_type == "slide", f"{describe(path, cell)}: a section starts a slide"
        if cell.cell_type == "markdown" and cell.source.startswith("### "):
            assert slide_type in {"slide", "subslide"}, f"{describe(path, cell)}: a subsection starts a subslide"


@chapter
def test_prose_outweighs_code_and_has_equations(path):
    nb = load(path)
    assert len(markdown_cells(nb)) >= len(code_cells(nb)), "a course, not a code dump"
    display_equations = sum(cell.source.count("$$") // 2 for cell in markdown_cells(nb))
    assert display_equations >= 5, f"only {display_equations} display equations"


@chapter
def test_setup_cell_comes_first_with_ipympl_and_seeds(path):
    nb = load(path)
    setup = code_cells(nb)[0]
    assert setup.source.splitlines()[0] == "%matplotlib widget"
    assert "mlcore.manual_seed(" in setup.source
    assert "torch" not in setup.source, "torch is the referee: import it in the PyTorch section only"
    assert setup.metadata.slideshow.slide_type == "skip"


@chapter
def test_randomness_is_seeded_in_the_cell_that_draws(path):
    nb = load(path)
    for cell in code_cells(nb):
        source = cell.source
        where = describe(path, cell)
        assert not re.search(r"np\.random\.(?!default_rng\b)\w+\(", source), \
            f"{where}: use np.random.default_rng(seed), not numpy's global generator"
        assert not re.search(r"default_rng\(\s*\)", source), f"{where}: default_rng needs a seed"
        if re.search(r"mlcore\.(randn|rand)\(", source):
            assert "mlcore.manual_seed(" in source, f"{where}: re-seed mlcore where it draws"
        if re.search(r"torch\.(randn|rand|randint|normal)\(", source):
            assert "torch.manual_seed(" in source, f"{where}: re-seed torch where it draws"


@chapter
def test_torch_is_only_the_referee(path):
    nb = load(path)
    referee = next(i for i, cell in enumerate(nb.cells)
                   if cell.cell_type == "markdown" and re.match(r"## [\d.]+ Check against PyTorch", cell.source))
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and re.search(r"\btorch\b", cell.source):
            assert index > referee, f"{describe(path, cell)} uses torch before the PyTorch section"
    imports = [cell for cell in code_cells(nb) if re.search(r"^import torch$", cell.source, re.MULTILINE)]
    assert len(imports) == 1
    assert "torch.set_num_threads(1)" in imports[0].source
    assert "torch.set_default_dtype(torch.float64)" in imports[0].source
    comparisons = [cell for cell in nb.cells[referee:] if checked(cell) and "mlcore.cmp(" in cell.source]
    assert len(comparisons) >= 2, "the PyTorch section compares with mlcore.cmp in checked cells"


@pytest.mark.parametrize("path", LEARNER_NOTEBOOKS,
                         ids=[f"{p.parent.name}/{p.stem}" for p in LEARNER_NOTEBOOKS])
def test_no_cell_shows_a_test_marker(path):
    nb = load(path)
    for cell in nb.cells:
        marker = MARKER_COMMENT.search(cell.source)
        assert not marker, (f"{describe(path, cell)} shows {marker.group(1)} to the learner: "
                            f"remove the comment and tag the cell {marker.group(1).lower().replace('_', '-')!r}")


@pytest.mark.parametrize("path", LEARNER_NOTEBOOKS,
                         ids=[f"{p.parent.name}/{p.stem}" for p in LEARNER_NOTEBOOKS])
def test_nbval_tags_are_ones_nbval_reads_on_code_cells(path):
    nb = load(path)
    for cell in nb.cells:
        where = describe(path, cell)
        for tag in tags(cell):
            if "nbval" in tag or tag in NBVAL_TAGS:
                assert tag in NBVAL_TAGS, (f"{where}: nbval does not read the tag {tag!r}; "
                                           f"use one of {sorted(NBVAL_TAGS)}")
                assert cell.cell_type == "code", f"{where}: nbval reads tags on code cells only"
        assert not (CHECK in tags(cell) and IGNORE in tags(cell)), f"{where}: both checked and ignored"


@pytest.mark.parametrize("path", LEARNER_NOTEBOOKS,
                         ids=[f"{p.parent.name}/{p.stem}" for p in LEARNER_NOTEBOOKS])
def test_nbval_compares_exactly_the_cells_tagged_checked(path):
    # nbval's own reading of a cell's markers, as --nbval-lax applies it: the tests
    # above and nbval must agree on which cells are compared.
    nb = load(path)
    for cell in code_cells(nb):
        options = dict(find_metadata_tags(cell.metadata))
        options.update(find_comment_markers(cell.source))
        assert options.get("check", False) == checked(cell), describe(path, cell)


@chapter
def test_checked_cells_have_plain_text_outputs(path):
    nb = load(path)
    checked_cells = [cell for cell in nb.cells if checked(cell)]
    assert len(checked_cells) >= 10, "a chapter checks its numbers"
    for cell in checked_cells:
        assert cell.outputs, f"{describe(path, cell)} is checked but has no stored output"
        for output in cell.outputs:
            assert output.output_type in {"stream", "execute_result"}, describe(path, cell)
            if output.output_type == "stream":
                assert output.name == "stdout", f"{describe(path, cell)} writes to stderr"
            else:
                assert set(output.data) == {"text/plain"}, describe(path, cell)


@chapter
def test_widget_and_picture_outputs_are_ignored_by_nbval(path):
    nb = load(path)
    for cell in code_cells(nb):
        rich = any(mime in output.get("data", {}) for output in cell.outputs for mime in RICH_MIME_TYPES)
        if rich:
            assert ignored(cell), f"{describe(path, cell)} shows a widget or a picture: tag it {IGNORE!r}"


@chapter
def test_outputs_come_from_one_clean_run(path):
    nb = load(path)
    counts = [cell.execution_count for cell in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"run Restart & Run All before saving: {counts}"
    for cell in code_cells(nb):
        for output in cell.outputs:
            assert output.output_type != "error", f"{describe(path, cell)} stored an error"
            if output.output_type == "stream":
                assert output.name == "stdout", f"{describe(path, cell)} stored stderr: {output.text[:200]}"


@chapter
def test_chapter_shows_its_required_panels(path):
    nb = load(path)
    setup = code_cells(nb)[0].source
    shown = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for variable, panel in PANEL_CONSTRUCTION.findall(cell.source):
            where = describe(path, cell)
            shown.add(panel)
            assert re.search(rf"^from mlcore\.widgets import .*\b{panel}\b", setup, re.MULTILINE), \
                f"{where}: import {panel} in the setup cell"
            assert ignored(cell), f"{where}: a panel cell is ignored by nbval (tag it {IGNORE!r})"
            assert cell.source.rstrip().splitlines()[-1] == variable, \
                f"{where}: end the cell with {variable!r} so the panel displays itself"
            caption = nb.cells[index - 1]
            assert caption.cell_type == "markdown" and "**Question**" in caption.source \
                and "?" in caption.source, f"{where}: the caption above a panel asks a question"
            tasks = [later for later in nb.cells[index + 1:]
                     if checked(later) and f"{variable}.set_state(" in later.source]
            assert tasks, f"{where}: a checked guided-task cell sets {variable} with set_state"
    assert REQUIRED_PANELS.get(number(path), set()) <= shown
