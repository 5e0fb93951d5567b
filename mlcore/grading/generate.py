"""Build the student notebooks in ``exercises/`` from the source notebooks in ``solutions/``.

This does what ``nbgrader generate_assignment`` does to each notebook (its
preprocessors LockCells, ClearSolutions, ClearOutput, ComputeChecksums,
ClearHiddenTests, ClearMarkScheme, in that order), without a course
directory or a database, so the repository can commit the student versions
and a test can check that they are up to date:

- answers between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` become
  ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` (markdown answers:
  ``YOUR ANSWER HERE``); an answer cell without markers is replaced whole;
- ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` regions are removed;
- outputs and execution counts are cleared;
- answer and test cells are made undeletable, test and read-only cells
  uneditable, and nbgrader's checksums are stored, so the student versions
  also work unchanged with nbgrader's ``autograde``.

Command line (from the repository root)::

    python -m mlcore.grading.generate            # rewrite exercises/ from solutions/
    python -m mlcore.grading.generate --check    # exit 1 if exercises/ is stale
"""

import argparse
import copy
import sys
from pathlib import Path

import nbformat

from . import regions
from .metadata import compute_checksum, is_grade, is_locked, is_solution, nbgrader_meta
from .paths import default_exercises_dir, default_solutions_dir
from .validate import SourceNotebookError, check_source_notebook


def student_version(source_nb, name="the source notebook"):
    """Return the student version of an nbgrader source notebook (the input is not modified)."""
    check_source_notebook(source_nb, name)
    nb = copy.deepcopy(source_nb)
    for cell in nb.cells:
        _lock(cell)
        _clear_solution(cell)
        _clear_output(cell)
        cell.source, _ = regions.replace_regions(cell.source, regions.HIDDEN_TESTS)
        cell.source, _ = regions.replace_regions(cell.source, regions.MARK_SCHEME)
        if is_grade(cell) or is_solution(cell) or is_locked(cell):
            nbgrader_meta(cell)["checksum"] = compute_checksum(cell)
            nbgrader_meta(cell)["cell_type"] = cell.cell_type
    nb.metadata.pop("celltoolbar", None)
    return nb


def _lock(cell):
    # nbgrader's LockCells with its defaults: answers may be edited but not
    # deleted; tests and read-only cells may be neither.
    if is_solution(cell):
        cell.metadata["deletable"] = False
    elif is_grade(cell) or is_locked(cell):
        cell.metadata["deletable"] = False
        cell.metadata["editable"] = False


def _clear_solution(cell):
    stub = regions.CODE_STUB if cell.cell_type == "code" else regions.TEXT_STUB
    cell.source, replaced = regions.replace_regions(cell.source, regions.SOLUTION, replacement=stub)
    if is_solution(cell) and not replaced:
        cell.source = stub


def _clear_output(cell):
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)


def student_notebook_text(source_path):
    """The exact file content of the student version of the source notebook at ``source_path``."""
    source_nb = nbformat.read(source_path, as_version=4)
    return nbformat.writes(student_version(source_nb, source_path.name)) + "\n"


def stale_exercises(solutions_dir, exercises_dir):
    """Names of student notebooks that are missing, out of date or without a source notebook."""
    stale = []
    for source_path in sorted(solutions_dir.glob("*.ipynb")):
        target = exercises_dir / source_path.name
        if not target.exists() or target.read_text(encoding="utf-8") != student_notebook_text(source_path):
            stale.append(source_path.name)
    sources = {path.name for path in solutions_dir.glob("*.ipynb")}
    stale.extend(sorted(path.name for path in exercises_dir.glob("*.ipynb") if path.name not in sources))
    return stale


def write_exercises(solutions_dir, exercises_dir):
    """Write the student version of every notebook in ``solutions_dir``; return the paths written."""
    exercises_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source_path in sorted(solutions_dir.glob("*.ipynb")):
        target = exercises_dir / source_path.name
        target.write_text(student_notebook_text(source_path), encoding="utf-8")
        written.append(target)
    return written


def main(argv=None):
    """Command line: regenerate ``exercises/`` or, with ``--check``, report whether it is stale."""
    parser = argparse.ArgumentParser(
        prog="python -m mlcore.grading.generate",
        description="Build the student notebooks (exercises/) from nbgrader source notebooks "
                    "(solutions/), as 'nbgrader generate_assignment' would.")
    parser.add_argument("--solutions", type=Path, default=None,
                        help="folder of source notebooks (default: the course's solutions/)")
    parser.add_argument("--exercises", type=Path, default=None,
                        help="folder to write student notebooks to (default: the course's exercises/)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit with status 1 if any student notebook is stale")
    args = parser.parse_args(argv)
    solutions_dir = args.solutions or default_solutions_dir()
    exercises_dir = args.exercises or default_exercises_dir()
    if not solutions_dir.is_dir():
        parser.error(f"no folder of source notebooks at {solutions_dir}; pass --solutions DIR")
    try:
        if args.check:
            stale = stale_exercises(solutions_dir, exercises_dir)
            for name in stale:
                print(f"stale: {exercises_dir / name}", file=sys.stderr)
            if stale:
                print("Run 'python -m mlcore.grading.generate' to rebuild them "
                      "(delete student notebooks whose source notebook is gone).", file=sys.stderr)
            return 1 if stale else 0
        for path in write_exercises(solutions_dir, exercises_dir):
            print(f"wrote {path}")
    except (SourceNotebookError, regions.RegionError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
