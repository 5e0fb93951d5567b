"""Run a graded notebook with nbclient in a fresh kernel, recording what each cell did.

The run survives what submissions do: a cell that raises is recorded and the
next cell runs; a cell that runs past the per-cell time limit is interrupted
(and if it ignores the interrupt, the run stops there); a kernel that dies
(``os._exit``, a crash, running out of memory) ends the run; ``input()``
fails at once because the client does not offer stdin. Outcomes come from
the kernel's execute replies, not from outputs, which the run discards so
that a cell printing without end cannot exhaust the grader's memory.
"""

import subprocess
import tempfile
from dataclasses import dataclass

from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell
from traitlets.config import Config

from .kernel import GradingKernelManager, kernel_environment

# Time given to a kernel, after an interrupt, to show that it is responsive again.
RECOVERY_SECONDS = 5


@dataclass(frozen=True)
class CellRun:
    """What one code cell did: outcome "ok", "error" or "timeout", and the error if any.

    A test cell judged by the referee also names the ``misconception`` its check
    recognised and the ``counterexample`` it showed.
    """

    outcome: str
    ename: str = ""
    evalue: str = ""
    traceback: tuple = ()
    misconception: str = None
    counterexample: str = None


@dataclass(frozen=True)
class Stop:
    """Why the run ended early: the kernel "died" or was "stuck", at cell ``index``."""

    reason: str
    index: int


@dataclass
class ExecutionLog:
    """The ``CellRun`` of each executed cell (by index) and the ``Stop``, if the run ended early."""

    runs: dict
    stop: Stop = None


class _GradingClient(NotebookClient):
    """nbclient's client, keeping no outputs: grading reads execute replies only."""

    def output(self, outs, msg, display_id, cell_index):
        return None


def run_notebook(nb, cwd, timeout, referee=None, sandbox=None):
    """Execute the code cells of ``nb`` in a new kernel started in ``cwd``; return an ``ExecutionLog``.

    With a ``referee`` (``referee.Referee``), the cells at its ``positions`` are
    not sent to the kernel: the referee runs them. With a ``sandbox``
    (``sandbox.Sandbox``), the kernel runs in it. Raises only when the kernel
    cannot be started at all (a broken grading environment, not a broken submission).
    """
    replies = {}
    with tempfile.TemporaryDirectory(prefix="mlcore-grade-") as private_dir:
        socket_dir = sandbox.socket_dir if sandbox is not None else private_dir
        client = _GradingClient(
            nb, timeout=timeout, allow_errors=True, kernel_manager_class=GradingKernelManager,
            kernel_name="python3", shutdown_kernel="immediate", resources={"metadata": {"path": str(cwd)}},
            config=Config({"GradingKernelManager": {"socket_dir": socket_dir, "sandbox": sandbox}}),
            on_cell_executed=lambda cell, cell_index, execute_reply: replies.__setitem__(cell_index, execute_reply),
        )
        with client.setup_kernel(env=kernel_environment(), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL):
            try:
                return _run_cells(client, list(nb.cells), replies, timeout, referee)
            finally:
                if referee is not None:
                    referee.close()


def _run_cells(client, cells, replies, timeout, referee):
    log = ExecutionLog(runs={})
    for index, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        if not cell.source.strip():
            log.runs[index] = CellRun("ok")  # as in Jupyter: an empty cell runs and succeeds
            continue
        if referee is not None and index in referee.positions:
            log.runs[index], stop = referee.run_test(client, cell.source, timeout)
            if stop:
                log.stop = Stop(stop, index)
                break
            continue
        try:
            client.execute_cell(cell, index)
        except CellTimeoutError:
            log.runs[index] = CellRun("timeout")
            failure = recover(client, len(cells))
            if failure:
                log.stop = Stop(failure, index)
                break
            continue
        except DeadKernelError:
            log.stop = Stop("died", index)
            break
        log.runs[index] = _from_reply(replies.get(index))
    return log


def _from_reply(reply):
    content = (reply or {}).get("content", {})
    if content.get("status") == "ok":
        return CellRun("ok")
    return CellRun("error", content.get("ename", "Error"), content.get("evalue", ""),
                   tuple(content.get("traceback", ())))


def recover(client, probe_index):
    """Interrupt the kernel after a timeout and check that it runs a trivial cell promptly.

    Returns None when it does, "stuck" when the code ignores the interrupt
    (e.g. it catches KeyboardInterrupt) and "died" when the kernel is gone.
    """
    try:
        run_sync(client.km.interrupt_kernel)()
    except RuntimeError:
        return "died"
    client.nb.cells.append(new_code_cell("pass"))
    timeout, client.timeout = client.timeout, min(RECOVERY_SECONDS, client.timeout)
    try:
        client.execute_cell(client.nb.cells[probe_index], probe_index)
        return None
    except CellTimeoutError:
        return "stuck"
    except DeadKernelError:
        return "died"
    finally:
        client.timeout = timeout
        del client.nb.cells[probe_index:]
