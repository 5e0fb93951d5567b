"""Checking a function that returns several arrays, one array at a time (chapter 5's backward passes).

``linear_backward`` returns ``(dX, dW, db)`` and a network's backward pass
four gradients of different shapes: compared as one result, a wrong ``db``
would hide behind the right ``dW``, and the arrays cannot even be stacked.
:func:`check_parts` checks each returned array on its own with
``check_function``, through :class:`Part`, which calls the function and
keeps one entry of its result. Each part has its own misconceptions
(variants return the whole tuple too; :class:`Part` picks theirs).

One special piece of logic, kept here: a mistake such as ``X @ dout.T``
raises for most sizes and runs only where the sizes happen to fit. When the
learner's function raises, the part is checked again on ``square_cases``
(where every size is equal, so every such mistake runs), which names the
misconception if one matches; otherwise the original error is raised.
"""

import contextlib
import inspect
import io

from ..grading.checks import CheckFailed, check_function

__all__ = ["Part", "check_parts"]


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
        result = self.function(*args)
        if not isinstance(result, (tuple, list)) or len(result) <= self.index:
            raise CheckFailed(f"{self.__name__}: the function should return a tuple of its gradients "
                              f"(at least {self.index + 1}), but it returned {type(result).__name__} "
                              f"{_brief(result)}.")
        return result[self.index]

    def __repr__(self):
        return self.__name__


def check_parts(function, reference, cases, parts, *, square_cases=(), name=None, rtol=1e-6, atol=1e-9):
    """Check each returned array of ``function`` against ``reference`` (both return a tuple).

    ``parts`` lists ``(label, misconceptions)`` in the order of the tuple;
    a misconception's variant returns the whole tuple.
    """
    name = name or getattr(function, "__name__", "your function")
    checks = []
    for index, (label, misconceptions) in enumerate(parts):
        mistakes = [type(m)(m.name, Part(m.variant, index, label), m.hint) for m in misconceptions]
        checks.append((Part(function, index, f"{name} → {label}"), Part(reference, index, label), mistakes))
    for ours, theirs, mistakes in checks:
        try:
            check_function(ours, theirs, cases, misconceptions=mistakes, rtol=rtol, atol=atol)
        except CheckFailed:
            raise
        except Exception:
            # The function raised, for one of its arrays or another: look for the mistake where every
            # size is equal. Only a failure there is news (a pass would print a tick above the error).
            with contextlib.redirect_stdout(io.StringIO()):
                for square in checks if square_cases else ():
                    check_function(*square[:2], list(square_cases), misconceptions=square[2], rtol=rtol,
                                   atol=atol)
            raise


def _brief(value, width=60):
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."
