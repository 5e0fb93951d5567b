"""Grading time per submission: mlcore-grade with --jobs 1 and --jobs 2, in-kernel and sandboxed.

Each submission is graded in a fresh kernel, kernel start included. Half the
submissions are the solution, half the untouched student version. Columns,
side by side: the test cells run in the kernel without a sandbox (as nbgrader
runs them), and mlcore-grade's default, the referee with each kernel in a
bubblewrap sandbox; then the sandboxed time's ratio to nbgrader's
``autograde`` on the same submissions. Targets (issue 17): at most 3 s per
submission with the sandbox, and ``--jobs 2`` faster than ``--jobs 1`` on a
batch of 20. Medians over repeats of the wall time per submission.

    python benchmarks/bench_grading.py [--submissions 20] [--repeats 1] [--no-nbgrader] [NOTEBOOK ...]

Without NOTEBOOK arguments it uses every notebook in solutions/ and the
synthetic fixture of the grader's tests.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from mlcore.grading import sandbox as sandboxing
from mlcore.grading.generate import student_version
from mlcore.grading.grade import grade_many

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "grading" / "solutions" / "demo_losses.ipynb"


def make_submissions(source, count, folder):
    """``count`` submissions of ``source`` under ``folder/student_i/``: solutions and untouched exercises."""
    exercise = student_version(nbformat.read(source, as_version=4), source.name)
    paths = []
    for index in range(count):
        path = folder / f"student_{index}" / source.name
        path.parent.mkdir(parents=True)
        if index % 2:
            nbformat.write(exercise, path)
        else:
            shutil.copy(source, path)
        paths.append(path)
    return paths


def time_mlcore(source, submissions, jobs, repeats, sandboxed):
    """(median batch seconds per submission, median single-submission latency) over ``repeats`` runs;
    ``sandboxed``: the referee and the sandbox (mlcore-grade's default), else in-kernel tests."""
    per_submission, latencies = [], []
    for _ in range(repeats):
        stamps = [time.perf_counter()]
        results = grade_many(submissions, source.parent, jobs=jobs, referee=sandboxed, sandbox=sandboxed,
                             on_result=lambda done, result: stamps.append(time.perf_counter()))
        assert all(not result.grader_error for result in results)
        per_submission.append((stamps[-1] - stamps[0]) / len(submissions))
        latencies += [after - before for before, after in zip(stamps, stamps[1:])]
    return statistics.median(per_submission), statistics.median(latencies)


def time_nbgrader(source, count, repeats, folder):
    """Median seconds per submission of ``nbgrader autograde`` on a course of ``count`` students."""
    root = folder / "course"
    assignment = source.stem
    (root / "source" / assignment).mkdir(parents=True)
    shutil.copy(source, root / "source" / assignment)
    (root / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.root = {str(root)!r}\n",
                                             encoding="utf-8")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")

    def nbgrader(*args):
        subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env, check=True,
                       capture_output=True)

    nbgrader("generate_assignment", assignment, "--force")
    for index, path in enumerate(make_submissions(source, count, folder / "nbgrader_submissions")):
        target = root / "submitted" / f"student_{index}" / assignment
        target.mkdir(parents=True)
        shutil.copy(path, target)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        nbgrader("autograde", assignment, "--force")
        times.append((time.perf_counter() - start) / count)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--no-nbgrader", action="store_true", help="skip the nbgrader comparison")
    args = parser.parse_args()
    notebooks = args.notebooks or sorted((REPO / "solutions").glob("*.ipynb")) + [FIXTURE]

    if sandboxing.available() is not None:
        sys.exit(f"the sandboxed column needs bwrap: {sandboxing.available()}")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {args.submissions} submissions, "
          f"median of {args.repeats} run(s); seconds per submission, kernel start included\n")
    header = (f"{'notebook':<28} {'mode':<24} {'in-kernel':>10} {'sandboxed':>10} {'sandboxed':>12}\n"
              f"{'':<28} {'':<24} {'':>10} {'(default)':>10} {'vs nbgrader':>12}")
    print(header + "\n" + "-" * 88)
    for source in notebooks:
        with tempfile.TemporaryDirectory() as scratch:
            scratch = Path(scratch)
            submissions = make_submissions(source, args.submissions, scratch / "mlcore")
            timings = {(jobs, sandboxed): time_mlcore(source, submissions, jobs, args.repeats, sandboxed)
                       for jobs in (1, 2) for sandboxed in (False, True)}
            nbgrader = None if args.no_nbgrader else time_nbgrader(source, args.submissions, args.repeats, scratch)
        rows = [("--jobs 1, one submission", 1, 1), ("--jobs 1, batch", 1, 0), ("--jobs 2, batch", 2, 0)]
        for mode, jobs, which in rows:
            plain, boxed = timings[(jobs, False)][which], timings[(jobs, True)][which]
            ratio = f"{boxed / nbgrader:.2f}x" if nbgrader else "-"
            print(f"{source.name:<28} {mode:<24} {plain:>10.2f} {boxed:>10.2f} {ratio:>12}")
        if nbgrader:
            print(f"{source.name:<28} {'nbgrader autograde, batch':<24} {nbgrader:>10.2f} {'-':>10} {'1.00x':>12}")


if __name__ == "__main__":
    main()
