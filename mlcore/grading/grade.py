"""Grade submissions: match each to its source notebook, merge, run, score.

``grade_submission`` never raises for a problem with the submission; it
returns a result whose questions carry the status and message. ``grade_many``
grades a batch, in parallel processes when asked, and returns the results in
the order of the submissions.
"""

import concurrent.futures
import functools
import multiprocessing
import pkgutil
from pathlib import Path

from . import sandbox as sandboxing
from .assemble import assemble
from .execute import run_notebook
from .notebook_io import NotebookReadError, read_notebook
from .referee import Referee
from .results import QuestionResult, SubmissionResult
from .scoring import score_questions
from .source import NoSourceNotebook, find_source_path, load_source
from .validate import SourceNotebookError

# The pseudo question of a submission that matches no source notebook.
NO_SOURCE_ID = "(notebook)"


def grade_submission(submission, solutions_dir, timeout=30, *, referee=True, sandbox=True, hidden=()):
    """Grade one submitted notebook against ``solutions_dir``; return a ``SubmissionResult``.

    - ``referee`` (the default): the test cells run in this process against the
      learner's functions in the kernel (``referee.py``); without, they run in
      the kernel, as nbgrader and self-check run them.
    - ``sandbox``: the kernel runs in a bubblewrap jail (``sandbox.py``) when bwrap
      works here, with ``solutions_dir`` and the folders in ``hidden`` (the other
      submissions) out of its reach.
    """
    submission, solutions_dir = Path(submission), Path(solutions_dir)
    try:
        source_path = find_source_path(submission, solutions_dir)
    except NoSourceNotebook as error:
        question = QuestionResult(NO_SOURCE_ID, 0.0, 0.0, "error", str(error))
        return SubmissionResult(str(submission), submission.name, [question])
    result = SubmissionResult(str(submission), source_path.name)
    try:
        source = load_source(source_path)
    except (OSError, ValueError, SourceNotebookError) as error:
        result.grader_error = f"the source notebook {source_path} cannot be used: {error}"
        result.questions = [QuestionResult(NO_SOURCE_ID, 0.0, 0.0, "error", result.grader_error)]
        return result
    try:
        submitted = read_notebook(submission)
    except NotebookReadError as error:
        result.questions = _all_questions(source, "error", f"not graded: {error}")
        return result
    try:
        folder = submission.parent.resolve()
        if sandbox and sandboxing.available() is None:
            limits = sandboxing.Limits(cpu_seconds=int(timeout * (len(submitted.cells) + len(source.cells) + 2)))
            with sandboxing.Sandbox(folder, [solutions_dir, *hidden], limits, keep=submission) as box:
                result.questions = grade_notebook(submitted, source, folder, timeout, referee, box)
        else:
            result.questions = grade_notebook(submitted, source, folder, timeout, referee)
    except Exception as error:  # noqa: BLE001 -- any failure to start a kernel is the grader's
        result.grader_error = f"the grading kernel could not run: {type(error).__name__}: {error}"
        result.questions = _all_questions(source, "error", result.grader_error)
    return result


def grade_notebook(submitted, source, cwd, timeout, referee=False, sandbox=None):
    """Merge a read submission with its ``SourceNotebook``, run it in a fresh kernel in ``cwd``
    and return its ``QuestionResult`` list. Raises only if no kernel can run.

    ``referee``: judge the test cells in this process (``Referee``) instead of in the kernel.
    ``sandbox``: a ``sandbox.Sandbox`` to run the kernel in.
    """
    graded = assemble(source, submitted)
    judge = Referee(source, graded.test_positions.values()) if referee else None
    log = run_notebook(graded.nb, cwd, timeout, judge, sandbox)
    return score_questions(source, graded, log, timeout, sandboxed=sandbox is not None)


def _all_questions(source, status, message):
    return [QuestionResult(test.grade_id, 0.0, test.points, status, message) for test in source.tests]


def grade_many(submissions, solutions_dir, timeout=30, jobs=1, on_result=None, *, referee=True, sandbox=True,
               hidden=()):
    """Grade ``submissions`` with ``jobs`` worker processes; results in submission order.

    ``on_result(done_count, result)`` is called as each submission finishes
    (for a progress bar). Each submission's sandbox hides the folders of the
    others, and ``hidden`` (the output files' folders, say).
    """
    submissions = [Path(path) for path in submissions]
    folders = {path.parent.resolve() for path in submissions}
    results = [None] * len(submissions)

    def grade(path):
        others = tuple(folder for folder in folders if folder != path.parent.resolve())
        return functools.partial(grade_submission, path, solutions_dir, timeout, referee=referee,
                                 sandbox=sandbox, hidden=(*others, *hidden))

    if jobs <= 1 or len(submissions) <= 1:
        for index, path in enumerate(submissions):
            results[index] = grade(path)()
            if on_result:
                on_result(index + 1, results[index])
        return results
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=_worker_context()) as pool:
        futures = {pool.submit(grade(path)): index for index, path in enumerate(submissions)}
        for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if on_result:
                on_result(done, results[futures[future]])
    return results


def _worker_context():
    # A forkserver imports the grader, and the checks its referee runs, once and forks each
    # worker from it: workers start in milliseconds and inherit no kernel connections or
    # threads from the parent. Where there is no fork (Windows), spawn.
    if "forkserver" in multiprocessing.get_all_start_methods():
        from .. import feedback

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__] + [module.name for module in pkgutil.iter_modules(
            feedback.__path__, f"{feedback.__name__}.")])
        return context
    return multiprocessing.get_context("spawn")
