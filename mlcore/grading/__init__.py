"""Auto-grading of the course's exercises, compatible with nbgrader.

- ``mlcore-grade`` / ``python -m mlcore.grading``: grade submitted notebooks
  (``cli.py``; tests from ``solutions/``). Each submission's kernel runs in a
  bubblewrap sandbox (``sandbox.py``) and runs only the learner's code; the
  test cells run in the grader's process (``referee.py``), which calls the
  learner's functions in the kernel through ``probe.py`` and reads back plain
  data (``wire.py``). ``--report`` writes the class report (``classreport.py``).
- ``python -m mlcore.grading.generate``: build ``exercises/`` from
  ``solutions/`` as ``nbgrader generate_assignment`` does (``generate.py``).
- ``self_check(notebook)``: a learner grades their own saved notebook, with the
  test cells run in a fresh kernel, as nbgrader runs them.

The checks the test cells call are ``mlcore.feedback``'s. Importing this
package stays light (no Jupyter machinery): every graded kernel imports
``mlcore.grading.probe``, and every exercise notebook ``self_check``.
"""

from .selfcheck import self_check

__all__ = ["self_check"]
