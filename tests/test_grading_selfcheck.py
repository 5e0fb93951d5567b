"""self_check(): a learner grades the saved notebook from inside it."""

import re
import shutil
from pathlib import Path

import pytest

from mlcore.grading import self_check
from mlcore.grading.environment import GRADING_ENV_VAR

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
NAME = "demo_losses.ipynb"


def _report(capsys):
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(rf"Self-check of {NAME}, as saved \d+ s ago \(save with Ctrl\+S to include your "
                        r"latest edits\)\.\.\.", lines[0])
    return lines[1:]


def test_finished_notebook_scores_full_marks_on_visible_tests(tmp_path, capsys, monkeypatch):
    shutil.copy(FIXTURES / "solutions" / NAME, tmp_path)
    monkeypatch.chdir(tmp_path)
    assert self_check(NAME) is None
    assert _report(capsys) == [
        "  \N{CHECK MARK}  mse_test: 2/2",
        "  ?  mae_test: no visible test; hidden tests check it when your work is graded.",
        "  \N{CHECK MARK}  l1_test: 1/1",
        "Score: 3/3 on the visible tests.",
    ]


def test_untouched_exercise_scores_zero_with_the_reason(tmp_path, capsys):
    shutil.copy(FIXTURES / "exercises" / NAME, tmp_path)
    self_check(tmp_path / NAME, timeout=10)
    lines = _report(capsys)
    assert lines[0] == ("  \N{BALLOT X}  mse_test: 0/2  failed: not answered yet: your code still raises "
                        "NotImplementedError(); replace the stub.")
    assert lines[-1] == "Score: 0/3 on the visible tests."


def test_does_nothing_inside_a_grading_run(monkeypatch, capsys):
    monkeypatch.setenv(GRADING_ENV_VAR, "1")
    assert self_check("no-such-notebook.ipynb") is None
    assert capsys.readouterr().out == ""


def test_missing_notebook_says_how_to_call_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"pass the file name of this notebook, e\.g\. "
                                                r"self_check\('01_errors_and_losses\.ipynb'\)"):
        self_check("01_errors_and_losses.ipynb")


def test_without_a_name_uses_jupyters_session_name(tmp_path, monkeypatch, capsys):
    shutil.copy(FIXTURES / "solutions" / NAME, tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JPY_SESSION_NAME", f"course/exercises/{NAME}")
    self_check()
    assert _report(capsys)[-1] == "Score: 3/3 on the visible tests."


def test_without_a_name_or_a_hint_asks_for_the_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    with pytest.raises(ValueError, match="self_check\\(\\) cannot tell which notebook this is"):
        self_check()


def test_damaged_notebook_is_refused_clearly(tmp_path):
    (tmp_path / NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=f"cannot self-check {re.escape(str(tmp_path / NAME))}: this is not a "
                                         "Jupyter notebook"):
        self_check(tmp_path / NAME)
