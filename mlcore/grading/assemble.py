"""Build the notebook that is actually run: the student's cells, the instructor's tests.

Like nbgrader's ``OverwriteCells`` (with ``add_missing_cells``), but stricter:
every test cell and read-only cell of the source notebook is put in, with the
source notebook's code (hidden tests included), whatever the submission did
to its copy. A submitted copy that was edited, stripped of its metadata or
deleted therefore changes nothing. Everything else the student wrote is kept
in the student's order, including cells they added; an answer cell keeps the
student's code but the source's cell type.

Test cells are placed after the submitted cell that corresponds to the
nearest preceding source cell (and after any cells the student added right
after it), which is where the learner saw the test. A submission whose cells
cannot be recognised at all gets every test at the end.
"""

from dataclasses import dataclass, field

from nbformat.v4 import new_code_cell, new_notebook


@dataclass(frozen=True)
class Origin:
    """Where a cell of the graded notebook came from, for messages to the student."""

    kind: str  # "submission" (cell `number` of the submitted notebook) or "source"
    number: int = 0
    grade_id: str = ""  # the source cell's grade_id: a fixed cell, or the answer a submitted cell is
    first_line: str = ""

    def describe(self):
        """How a message names this cell: "your answer cell 'mse' (cell 7: `def mse(y_hat, y):`)"."""
        if self.kind == "source":
            return f"the course's cell '{self.grade_id}'"
        shown = f"`{self.first_line}`" if self.first_line else "empty"
        if self.grade_id:
            return f"your answer cell '{self.grade_id}' (cell {self.number}: {shown})"
        return f"your cell {self.number}" + (f" (`{self.first_line}`)" if self.first_line else "")


@dataclass
class GradedNotebook:
    """The notebook to run, the origin of each of its cells and the position of each test."""

    nb: object
    origins: list
    test_positions: dict = field(default_factory=dict)  # grade_id -> cell index in nb
    missing_answers: dict = field(default_factory=dict)  # source index -> grade_id


def assemble(source, submission):
    """Merge a submitted notebook with its ``SourceNotebook`` into a ``GradedNotebook``."""
    entries = []  # (anchor source index or None, cell, origin)
    last_by_grade_id = {}
    for number, cell in enumerate(submission.cells, start=1):
        anchor = source.anchor(cell)
        if anchor is not None and anchor in source.fixed:
            continue
        if anchor in source.answers:
            # nbgrader's DeduplicateIds keeps the last copy of a duplicated cell.
            if anchor in last_by_grade_id:
                previous = last_by_grade_id[anchor]
                _, earlier, origin = entries[previous]
                entries[previous] = (None, earlier, Origin("submission", origin.number, "", origin.first_line))
            last_by_grade_id[anchor] = len(entries)
            cell = _as_source_type(cell, source.cells[anchor].cell_type)
        answer = source.answers.get(anchor, "")
        entries.append((anchor, cell, Origin("submission", number, answer, _first_line(cell.source))))

    for index, code in sorted(source.fixed.items()):
        gid = source.cells[index].metadata["nbgrader"]["grade_id"]
        entries.insert(_position(entries, index), (index, new_code_cell(code), Origin("source", grade_id=gid)))

    present = {anchor for anchor, _, _ in entries}
    nb = new_notebook(cells=[cell for _, cell, _ in entries])
    graded = GradedNotebook(nb=nb, origins=[origin for _, _, origin in entries])
    test_ids = {test.grade_id for test in source.tests}
    for position, (_, _, origin) in enumerate(entries):
        if origin.kind == "source" and origin.grade_id in test_ids:
            graded.test_positions[origin.grade_id] = position
    graded.missing_answers = {index: gid for index, gid in source.answers.items() if index not in present}
    return graded


def _position(entries, index):
    """Where source cell ``index`` goes: after the last entry anchored before it, then past
    the student's own cells, up to the first entry anchored after it."""
    after = max((pos for pos, (anchor, _, _) in enumerate(entries)
                 if anchor is not None and anchor < index), default=-1)
    for pos in range(after + 1, len(entries)):
        anchor = entries[pos][0]
        if anchor is not None and anchor > index:
            return pos
    return len(entries)


def _as_source_type(cell, cell_type):
    if cell.cell_type == cell_type:
        return cell
    if cell_type == "code":
        return new_code_cell(cell.source, metadata=cell.metadata)
    converted = dict(cell, cell_type=cell_type)
    converted.pop("outputs", None)
    converted.pop("execution_count", None)
    return type(cell)(converted)


def _first_line(text, width=40):
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= width else line[: width - 3] + "..."
