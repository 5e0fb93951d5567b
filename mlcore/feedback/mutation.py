"""One check apart from the comparison with a reference: a function must not change its inputs.

``check_function`` hands the learner's function fresh copies of every input,
so a function that overwrites an argument cannot change the expected values.
That also hides the mistake itself, which chapter 3 names ("an input array
mutated in place": ``theta -= lr * grad`` on the caller's array). This check
calls the function on copies (running it to the end if it returns a
generator), compares each array argument afterwards with the untouched
original, and names the mistake if one changed. Under mlcore-grade the
function runs in the learner's kernel, and what it did to its arguments is
copied back into these copies after each call, so the check reads the same.
"""

import copy

import numpy as np

from .checks import FAIL_MARK, CheckFailed, call_answer, format_value, parameter_names

__all__ = ["MUTATED", "check_inputs_unchanged"]

MUTATED = "an input array mutated in place"


def check_inputs_unchanged(function, reference, cases, *, name=None, hint=""):
    """Call ``function(*case)`` on copies of every case; raise ``CheckFailed`` naming
    :data:`MUTATED` if the call changed one of its numpy-array arguments. ``reference``
    (the check's reference) names the parameters in the message. Returns None."""
    name = name or getattr(function, "__name__", "your function")
    for case in cases:
        case = case if isinstance(case, tuple) else (case,)
        params = parameter_names(reference, len(case))
        given = copy.deepcopy(case)
        with np.errstate(all="ignore"):
            call_answer(_run, function, *given)
        for param, before, after in zip(params, case, given):
            if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True):
                call = ", ".join(f"{p}={_brief(value)}" for p, value in zip(params, case))
                example = "\n".join([f"For example in {name}({call}):",
                                     f"  {param} before the call: {_one_line(before)}",
                                     f"  {param} after the call:  {_one_line(after)}"])
                raise CheckFailed("\n".join([
                    f"{FAIL_MARK} {name} is not right yet: it changed its argument {param} in place.",
                    f"Likely misconception: {MUTATED}." + (f" {hint}" if hint else ""), example]),
                    MUTATED, example)


def _run(function, *args):
    result = function(*args)
    if hasattr(result, "__next__"):
        list(result)  # a generator does its work, and its damage, only when it runs


def _one_line(array):
    array = np.asarray(array, dtype=np.float64)
    if array.ndim >= 2:
        return str(np.round(array, 4).tolist())
    return np.array2string(array, separator=", ", precision=4, max_line_width=10**6)


def _brief(value):
    """An argument as a call would show it: small arrays and numbers in full, the rest by kind."""
    if isinstance(value, np.ndarray):
        return _one_line(value) if value.size <= 4 else f"<array of shape {value.shape}>"
    if isinstance(value, np.random.Generator):
        return "<a numpy Generator>"
    return format_value(value)
