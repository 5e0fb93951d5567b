"""Grade submissions: match each to its source notebook, merge, run, score.

``grade_submission`` never raises for a problem with the submission; it
returns a result whose questions carry the status and message. ``grade_many``
grades a batch, in parallel processes when asked, and returns the results in
the order of the submissions.
"""

import concurrent.futures
import multiprocessing
from pathlib import Path

from .assemble import assemble
from .execute import run_notebook
from .notebook_io import NotebookReadError, read_notebook
from .results import QuestionResult, SubmissionResult
from .scoring import score_questions
from .source import NoSourceNotebook, find_source_path, load_source
from .validate import SourceNotebookError

# The pseudo question of a submission that matches no source notebook.
NO_SOURCE_ID = "(notebook)"


def grade_submission(submission, solutions_dir, timeout=30):
    """Grade one submitted notebook against ``solutions_dir``; return a ``SubmissionResult``."""
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
        result.questions = grade_notebook(submitted, source, submission.parent.resolve(), timeout)
    except Exception as error:  # noqa: BLE001 -- any failure to start a kernel is the grader's
        result.grader_error = f"the grading kernel could not run: {type(error).__name__}: {error}"
        result.questions = _all_questions(source, "error", result.grader_error)
    return result


def grade_notebook(submitted, source, cwd, timeout):
    """Merge a read submission with its ``SourceNotebook``, run it in a fresh kernel in ``cwd``
    and return its ``QuestionResult`` list. Raises only if no kernel can run."""
    graded = assemble(source, submitted)
    return score_questions(source, graded, run_notebook(graded.nb, cwd, timeout), timeout)


def _all_questions(source, status, message):
    return [QuestionResult(test.grade_id, 0.0, test.points, status, message) for test in source.tests]


def grade_many(submissions, solutions_dir, timeout=30, jobs=1, on_result=None):
    """Grade ``submissions`` with ``jobs`` worker processes; results in submission order.

    ``on_result(done_count, result)`` is called as each submission finishes
    (for a progress bar).
    """
    submissions = [Path(path) for path in submissions]
    results = [None] * len(submissions)
    if jobs <= 1 or len(submissions) <= 1:
        for index, path in enumerate(submissions):
            results[index] = grade_submission(path, solutions_dir, timeout)
            if on_result:
                on_result(index + 1, results[index])
        return results
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=_worker_context()) as pool:
        futures = {pool.submit(grade_submission, path, solutions_dir, timeout): index
                   for index, path in enumerate(submissions)}
        for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if on_result:
                on_result(done, results[futures[future]])
    return results


def _worker_context():
    # A forkserver imports the grader once and forks each worker from it:
    # workers start in milliseconds and inherit no kernel connections or
    # threads from the parent. Where there is no fork (Windows), spawn.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")
