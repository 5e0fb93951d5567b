"""Turn what each cell did into a status and a message per question.

A test cell earns its points when it runs without raising. Otherwise the
status names why, looking at the test cell itself and, when the test only
tripped over an earlier problem (``NameError: name 'mse' is not defined``),
at the student's cells since the previous test, the answer to this question:

========  ===============================================================
passed    the test cell ran without raising
failed    the test judged the answer wrong (``AssertionError``, a failed
          check of ``mlcore.feedback.checks``) or not given yet (the stub's
          ``NotImplementedError``, or the checks' ``NotAnswered``, raised by
          the test or by the answer)
timeout   the test, or the answer it needs, ran past the per-cell limit
error     anything else: an unexpected exception (the message names it and
          the student cell that caused it), ``input()``, a deleted answer
          cell, or a kernel that died before or during the test
========  ===============================================================
"""

import re

from ..feedback.checks import NOT_ANSWERED
from .results import SANDBOX_STOPPED, QuestionResult

_FAILED = ("AssertionError", "CheckFailed")
# The stub's own exception, and the checks' one-line form of it.
_NOT_ANSWERED = ("NotImplementedError", "NotAnswered")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def score_questions(source, graded, log, timeout, sandboxed=False):
    """The ``QuestionResult`` of every test cell of ``source``, in notebook order.

    ``sandboxed``: the kernel ran in the sandbox, so an access it refused costs
    the question whose cells (answer or test) tried it its points.
    """
    results = []
    previous = -1
    for test in source.tests:
        position = graded.test_positions[test.grade_id]
        status, message = _denied(graded, log, position, previous) if sandboxed else (None, None)
        if status is None:
            status, message = _judge(graded, log, position, previous, test, source, timeout)
        points = test.points if status == "passed" else 0.0
        run = log.runs.get(position)
        named = run is not None and status == "failed" and run.misconception
        results.append(QuestionResult(test.grade_id, points, test.points, status, message,
                                      run.misconception if named else None,
                                      run.counterexample if named else None))
        previous = position
    return results


def sandbox_refusal(run):
    """What the sandbox refused a cell that failed for that reason ("permission denied", "no
    network", "memory limit", "file size limit", "process limit"), else None."""
    if run.outcome != "error":
        return None
    errno = run.evalue.split("]")[0] + "]" if run.evalue.startswith("[Errno ") else ""
    if run.ename == "PermissionError" or (run.ename == "OSError" and errno in ("[Errno 13]", "[Errno 30]")):
        return "permission denied"
    if run.ename == "MemoryError":
        return "memory limit"
    if errno == "[Errno 27]":
        return "file size limit"
    if run.ename == "BlockingIOError" and errno == "[Errno 11]":
        return "process limit"
    if errno in ("[Errno 101]", "[Errno 99]") or run.ename == "gaierror":
        return "no network"
    return None


def _denied(graded, log, position, previous):
    """("error", message) if a cell since the previous test, or the test, was stopped by the
    sandbox, else (None, None)."""
    refused = [index for index in range(previous + 1, position + 1)
               if index in log.runs and sandbox_refusal(log.runs[index])]
    if not refused:
        return None, None
    run = log.runs[refused[-1]]
    where = "this test" if refused[-1] == position else graded.origins[refused[-1]].describe()
    return "error", (f"{SANDBOX_STOPPED} {sandbox_refusal(run)}: {where} was stopped by the "
                     f"sandbox ({run.ename}: {run.evalue}). Graded code may read and write only the files "
                     f"of its own folder, has no network, and has limited memory, file sizes and processes.")


def _judge(graded, log, position, previous, test, source, timeout):
    stop = log.stop
    if stop is not None and stop.index <= position:
        return _stopped(graded, stop, position, timeout)
    run = log.runs[position]
    if run.outcome == "ok":
        return "passed", ""
    if run.outcome == "timeout":
        return "timeout", f"this test did not finish within {timeout:g} s: does your code loop forever?"
    if run.ename in _FAILED:
        return "failed", run.evalue or _failing_line(run.traceback)
    if run.ename in _NOT_ANSWERED:
        return "failed", NOT_ANSWERED
    raised = _describe(run.ename, run.evalue)
    cause_index = max((index for index in log.runs
                       if previous < index < position and log.runs[index].outcome != "ok"
                       and graded.origins[index].kind == "submission"), default=None)
    if cause_index is not None:
        cause, where = log.runs[cause_index], graded.origins[cause_index].describe()
        if cause.outcome == "timeout":
            return "timeout", (f"{where} did not finish within {timeout:g} s (an infinite loop?), "
                               f"so the test could not use it ({raised}).")
        if cause.ename in _NOT_ANSWERED:
            return "failed", f"not answered yet: {where} still raises NotImplementedError(); replace the stub."
        return "error", f"{raised}\nThe likely cause: {where} raised {_describe(cause.ename, cause.evalue)}"
    missing = [gid for index, gid in graded.missing_answers.items() if index < test.index
               and not any(index < other.index < test.index for other in source.tests)]
    if missing:
        return "error", (f"{raised}\nThe answer cell '{missing[0]}' is missing from the submission "
                         f"(deleted?); copy it back from the exercise notebook.")
    return "error", raised


def _stopped(graded, stop, position, timeout):
    where = graded.origins[stop.index].describe()
    if stop.index == position:
        if stop.reason == "died":
            return "error", ("the kernel died while running this test: your code ended Python "
                             "(os._exit, a crash, or running out of memory).")
        return "timeout", (f"this test did not finish within {timeout:g} s and ignored the interrupt, "
                           "so grading stopped here.")
    if stop.reason == "died":
        return "error", (f"not graded: the kernel died while running {where} (os._exit, a crash, "
                         "or running out of memory), so no later cell could run.")
    return "timeout", (f"not graded: {where} did not finish within {timeout:g} s and ignored the "
                       "interrupt, so no later cell could run.")


def _describe(ename, evalue):
    if ename == "StdinNotImplementedError":
        return ("input() was called, but a graded notebook cannot read the keyboard: remove input() "
                "and take the values as function arguments.")
    return f"{ename}: {evalue}" if evalue else ename


def _failing_line(traceback):
    """The ``---->`` line of an IPython traceback: the assert that failed, for a bare ``assert``."""
    for frame in reversed(traceback):
        for line in _ANSI.sub("", frame).splitlines():
            if line.lstrip().startswith("---->"):
                return "assertion failed: " + line.split("---->", 1)[1].strip().lstrip("0123456789").strip()
    return "assertion failed"
