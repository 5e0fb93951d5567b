"""A source notebook as the grader sees it: its test cells, its fixed cells, and how to
recognise its cells inside a student's submission.

A submission is matched to ``solutions/<same file name>``. Inside it, a cell
is recognised as a source cell by, in order: its nbgrader ``grade_id``; its
notebook cell ``id`` (JupyterLab keeps it when other metadata is lost); or
its exact text, compared with the student version of each source cell.
"""

import functools
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import regions
from .generate import student_version
from .metadata import grade_id, is_autograded_test, is_grade, is_locked, is_solution, nbgrader_meta
from .validate import check_source_notebook


class NoSourceNotebook(LookupError):
    """A submission whose file name matches no notebook in the solutions folder."""


@dataclass(frozen=True)
class TestCell:
    """A graded test cell: its id, its points and the code that runs when grading."""

    grade_id: str
    points: float
    index: int
    source: str


class SourceNotebook:
    """The parts of a source notebook that grading needs (built once per notebook)."""

    def __init__(self, path, nb):
        check_source_notebook(nb, path.name)
        self.path = path
        self.name = path.name
        self.cells = nb.cells
        student_cells = student_version(nb, path.name).cells
        self.tests = [
            TestCell(grade_id(cell), float(nbgrader_meta(cell)["points"]), index, _runnable(cell.source))
            for index, cell in enumerate(nb.cells) if is_autograded_test(cell)
        ]
        # Cells whose grading source always comes from here, never from the
        # submission: the tests and the read-only cells they may rely on.
        self.fixed = {index: _runnable(cell.source) for index, cell in enumerate(nb.cells)
                      if is_locked(cell) and cell.cell_type == "code"}
        self.answers = {index: grade_id(cell) for index, cell in enumerate(nb.cells) if is_solution(cell)}
        self.manually_graded = [grade_id(cell) for cell in nb.cells if is_grade(cell) and is_solution(cell)]
        self._by_grade_id = {grade_id(cell): index for index, cell in enumerate(nb.cells) if grade_id(cell)}
        self._by_cell_id = {cell.get("id"): index for index, cell in enumerate(nb.cells) if cell.get("id")}
        self._by_text = _unique_index(_normal(cell.source) for cell in student_cells)

    @property
    def max_score(self):
        """Points of all autograded test cells."""
        return sum(test.points for test in self.tests)

    def anchor(self, cell):
        """Index of the source cell that a submitted ``cell`` is a copy of, or None for a new cell."""
        gid = grade_id(cell)
        if gid in self._by_grade_id:
            return self._by_grade_id[gid]
        if cell.get("id") in self._by_cell_id:
            return self._by_cell_id[cell.get("id")]
        return self._by_text.get(_normal(cell.source))


def _runnable(source):
    # Hidden tests run when grading; only their marker lines go.
    return regions.replace_regions(source, regions.HIDDEN_TESTS, keep_content=True)[0]


def _normal(text):
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _unique_index(texts):
    positions = {}
    for index, text in enumerate(texts):
        if text:
            positions.setdefault(text, []).append(index)
    return {text: found[0] for text, found in positions.items() if len(found) == 1}


@functools.lru_cache(maxsize=64)
def _load_cached(path, mtime_ns):
    return SourceNotebook(path, nbformat.read(path, as_version=4))


def load_source(path):
    """The ``SourceNotebook`` at ``path``, cached until the file changes."""
    path = Path(path).resolve()
    return _load_cached(path, path.stat().st_mtime_ns)


def find_source_path(submission, solutions_dir):
    """The source notebook for a submission: ``solutions_dir/<its file name>``.

    Learning platforms often decorate file names ("alice_01_errors (2).ipynb"),
    so when there is no exact match, the source whose name (without
    ``.ipynb``) is the longest one contained in the submission's name is used.
    """
    exact = solutions_dir / submission.name
    if exact.is_file():
        return exact
    candidates = [path for path in solutions_dir.glob("*.ipynb") if path.stem in submission.stem]
    if candidates:
        return max(candidates, key=lambda path: len(path.stem))
    names = ", ".join(sorted(path.name for path in solutions_dir.glob("*.ipynb"))) or "none"
    raise NoSourceNotebook(f"no source notebook in {solutions_dir} matches the file name "
                           f"'{submission.name}' (source notebooks: {names}); rename the "
                           f"submission to the exercise's file name.")
