"""Checking a function that returns several arrays, one array at a time (chapter 5's backward passes).

``linear_backward`` returns ``(dX, dW, db)`` and a network's backward pass
four gradients of different shapes: compared as one result, a wrong ``db``
would hide behind the right ``dW``, and the arrays cannot even be stacked.
:func:`check_parts` calls the learner's function once on every case (under
mlcore-grade: in one round trip), then checks each returned array on its own
with ``check_function``, reading it from those results (:class:`Recorded`).
Each part has its own misconceptions (variants return the whole tuple too;
:class:`Part` picks theirs).

Two special pieces of logic, kept here:

- The right arrays in another order (``(dW, db, dX)``) are named as such
  before the parts are compared: :data:`WRONG_ORDER`.
- A mistake such as ``X @ dout.T`` raises for most sizes and runs only
  where the sizes happen to fit. When the learner's function raises, the
  parts are checked again on ``square_cases`` (where every size is equal, so
  every such mistake runs), which names the misconception if one matches;
  otherwise the original error is raised.
"""

import contextlib
import inspect
import io
import itertools

import numpy as np

from .checks import (FAIL_MARK, PASS_MARK, Batched, CheckFailed, Misconception, NotAnswered, answers_to, as_float_array,
                     check_function, format_call)

__all__ = ["Part", "Recorded", "WRONG_ORDER", "check_parts", "order_misconception"]

WRONG_ORDER = "the gradients returned in the wrong order"


class Part:
    """``Part(function, index, label)(*args)`` is ``function(*args)[index]``; it shows as ``label``."""

    def __init__(self, function, index, label):
        self.function = function
        self.index = index
        self.__name__ = label
        try:  # so that a failure message names the arguments as the function does (dout=..., X=...)
            self.__signature__ = inspect.signature(function)
        except (TypeError, ValueError):
            pass

    def __call__(self, *args):
        return pick(self.function(*args), self.index, self.__name__)

    def __repr__(self):
        return self.__name__


def pick(result, index, label):
    """``result[index]``, or ``CheckFailed`` if ``result`` is not a tuple that long."""
    if not isinstance(result, (tuple, list)) or len(result) <= index:
        raise CheckFailed(f"{label}: the function should return a tuple of its gradients "
                          f"(at least {index + 1}), but it returned {type(result).__name__} "
                          f"{_brief(result)}.")
    return result[index]


class Recorded(Batched):
    """Entry ``index`` of results already computed (:func:`outcomes`), read back by ``check_function``
    for its cases, which must be the recorded ones, in their order. It shows as ``label``."""

    def __init__(self, recorded, index, label):
        self.recorded, self.index, self.__name__ = recorded, index, label

    def call_many(self, cases):
        if len(cases) != len(self.recorded):
            raise ValueError(f"{self.__name__} recorded {len(self.recorded)} results, not {len(cases)}")
        return [self._part(ok, value) for ok, value in self.recorded]

    def _part(self, ok, value):
        if not ok:
            return False, value
        try:
            return True, pick(value, self.index, self.__name__)
        except CheckFailed as error:
            return False, error


def outcomes(function, cases):
    """``(True, result)`` or ``(False, exception)`` of the learner's ``function`` on every case, called
    at once (``checks.answers_to``)."""
    recorded = []
    for answer in answers_to(function, cases):
        try:
            recorded.append((True, answer()))
        except Exception as error:  # noqa: BLE001 -- check_function raises it again, for its case
            recorded.append((False, error))
    return recorded


def order_misconception(variant, labels):
    """The registry's ``Misconception`` of :data:`WRONG_ORDER`: ``variant`` returns the right arrays in
    another order than ``labels``."""
    return Misconception(WRONG_ORDER, variant, _order_hint(labels))


def _order_hint(labels):
    return f"Return them in the order of the statement: ({', '.join(labels)})."


def check_parts(function, reference, cases, parts, *, square_cases=(), name=None, rtol=1e-6, atol=1e-9):
    """Check each returned array of ``function`` against ``reference`` (both return a tuple).

    ``parts`` lists ``(label, misconceptions)`` in the order of the tuple;
    a misconception's variant returns the whole tuple.
    """
    name = name or getattr(function, "__name__", "your function")
    cases = [case if isinstance(case, tuple) else (case,) for case in cases]
    labels = [label for label, _ in parts]
    recorded = outcomes(function, cases)
    _check_order(recorded, reference, cases, labels, name, rtol, atol)
    try:
        # One line in all (below), not one per part.
        with contextlib.redirect_stdout(io.StringIO()):
            _check_each(recorded, reference, cases, parts, name, rtol, atol)
    except (CheckFailed, NotAnswered):
        raise
    except Exception:
        # The function raised, for one of its arrays or another: look for the mistake where every
        # size is equal. Only a failure there is news.
        if square_cases:
            with contextlib.redirect_stdout(io.StringIO()):
                _check_each(outcomes(function, list(square_cases)), reference, list(square_cases),
                            parts, name, rtol, atol)
        raise
    print(f"{PASS_MARK} {name}: {', '.join(labels[:-1])} and {labels[-1]} correct on all {len(cases)} cases.")


def _check_each(recorded, reference, cases, parts, name, rtol, atol):
    for index, (label, misconceptions) in enumerate(parts):
        mistakes = [Misconception(m.name, Part(m.variant, index, label), m.hint) for m in misconceptions]
        check_function(Recorded(recorded, index, f"{name} → {label}"), Part(reference, index, label), cases,
                       misconceptions=mistakes, rtol=rtol, atol=atol)


def _check_order(recorded, reference, cases, labels, name, rtol, atol):
    """``CheckFailed`` naming :data:`WRONG_ORDER` if, on every case, the learner's arrays are the
    reference's in one same other order."""
    if not all(ok and isinstance(value, (tuple, list)) and len(value) == len(labels) for ok, value in recorded):
        return
    results = [[_array(part) for part in value] for _, value in recorded]
    expected = [[as_float_array(part) for part in reference(*case)] for case in cases]
    if all(_same(got, want, range(len(labels)), rtol, atol) for got, want in zip(results, expected)):
        return
    for order in itertools.permutations(range(len(labels))):
        if all(_same(got, want, order, rtol, atol) for got, want in zip(results, expected)):
            returned = ", ".join(labels[k] for k in order)
            case = (f"For example {format_call(name, reference, cases[0])} returned the arrays "
                    f"({returned}).")
            raise CheckFailed("\n".join([f"{FAIL_MARK} {name} returns the right arrays, in the wrong order.",
                                         f"Likely misconception: {WRONG_ORDER}. {_order_hint(labels)}", case]),
                              WRONG_ORDER, case)


def _array(value):
    try:
        return as_float_array(value)
    except CheckFailed:
        return None


def _same(got, want, order, rtol, atol):
    return all(got[i] is not None and got[i].shape == want[k].shape
               and np.allclose(got[i], want[k], rtol=rtol, atol=atol) for i, k in enumerate(order))


def _brief(value, width=60):
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."
