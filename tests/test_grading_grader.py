"""mlcore-grade on a batch of submissions that do everything a class does wrong.

One batch (run once, with --jobs 2) grades every case; each test then checks
one submission's scores, statuses and messages. The source notebook is the
synthetic fixture tests/fixtures/grading/solutions/demo_losses.ipynb:
mse_test (2 points, visible check + hidden asserts), mae_test (1 point, hidden
only), l1_test (1 point, check_value).
"""

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from jupyter_client.kernelspec import KernelSpec

from mlcore.grading.cli import main
from mlcore.grading.kernel import ThisPythonKernelSpecs
from mlcore.feedback.checks import NOT_ANSWERED
from mlcore.grading.report import format_table
from mlcore.grading.results import QuestionResult, SubmissionResult
from mlcore.grading.regions import SOLUTION, replace_regions

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
SOLUTIONS = FIXTURES / "solutions"
SOURCE = SOLUTIONS / "demo_losses.ipynb"
EXERCISE = FIXTURES / "exercises" / "demo_losses.ipynb"
NAME = "demo_losses.ipynb"
TIMEOUT = "4"
TEST_IDS = ["mse_test", "mae_test", "l1_test"]


def _read(path):
    return nbformat.read(path, as_version=4)


def _cell(nb, cell_id):
    return next(cell for cell in nb.cells if cell.get("id") == cell_id)


def _tests_edited(nb):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            cell.source = "assert True"
    return nb


def _tests_deleted(nb):
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")
                or c.cell_type != "code"]
    return nb


def _metadata_stripped(nb):
    for number, cell in enumerate(nb.cells):
        cell.metadata = {}
        cell["id"] = f"fresh-{number}"
    return nb


def _points_raised(nb):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.metadata["nbgrader"]["points"] = 100
    return nb


def _answer(cell_id, code):
    def edit(nb):
        _cell(nb, cell_id).source = code
        return nb
    return edit


def _delete(cell_id):
    def edit(nb):
        nb.cells = [cell for cell in nb.cells if cell.get("id") != cell_id]
        return nb
    return edit


MSE_SOLUTION = replace_regions(_cell(_read(SOURCE), "mse-answer").source, SOLUTION, keep_content=True)[0]

# name -> (base notebook, edit)
NOTEBOOK_CASES = {
    "solution": (SOURCE, None),
    "untouched": (EXERCISE, None),
    "tests_edited": (EXERCISE, _tests_edited),
    "tests_deleted_solution": (SOURCE, _tests_deleted),
    "tests_deleted_untouched": (EXERCISE, _tests_deleted),
    "stripped_solution": (SOURCE, _metadata_stripped),
    "stripped_and_edited": (EXERCISE, lambda nb: _metadata_stripped(_tests_edited(nb))),
    "points_raised": (EXERCISE, lambda nb: _tests_edited(_points_raised(nb))),
    "answer_deleted": (SOURCE, _delete("mae-answer")),
    "answer_is_markdown": (SOURCE, lambda nb: _markdown("mae-answer", nb)),
    "loop_at_top_level": (SOURCE, _answer("mse-answer", "while True:\n    pass")),
    "loop_in_function": (SOURCE, _answer("mse-answer", "def mse(y_hat, y):\n    while True:\n        pass")),
    "ignores_interrupt": (SOURCE, _answer("mae-answer", "import time\nwhile True:\n    try:\n"
                                          "        time.sleep(10)\n    except KeyboardInterrupt:\n        pass")),
    "os_exit": (SOURCE, _answer("mae-answer", "import os\nos._exit(1)")),
    "raises": (SOURCE, _answer("mse-answer", 'raise ValueError("oops")\n' + MSE_SOLUTION)),
    "raises_in_function": (SOURCE, _answer("mse-answer", "def mse(y_hat, y):\n    return 1 / 0")),
    "input_at_top_level": (SOURCE, _answer("mse-answer", 'name = input("Your name? ")\n' + MSE_SOLUTION)),
    "wrong_answer": (SOURCE, _answer("mse-answer", "def mse(y_hat, y):\n"
                                     "    return float(np.sum((np.asarray(y_hat) - np.asarray(y)) ** 2))")),
}


def _markdown(cell_id, nb):
    cell = _cell(nb, cell_id)
    index = nb.cells.index(cell)
    nb.cells[index] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata, id=cell["id"])
    return nb


FILE_CASES = {
    "malformed_json": '{"cells": [{"cell_type": "code",}]}',
    "python_file": "import numpy as np\n\ndef mse(y_hat, y):\n    return 0\n",
    "json_not_notebook": "[1, 2, 3]",
}


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    """Every case as tmp/<case>/demo_losses.ipynb, plus misnamed files; returns case -> path."""
    root = tmp_path_factory.mktemp("submissions")
    paths = {}
    for case, (base, edit) in NOTEBOOK_CASES.items():
        nb = _read(base)
        nb = edit(nb) if edit else nb
        paths[case] = root / case / NAME
        paths[case].parent.mkdir()
        nbformat.write(nb, paths[case])
    for case, text in FILE_CASES.items():
        paths[case] = root / case / NAME
        paths[case].parent.mkdir()
        paths[case].write_text(text, encoding="utf-8")
    paths["binary_file"] = root / "binary_file" / NAME
    paths["binary_file"].parent.mkdir()
    paths["binary_file"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    paths["unknown_name"] = root / "unknown_name" / "homework.ipynb"
    paths["unknown_name"].parent.mkdir()
    shutil.copy(SOURCE, paths["unknown_name"])
    paths["decorated_name"] = root / "decorated_name" / "alice_demo_losses (2).ipynb"
    paths["decorated_name"].parent.mkdir()
    shutil.copy(SOURCE, paths["decorated_name"])
    return paths


@pytest.fixture(scope="module")
def batch(submissions, tmp_path_factory):
    """Grade all submissions in one run with --jobs 2; returns (exit code, results by case, csv rows)."""
    out = tmp_path_factory.mktemp("out")
    cases = list(submissions)
    code = main([str(submissions[case]) for case in cases] + [
        "--solutions", str(SOLUTIONS), "--timeout", TIMEOUT, "--jobs", "2",
        "--json", str(out / "grades.json"), "--csv", str(out / "grades.csv")])
    results = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    with open(out / "grades.csv", encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return code, dict(zip(cases, results)), rows


def _statuses(result):
    return {q["grade_id"]: q["status"] for q in result["questions"]}


def _message(result, grade_id):
    return next(q["message"] for q in result["questions"] if q["grade_id"] == grade_id)


def test_solution_scores_full_marks(batch):
    result = batch[1]["solution"]
    assert (result["score"], result["max_score"]) == (4.0, 4.0)
    assert _statuses(result) == dict.fromkeys(TEST_IDS, "passed")


def test_untouched_exercise_scores_zero_as_not_answered(batch):
    result = batch[1]["untouched"]
    assert (result["score"], result["max_score"]) == (0.0, 4.0)
    assert _statuses(result) == dict.fromkeys(TEST_IDS, "failed")
    assert all(q["message"].startswith("not answered yet") for q in result["questions"])


def test_test_cells_edited_to_assert_true_make_no_difference(batch):
    assert batch[1]["tests_edited"]["questions"] == batch[1]["untouched"]["questions"]


def _grades(result):
    return [(q["grade_id"], q["points"], q["max_points"], q["status"]) for q in result["questions"]]


def test_deleted_test_cells_are_put_back_and_run(batch):
    assert batch[1]["tests_deleted_solution"]["questions"] == batch[1]["solution"]["questions"]
    # The messages differ only in cell numbers: the submission has fewer cells.
    assert _grades(batch[1]["tests_deleted_untouched"]) == _grades(batch[1]["untouched"])


def test_stripped_metadata_makes_no_difference(batch):
    assert batch[1]["stripped_solution"]["questions"] == batch[1]["solution"]["questions"]
    stripped = batch[1]["stripped_and_edited"]
    assert (stripped["score"], stripped["max_score"]) == (0.0, 4.0)
    assert _statuses(stripped) == dict.fromkeys(TEST_IDS, "failed")


def test_points_come_from_the_source_notebook(batch):
    result = batch[1]["points_raised"]
    assert (result["score"], result["max_score"]) == (0.0, 4.0)
    assert [q["max_points"] for q in result["questions"]] == [2.0, 1.0, 1.0]


def test_deleted_answer_cell_is_an_error_naming_the_cell(batch):
    result = batch[1]["answer_deleted"]
    assert _statuses(result) == {"mse_test": "passed", "mae_test": "error", "l1_test": "passed"}
    assert result["score"] == 3.0
    message = _message(result, "mae_test")
    assert message.startswith("NameError: name 'mae' is not defined")
    assert "The answer cell 'mae_answer' is missing from the submission" in message


def test_answer_cell_turned_into_markdown_runs_as_code(batch):
    assert batch[1]["answer_is_markdown"]["questions"] == batch[1]["solution"]["questions"]


def test_infinite_loop_in_an_answer_cell_times_out_and_grading_goes_on(batch):
    result = batch[1]["loop_at_top_level"]
    assert _statuses(result) == {"mse_test": "timeout", "mae_test": "passed", "l1_test": "passed"}
    assert result["score"] == 2.0
    message = _message(result, "mse_test")
    assert message.startswith("your answer cell 'mse_answer' (cell 4: `while True:`) did not finish within 4 s "
                              "(an infinite loop?)")
    assert "NameError: name 'mse' is not defined" in message


def test_infinite_loop_inside_the_tested_function_times_out(batch):
    result = batch[1]["loop_in_function"]
    assert _statuses(result) == {"mse_test": "timeout", "mae_test": "passed", "l1_test": "passed"}
    assert _message(result, "mse_test") == "this test did not finish within 4 s: does your code loop forever?"


def test_loop_that_ignores_the_interrupt_stops_grading_with_timeouts(batch):
    result = batch[1]["ignores_interrupt"]
    assert _statuses(result) == {"mse_test": "passed", "mae_test": "timeout", "l1_test": "timeout"}
    assert result["score"] == 2.0
    assert _message(result, "l1_test").startswith("not graded: your answer cell 'mae_answer' (cell 8: `import time`) "
                                                  "did not finish within 4 s and ignored the interrupt")


def test_os_exit_is_an_error_for_the_remaining_questions(batch):
    result = batch[1]["os_exit"]
    assert _statuses(result) == {"mse_test": "passed", "mae_test": "error", "l1_test": "error"}
    assert result["score"] == 2.0
    for grade_id in ("mae_test", "l1_test"):
        assert _message(result, grade_id).startswith(
            "not graded: the kernel died while running your answer cell 'mae_answer' (cell 8: `import os`)")


def test_batch_goes_on_after_a_dead_kernel(batch):
    cases = list(batch[1])
    after = cases[cases.index("os_exit") + 1:]
    assert after and batch[1]["raises"]["questions"][1]["status"] == "passed"
    assert all(batch[1][case]["questions"] for case in after)


def test_answer_cell_that_raises_names_the_cause(batch):
    result = batch[1]["raises"]
    assert _statuses(result) == {"mse_test": "error", "mae_test": "passed", "l1_test": "passed"}
    assert _message(result, "mse_test") == (
        "NameError: name 'mse' is not defined\nThe likely cause: your answer cell 'mse_answer' "
        "(cell 4: `raise ValueError(\"oops\")`) raised ValueError: oops")


def test_function_that_raises_inside_the_test_is_an_error(batch):
    result = batch[1]["raises_in_function"]
    assert _statuses(result)["mse_test"] == "error"
    assert _message(result, "mse_test") == "ZeroDivisionError: division by zero"


def test_input_is_refused_with_a_clear_message(batch):
    result = batch[1]["input_at_top_level"]
    assert _statuses(result) == {"mse_test": "error", "mae_test": "passed", "l1_test": "passed"}
    message = _message(result, "mse_test")
    assert ("your answer cell 'mse_answer' (cell 4: `name = input(\"Your name? \")`) raised input() was called, "
            "but a graded notebook cannot read the keyboard") in message


def test_wrong_answer_fails_with_the_check_message(batch):
    result = batch[1]["wrong_answer"]
    assert _statuses(result) == {"mse_test": "failed", "mae_test": "passed", "l1_test": "passed"}
    message = _message(result, "mse_test")
    assert message.splitlines()[:2] == [
        "\N{BALLOT X} mse is not right yet: 2 of 3 cases fail.",
        "Likely misconception: the sum was not averaged. divide the sum of squared errors by the number "
        "of elements (np.mean)"]


@pytest.mark.parametrize("case, reason", [
    ("malformed_json", "the file is not valid JSON (Expecting property name enclosed in double quotes"),
    ("python_file", "the file is not valid JSON (Expecting value at line 1, column 1)"),
    ("json_not_notebook", "the JSON has no list of 'cells'"),
    ("binary_file", "it is not a text file (byte 0 is not UTF-8)"),
])
def test_unreadable_file_errors_every_question(batch, case, reason):
    result = batch[1][case]
    assert (result["score"], result["max_score"]) == (0.0, 4.0)
    assert _statuses(result) == dict.fromkeys(TEST_IDS, "error")
    message = _message(result, "mse_test")
    assert message.startswith("not graded: this is not a Jupyter notebook")
    assert reason in message


def test_unknown_file_name_is_reported_as_a_notebook_error(batch):
    result = batch[1]["unknown_name"]
    assert result["notebook"] == "homework.ipynb"
    assert result["questions"] == [{
        "grade_id": "(notebook)", "points": 0.0, "max_points": 0.0, "status": "error", "misconception": None,
        "message": f"no source notebook in {SOLUTIONS} matches the file name 'homework.ipynb' (source "
                   f"notebooks: demo_losses.ipynb); rename the submission to the exercise's file name."}]


def test_decorated_file_name_is_matched_to_its_source(batch):
    result = batch[1]["decorated_name"]
    assert result["notebook"] == NAME and result["score"] == 4.0


def test_broken_submissions_still_exit_zero(batch):
    assert batch[0] == 0


def test_json_schema(batch, submissions):
    for case, result in batch[1].items():
        assert list(result) == ["submission", "notebook", "score", "max_score", "questions"]
        assert result["submission"] == str(submissions[case])
        assert result["score"] == sum(q["points"] for q in result["questions"])
        assert result["max_score"] == sum(q["max_points"] for q in result["questions"])
        for question in result["questions"]:
            assert list(question) == ["grade_id", "points", "max_points", "status", "message", "misconception"]
            assert question["status"] in ("passed", "failed", "error", "timeout")
            assert isinstance(question["message"], str)
            assert question["points"] in (0.0, question["max_points"])


def test_csv_has_one_row_per_submission_and_question(batch):
    _, results, rows = batch
    expected = [{"submission": r["submission"], "notebook": r["notebook"], "score": str(r["score"]),
                 "max_score": str(r["max_score"]), "grade_id": q["grade_id"], "points": str(q["points"]),
                 "max_points": str(q["max_points"]), "status": q["status"], "message": q["message"]}
                for r in results.values() for q in r["questions"]]
    assert rows == expected


def test_one_job_gives_the_same_results_as_two(batch, submissions, tmp_path):
    cases = ["solution", "untouched", "os_exit", "raises", "malformed_json", "answer_deleted"]
    code = main([str(submissions[case]) for case in cases] + [
        "--solutions", str(SOLUTIONS), "--timeout", TIMEOUT, "--json", str(tmp_path / "one.json")])
    assert code == 0
    one_job = json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))
    assert one_job == [batch[1][case] for case in cases]


def test_table_for_one_submission_lists_questions(submissions, capsys):
    assert main([str(submissions["wrong_answer"]), "--solutions", str(SOLUTIONS)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{submissions['wrong_answer']} (demo_losses.ipynb): 2/4"
    assert out[1].split() == ["question", "points", "status", "message"]
    assert out[3].split()[:7] == ["mse_test", "0/2", "wrong", "\N{BALLOT X}", "mse", "is", "not"]
    assert out[4].split() == ["mae_test", "1/1", "ok"]


def test_json_to_stdout_moves_the_table_to_stderr(submissions, capsys):
    assert main([str(submissions["malformed_json"]), "--solutions", str(SOLUTIONS), "--json", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)[0]["questions"][0]["status"] == "error"
    assert "malformed_json" in captured.err


def test_folder_argument_grades_every_notebook_in_it(submissions, tmp_path):
    folder = tmp_path / "class"
    for case in ("solution", "untouched"):
        (folder / case).mkdir(parents=True)
        shutil.copy(submissions[case], folder / case / NAME)
    (folder / ".ipynb_checkpoints").mkdir()
    shutil.copy(SOURCE, folder / ".ipynb_checkpoints" / NAME)
    assert main([str(folder), "--solutions", str(SOLUTIONS), "--csv", str(tmp_path / "g.csv")]) == 0
    with open(tmp_path / "g.csv", encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(Path(row["submission"]).parent.name, row["grade_id"], row["points"]) for row in rows] == [
        ("solution", "mse_test", "2.0"), ("solution", "mae_test", "1.0"), ("solution", "l1_test", "1.0"),
        ("untouched", "mse_test", "0.0"), ("untouched", "mae_test", "0.0"), ("untouched", "l1_test", "0.0")]


def test_batch_table_names_the_questions_and_tells_no_answer_from_wrong():
    def result(name, *outcomes):
        statuses = {"ok": ("passed", ""), "wrong": ("failed", "\N{BALLOT X} mse is not right yet"),
                    "no answer": ("failed", NOT_ANSWERED), "timeout": ("timeout", "did not finish")}
        questions = [QuestionResult(gid, 1.0 if outcome == "ok" else 0.0, 1.0, *statuses[outcome])
                     for gid, outcome in zip(TEST_IDS, outcomes)]
        return SubmissionResult(name, NAME, questions)

    lines = format_table([result("alice.ipynb", "ok", "wrong", "no answer"),
                          result("bob.ipynb", "no answer", "ok", "timeout")]).splitlines()
    assert lines[0] == f"{NAME}:"
    assert lines[1].split() == ["submission", "score", "mse", "mae", "l1"]
    assert lines[3].split() == ["alice.ipynb", "1/3", "ok", "wrong", "no", "answer"]
    assert lines[4].split() == ["bob.ipynb", "1/3", "no", "answer", "ok", "timeout"]


def test_missing_solutions_folder_exits_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([str(EXERCISE), "--solutions", str(tmp_path / "nowhere")])
    assert exit_info.value.code == 2
    assert f"no source notebooks (*.ipynb) in {tmp_path / 'nowhere'}; pass --solutions DIR" in capsys.readouterr().err


def test_missing_submission_path_exits_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path / "typo.ipynb"), "--solutions", str(SOLUTIONS)])
    assert exit_info.value.code == 2
    assert f"{tmp_path / 'typo.ipynb'} does not exist" in capsys.readouterr().err


def test_broken_source_notebook_exits_1(tmp_path, capsys):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    nb = _read(SOURCE)
    _cell(nb, "mae-test").metadata["nbgrader"]["grade_id"] = "mse_test"
    nbformat.write(nb, solutions / NAME)
    assert main([str(EXERCISE), "--solutions", str(solutions)]) == 1
    err = capsys.readouterr().err
    assert "grade_id 'mse_test' is used twice; give each cell its own id." in err


def test_kernel_that_cannot_start_exits_1(monkeypatch, tmp_path, capsys):
    broken = KernelSpec(argv=[str(tmp_path / "no-python"), "-f", "{connection_file}"], language="python")
    monkeypatch.setattr(ThisPythonKernelSpecs, "get_kernel_spec", lambda self, name: broken)
    assert main([str(SOURCE), "--solutions", str(SOLUTIONS), "--json", str(tmp_path / "g.json")]) == 1
    message = "the grading kernel could not run: FileNotFoundError: [Errno 2] No such file or directory: "
    assert f"grader error: {message}" in capsys.readouterr().err
    questions = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))[0]["questions"]
    assert [q["status"] for q in questions] == ["error"] * 3
    assert all(q["message"].startswith(message) for q in questions)


@pytest.mark.parametrize("command", [
    [sys.executable, "-m", "mlcore.grading"],
    [str(Path(sys.executable).parent / "mlcore-grade")],
])
def test_console_entry_points_run_the_grader(command, tmp_path):
    done = subprocess.run(command + [str(EXERCISE), "--solutions", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "mlcore-grade: error: no source notebooks (*.ipynb) in" in done.stderr
