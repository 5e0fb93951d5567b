"""Exercises not answered yet: one friendly line instead of a traceback (all chapters; chapters 1 and 2 first).

Two places meet an answer that is still the stub of the student version:

- **A value answer** (a choice, a number) is assigned ``None`` on a line of its own
  above the solution region, so that its name exists in the student version too::

      most_outlier_sensitive = None  # "mse", "mae" or "huber"
      ### BEGIN SOLUTION
      most_outlier_sensitive = "mse"
      ### END SOLUTION

  The check reads it through :func:`answered`, which raises the checks'
  ``NotAnswered`` for ``None``: "not answered yet", in one line, instead of a
  ``NameError``.
- **A locked demo cell** that calls the learner's functions (chapter 1's best
  constants, chapter 2's gradient comparisons) runs its code inside
  :func:`once_answered`; while one of those functions is still the stub, the
  cell prints one line that names the exercises it waits for.
"""

import contextlib

from .checks import NotAnswered

__all__ = ["answered", "once_answered"]


def answered(value):
    """``value``, or the checks' ``NotAnswered`` ("not answered yet", one line) if it is still ``None``."""
    if value is None:
        raise NotAnswered()
    return value


@contextlib.contextmanager
def once_answered(exercises):
    """Run a demo cell's code; if it meets the stub's ``NotImplementedError``, print one line
    saying that the cell runs once ``exercises`` (``"exercise 3"``, ``"exercises 1, 2 and 8"``)
    are answered, instead of the stub's traceback.

    Only the stub's own exception (or the checks' ``NotAnswered``) is caught: any other
    error of the learner's code is shown in full, since it needs fixing.
    """
    try:
        yield
    except NotImplementedError as error:
        if type(error) not in (NotImplementedError, NotAnswered):
            raise
        print(f"Not answered yet: this cell runs once {exercises} "
              f"{'is' if exercises.startswith('exercise ') else 'are'} answered.")
