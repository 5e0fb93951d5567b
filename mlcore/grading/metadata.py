"""Reading nbgrader's cell metadata (the part of nbgrader's format the grader needs).

A cell of a source notebook carries ``metadata["nbgrader"]`` with the flags
``grade``, ``solution`` and ``locked``, a ``grade_id`` and, for graded cells,
``points``. These helpers answer the questions nbgrader's own ``utils`` answer,
with the same rules, so that both tools agree on what each cell is.
"""

import hashlib


def nbgrader_meta(cell):
    """The cell's nbgrader metadata dict, or ``{}`` when it has none (or it is not a dict)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def is_grade(cell):
    """True for a cell that carries points (nbgrader's ``grade: true``)."""
    return bool(nbgrader_meta(cell).get("grade", False))


def is_solution(cell):
    """True for a cell the learner writes in (nbgrader's ``solution: true``)."""
    return bool(nbgrader_meta(cell).get("solution", False))


def is_locked(cell):
    """True for a cell whose source the learner may not change.

    As in nbgrader: answer cells are never locked, graded cells always are,
    other cells only when marked ``locked: true``.
    """
    meta = nbgrader_meta(cell)
    if not meta or is_solution(cell):
        return False
    return is_grade(cell) or bool(meta.get("locked", False))


def is_autograded_test(cell):
    """True for a test cell: graded, not an answer, code. These cells earn the points."""
    return is_grade(cell) and not is_solution(cell) and cell.get("cell_type") == "code"


def grade_id(cell):
    """The cell's nbgrader ``grade_id``, or None."""
    value = nbgrader_meta(cell).get("grade_id")
    return value if isinstance(value, str) and value else None


def compute_checksum(cell):
    """nbgrader's checksum of a cell (``nbgrader.utils.compute_checksum``), byte for byte.

    nbgrader stores it in the student version so that ``autograde`` can tell an
    untouched answer from an edited one; the generator writes the same value.
    """
    digest = hashlib.md5()
    for part in (
        cell["source"],
        cell["cell_type"],
        str(is_grade(cell)),
        str(is_solution(cell)),
        str(is_locked(cell)),
        nbgrader_meta(cell)["grade_id"],
    ):
        digest.update(part.encode("utf-8"))
    if is_grade(cell):
        digest.update(str(float(nbgrader_meta(cell)["points"])).encode("utf-8"))
    return digest.hexdigest()
