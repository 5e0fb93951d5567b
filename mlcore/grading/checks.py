"""Checks for exercise test cells that teach when they fail (chapters 1 and 2 use them first).

A visible test cell calls one of these with the learner's work and a
reference::

    check_function(mse, reference_mse, cases=[([1., 2., 3.], [1., 2., 5.]), ...],
                   misconceptions=[Misconception("the sum was not averaged", summed_mse,
                                                 "divide by the number of elements")])

- Results are coerced to float arrays before they are compared, so only
  numbers count: an object whose ``__eq__`` always returns True does not pass,
  and neither does a string or ``None``.
- The learner's function gets fresh copies of the inputs for every call, so
  a function that changes its arguments in place cannot change the expected
  values or the other cases.
- On failure the check raises ``CheckFailed`` (an ``AssertionError``) with a
  message that names the likely misconception (the first ``Misconception``
  whose results agree with the learner's on every case) and shows the
  smallest case that fails. IPython shows just the message, no traceback.
- On success it prints one line and returns None: a test cell that ends
  with a number would be read by nbgrader as partial credit.
"""

import copy
import inspect
from dataclasses import dataclass

import numpy as np

PASS_MARK = "\N{CHECK MARK}"
FAIL_MARK = "\N{BALLOT X}"


class CheckFailed(AssertionError):
    """A check that found the learner's answer wrong; the message says why."""

    def _render_traceback_(self):
        # IPython calls this instead of printing a traceback: the learner
        # needs the explanation, not the checker's call stack.
        return str(self).splitlines()


@dataclass(frozen=True)
class Misconception:
    """A known wrong answer: a ``name`` for the mistake, a ``variant`` that makes it (a function
    with the reference's signature for ``check_function``, a value for ``check_value``) and a
    ``hint`` saying how to fix it."""

    name: str
    variant: object
    hint: str = ""


def as_float_array(value, what="the result"):
    """``value`` as a float64 array; ``CheckFailed`` if it is not a number or an array of numbers.

    Accepts numbers, nested lists, numpy arrays, mlcore Tensors (their ``.data``)
    and PyTorch tensors (detached). Strings, None, complex numbers and
    arbitrary objects are refused, whatever their ``__eq__`` says.
    """
    if type(value).__module__.split(".")[0] == "torch" and hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    elif not isinstance(value, np.ndarray) and isinstance(getattr(value, "data", None), np.ndarray):
        value = value.data
    if value is None:
        raise CheckFailed(f"{what} is None: did the function forget to `return` its result?")
    if isinstance(value, (str, bytes)):
        raise CheckFailed(f"{what} is the text {value!r}; it should be a number, not a string.")
    if np.iscomplexobj(value):
        raise CheckFailed(f"{what} is complex ({_short(value)}); it should be a real number.")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise CheckFailed(f"{what} is {_short(value)} (type {type(value).__name__}), which is not a "
                          f"number or an array of numbers ({error}).") from None


def check_function(function, reference, cases, *, misconceptions=(), name=None, rtol=1e-6, atol=1e-9):
    """Check ``function`` against ``reference`` on every case; print one line or raise ``CheckFailed``.

    ``cases`` is a list of argument tuples (a single non-tuple argument may
    be given bare). ``misconceptions`` lists ``Misconception`` variants of the
    reference; the failure message names the first one the learner's
    results match on every case.
    """
    name = name or getattr(function, "__name__", "your function")
    cases = [case if isinstance(case, tuple) else (case,) for case in cases]
    if not cases:
        raise ValueError("check_function needs at least one case: pass cases=[(arg1, arg2), ...]")
    params = _parameter_names(reference, len(cases[0]))
    outcomes = []
    for args in cases:
        expected = as_float_array(_call(reference, args), "the reference's result")
        try:
            got_raw = _call(function, args)
        except Exception as error:
            error.add_note(f"(raised by {name}{_show_call(params, args)} while it was being checked)")
            raise
        got = as_float_array(got_raw, f"{name}{_show_call(params, args)} returned a value that")
        outcomes.append((args, expected, got, _close(got, expected, rtol, atol)))

    failures = [outcome for outcome in outcomes if not outcome[3]]
    if not failures:
        print(f"{PASS_MARK} {name}: correct on all {len(cases)} cases.")
        return
    args, expected, got, _ = min(failures, key=lambda outcome: _size(outcome[0]))
    lines = [f"{FAIL_MARK} {name} is not right yet: {len(failures)} of {len(cases)} cases fail."]
    lines += _diagnosis([mistake for mistake in misconceptions
                         if _matches(mistake.variant, outcomes, rtol, atol)])
    lines += [f"Smallest failing case: {name}{_show_call(params, args)}",
              f"  expected: {_show(expected)}", f"  got:      {_show(got)}"]
    raise CheckFailed("\n".join(lines))


def check_value(value, expected, *, name, misconceptions=(), rtol=1e-6, atol=1e-9):
    """Check a computed number or array against ``expected``; print one line or raise ``CheckFailed``.

    ``misconceptions`` hold the wrong values that typical mistakes produce.
    """
    got = as_float_array(value, f"{name}")
    want = as_float_array(expected, "the expected value")
    if _close(got, want, rtol, atol):
        print(f"{PASS_MARK} {name} = {_show(got)} is correct.")
        return
    matching = [mistake for mistake in misconceptions
                if _close(got, as_float_array(mistake.variant, mistake.name), rtol, atol)]
    lines = [f"{FAIL_MARK} {name} = {_show(got)} is not right yet."] + _diagnosis(matching)
    raise CheckFailed("\n".join(lines))


def check_choice(answer, correct, *, name="answer", explanations):
    """Check a choice given as a string among the keys of ``explanations`` (case and surrounding
    spaces ignored); print one line or raise ``CheckFailed`` with the explanation of the chosen option.

    ``explanations`` maps every option to why it is right or wrong, e.g.
    ``{"cross_entropy": "...", "mse": "through a sigmoid its gradient vanishes ..."}``.
    """
    options = {_normalised(option): text for option, text in explanations.items()}
    try:
        chosen = normalise_choice(answer, explanations, name=name)
    except CheckFailed as error:
        raise CheckFailed(f"{FAIL_MARK} {error}") from None
    if chosen == _normalised(correct):
        print(f"{PASS_MARK} {name} = {answer!r} is right: {options[chosen]}")
        return
    raise CheckFailed(f"{FAIL_MARK} {name} = {answer!r} is not the best choice: {options[chosen]}")


def normalise_choice(answer, options, *, name="answer"):
    """The option ``answer`` names, lower-cased and without surrounding spaces; ``CheckFailed``
    (a message without a mark) if ``answer`` is not a string or names none of ``options``.

    Only real strings count, read with ``str``'s own methods, so neither an
    object that claims to equal everything nor a ``str`` subclass with its own
    ``lower`` can pass.
    """
    listed = ", ".join(repr(option) for option in options)
    if not isinstance(answer, str):
        raise CheckFailed(f"{name} should be one of the strings {listed}; "
                          f"it is {_short(answer)} (type {type(answer).__name__}).")
    chosen = _normalised(answer)
    if chosen not in {_normalised(option) for option in options}:
        raise CheckFailed(f"{name} = {answer!r} is not one of the options {listed}.")
    return chosen


def _normalised(option):
    return str.lower(str.strip(option))


def _call(function, args):
    # Fresh copies for every call; floating-point warnings of naive formulas
    # (overflow in exp) are the subject of the diagnosis, not noise to print.
    with np.errstate(all="ignore"):
        return function(*copy.deepcopy(args))


def _close(got, expected, rtol, atol):
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol,
                                                            equal_nan=True))


def _matches(variant, outcomes, rtol, atol):
    try:
        return all(_close(got, as_float_array(_call(variant, args)), rtol, atol)
                   for args, _, got, _ in outcomes)
    except Exception:  # noqa: BLE001 -- a variant that cannot run on a case does not match it
        return False


def _diagnosis(matching):
    if not matching:
        return ["No common mistake matches these results; compare your formula with the statement "
                "on the case below."]
    mistake = matching[0]
    return [f"Likely misconception: {mistake.name}." + (f" {mistake.hint}" if mistake.hint else "")]


def _parameter_names(function, count):
    try:
        names = [p.name for p in inspect.signature(function).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    return names[:count] if len(names) >= count else [f"arg{i + 1}" for i in range(count)]


def _size(args):
    # Through asarray: an mlcore or torch tensor's .size is a method, which np.size would call wrongly.
    return sum(int(np.asarray(arg, dtype=np.float64).size) if _is_numeric(arg) else 1 for arg in args)


def _is_numeric(value):
    try:
        np.asarray(value, dtype=np.float64)
        return True
    except (TypeError, ValueError):
        return False


def _show_call(params, args):
    return "(" + ", ".join(f"{param}={_show(arg)}" for param, arg in zip(params, args)) + ")"


def _show(value):
    if isinstance(value, np.ndarray) or (_is_numeric(value) and not isinstance(value, (str, bytes))):
        array = np.asarray(value, dtype=np.float64)
        return np.array2string(array, precision=6, separator=", ") if array.ndim else f"{float(array):.6g}"
    return _short(value)


def _short(value, width=60):
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
