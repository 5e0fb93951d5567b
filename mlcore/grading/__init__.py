"""Auto-grading of the course's exercises, compatible with nbgrader.

- ``mlcore-grade`` / ``python -m mlcore.grading``: grade submitted notebooks
  (``cli.py``; one fresh kernel per submission, tests from ``solutions/``).
- ``python -m mlcore.grading.generate``: build ``exercises/`` from
  ``solutions/`` as ``nbgrader generate_assignment`` does (``generate.py``).
- ``mlcore.grading.checks``: checks for test cells whose failure messages
  name the likely misconception.
- ``self_check(notebook)``: a learner grades their own saved notebook.

Importing this package stays light (no Jupyter machinery) because every
graded kernel imports ``mlcore.grading.checks``.
"""

from .selfcheck import self_check

__all__ = ["self_check"]
