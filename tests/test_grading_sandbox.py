"""The sandbox of each submission's kernel: attacks on the machine cost their question, nothing else.

One batch (``--jobs 2``) of copies of the fixture's solution, each with an
attack in the answer cell of ``mae_test`` (1 point): reading the solutions,
writing outside its folder, into the solutions or into another submission,
a memory bomb, a bounded fork bomb, a 10 GB write. Each must cost
``mae_test`` its point with a "sandbox: ..." message, leave the other
questions' 3 points, leave its target unchanged, and let the batch go on.
The solutions are a copy, so that a failing sandbox cannot damage the repository.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mlcore.grading import sandbox as sandboxing
from mlcore.grading.cli import main
from mlcore.grading.regions import SOLUTION, replace_regions

from browser_support.requirements import unavailable

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
NAME = "demo_losses.ipynb"
MAE = replace_regions(next(c for c in nbformat.read(FIXTURES / "solutions" / NAME, as_version=4).cells
                           if c.get("id") == "mae-answer").source, SOLUTION, keep_content=True)[0]


@pytest.fixture(scope="module", autouse=True)
def _bwrap():
    if sandboxing.available() is not None:
        unavailable(sandboxing.available(), "sandbox test")


def attacks(solutions, victim):
    """case -> code appended to the (right) mae answer; ``victim`` is another submission's notebook."""
    source = solutions / NAME
    return {
        "read_solutions": f"open({str(source)!r}).read()",
        "read_solutions_when_called": f"_mae = mae\ndef mae(y_hat, y):\n    open({str(source)!r}).read()\n"
                                      f"    return _mae(y_hat, y)",
        "list_solutions": f"import os\nos.listdir({str(solutions)!r})",
        "overwrite_solutions": f"open({str(source)!r}, 'w').write('{{}}')",
        "write_next_to_its_folder": "open('../escaped.txt', 'w').write('out')",
        "overwrite_other_submission": f"open({str(victim)!r}, 'w').write('{{}}')",
        "memory_bomb": "x = bytearray(10**11)",
        "fork_bomb": "import os, time\nfor _ in range(100000):\n    if os.fork() == 0:\n"
                     "        time.sleep(30)\n        os._exit(0)",
        "ten_gigabytes": "with open('big.bin', 'wb') as f:\n    for _ in range(10**4):\n        f.write(bytes(10**6))",
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("sandbox")
    solutions = root / "solutions"
    shutil.copytree(FIXTURES / "solutions", solutions)
    victim = root / "victim" / NAME
    victim.parent.mkdir()
    shutil.copy(solutions / NAME, victim)
    paths = {"victim": victim}
    for case, code in attacks(solutions, victim).items():
        nb = nbformat.read(solutions / NAME, as_version=4)
        next(cell for cell in nb.cells if cell.get("id") == "mae-answer").source = MAE + "\n" + code
        paths[case] = root / case / NAME
        paths[case].parent.mkdir()
        nbformat.write(nb, paths[case])
    before = {path: path.read_bytes() for path in (solutions / NAME, victim)}
    out = root / "grades.json"
    code = main([str(path) for path in paths.values()] + ["--solutions", str(solutions), "--jobs", "2",
                                                          "--timeout", "20", "--json", str(out)])
    results = dict(zip(paths, json.loads(out.read_text(encoding="utf-8"))))
    return code, results, before, root


def _questions(result):
    return {q["grade_id"]: q for q in result["questions"]}


@pytest.mark.parametrize("case, reason", [
    ("read_solutions", "permission denied"), ("read_solutions_when_called", "permission denied"),
    ("list_solutions", "permission denied"), ("overwrite_solutions", "permission denied"),
    ("write_next_to_its_folder", "permission denied"), ("overwrite_other_submission", "permission denied"),
    ("memory_bomb", "memory limit"), ("fork_bomb", "process limit"), ("ten_gigabytes", "file size limit"),
])
def test_an_attack_costs_its_question_and_nothing_else(graded, case, reason):
    result = graded[1][case]
    questions = _questions(result)
    assert result["score"] == 3.0, questions
    assert (questions["mse_test"]["status"], questions["l1_test"]["status"]) == ("passed", "passed")
    assert questions["mae_test"]["status"] == "error"
    assert questions["mae_test"]["message"].startswith(f"sandbox: {reason}: "), questions["mae_test"]["message"]


def test_the_files_aimed_at_are_unchanged(graded):
    _, _, before, root = graded
    for path, content in before.items():
        assert path.read_bytes() == content, path
    assert not (root / "escaped.txt").exists()
    assert not (root / "ten_gigabytes" / "big.bin").exists(), "the write stayed in the private copy"


def test_the_batch_goes_on_and_an_honest_neighbour_scores_full_marks(graded):
    code, results, _, _ = graded
    assert code == 0
    assert results["victim"]["score"] == 4.0


def test_the_message_says_what_was_refused(graded):
    message = _questions(graded[1]["read_solutions"])["mae_test"]["message"]
    assert "your answer cell 'mae_answer'" in message and "PermissionError: [Errno 13] Permission denied" in message


def _with_answer(tmp_path, code):
    nb = nbformat.read(FIXTURES / "solutions" / NAME, as_version=4)
    next(cell for cell in nb.cells if cell.get("id") == "l1-answer").source = code
    path = tmp_path / "student" / NAME
    path.parent.mkdir()
    nbformat.write(nb, path)
    return path


def test_the_kernel_has_no_network_and_none_of_the_graders_environment(tmp_path, monkeypatch, capsys):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    monkeypatch.setenv("MLCORE_TEST_SECRET", "hunter2")
    # l1_sum is right only if the kernel cannot connect and cannot see the variable.
    path = _with_answer(tmp_path, f"import os, socket\ntry:\n    socket.create_connection(('127.0.0.1', "
                                  f"{listener.getsockname()[1]}), timeout=2)\n    l1_sum = 0.0\n"
                                  f"except OSError:\n    l1_sum = 0.0 if 'MLCORE_TEST_SECRET' in os.environ else 2.0")
    assert main([str(path), "--solutions", str(FIXTURES / "solutions"), "--json", str(tmp_path / "g.json")]) == 0
    result = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))[0]
    assert result["score"] == 4.0, result
    with pytest.raises(socket.timeout):
        listener.accept()
    listener.close()


def test_no_sandbox_warns(tmp_path, capsys):
    assert main([str(FIXTURES / "solutions" / NAME), "--solutions", str(FIXTURES / "solutions"),
                 "--no-sandbox"]) == 0
    assert ("mlcore-grade: warning: --no-sandbox: the submissions' code runs with your account's rights"
            in capsys.readouterr().err)


def test_without_bwrap_grading_says_so_once_and_goes_on(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))  # no bwrap on this PATH
    done = subprocess.run([sys.executable, "-m", "mlcore.grading", str(FIXTURES / "solutions" / NAME),
                           str(FIXTURES / "exercises" / NAME), "--solutions", str(FIXTURES / "solutions")],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    notices = [line for line in done.stderr.splitlines() if "notice" in line]
    assert notices == ["mlcore-grade: notice: bwrap (bubblewrap) is not installed, so submissions run without "
                       "a sandbox; install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap)."]
    assert "4/4" in done.stdout and "0/4" in done.stdout
