"""Checks for exercise test cells that teach when they fail (chapters 1 and 2 use them first).

The general machinery of ``mlcore.feedback``: each chapter's checks call
``check_function``, ``check_value`` or ``check_choice``.

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
- An answer that still raises the stub's ``NotImplementedError`` raises
  ``NotAnswered``, which IPython shows as one line ("not answered yet ..."),
  without the checker's traceback; nbgrader still counts the cell as failed.
- On success it prints one line and returns None: a test cell that ends
  with a number would be read by nbgrader as partial credit.
- Numbers in messages are shown rounded to 6 significant digits (``0.666667``),
  never as numpy reprs (``np.float64(0.6666666666666666)``).

The learner's code is only ever called through ``call_answer``, with plain
data (and functions of ``mlcore``) as arguments, and its results are only
read as data: that is what lets ``mlcore-grade`` run these same checks in its
own process while the learner's functions run in a sandboxed kernel.
"""

import contextlib
import copy
import dataclasses
import functools
import inspect
import io
from dataclasses import dataclass

import numpy as np

from ..convert import to_numpy

PASS_MARK = "\N{CHECK MARK}"
FAIL_MARK = "\N{BALLOT X}"


NOT_ANSWERED = "not answered yet: your code still raises NotImplementedError(); replace the stub."


class CheckFailed(AssertionError):
    """A check that found the learner's answer wrong; the message says why.

    ``misconception`` is the name of the mistake the check recognised (None if
    none matched) and ``counterexample`` the case it shows, for the class report.
    """

    def __init__(self, message, misconception=None, counterexample=None):
        super().__init__(message)
        self.misconception = misconception
        self.counterexample = counterexample

    def _render_traceback_(self):
        # IPython calls this instead of printing a traceback: the learner
        # needs the explanation, not the checker's call stack.
        return str(self).splitlines()


class NotAnswered(NotImplementedError):
    """The learner's code still raises the stub's ``NotImplementedError``."""

    def __init__(self):
        super().__init__(NOT_ANSWERED)

    def _render_traceback_(self):
        return [f"{FAIL_MARK} {self}"]


class Batched:
    """Base class of callables that run elsewhere (mlcore-grade's ``RemoteFunction``).

    - ``call_many(cases)`` returns, per argument tuple, ``(True, result)`` or
      ``(False, exception)``: ``check_function`` sends all its cases at once.
    - ``driven(driver)`` is :func:`driven` for an answer that lives elsewhere: the
      calls run ``driver(answer, *args)`` where the answer is.
    """

    def call_many(self, cases):
        raise NotImplementedError

    def driven(self, driver):
        raise NotImplementedError


class Driven:
    """``driver(answer, *args, **kwargs)`` as a function of the data ``args`` (see :func:`driven`)."""

    def __init__(self, driver, answer):
        self.driver, self.answer = driver, answer
        self.__name__ = getattr(answer, "__name__", "your answer")

    def __call__(self, *args, **kwargs):
        return self.driver(self.answer, *args, **kwargs)


def driven(driver, answer):
    """A function of data that calls ``driver(answer, *args)``, for an answer that is not itself a
    function of data: a class (chapter 4's ``Value``), an object with methods.

    ``driver`` is a module-level function of ``mlcore.feedback`` that does with the answer
    what the check needs and returns data (``gradients_by(Value, program)`` builds the
    program with the learner's class and returns its gradients). In a notebook it runs
    here; under mlcore-grade it runs in the learner's kernel, which imports it by name,
    and only the data it returns comes back. Check the result with ``check_function``.
    """
    if isinstance(answer, Batched):
        return answer.driven(driver)
    return Driven(driver, answer)


def driven_misconceptions(driver, misconceptions):
    """``misconceptions`` with every variant (a class, or a function of objects) driven by ``driver``
    as the learner's answer is: each variant becomes ``functools.partial(driver, variant)``, a
    function of the same data, for ``check_function``."""
    return [Misconception(mistake.name, functools.partial(driver, mistake.variant), mistake.hint)
            for mistake in misconceptions]


@contextlib.contextmanager
def explained(note):
    """A context in which a failed check gets ``note`` as the last line of its message, keeping its
    misconception and counterexample: ``with explained("(The numbers: ...)"): check_function(...)``.

    A failure that a driver raised in the learner's kernel (under mlcore-grade an
    ``AssertionError`` of the name ``CheckFailed``) gets it too, so that the message is the
    notebook's."""
    try:
        yield
    except AssertionError as error:
        raise CheckFailed(f"{error}\n{note}", getattr(error, "misconception", None),
                          getattr(error, "counterexample", None)) from None


def call_answer(function, *args, **kwargs):
    """``function(*args, **kwargs)`` for a function the learner wrote: the stub's
    ``NotImplementedError`` becomes ``NotAnswered``; anything else it raises propagates."""
    try:
        return function(*args, **kwargs)
    except NotImplementedError as error:
        _raise_not_answered(error)
        raise


def _raise_not_answered(error):
    # The stub's own exception only: a subclass (IPython's StdinNotImplementedError
    # for input()) is another mistake, which the grader explains itself.
    if type(error).__name__ == "NotImplementedError":
        raise NotAnswered() from None


@dataclass(frozen=True)
class Misconception:
    """A known wrong answer: a ``name`` for the mistake, a ``variant`` that makes it (a function
    with the reference's signature for ``check_function``, a value for ``check_value``) and a
    ``hint`` saying how to fix it."""

    name: str
    variant: object
    hint: str = ""


def choice_misconceptions(explanations, correct):
    """The wrong options of a ``check_choice`` question as ``Misconception``s (their names are
    what the check reports: "chose 'mae'"), for the registry of checks."""
    return [Misconception(_chose(option), option, text) for option, text in explanations.items()
            if _normalised(option) != _normalised(correct)]


def _chose(option):
    return f"chose {option!r}"


def as_float_array(value, what="the result"):
    """``value`` as a float64 array; ``CheckFailed`` if it is not a number or an array of numbers.

    Accepts what :func:`mlcore.convert.to_numpy` reads: numbers, nested lists,
    numpy arrays, mlcore Tensors (their ``.data``) and PyTorch tensors
    (detached). Strings, None, complex numbers and arbitrary objects are
    refused, whatever their ``__eq__`` says, with a message that says which.
    """
    if value is None:
        raise CheckFailed(f"{what} is None: did the function forget to `return` its result?")
    if isinstance(value, (str, bytes)):
        raise CheckFailed(f"{what} is the text {_short(value)}; it should be a number, not a string.")
    try:
        array = to_numpy(value)
        if np.iscomplexobj(array):
            raise CheckFailed(f"{what} is complex ({_short(value)}); it should be a real number.")
        return np.asarray(array, dtype=np.float64)
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
    outcomes = []
    for args, answer in zip(cases, answers_to(function, cases)):
        expected = as_float_array(_call(reference, args), "the reference's result")
        try:
            got_raw = answer()
        except NotAnswered:
            raise
        except Exception as error:
            error.add_note(f"(raised by {format_call(name, reference, args)} while it was being checked)")
            raise
        got = as_float_array(got_raw, f"{format_call(name, reference, args)} returned a value that")
        outcomes.append((args, expected, got, _close(got, expected, rtol, atol)))

    failures = [outcome for outcome in outcomes if not outcome[3]]
    if not failures:
        print(f"{PASS_MARK} {name}: correct on all {len(cases)} cases.")
        return
    args, expected, got, _ = min(failures, key=lambda outcome: _size(outcome[0]))
    matching = [mistake for mistake in misconceptions if _matches(mistake.variant, outcomes, rtol, atol)]
    case = [f"Smallest failing case: {format_call(name, reference, args)}",
            f"  expected: {format_value(expected)}", f"  got:      {format_value(got)}"]
    lines = [f"{FAIL_MARK} {name} is not right yet: {len(failures)} of {len(cases)} cases fail."]
    raise CheckFailed("\n".join(lines + _diagnosis(matching) + case), _first_name(matching), "\n".join(case))


def check_value(value, expected, *, name, misconceptions=(), rtol=1e-6, atol=1e-9):
    """Check a computed number or array against ``expected``; print one line or raise ``CheckFailed``.

    ``misconceptions`` hold the wrong values that typical mistakes produce.
    """
    got = as_float_array(value, f"{name}")
    want = as_float_array(expected, "the expected value")
    if _close(got, want, rtol, atol):
        print(f"{PASS_MARK} {name} = {format_value(got)} is correct.")
        return
    matching = [mistake for mistake in misconceptions
                if _close(got, as_float_array(mistake.variant, mistake.name), rtol, atol)]
    lines = [f"{FAIL_MARK} {name} = {format_value(got)} is not right yet."] + _diagnosis(matching, "")
    raise CheckFailed("\n".join(lines), _first_name(matching), f"{name} = {format_value(got)}")


def check_choices(answers, correct, *, name, explanations):
    """Check a dict of choices (``{"loop_a": "zero_grad missing", ...}``) against ``correct``
    (the same keys, each with its right option) with :func:`check_choice`, one key after the other;
    print one line or raise ``CheckFailed`` with a line for every wrong choice.

    ``explanations[key]`` maps every option of that key to why it is right or wrong. The
    misconception named is the first wrong key's, ``"bugs['loop_a']: chose 'wrong mode'"``
    (:func:`choices_misconceptions` lists them for the registry).
    """
    options = list(dict.fromkeys(option for texts in explanations.values() for option in texts))
    if not isinstance(answers, dict) or set(answers) != set(correct):
        raise CheckFailed(f"{FAIL_MARK} {name} should be a dict with the keys {sorted(correct)}, each mapped to "
                          f"one of {options}; got {_short(answers, 80)}.")
    failures = []
    for key in sorted(correct):
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # one line in all, below
                check_choice(answers[key], correct[key], name=_entry(name, key), explanations=explanations[key])
        except CheckFailed as failure:
            failures.append((key, failure))
    if failures:
        key, first = failures[0]
        raise CheckFailed("\n".join(str(failure) for _, failure in failures),
                          first.misconception and f"{_entry(name, key)}: {first.misconception}", first.counterexample)
    print(f"{PASS_MARK} {name}: all {len(correct)} are right.")


def choices_misconceptions(correct, explanations, *, name):
    """The wrong options of a :func:`check_choices` question as ``Misconception``s, one per key and
    wrong option, each a dict of choices with only that one wrong (for the registry of checks)."""
    return [Misconception(f"{_entry(name, key)}: {mistake.name}", {**correct, key: mistake.variant}, mistake.hint)
            for key in sorted(correct) for mistake in choice_misconceptions(explanations[key], correct[key])]


def _entry(name, key):
    return f"{name}[{key!r}]"


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
        print(f"{PASS_MARK} {name} = {_short(answer)} is right: {options[chosen]}")
        return
    option = next(option for option in explanations if _normalised(option) == chosen)
    raise CheckFailed(f"{FAIL_MARK} {name} = {_short(answer)} is not the best choice: {options[chosen]}",
                      _chose(option), f"{name} = {_short(answer)}")


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
        raise CheckFailed(f"{name} = {_short(answer)} is not one of the options {listed}.")
    return chosen


def _normalised(option):
    return str.lower(str.strip(option))


def _call(function, args):
    # Fresh copies for every call; floating-point warnings of naive formulas
    # (overflow in exp) are the subject of the diagnosis, not noise to print.
    with np.errstate(all="ignore"):
        return function(*copy.deepcopy(args))


def answers_to(function, cases):
    """Per case (a tuple of arguments), a function of no arguments that returns the learner's result
    on fresh copies of the case, or raises what the learner's code raised (``NotAnswered`` for the
    stub). A ``Batched`` function (mlcore-grade's) gets all the cases at once, in one round trip;
    any other is called on a case when its result is read. For a check that reads the results itself."""
    if not isinstance(function, Batched):
        return [functools.partial(_call, functools.partial(call_answer, function), args) for args in cases]
    with np.errstate(all="ignore"):
        outcomes = function.call_many([copy.deepcopy(args) for args in cases])
    return [functools.partial(_outcome, ok, value) for ok, value in outcomes]


def _outcome(ok, value):
    if ok:
        return value
    _raise_not_answered(value)
    raise value


def _close(got, expected, rtol, atol):
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol,
                                                            equal_nan=True))


def _matches(variant, outcomes, rtol, atol):
    try:
        return all(_close(got, as_float_array(_call(variant, args)), rtol, atol)
                   for args, _, got, _ in outcomes)
    except Exception:  # noqa: BLE001 -- a variant that cannot run on a case does not match it
        return False


def _first_name(matching):
    return matching[0].name if matching else None


def _diagnosis(matching, where=" on the case below"):
    # ``where``: check_value has no case to point at, so it passes "".
    if not matching:
        return [f"No common mistake matches these results; compare your formula with the statement{where}."]
    mistake = matching[0]
    return [f"Likely misconception: {mistake.name}." + (f" {mistake.hint}" if mistake.hint else "")]


def _size(args):
    # Through asarray: an mlcore or torch tensor's .size is a method, which np.size would call wrongly.
    return sum(int(np.asarray(arg, dtype=np.float64).size) if _is_numeric(arg) else 1 for arg in args)


def _is_numeric(value):
    try:
        np.asarray(value, dtype=np.float64)
        return True
    except (TypeError, ValueError):
        return False


def format_call(name, reference, args):
    """How a message shows the call ``name(*args)`` of the learner's function:
    ``name(theta0=[1.], lr=0.1)``, with the parameter names of ``reference`` (the learner's
    function may run in another process, where its own signature cannot be read) and the
    values as :func:`format_value` shows them."""
    params = parameter_names(reference, len(args))
    return f"{name}(" + ", ".join(f"{param}={format_value(arg)}" for param, arg in zip(params, args)) + ")"


def parameter_names(function, count):
    """The names of the first ``count`` positional parameters of ``function`` (a check's
    reference), or ``arg1``, ``arg2``, ... if it has fewer or no signature."""
    try:
        names = [p.name for p in inspect.signature(function).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    return names[:count] if len(names) >= count else [f"arg{i + 1}" for i in range(count)]


def format_value(value):
    """How a message shows a value: numbers and arrays rounded to 6 significant digits
    (``0.666667``, ``[1., 2.5]``; an array of more than 50 numbers as its first and last three,
    ``[0., 0.1, 0.2, ..., 5.8, 5.9, 6.]``), dicts, lists and tuples that hold other things
    than numbers item by item, their numbers shown the same way (``{'a': 1}``, not
    ``{'a': np.float64(1.0)}``), a case that is a dataclass (chapter 4's ``Program``) as its
    whole repr, anything else as a short repr."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_short(key)}: {format_value(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)) and not _is_numeric(value):
        items = ", ".join(format_value(item) for item in value)
        return f"[{items}]" if isinstance(value, list) else f"({items}{',' if len(value) == 1 else ''})"
    if isinstance(value, np.ndarray) or (value is not None and _is_numeric(value)
                                          and not isinstance(value, (str, bytes))):
        array = np.asarray(value, dtype=np.float64)
        if not array.ndim:
            return f"{float(array):.6g}"
        return np.array2string(array, precision=6, separator=", ", threshold=50, edgeitems=3)
    return _short(value)


def _short(value, width=60):
    if isinstance(value, np.generic):
        value = value.item()  # a numpy scalar shows as the Python number or string it holds
    elif isinstance(value, str):
        value = str.__str__(value)  # the text itself, whatever a str subclass's repr says
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
