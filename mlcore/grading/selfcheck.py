"""``self_check()``: a learner grades their own notebook from inside it.

The last cell of an exercise notebook reads::

    from mlcore.grading import self_check
    self_check("01_errors_and_losses.ipynb")

It grades the *saved* file the way ``mlcore-grade`` does (a fresh kernel runs
the notebook top to bottom, so hidden state in the learner's session cannot
help or hurt) with the test cells the learner can see, and prints a score.
A kernel cannot reliably know which notebook it belongs to, so the file
name is an argument; without it, the name is taken from what JupyterLab or
VS Code tell the kernel, when they do.
"""

import copy
import os
import time
from pathlib import Path

from ..feedback.checks import FAIL_MARK, PASS_MARK
from .environment import GRADING_ENV_VAR
from .regions import HIDDEN_TESTS, RegionError, replace_regions


def self_check(notebook=None, *, timeout=30):
    """Grade the saved notebook ``notebook`` with its visible tests and print one line per
    question and the score. Does nothing inside a grading run (so it cannot recurse)."""
    if os.environ.get(GRADING_ENV_VAR):
        return
    from .grade import grade_notebook
    from .notebook_io import NotebookReadError, read_notebook
    from .source import SourceNotebook
    from .validate import SourceNotebookError

    path = _notebook_path(notebook)
    try:
        own = read_notebook(path)
        source = SourceNotebook(path, _visible_tests_only(own))
    except (NotebookReadError, RegionError, SourceNotebookError) as error:
        raise ValueError(f"cannot self-check {path}: {error}. Download a fresh copy of the exercise "
                         f"and copy your answers into it.") from None
    age = time.time() - path.stat().st_mtime
    print(f"Self-check of {path.name}, as saved {age:.0f} s ago (save with Ctrl+S to include "
          f"your latest edits)...")
    questions = grade_notebook(own, source, path.parent, timeout)
    print(format_self_check(source, questions))


def format_self_check(source, questions):
    """The printed report: a line per question, then the score over the visibly tested questions."""
    hidden_only = {test.grade_id for test in source.tests if not _has_code(test.source)}
    lines, score, total = [], 0.0, 0.0
    for question in questions:
        if question.grade_id in hidden_only:
            lines.append(f"  ?  {question.grade_id}: no visible test; hidden tests check it when "
                         f"your work is graded.")
            continue
        mark = PASS_MARK if question.status == "passed" else FAIL_MARK
        line = f"  {mark}  {question.grade_id}: {question.points:g}/{question.max_points:g}"
        if question.message:
            line += f"  {question.status}: " + question.message.replace("\n", "\n       ")
        lines.append(line)
        score += question.points
        total += question.max_points
    lines.append(f"Score: {score:g}/{total:g} on the visible tests.")
    return "\n".join(lines)


def _visible_tests_only(nb):
    """A copy of ``nb`` without hidden tests (they are only present in a source notebook)."""
    visible = copy.deepcopy(nb)
    for cell in visible.cells:
        cell.source = replace_regions(cell.source, HIDDEN_TESTS)[0]
    return visible


def _has_code(source):
    return any(line.strip() and not line.strip().startswith("#") for line in source.splitlines())


def _notebook_path(notebook):
    """The notebook file to grade: the argument, else the editor's hint, else a clear error."""
    candidates = [notebook] if notebook else _editor_hints()
    for candidate in candidates:
        path = Path(candidate).expanduser()
        if path.is_file():
            return path.resolve()
        if notebook:
            raise FileNotFoundError(f"no notebook {path} (looked in {Path.cwd()}); pass the file name "
                                    f"of this notebook, e.g. self_check('01_errors_and_losses.ipynb').")
    raise ValueError("self_check() cannot tell which notebook this is; pass its file name, "
                     "e.g. self_check('01_errors_and_losses.ipynb').")


def _editor_hints():
    hints = []
    session = os.environ.get("JPY_SESSION_NAME")
    if session:
        # Jupyter Server passes the notebook's path (absolute in recent versions,
        # else relative to its root): try it, then its name in the kernel's folder.
        hints += [session, Path(session).name]
    try:
        shell = get_ipython()  # noqa: F821 -- defined inside IPython only
        hints += [shell.user_ns["__vsc_ipynb_file__"]]  # VS Code's notebook path
    except (NameError, KeyError):
        pass
    return [hint for hint in hints if str(hint).endswith(".ipynb")]
