"""Where the course's folders are, for commands run without explicit paths."""

from pathlib import Path

# mlcore/grading/paths.py -> the repository root, for an editable install or a checkout.
_REPO_ROOT = Path(__file__).resolve().parents[2]


def _course_dir(name):
    """``./name`` if the current directory has it (the usual case: run from the repo root),
    else the folder next to the installed ``mlcore`` package."""
    here = Path.cwd() / name
    return here if here.is_dir() else _REPO_ROOT / name


def default_solutions_dir():
    """The folder of source notebooks: ``./solutions`` or the repository's ``solutions/``."""
    return _course_dir("solutions")


def default_exercises_dir():
    """The folder of student notebooks: ``./exercises`` or the repository's ``exercises/``."""
    return _course_dir("exercises")
