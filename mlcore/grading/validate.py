"""The rules a source notebook (in ``solutions/``) must follow to be graded.

They are nbgrader's rules (``nbgrader.nbgraderformat`` and the checks in its
``ClearSolutions`` / ``ClearHiddenTests`` preprocessors), checked up front so
that an exercise author gets one clear message instead of a failure deep in
grading or in ``nbgrader generate_assignment``.
"""

from numbers import Real

from . import regions
from .metadata import grade_id, is_grade, is_solution, nbgrader_meta


class SourceNotebookError(ValueError):
    """A source notebook that breaks nbgrader's format."""


def check_source_notebook(nb, name="the source notebook"):
    """Raise ``SourceNotebookError`` naming the first broken rule of ``nb``; return None if all hold."""
    language = nb.metadata.get("kernelspec", {}).get("language", "python")
    if language != "python":
        raise SourceNotebookError(f"{name}: its kernel language is {language!r}; the grader and "
                                  f"nbgrader's stub '{regions.CODE_STUB}' need a Python notebook.")
    seen = set()
    for number, cell in enumerate(nb.cells, start=1):
        where = f"{name}, cell {number}"
        meta = nbgrader_meta(cell)
        if meta:
            _check_cell_metadata(cell, meta, where, seen)
        _check_regions(cell, where)


def _check_cell_metadata(cell, meta, where, seen):
    for flag in ("grade", "solution", "locked"):
        if not isinstance(meta.get(flag), bool):
            raise SourceNotebookError(f"{where}: nbgrader metadata needs '{flag}': true or false "
                                      f"(set it in JupyterLab's nbgrader 'Create Assignment' toolbar).")
    if not (meta["grade"] or meta["solution"] or meta["locked"] or meta.get("task")):
        return
    gid = grade_id(cell)
    if gid is None:
        raise SourceNotebookError(f"{where}: an nbgrader cell needs a non-empty 'grade_id'.")
    if gid in seen:
        raise SourceNotebookError(f"{where}: grade_id {gid!r} is used twice; give each cell its own id.")
    seen.add(gid)
    if meta["grade"]:
        points = meta.get("points")
        if isinstance(points, bool) or not isinstance(points, Real) or points < 0:
            raise SourceNotebookError(f"{where} ({gid}): a graded cell needs 'points', a number >= 0; "
                                      f"got {points!r}.")
    if cell.cell_type == "markdown" and not meta.get("task") and meta["grade"] != meta["solution"]:
        raise SourceNotebookError(f"{where} ({gid}): a markdown answer must be both 'grade' and "
                                  f"'solution' (a manually graded answer), as nbgrader requires.")


def _check_regions(cell, where):
    try:
        _, has_solution = regions.replace_regions(cell.source, regions.SOLUTION)
        _, has_hidden = regions.replace_regions(cell.source, regions.HIDDEN_TESTS)
        _, has_scheme = regions.replace_regions(cell.source, regions.MARK_SCHEME)
    except regions.RegionError as error:
        raise SourceNotebookError(f"{where}: {error}") from error
    if has_solution and not is_solution(cell):
        raise SourceNotebookError(f"{where}: '### BEGIN SOLUTION' outside an answer cell; mark the "
                                  f"cell as a solution cell (nbgrader 'solution': true).")
    if has_hidden and not is_grade(cell):
        raise SourceNotebookError(f"{where}: '### BEGIN HIDDEN TESTS' outside a test cell; mark the "
                                  f"cell as a graded test cell (nbgrader 'grade': true, with points).")
    if has_scheme and not nbgrader_meta(cell).get("task"):
        raise SourceNotebookError(f"{where}: '### BEGIN MARK SCHEME' outside a task cell.")
    if "AUTOTEST" in cell.source and is_grade(cell):
        raise SourceNotebookError(f"{where}: nbgrader's AUTOTEST templates are not supported by "
                                  f"mlcore-grade; write the test code out (e.g. with mlcore.feedback.checks).")
