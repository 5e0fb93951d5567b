"""Round trip through real nbgrader: the course's notebooks work unchanged for its users.

In a throwaway course directory, ``nbgrader generate_assignment`` must produce
the committed student notebooks, and ``nbgrader autograde`` must give a
solution full marks and an untouched student notebook zero, the same scores
as ``mlcore-grade``. Runs on the synthetic fixture and on every notebook in
solutions/.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from mlcore.grading.grade import grade_submission

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "grading"
PAIRS = [(FIXTURES / "solutions", FIXTURES / "exercises")] + [(REPO / "solutions", REPO / "exercises")]
NOTEBOOKS = [(solutions / path.name, exercises / path.name)
             for solutions, exercises in PAIRS for path in sorted(solutions.glob("*.ipynb"))]
STUDENTS = ("solution", "untouched")


def _nbgrader(*args, cwd):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=[pair[0].name for pair in NOTEBOOKS])
def course(request, tmp_path_factory):
    """A course directory whose one assignment is one source notebook (with the files beside it),
    released by nbgrader and autograded for two students: the solution and the untouched exercise."""
    source, exercise = request.param
    assert exercise.exists(), f"{exercise} is missing: run 'python -m mlcore.grading.generate'"
    root = tmp_path_factory.mktemp("course")
    assignment = source.stem
    (root / "source").mkdir()
    shutil.copytree(source.parent, root / "source" / assignment,
                    ignore=lambda folder, names: [n for n in names if n.endswith(".ipynb") and n != source.name])
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(root)!r}\n"
        "c.OverwriteCells.add_missing_cells = True\nc.ExecutePreprocessor.timeout = 120\n", encoding="utf-8")
    _nbgrader("generate_assignment", assignment, "--force", cwd=root)
    for student, submitted in zip(STUDENTS, (source, exercise)):
        folder = root / "submitted" / student / assignment
        folder.mkdir(parents=True)
        shutil.copy(submitted, folder / source.name)
    _nbgrader("autograde", assignment, cwd=root)
    return root, source, exercise


def _autograded_points(root, notebook, student):
    """(points, max points) of nbgrader's autograded code cells for one student's notebook."""
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        submitted = gradebook.find_submission_notebook(notebook.stem, notebook.stem, student)
        grades = [grade for grade in submitted.grades if grade.cell.cell_type == "code"]
        return sum(grade.auto_score for grade in grades), sum(grade.max_score for grade in grades)


def _comparable(nb):
    """What a student notebook consists of: per cell its type, source, locks, nbgrader metadata,
    nbval tags and outputs; and the notebook's metadata."""
    return nb.metadata, [(cell.cell_type, cell.source, cell.metadata.get("nbgrader"),
                          cell.metadata.get("deletable"), cell.metadata.get("editable"),
                          cell.metadata.get("tags"), cell.get("outputs"), cell.get("execution_count"))
                         for cell in nb.cells]


def test_generate_assignment_agrees_with_exercises(course):
    root, source, exercise = course
    released = nbformat.read(root / "release" / source.stem / source.name, as_version=4)
    assert _comparable(released) == _comparable(nbformat.read(exercise, as_version=4))


def test_autograde_gives_solution_full_marks_and_untouched_zero(course):
    root, source, _ = course
    points, max_points = _autograded_points(root, source, "solution")
    assert max_points > 0 and points == max_points
    assert _autograded_points(root, source, "untouched") == (0, max_points)


def test_mlcore_grade_agrees_with_nbgrader(course):
    root, source, _ = course
    for student in STUDENTS:
        ours = grade_submission(root / "submitted" / student / source.stem / source.name, source.parent)
        assert (ours.score, ours.max_score) == _autograded_points(root, source, student)
