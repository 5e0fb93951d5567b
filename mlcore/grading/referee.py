"""mlcore-grade's referee: test cells run in the grader's process, the learner's code in the kernel.

A submission's kernel runs the learner's cells and nothing else. When the
graded notebook reaches a test cell, the referee runs that cell's code (the
source notebook's, hidden tests included) here, with the same
``mlcore.feedback`` checks the learner runs in the notebook. The names the
cell reads from the learner's notebook are looked up in the kernel:

- data (numbers, text, arrays) is copied here;
- a function (any callable) becomes a ``RemoteFunction``: calling it sends
  the arguments to the kernel, which calls the learner's function and sends
  back its result (or what it raised, and the arguments it changed in place)
  as data, through ``probe`` and ``wire``; a generator it returns comes back as
  a ``RemoteIterator`` over the items the kernel read from it;
- a class or an object with methods is driven (``checks.driven``): a function
  of mlcore named by the check runs in the kernel with it, on data, and its
  data comes back.

So the verdicts, the misconceptions, the counterexamples and the score are
computed here, from data; the kernel never sees a reference value, and
nothing the learner's code does to its own process (patching the checks,
numpy or the builtins) reaches the checks. The messages are the checks'
own, so an honest answer gets the message the notebook shows.

Names the test cell binds itself (its imports) and the names that the source
notebook's read-only cells import (``import numpy as np``) are resolved
here, never in the kernel.
"""

import ast
import builtins
import contextlib
import functools
import io
import queue
import symtable
import time
import traceback
import warnings

import numpy as np
from jupyter_client.session import Session
from jupyter_core.utils import run_sync

from ..feedback.checks import Batched, CheckFailed
from . import wire
from .execute import CellRun, recover
from .probe import MIME

# The file name of test-cell code in tracebacks, so that a bare assert is reported by its line.
TEST_CELL = "<test cell>"


class ProbeTimeout(BaseException):
    """The learner's code ran past the test's time limit (a BaseException, so no check catches it)."""


class KernelGone(BaseException):
    """The kernel died during a test."""


class UnreadableAnswer(Exception):
    """The kernel's answer was not well-formed data (or was over the size limit)."""


class KernelLink:
    """Requests to the kernel of an nbclient client, one execute message each.

    The link has its own connection to the kernel, so that nothing nbclient
    may still be reading (after an interrupted cell) takes its messages.
    """

    def __init__(self, client):
        self.km = client.km
        # A session of its own: the kernel routes replies by session id, and a second client with
        # nbclient's id would take nbclient's replies.
        session = Session(key=self.km.session.key, signature_scheme=self.km.session.signature_scheme)
        self.kc = client.km.client(session=session)
        self.kc.start_channels()
        run_sync(self._subscribed)(timeout=30)
        self.deadline = None

    async def _subscribed(self, timeout):
        # A new subscriber misses the kernel's messages until its subscription is through:
        # ask for kernel_info until the kernel's status for the request arrives.
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            msg_id = self.kc.kernel_info()
            try:
                while True:
                    msg = await self.kc.get_iopub_msg(timeout=0.2)
                    if msg.get("parent_header", {}).get("msg_id") == msg_id:
                        return
            except queue.Empty:
                if not await self.km.is_alive():
                    raise KernelGone() from None
        raise UnreadableAnswer("the kernel did not answer the grader within 30 s")

    def close(self):
        """Close the link's connection (the kernel keeps running)."""
        self.kc.stop_channels()

    def describe(self, names):
        """The values of ``names`` in the learner's namespace (``wire.MISSING`` for undefined ones)."""
        response = self._ask({"op": "describe", "names": list(names)})
        if not isinstance(response, dict):
            raise UnreadableAnswer("the kernel's list of names is not a mapping")
        return {name: _bind(self, response.get(name, wire.MISSING)) for name in names}

    def call(self, handle, calls, driver=None):
        """The kernel's responses to calling the callable behind ``handle`` with each
        ``(args, kwargs)`` of ``calls`` (``driver(callable, *args, **kwargs)`` with a driver)."""
        responses = self._ask({"op": "call", "handle": handle, "calls": [[list(a), dict(k)] for a, k in calls],
                               "errstate": np.geterr(), "driver": driver})
        if not (isinstance(responses, list) and len(responses) == len(calls)
                and all(isinstance(response, dict) for response in responses)):
            raise UnreadableAnswer("the kernel's answer to a call is not one mapping per call")
        return responses

    def _ask(self, request):
        code = f"__import__('mlcore.grading.probe', fromlist=['serve']).serve({wire.dumps(request)!r})"
        text = run_sync(self._exchange)(code)
        try:
            return wire.loads(text)
        except wire.WireError as error:
            raise UnreadableAnswer(f"the kernel's answer could not be read: {error}") from None

    async def _exchange(self, code):
        kc, km = self.kc, self.km
        msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        answer = None
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise ProbeTimeout()
            try:
                msg = await kc.get_iopub_msg(timeout=min(remaining, 0.5))
            except queue.Empty:
                if not await km.is_alive():
                    raise KernelGone() from None
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            content = msg.get("content", {})
            if msg.get("msg_type") == "display_data" and MIME in content.get("data", {}):
                answer = content["data"][MIME]
            elif msg.get("msg_type") == "status" and content.get("execution_state") == "idle":
                break
        if not isinstance(answer, str):
            raise UnreadableAnswer("the kernel did not answer (the learner's code may have broken the "
                                   "grader's probe)")
        return answer


class RemoteFunction(Batched):
    """A callable of the learner's that stays in the kernel; calling it is one probe.

    With a ``driver`` (``checks.driven``), a call runs ``driver(callable, *args)`` in the kernel.
    """

    def __init__(self, link, handle, driver=None):
        self._link, self._handle, self._driver = link, handle, driver
        if handle.name is not None:
            self.__name__ = handle.name

    def __call__(self, *args, **kwargs):
        response = self._link.call(self._handle.number, [(args, kwargs)], self._driver)[0]
        ok, value = self._outcome(args, kwargs, response)
        if not ok:
            raise value
        return value

    def call_many(self, cases):
        """``(True, result)`` or ``(False, exception)`` for each argument tuple of ``cases``, in one probe."""
        responses = self._link.call(self._handle.number, [(args, {}) for args in cases], self._driver)
        return [self._outcome(args, {}, response) for args, response in zip(cases, responses)]

    def driven(self, driver):
        """This callable, with every call made as ``driver(callable, *args)`` in the kernel."""
        return type(self)(self._link, self._handle, driver)

    def _outcome(self, args, kwargs, response):
        _write_back(args, kwargs, response.get("mutated"))
        if "raised" in response:
            return False, as_exception(response["raised"])
        if response.get("skipped"):
            return False, UnreadableAnswer("not called: an earlier call raised")
        if "result" not in response:
            return False, UnreadableAnswer(f"the result could not be sent to the grader: "
                                           f"{response.get('unreadable', 'no result')}")
        return True, _bind(self._link, response["result"])

    def __deepcopy__(self, memo):
        return self  # the function stays in the kernel; only its arguments are copied

    def __repr__(self):
        return self._handle.text


@functools.lru_cache(maxsize=256)
def _remote_class(type_name):
    # Named after the kernel object's type, so that messages read "(type function)" as in the kernel.
    return type(type_name, (RemoteFunction,), {"__module__": "kernel"})


class RemoteIterator:
    """An iterator the learner's code returned, run to its end in the kernel: it gives the same
    items here, then raises what the kernel's iterator raised, if anything, instead of stopping."""

    def __init__(self, items, error, text):
        self._items, self._error, self._repr = iter(items), error, text

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self._items)
        except StopIteration:
            if self._error is not None:
                error, self._error = self._error, None
                raise error from None
            raise

    def __repr__(self):
        return self._repr


@functools.lru_cache(maxsize=256)
def _iterator_class(type_name):
    return type(type_name, (RemoteIterator,), {"__module__": "kernel"})


def _bind(link, value):
    """``value`` with every ``wire.Handle`` in it replaced by a ``RemoteFunction``, and every
    ``wire.Iterated`` by a ``RemoteIterator``."""
    if isinstance(value, wire.Handle):
        return _remote_class(value.type_name if value.type_name.isidentifier() else "function")(link, value)
    if isinstance(value, wire.Iterated):
        error = None if value.raised is None else as_exception(value.raised)
        return _iterator_class(value.type_name)([_bind(link, item) for item in value.items], error, value.text)
    if isinstance(value, (list, tuple)):
        bound = [_bind(link, item) for item in value]
        return bound if isinstance(value, list) else tuple(bound)
    if isinstance(value, dict):
        return {key: _bind(link, item) for key, item in value.items()}
    return value


def _write_back(args, kwargs, mutated):
    """Copy what the learner's code did to its arguments (in the kernel) into ``args`` and
    ``kwargs``, so that a check sees a mutation as it would in the learner's own process."""
    if not isinstance(mutated, dict):
        return
    targets = {**{str(index): value for index, value in enumerate(args)}, **kwargs}
    for key, now in mutated.items():
        target = targets.get(key)
        if isinstance(target, np.ndarray) and isinstance(now, np.ndarray) and target.shape == now.shape:
            target[...] = now
        elif isinstance(target, list) and isinstance(now, list):
            target[:] = now
        elif isinstance(target, dict) and isinstance(now, dict):
            target.clear()
            target.update(now)
        elif isinstance(target, np.random.Generator) and isinstance(now, np.random.Generator):
            target.bit_generator.state = now.bit_generator.state
        elif hasattr(target, "requires_grad") and hasattr(now, "requires_grad"):  # an mlcore Tensor
            target.data, target.grad = now.data, now.grad


@functools.lru_cache(maxsize=256)
def _exception_class(name, base):
    return type(name, (base,), {"__module__": "kernel", "__str__": lambda self: self.args[0]})


def as_exception(record):
    """An exception here that reads as the one the kernel raised: its type's name, its message."""
    if not isinstance(record, wire.Raised):
        return UnreadableAnswer("the kernel reported an exception it did not describe")
    base = getattr(builtins, record.base, Exception)
    if not (isinstance(base, type) and issubclass(base, Exception)):
        base = Exception  # SystemExit, KeyboardInterrupt and the like must not stop the grader
    if record.type_name == record.base == base.__name__ and isinstance(record.args, tuple):
        try:
            error = base(*record.args)
            if str(error) == record.message:
                return error
        except Exception:  # noqa: BLE001 -- then the generic form below
            pass
    try:
        error = _exception_class(record.type_name, base)(record.message)
    except TypeError:  # a base whose constructor wants more than a message
        error = _exception_class(record.type_name, Exception)(record.message)
    if isinstance(error, OSError):
        error.errno, error.filename = record.errno, record.filename
    return error


def free_names(code):
    """The global names the code of a cell reads without binding them itself, builtins aside."""
    top = symtable.symtable(code, TEST_CELL, "exec")
    bound = {symbol.get_name() for symbol in top.get_symbols()
             if symbol.is_assigned() or symbol.is_imported()}
    read = {symbol.get_name() for symbol in top.get_symbols() if symbol.is_referenced()}
    pending = list(top.get_children())
    while pending:
        table = pending.pop()
        read |= {symbol.get_name() for symbol in table.get_symbols()
                 if symbol.is_global() and symbol.is_referenced()}
        pending.extend(table.get_children())
    return sorted(name for name in read - bound if not hasattr(builtins, name))


def trusted_namespace(source):
    """A namespace holding what the source notebook's read-only cells import (``import numpy as
    np``): test cells read those names from here, whatever the learner rebinds them to."""
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    test_indexes = {test.index for test in source.tests}
    for index, code in sorted(source.fixed.items()):
        if index in test_indexes:
            continue
        try:
            statements = ast.parse(code).body
        except SyntaxError:
            continue
        for statement in statements:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                try:
                    exec(compile(ast.Module([statement], []), "<setup>", "exec"), namespace)  # noqa: S102
                except Exception:  # noqa: BLE001 -- a module only the kernel has; its names stay unresolved
                    pass
    return namespace


class Referee:
    """Runs the test cells of one graded notebook, for ``execute.run_notebook``."""

    def __init__(self, source, test_positions):
        self.positions = frozenset(test_positions)
        self.namespace = trusted_namespace(source)
        self.link = None

    def close(self):
        """Close the connection to the kernel, if a test opened one."""
        if self.link is not None:
            self.link.close()
            self.link = None

    def run_test(self, client, code, timeout):
        """``(CellRun, stop)`` of the test cell ``code``: ``stop`` is None, or "died" or "stuck"
        when no later cell can run."""
        link = self.link = self.link or KernelLink(client)
        link.deadline = time.monotonic() + timeout
        scope = dict(self.namespace)
        learner = {}
        try:
            compiled = compile(code, TEST_CELL, "exec")
            wanted = [name for name in free_names(code) if name not in scope]
            learner = {name: value for name, value in link.describe(wanted).items() if value is not wire.MISSING}
            scope.update(learner)
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                    warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(compiled, scope)  # noqa: S102 -- the source notebook's own test code
        except ProbeTimeout:
            return CellRun("timeout"), recover(client, len(client.nb.cells))
        except KernelGone:
            return CellRun("error", "DeadKernelError"), "died"
        except CheckFailed as error:
            run = CellRun("error", type(error).__name__, str(error), misconception=error.misconception,
                          counterexample=error.counterexample)
        except Exception as error:  # noqa: BLE001 -- whatever the test raised is its outcome
            run = CellRun("error", type(error).__name__, str(error), _failing_line(error, code))
        else:
            run = CellRun("ok")
        finally:
            # What the test cell bound itself (its imports) stays for the next test cells.
            self.namespace.update({key: value for key, value in scope.items()
                                   if key not in learner or value is not learner[key]})
        return run, None


def _failing_line(error, code):
    """The line of the test cell where ``error`` was raised, in IPython's ``---->`` form."""
    lines = code.splitlines()
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == TEST_CELL]
    if not frames or not 0 < frames[-1].lineno <= len(lines):
        return ()
    return (f"----> {frames[-1].lineno} {lines[frames[-1].lineno - 1].strip()}",)
