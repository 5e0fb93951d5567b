"""The student-notebook generator: what it strips, what it keeps, and that exercises/ is up to date."""

import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.utils import compute_checksum as nbgrader_checksum

from mlcore.grading.generate import main, stale_exercises, student_version
from mlcore.grading.metadata import compute_checksum
from mlcore.grading.validate import SourceNotebookError

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "grading"
SOURCE_PATH = FIXTURES / "solutions" / "demo_losses.ipynb"


def _source():
    return nbformat.read(SOURCE_PATH, as_version=4)


def _by_id(nb):
    return {cell["id"]: cell for cell in nb.cells}


def test_solutions_become_nbgrader_stubs():
    cells = _by_id(student_version(_source()))
    assert cells["mse-answer"].source == (
        'def mse(y_hat, y):\n    """Mean squared error of predictions y_hat against targets y."""\n'
        "    # YOUR CODE HERE\n    raise NotImplementedError()")
    assert cells["l1-answer"].source == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert cells["mse-why"].source == "YOUR ANSWER HERE"


def test_hidden_tests_are_removed_and_visible_tests_kept():
    source, cells = _by_id(_source()), _by_id(student_version(_source()))
    assert cells["mse-test"].source == source["mse-test"].source.split("\n### BEGIN HIDDEN TESTS")[0]
    assert cells["mae-test"].source == ""
    assert cells["l1-test"].source == source["l1-test"].source


def test_outputs_and_execution_counts_are_cleared():
    nb = _source()
    cell = _by_id(nb)["mse-answer"]
    cell.outputs = [new_output("stream", name="stdout", text="leak")]
    cell.execution_count = 7
    cell.metadata["scrolled"] = True
    out = _by_id(student_version(nb))["mse-answer"]
    assert (out.outputs, out.execution_count, "scrolled" in out.metadata) == ([], None, False)


def test_cells_are_locked_as_nbgrader_locks_them():
    cells = _by_id(student_version(_source()))
    assert {key: cells[key].metadata.get("deletable") for key in cells} == {
        "intro": None, "setup": False, "mse-statement": None, "mse-answer": False, "mse-test": False,
        "mse-why": False, "mae-statement": None, "mae-answer": False, "mae-test": False,
        "l1-statement": None, "l1-answer": False, "l1-test": False, "selfcheck-text": None, "selfcheck": None}
    assert [key for key in cells if cells[key].metadata.get("editable") is False] == [
        "setup", "mse-test", "mae-test", "l1-test"]


def test_checksums_are_nbgrader_checksums_of_the_student_cells():
    nb = student_version(_source())
    graded = [cell for cell in nb.cells if "nbgrader" in cell.metadata]
    assert len(graded) == 8
    for cell in graded:
        assert cell.metadata.nbgrader["checksum"] == nbgrader_checksum(cell) == compute_checksum(cell)
        assert cell.metadata.nbgrader["cell_type"] == cell.cell_type


def test_source_notebook_is_not_modified():
    nb = _source()
    before = nbformat.writes(nb)
    student_version(nb)
    assert nbformat.writes(nb) == before


def _nbg(grade_id, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


@pytest.mark.parametrize("cell, message", [
    (new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
     "cell 1: '### BEGIN SOLUTION' outside an answer cell; mark the cell as a solution cell"),
    (new_code_cell("### BEGIN HIDDEN TESTS\nassert x\n### END HIDDEN TESTS", metadata=_nbg("a", solution=True)),
     "cell 1: '### BEGIN HIDDEN TESTS' outside a test cell"),
    (new_code_cell("### BEGIN SOLUTION\nx = 1", metadata=_nbg("a", solution=True)),
     "cell 1: 'BEGIN SOLUTION' has no matching 'END SOLUTION': add the closing marker line."),
    (new_code_cell("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", metadata=_nbg("a", solution=True)),
     "cell 1: nested 'BEGIN SOLUTION' markers"),
    (new_code_cell("assert x", metadata=_nbg("t", grade=True)),
     "cell 1 (t): a graded cell needs 'points', a number >= 0; got None."),
    (new_code_cell("assert x", metadata=_nbg("", grade=True, points=1)),
     "cell 1: an nbgrader cell needs a non-empty 'grade_id'."),
    (new_markdown_cell("Explain.", metadata=_nbg("why", solution=True)),
     "cell 1 (why): a markdown answer must be both 'grade' and 'solution'"),
    (new_code_cell("x", metadata={"nbgrader": {"grade": "yes", "solution": False, "locked": False}}),
     "cell 1: nbgrader metadata needs 'grade': true or false"),
])
def test_broken_source_notebooks_are_refused_with_the_rule(cell, message):
    with pytest.raises(SourceNotebookError) as error:
        student_version(new_notebook(cells=[cell]), "broken.ipynb")
    assert str(error.value).startswith("broken.ipynb, " + message)


def test_duplicate_grade_ids_are_refused():
    cells = [new_code_cell("x = 1", metadata=_nbg("same", solution=True)),
             new_code_cell("assert x", metadata=_nbg("same", grade=True, points=1))]
    with pytest.raises(SourceNotebookError, match="cell 2: grade_id 'same' is used twice"):
        student_version(new_notebook(cells=cells), "broken.ipynb")


@pytest.mark.parametrize("folders", [
    (FIXTURES / "solutions", FIXTURES / "exercises"),
    (REPO / "solutions", REPO / "exercises"),
], ids=["fixture", "course"])
def test_exercises_are_up_to_date(folders):
    solutions, exercises = folders
    assert stale_exercises(solutions, exercises) == [], (
        "exercises/ is stale: run 'python -m mlcore.grading.generate' (with --solutions/--exercises for "
        "the fixture) and commit the result")


def test_command_line_writes_then_checks(tmp_path, capsys):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    shutil.copy(SOURCE_PATH, solutions)
    assert main(["--solutions", str(solutions), "--exercises", str(exercises), "--check"]) == 1
    assert f"stale: {exercises / 'demo_losses.ipynb'}" in capsys.readouterr().err
    assert main(["--solutions", str(solutions), "--exercises", str(exercises)]) == 0
    assert (exercises / "demo_losses.ipynb").read_text(encoding="utf-8") == (
        FIXTURES / "exercises" / "demo_losses.ipynb").read_text(encoding="utf-8")
    assert main(["--solutions", str(solutions), "--exercises", str(exercises), "--check"]) == 0
    nb = nbformat.read(solutions / "demo_losses.ipynb", as_version=4)
    nb.cells[0].source += " Edited."
    nbformat.write(nb, solutions / "demo_losses.ipynb")
    shutil.copy(SOURCE_PATH, exercises / "orphan.ipynb")
    assert main(["--solutions", str(solutions), "--exercises", str(exercises), "--check"]) == 1
    assert stale_exercises(solutions, exercises) == ["demo_losses.ipynb", "orphan.ipynb"]


def test_command_line_reports_a_broken_source(tmp_path, capsys):
    nb = new_notebook(cells=[new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")])
    nbformat.write(nb, tmp_path / "broken.ipynb")
    assert main(["--solutions", str(tmp_path), "--exercises", str(tmp_path / "out")]) == 2
    assert "error: broken.ipynb, cell 1: '### BEGIN SOLUTION' outside an answer cell" in capsys.readouterr().err
