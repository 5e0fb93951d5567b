"""Grading time per submission: mlcore-grade with --jobs 1 and --jobs 2, and nbgrader autograde.

Each submission is graded in a fresh kernel, kernel start included. Half the
submissions are the solution, half the untouched student version. Reports the
median over repeats of the wall time per submission, and its ratio to
nbgrader's ``autograde`` on the same submissions (issue 5's target: a median
of at most 3 s per submission on 2 cores).

    python benchmarks/bench_grading.py [--submissions 6] [--repeats 3] [--no-nbgrader] [NOTEBOOK ...]

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


def time_mlcore(source, submissions, jobs, repeats):
    """(median batch seconds per submission, median single-submission latency) over ``repeats`` runs."""
    per_submission, latencies = [], []
    for _ in range(repeats):
        stamps = [time.perf_counter()]
        results = grade_many(submissions, source.parent, jobs=jobs,
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
    parser.add_argument("--submissions", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-nbgrader", action="store_true", help="skip the nbgrader comparison")
    args = parser.parse_args()
    notebooks = args.notebooks or sorted((REPO / "solutions").glob("*.ipynb")) + [FIXTURE]

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {args.submissions} submissions, "
          f"median of {args.repeats} runs; seconds per submission, kernel start included\n")
    header = f"{'notebook':<28} {'mode':<32} {'s/submission':>12} {'vs nbgrader':>12}"
    print(header + "\n" + "-" * len(header))
    for source in notebooks:
        with tempfile.TemporaryDirectory() as scratch:
            scratch = Path(scratch)
            submissions = make_submissions(source, args.submissions, scratch / "mlcore")
            one_batch, one_latency = time_mlcore(source, submissions, 1, args.repeats)
            two_batch, two_latency = time_mlcore(source, submissions, 2, args.repeats)
            nbgrader = None if args.no_nbgrader else time_nbgrader(source, args.submissions, args.repeats, scratch)
        rows = [("mlcore-grade --jobs 1, one", one_latency), ("mlcore-grade --jobs 1, batch", one_batch),
                ("mlcore-grade --jobs 2, batch", two_batch), ("nbgrader autograde, batch", nbgrader)]
        for mode, seconds in rows:
            if seconds is None:
                continue
            ratio = f"{seconds / nbgrader:.2f}x" if nbgrader else "-"
            print(f"{source.name:<28} {mode:<32} {seconds:>12.2f} {ratio:>12}")


if __name__ == "__main__":
    main()
