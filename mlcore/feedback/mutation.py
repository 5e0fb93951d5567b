"""One check apart from the comparison with a reference: a function must not change its inputs.

``check_function`` hands the learner's function fresh copies of every input,
so a function that overwrites an argument cannot change the expected values.
That also hides the mistake itself, which chapter 3 names ("an input array
mutated in place": ``theta -= lr * grad`` on the caller's array). This check
calls the function on copies (running it to the end if it is a generator),
compares each array argument afterwards with the untouched original, and
names the mistake if one changed.
"""

import copy

import numpy as np

from ..grading.checks import FAIL_MARK, CheckFailed, _parameter_names

__all__ = ["MUTATED", "check_inputs_unchanged"]

MUTATED = "an input array mutated in place"


def check_inputs_unchanged(function, cases, *, name=None, hint=""):
    """Call ``function(*case)`` on copies of every case; raise ``CheckFailed`` naming
    :data:`MUTATED` if the call changed one of its numpy-array arguments. Returns None."""
    name = name or getattr(function, "__name__", "your function")
    for case in cases:
        case = case if isinstance(case, tuple) else (case,)
        params = _parameter_names(function, len(case))
        given = copy.deepcopy(case)
        with np.errstate(all="ignore"):
            result = function(*given)
            if hasattr(result, "__next__"):
                list(result)  # a generator does its work, and its damage, only when it runs
        for param, before, after in zip(params, case, given):
            if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True):
                call = ", ".join(f"{p}={_brief(value)}" for p, value in zip(params, case))
                raise CheckFailed("\n".join([
                    f"{FAIL_MARK} {name} is not right yet: it changed its argument {param} in place.",
                    f"Likely misconception: {MUTATED}." + (f" {hint}" if hint else ""),
                    f"For example in {name}({call}):",
                    f"  {param} before the call: {_one_line(before)}",
                    f"  {param} after the call:  {_one_line(after)}"]))


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
    return repr(value)
