"""mlcore-grade's referee: the checks run in the grader, the learner's code in a sandboxed kernel.

- A submission that patches the checks, numpy, the builtins, ``sys.modules``,
  IPython or the referee's own probe in its kernel scores nothing more for it.
- An honest submission gets exactly the score and the messages of the
  in-kernel checks (those nbgrader and self-check run): for every registered
  check (``mlcore.feedback.registry``), on its right answer, its hidden cases
  and one wrong answer per named misconception, and for every notebook in
  solutions/, on the solution and on the untouched exercise.
"""

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from mlcore.feedback import registry
from mlcore.grading import sandbox as sandboxing
from mlcore.grading.cli import main
from mlcore.grading.grade import grade_submission
from mlcore.grading.referee import free_names

from browser_support.requirements import unavailable

REPO = Path(__file__).resolve().parents[1]
CHAPTER_1 = "01_errors_and_losses.ipynb"


@pytest.fixture(scope="module", autouse=True)
def _bwrap():
    if sandboxing.available() is not None:
        unavailable(sandboxing.available(), "sandbox test")


# ---- attacks from inside the kernel -------------------------------------------------------------

ATTACKS = {
    # The attack: every check_* of mlcore.feedback prints "ok" and returns.
    "checks_patched": """
import importlib, pkgutil, mlcore.feedback as fb
for m in pkgutil.walk_packages(fb.__path__, "mlcore.feedback."):
    mod = importlib.import_module(m.name)
    for n in dir(mod):
        if n.startswith("check_"):
            setattr(mod, n, lambda *a, **k: print("ok"))
""",
    "numpy_patched": """
import numpy
numpy.allclose = lambda *a, **k: True
numpy.isclose = lambda a, b, *r, **k: numpy.ones(numpy.shape(a), dtype=bool)
numpy.array_equal = lambda *a, **k: True
""",
    "builtins_patched": """
import builtins
builtins.AssertionError = type("AssertionError", (BaseException,), {})
builtins.NotImplementedError = type("NotImplementedError", (BaseException,), {})
builtins.isinstance = lambda *a: True
""",
    "sys_modules_replaced": """
import sys, types
fake = types.ModuleType("fake")
fake.__getattr__ = lambda name: (lambda *a, **k: None)
for name in ("mlcore.feedback.chapter01", "mlcore.feedback.checks", "mlcore.feedback.regression_losses",
             "mlcore.feedback.best_constant", "mlcore.feedback.regression_gradients"):
    sys.modules[name] = fake
""",
    "ipython_skips_tests": """
ip = get_ipython()
real_run_cell = ip.run_cell
def run_cell(raw_cell, *args, **kwargs):
    if "check_" in raw_cell:
        raw_cell = "pass"
    return real_run_cell(raw_cell, *args, **kwargs)
ip.run_cell = run_cell
""",
    # Every answer, once defined, is replaced by one that reads the expected value from the
    # checker's frames (it would find check_function's local `expected` in the kernel).
    "frame_inspection": """
import sys
def cheat(*args, **kwargs):
    frame = sys._getframe(1)
    while frame is not None:
        if "expected" in frame.f_locals:
            return frame.f_locals["expected"]
        frame = frame.f_back
    raise NotImplementedError()
def rebind(result):
    for name in ("mse", "mae", "huber", "l1_loss", "mse_grad", "mae_grad", "huber_grad", "best_constant"):
        if name in get_ipython().user_ns:
            get_ipython().user_ns[name] = cheat
get_ipython().events.register("post_run_cell", rebind)
""",
    "probe_forged": """
import json, mlcore.grading.probe as probe, mlcore.grading.wire as wire
probe.answer = lambda request: wire.dumps({"result": 0.0})
probe.serve = lambda request: None
""",
}


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """Every attack put in the first answer cell of the untouched chapter 1 exercise (after its
    stub; all stubs left blank), graded in one batch: attack -> result."""
    root = tmp_path_factory.mktemp("attacks")
    paths = {}
    for attack, code in ATTACKS.items():
        nb = nbformat.read(REPO / "exercises" / CHAPTER_1, as_version=4)
        answer = next(cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("solution"))
        answer.source = answer.source + "\n" + code
        paths[attack] = root / attack / CHAPTER_1
        paths[attack].parent.mkdir()
        nbformat.write(nb, paths[attack])
    out = root / "grades.json"
    assert main([str(path) for path in paths.values()] + ["--solutions", str(REPO / "solutions"),
                                                          "--jobs", "2", "--json", str(out)]) == 0
    return dict(zip(paths, json.loads(out.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_attack_on_the_kernel_scores_nothing(attacked, attack):
    result = attacked[attack]
    assert (result["score"], result["max_score"]) == (0.0, 19.0)
    assert all(question["status"] != "passed" for question in result["questions"])


def test_the_blank_exercise_scores_zero_as_not_answered(attacked):
    # The patched checks print "ok" in the kernel; the referee still reads the stubs.
    messages = [q["message"] for q in attacked["checks_patched"]["questions"]]
    assert messages.count("not answered yet: your code still raises NotImplementedError(); replace the stub.") >= 7


# ---- honest submissions: the referee agrees with the in-kernel checks ---------------------------------

KERNELSPEC = {"name": "python3", "language": "python", "display_name": "Python 3"}


def _cell(kind, source, grade_id, points=None):
    meta = {"grade": points is not None, "solution": kind == "answer", "locked": kind == "setup",
            "grade_id": grade_id, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return new_code_cell(source, metadata={"nbgrader": meta})


def registry_notebook():
    """A source notebook with one question per registered check and answer: the right answer
    (on the visible and on hidden cases) and each misconception's wrong answer; and the
    misconception each question's check must name (None for a right answer)."""
    cells = [new_markdown_cell("Every registered check, on its answers."),
             _cell("setup", "from mlcore.feedback.registry import find", "setup")]
    expected = {}
    for entry in registry.exercises():
        answers = [("answer", "None")] + [(f"misconceptions[{i}].variant", mistake.name)
                                          for i, mistake in enumerate(entry.misconceptions)]
        for number, (expression, named) in enumerate(answers):
            gid = f"{entry.name}-{number}"
            # A check of several answers reads each from a name of its own, as a notebook's would.
            several = isinstance(entry.answer, registry.Answers)
            names = [f"answer_{entry.name}_{number}" + (f"_{k}" if several else "")
                     for k in range(len(entry.answer) if several else 1)]
            name = ", ".join(names)
            cells.append(_cell("answer", f"{name} = find({entry.name!r}).{expression}", f"{gid}-answer"))
            test = f"from {entry.module} import {entry.name}\n\n{entry.name}({name})"
            if number == 0 and entry.hidden_cases is not None:
                test += f"\n{entry.name}({name}, cases=find({entry.name!r}).hidden_cases(7))"
            cells.append(_cell("test", test, f"{gid}-test", points=1))
            expected[f"{gid}-test"] = None if named == "None" else named
    return new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC}), expected


def _graded(path, solutions, referee, sandbox):
    result = grade_submission(path, solutions, 60, referee=referee, sandbox=sandbox)
    assert not result.grader_error, result.grader_error
    return result.questions


def _same_verdicts(in_kernel, refereed):
    def verdicts(questions):
        # Objects' addresses differ between two kernels, and only they may.
        return [(q.grade_id, q.points, q.status, re.sub(r"0x[0-9a-f]+", "0x...", q.message)) for q in questions]

    assert verdicts(refereed) == verdicts(in_kernel)


def test_every_registered_check_gets_the_in_kernel_verdict_and_message_from_the_referee(tmp_path):
    nb, expected = registry_notebook()
    (tmp_path / "solutions").mkdir()
    path = tmp_path / "solutions" / "registry.ipynb"
    nbformat.write(nb, path)
    in_kernel = _graded(path, path.parent, referee=False, sandbox=False)
    refereed = _graded(path, path.parent, referee=True, sandbox=True)
    _same_verdicts(in_kernel, refereed)
    assert {q.grade_id: q.misconception for q in refereed} == expected
    assert all(q.status == ("passed" if expected[q.grade_id] is None else "failed") for q in refereed)


NOTEBOOKS = sorted((REPO / "solutions").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
@pytest.mark.parametrize("version", ["solutions", "exercises"])
def test_every_notebook_gets_the_in_kernel_score_and_messages_from_the_referee(notebook, version):
    path = REPO / version / notebook.name
    in_kernel = _graded(path, REPO / "solutions", referee=False, sandbox=False)
    refereed = _graded(path, REPO / "solutions", referee=True, sandbox=True)
    _same_verdicts(in_kernel, refereed)
    points = sum(q.points for q in refereed)
    assert points == (sum(q.max_points for q in refereed) if version == "solutions" else 0.0)


def test_the_free_names_of_a_test_cell_are_what_it_reads_from_the_learner():
    code = ("from mlcore.feedback.chapter01 import check_mse\nimport numpy as np\n"
            "check_mse(mse, cases=[(np.zeros(2), y)])\nassert all(f(v) for v in data)\n"
            "def helper():\n    return mae(limit)\nlimit = 3\nprint(len(data))")
    assert free_names(code) == ["data", "f", "mae", "mse", "y"]


MUTATION_TEST = """import numpy as np
from mlcore.feedback.checks import call_answer

w0 = np.zeros(3)
args = (w0.copy(), [1.0])
result = call_answer(step, *args)
assert np.array_equal(args[0], w0) and args[1] == [1.0], f"step changed its inputs: {args}"
assert np.array_equal(result, [1.0, 1.0, 1.0])"""


def test_a_change_to_the_inputs_is_seen_by_the_referee_as_in_the_kernel(tmp_path):
    cells = [_cell("setup", "import numpy as np", "setup")]
    for number, body in enumerate(["return w + 1", "w += 1\n    extra.append(2.0)\n    return w"]):
        cells += [_cell("answer", f"def step(w, extra):\n    {body}", f"step-{number}-answer"),
                  _cell("test", MUTATION_TEST, f"step-{number}-test", points=1)]
    path = tmp_path / "solutions" / "mutation.ipynb"
    path.parent.mkdir()
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC}),
                   path)
    in_kernel = _graded(path, path.parent, referee=False, sandbox=False)
    refereed = _graded(path, path.parent, referee=True, sandbox=True)
    _same_verdicts(in_kernel, refereed)
    assert [q.status for q in refereed] == ["passed", "failed"]
    assert refereed[1].message == "step changed its inputs: (array([1., 1., 1.]), [1.0, 2.0])"


ODD_ANSWERS = {
    "raises_key_error": "return {}['delivery_times']",
    "raises_system_exit": "raise SystemExit(3)",
    "raises_keyboard_interrupt": "raise KeyboardInterrupt",
    "calls_input": "return input('y_hat? ')",
    "returns_a_function": "return lambda: 0",
    "returns_a_generator": "yield np.mean((y_hat - y) ** 2)",
    "returns_text": "return '1.33333'",
    "returns_none": "pass",
    "returns_an_object_equal_to_everything": "class Same:\n        __eq__ = lambda self, other: True\n"
                                             "    return Same()",
}


def test_odd_answers_get_the_in_kernel_verdict_and_message_from_the_referee(tmp_path):
    cells = [_cell("setup", "import numpy as np", "setup")]
    for case, body in ODD_ANSWERS.items():
        cells += [_cell("answer", f"def mse(y_hat, y):\n    {body}", f"{case}-answer"),
                  _cell("test", "from mlcore.feedback.chapter01 import check_mse\n\ncheck_mse(mse)", f"{case}-test",
                        points=1)]
    path = tmp_path / "solutions" / "odd.ipynb"
    path.parent.mkdir()
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC}), path)
    in_kernel = _graded(path, path.parent, referee=False, sandbox=False)
    refereed = _graded(path, path.parent, referee=True, sandbox=True)
    _same_verdicts(in_kernel, refereed)
    assert all(q.points == 0 for q in refereed)


# Answers whose check fails in a driver, in the learner's kernel under the referee: a malformed result.
DRIVEN_FAILURES = {
    "a step that returns theta alone": ("def momentum_step(theta, grad, velocity, lr, momentum):\n"
                                        "    return theta - lr * grad",
                                        "from mlcore.feedback.chapter06 import check_momentum_step\n\n"
                                        "check_momentum_step(momentum_step)"),
    "a fit that returns nothing": ("def fit(net, loss_fn, optimizer, train_loader, X_val, y_val, num_epochs):\n"
                                   "    pass",
                                   "from mlcore.feedback.chapter07 import check_fit\n\ncheck_fit(fit)"),
    "a network that is a list": ("def build_net(in_channels):\n    return []",
                                 "from mlcore.feedback.chapter08 import check_article_net\n\n"
                                 "check_article_net(build_net)"),
}


def test_a_failure_raised_in_a_driver_gets_the_in_kernel_verdict_and_message_from_the_referee(tmp_path):
    cells = [_cell("setup", "import numpy as np", "setup")]
    for number, (answer, test) in enumerate(DRIVEN_FAILURES.values()):
        cells += [_cell("answer", answer, f"driven-{number}-answer"), _cell("test", test, f"driven-{number}-test",
                                                                           points=1)]
    path = tmp_path / "solutions" / "driven.ipynb"
    path.parent.mkdir()
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC}), path)
    in_kernel = _graded(path, path.parent, referee=False, sandbox=False)
    refereed = _graded(path, path.parent, referee=True, sandbox=True)
    _same_verdicts(in_kernel, refereed)
    assert [q.status for q in refereed] == ["failed"] * 3
    assert "must return a tuple of 2 values" in refereed[0].message
    assert refereed[1].message.endswith("(The numbers: history['train_loss'], then history['val_loss'].)")
    assert "returned a list" in refereed[2].message


@pytest.mark.parametrize("attack", ["checks_patched", "frame_inspection"])
def test_the_same_attack_beats_checks_run_in_the_kernel(attacked, attack, tmp_path):
    # What the referee is for: graded in-kernel (as nbgrader grades), the blank notebook scores.
    path = tmp_path / CHAPTER_1
    path.write_text(Path(attacked[attack]["submission"]).read_text(encoding="utf-8"), encoding="utf-8")
    result = grade_submission(path, REPO / "solutions", 30, referee=False, sandbox=False)
    assert result.score >= 12.0, [(q.grade_id, q.status) for q in result.questions]
