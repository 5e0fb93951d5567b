"""The one registry of exercise checks: each check, a right answer, and the misconceptions it names.

A chapter's check module registers each check where it defines it::

    @exercise(answer=reference_mse, misconceptions=MSE_MISCONCEPTIONS, hidden_cases=regression_cases)
    def check_mse(mse, cases=REGRESSION_CASES):
        check_function(mse, reference_mse, cases, misconceptions=MSE_MISCONCEPTIONS)

A check that takes several answers (``check_fan_out(grad_b, grad_c)``) registers
them, and each misconception's wrong answers, as ``Answers(...)``, in the
check's order::

    @exercise(answer=Answers(2.0, 7.0),
              misconceptions=[Misconception(OVERWRITTEN, Answers(1.0, 7.0), hint)])
    def check_fan_out(grad_b, grad_c): ...

The tests read ``exercises()`` and nothing else, so a new check is covered
as soon as it is registered: the right answer must pass (on the visible and
the hidden cases), every misconception's variant must be named as itself,
and mlcore-grade's referee must give the same verdict and message as the
check run inside the learner's kernel. A test also fails when a solution
notebook's test cell calls a ``check_*`` of ``mlcore.feedback`` that is not
registered.
"""

import importlib
import pkgutil
from dataclasses import dataclass

_REGISTRY = {}


class Answers(tuple):
    """The answers of a check that takes several, in the order of its parameters:
    ``Answers(local, grads)`` for ``check_local_gradients(local, grads)``."""

    def __new__(cls, *answers):
        return super().__new__(cls, answers)

    def __getnewargs__(self):
        return tuple(self)  # so that copying and pickling pass the answers back one by one

    def __repr__(self):
        return f"Answers{tuple.__repr__(self)}"


@dataclass(frozen=True)
class Exercise:
    """A registered check.

    - ``check(answer)`` is what a test cell calls; it prints one line (a check of several
      answers: at most one per answer) or raises.
    - ``answer``: a right answer (a function, a class, or the value a learner
      assigns; ``Answers(...)`` for a check that takes several).
    - ``misconceptions``: the ``Misconception``s the check must recognise; each
      ``variant`` is a wrong answer of the same kind as ``answer``.
    - ``hidden_cases(seed)``: the cases hidden tests pass as ``check(answer, cases=...)``,
      or None for a check without cases.
    """

    check: object
    answer: object
    misconceptions: tuple = ()
    hidden_cases: object = None

    @property
    def name(self):
        """The check's name, as a test cell calls it: ``check_mse``."""
        return self.check.__name__

    @property
    def module(self):
        """The module a test cell imports the check from (its defining module)."""
        return self.check.__module__

    def run(self, answer, **options):
        """``check(answer, **options)``, or ``check(*answer, **options)`` for ``Answers``."""
        return self.check(*answer, **options) if isinstance(answer, Answers) else self.check(answer, **options)


def exercise(*, answer, misconceptions=(), hidden_cases=None):
    """Decorator that registers a check (see the module docstring); returns the check unchanged."""
    def register(check):
        if check.__name__ in _REGISTRY:
            raise ValueError(f"a check named {check.__name__!r} is registered twice "
                             f"({_REGISTRY[check.__name__].module} and {check.__module__}); "
                             f"give each check its own name.")
        _REGISTRY[check.__name__] = Exercise(check, answer, tuple(misconceptions), hidden_cases)
        return check
    return register


def exercises():
    """Every registered check, after importing every module of ``mlcore.feedback``."""
    from . import __path__ as package_path

    for module in pkgutil.iter_modules(package_path, f"{__package__}."):
        importlib.import_module(module.name)
    return list(_REGISTRY.values())


def find(name):
    """The registered check called ``name`` (``KeyError`` naming the known ones if none)."""
    exercises()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no registered check {name!r}; registered: {', '.join(sorted(_REGISTRY))}. "
                       f"Register it with @exercise (mlcore/feedback/registry.py).") from None
