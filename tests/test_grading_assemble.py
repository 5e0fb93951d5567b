"""Merging a submission with its source notebook: which code runs, in which order (no kernel)."""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

from mlcore.grading.assemble import assemble
from mlcore.grading.source import SourceNotebook

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
SOURCE_PATH = FIXTURES / "solutions" / "demo_losses.ipynb"
EXERCISE_PATH = FIXTURES / "exercises" / "demo_losses.ipynb"
SOURCE = SourceNotebook(SOURCE_PATH, nbformat.read(SOURCE_PATH, as_version=4))
MSE_TEST_CODE = "\n".join(line for line in SOURCE.cells[4].source.split("\n") if "HIDDEN TESTS" not in line)


def _exercise():
    return nbformat.read(EXERCISE_PATH, as_version=4)


def _layout(graded):
    """Each graded cell as 'cell N' (from the submission) or the source grade_id."""
    return [f"cell {o.number}" if o.kind == "submission" else o.grade_id for o in graded.origins]


UNTOUCHED_LAYOUT = ["cell 1", "setup", "cell 3", "cell 4", "mse_test", "cell 6", "cell 7", "cell 8", "mae_test",
                    "cell 10", "cell 11", "l1_test", "cell 13", "cell 14"]


def test_tests_run_with_hidden_tests_and_without_markers():
    graded = assemble(SOURCE, _exercise())
    assert _layout(graded) == UNTOUCHED_LAYOUT
    assert graded.nb.cells[graded.test_positions["mse_test"]].source == MSE_TEST_CODE
    assert graded.nb.cells[graded.test_positions["mae_test"]].source == (
        "assert mae([1.0, 2.0, 3.0], [1.0, 2.0, 5.0]) == 2.0 / 3.0\nassert mae([-1.0], [1.0]) == 2.0")
    assert "BEGIN HIDDEN" not in MSE_TEST_CODE and "assert abs(mse([0.0, 0.0], [3.0, 4.0])" in MSE_TEST_CODE
    assert graded.missing_answers == {}


def test_edited_test_and_read_only_cells_are_replaced():
    nb = _exercise()
    nb.cells[1].source = "import numpy as np\nnp.allclose = lambda *args, **kwargs: True"
    nb.cells[4].source = "assert True"
    graded = assemble(SOURCE, nb)
    assert _layout(graded) == UNTOUCHED_LAYOUT
    assert graded.nb.cells[1].source == SOURCE.cells[1].source
    assert graded.nb.cells[4].source == MSE_TEST_CODE


def test_deleted_test_cells_go_back_where_they_were():
    nb = _exercise()
    nb.cells = [cell for cell in nb.cells if not cell.metadata.get("nbgrader", {}).get("grade")
                or cell.cell_type == "markdown"]
    graded = assemble(SOURCE, nb)
    assert _layout(graded) == ["cell 1", "setup", "cell 3", "cell 4", "mse_test", "cell 5", "cell 6", "cell 7",
                               "mae_test", "cell 8", "cell 9", "l1_test", "cell 10", "cell 11"]


def test_stripped_cells_are_recognised_by_id_then_by_text():
    by_id, by_text = _exercise(), _exercise()
    for cell in by_id.cells:
        cell.metadata = {}
    for number, cell in enumerate(by_text.cells):
        cell.metadata = {}
        cell["id"] = f"new-{number}"
    by_text.cells[4].source = "assert True"  # neither id, metadata nor text left: runs as the student's
    assert _layout(assemble(SOURCE, by_id)) == UNTOUCHED_LAYOUT
    # The edited test (cell 5) stays as the student's cell; the real test follows it.
    assert _layout(assemble(SOURCE, by_text)) == ["cell 1", "setup", "cell 3", "cell 4", "cell 5", "mse_test",
                                                  "cell 6", "cell 7", "cell 8", "cell 9", "mae_test",
                                                  "cell 10", "cell 11", "l1_test", "cell 13", "cell 14"]


def test_tests_go_after_cells_the_student_added_below_an_answer():
    nb = _exercise()
    nb.cells.insert(4, new_code_cell("def helper():\n    return 1"))
    assert _layout(assemble(SOURCE, nb))[:7] == ["cell 1", "setup", "cell 3", "cell 4", "cell 5", "mse_test",
                                                 "cell 7"]


def test_unrecognisable_submission_gets_every_test_at_the_end():
    nb = nbformat.v4.new_notebook(cells=[new_code_cell("def mse(y_hat, y):\n    return 0.0")])
    assert _layout(assemble(SOURCE, nb)) == ["cell 1", "setup", "mse_test", "mae_test", "l1_test"]


def test_deleted_answer_is_reported_missing():
    nb = _exercise()
    del nb.cells[7]
    assert assemble(SOURCE, nb).missing_answers == {7: "mae_answer"}


def test_duplicated_answer_cell_keeps_both_copies_and_anchors_the_last():
    nb = _exercise()
    nb.cells.insert(4, nbformat.from_dict(dict(nb.cells[3], id="copy")))
    graded = assemble(SOURCE, nb)
    assert _layout(graded)[:6] == ["cell 1", "setup", "cell 3", "cell 4", "cell 5", "mse_test"]
    assert graded.missing_answers == {}


def test_answer_cell_keeps_the_source_cell_type():
    nb = _exercise()
    nb.cells[3] = nbformat.v4.new_markdown_cell(nb.cells[3].source, metadata=nb.cells[3].metadata)
    assert assemble(SOURCE, nb).nb.cells[3].cell_type == "code"
