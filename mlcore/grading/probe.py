"""The kernel's side of mlcore-grade's referee: look up the learner's names, call the learner's functions.

The referee sends one request per execute message, as a JSON text (see
``wire``); the kernel answers with one display message of type ``MIME``.
Nothing here decides anything: the answers are raw data, and the kernel,
which runs the learner's code, may have changed this module too. The referee
checks only that an answer is well-formed data.

Requests:

- ``{"op": "describe", "names": [...]}``: what each name of the learner's
  namespace holds: data, a ``Handle`` for a callable, or ``MISSING`` (an
  iterator is run to its end, as below).
- ``{"op": "call", "handle": n, "calls": [[args, kwargs], ...], "errstate": {...}}``:
  call the callable behind handle ``n`` once per ``(args, kwargs)``, under
  numpy's error state ``errstate`` (the caller's, so that warnings and errors
  behave as in the caller's process); answer, per call, ``{"result": value}``
  or ``{"raised": Raised}``, and ``"mutated"``: the arguments the call changed
  in place, by position or keyword, as they are now. The calls after one that
  raised are not made (``{"skipped": true}``), as a caller calling them one by
  one would stop there. With ``"driver": f`` (a function of mlcore, by name),
  each call is ``f(callable, *args, **kwargs)`` instead (``checks.driven``).
  A result that is an iterator (a generator) is run to its end here, before the
  arguments are compared, and sent as ``wire.Iterated``.
"""

import collections.abc
import functools

import numpy as np

from . import wire

MIME = "application/vnd.mlcore.probe+json"

_handles = {}


def serve(request_text):
    """Answer one request of the referee (called by the code the referee executes)."""
    from IPython.display import publish_display_data

    publish_display_data({MIME: answer(request_text)})


def answer(request_text):
    """The JSON text of the answer to ``request_text``."""
    request = wire.loads(request_text, limit=2**31, resolve=True)
    if request["op"] == "describe":
        namespace = get_ipython().user_ns  # noqa: F821 -- probes run inside IPython
        response = {name: _run_out(namespace.get(name, wire.MISSING)) for name in request["names"]}
    else:
        function = _handles[request["handle"]]
        if request.get("driver") is not None:
            function = functools.partial(request["driver"], function)
        response = []
        with np.errstate(**request["errstate"]):
            for args, kwargs in request["calls"]:
                response.append(_call(function, args, kwargs))
                if "raised" in response[-1]:
                    break  # as when called one by one: the caller stops at the first exception
        response += [{"skipped": True}] * (len(request["calls"]) - len(response))
    try:
        return wire.dumps(response, handles=_handles)
    except Exception as error:  # noqa: BLE001 -- the learner's objects may fail to be read
        if not isinstance(response, list):
            return wire.dumps({"unreadable": _why(error)})
    # One call's result could not be sent: send the others, and why not for that one.
    return wire.dumps([_readable(item) for item in response], handles=_handles)


def _readable(item):
    try:
        wire.dumps(item, handles={})
        return item
    except Exception as error:  # noqa: BLE001 -- as above
        return {"unreadable": _why(error), "mutated": {}}


def _why(error):
    return str(error) if isinstance(error, wire.WireError) else \
        f"reading the result raised {type(error).__name__}: {error}"


def _call(function, args, kwargs):
    args, kwargs = list(args), dict(kwargs)
    before = _snapshot(args, kwargs)
    try:
        response = {"result": _run_out(function(*args, **kwargs))}
    except BaseException as error:  # noqa: BLE001 -- what the learner's code raised is the answer
        # (SystemExit too; a KeyboardInterrupt is the referee's own only after it gave up waiting)
        response = {"raised": wire.Failure(error)}
    after = _snapshot(args, kwargs)
    response["mutated"] = {key: value for key, value in _by_key(args, kwargs).items()
                           if not _same(after[key], before[key])}
    return response


def _run_out(result):
    """``result``, or for an iterator the ``wire.Iterated`` of running it to its end (at most
    ``wire.MAX_ITEMS`` items): a generator does its work, and its changes to its arguments,
    only when it runs."""
    if not isinstance(result, collections.abc.Iterator):
        return result
    items, raised = [], None
    try:
        for item in result:
            if len(items) == wire.MAX_ITEMS:
                raise wire.WireError(f"the grader reads at most {wire.MAX_ITEMS} items of an iterator")
            items.append(item)
    except BaseException as error:  # noqa: BLE001 -- as in _call: what the iterator raised is its answer
        raised = wire.Failure(error)
    return wire.Iterated(wire.name_of(type(result)), wire.repr_of(result), items, raised)


def _by_key(args, kwargs):
    return {**{str(index): value for index, value in enumerate(args)}, **kwargs}


def _snapshot(args, kwargs):
    return {key: _copy(value) for key, value in _by_key(args, kwargs).items()}


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(item) for item in value) if type(value) in (list, tuple) else value
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, np.random.Generator):  # its state, as text that compares by value
        return ("rng", wire.dumps(value.bit_generator.state))
    tensor_data = getattr(value, "data", None)
    if isinstance(tensor_data, np.ndarray):  # an mlcore Tensor: its data and its grad
        grad = getattr(value, "grad", None)
        return ("tensor", tensor_data.copy(), None if grad is None else np.array(grad))
    return value


def _same(a, b):
    """True if the arguments' snapshots ``a`` and ``b`` hold the same data."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if type(a) is dict and type(b) is dict:
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if type(a) is str and type(b) is str:
        return a == b
    return a is b
