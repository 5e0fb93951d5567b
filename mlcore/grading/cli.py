"""``mlcore-grade``: grade submitted notebooks against the course's source notebooks.

    mlcore-grade SUBMISSION.ipynb|FOLDER ... [--solutions DIR] [--timeout SECONDS]
                 [--json FILE|-] [--csv FILE] [--report FILE.html] [--jobs N] [--no-sandbox]

Each submission runs in a fresh kernel, in a bubblewrap sandbox, with the
test cells of ``solutions/<its file name>``, which the referee runs in this
process (the kernel only runs the learner's code). The exit status is 0 whenever grading ran,
however bad the submissions were (their problems are in the results), 2 for
a command line that cannot work (no solutions folder, a path that does not
exist) and 1 when the grader itself failed on some submission (a kernel that
could not start, a broken source notebook).
"""

import argparse
import sys
from pathlib import Path

from .export import write_csv, write_json
from .paths import default_solutions_dir
from .report import format_table

USAGE_ERROR = 2
GRADER_ERROR = 1


def _positive(kind):
    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
        return value
    return parse


def _parser():
    parser = argparse.ArgumentParser(
        prog="mlcore-grade",
        description="Grade Jupyter notebooks submitted for the course's exercises. Test cells "
                    "(visible and hidden) always come from the source notebook in --solutions, "
                    "never from the submission.")
    parser.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION",
                        help="submitted .ipynb files, or folders searched for them")
    parser.add_argument("--solutions", type=Path, default=None, metavar="DIR",
                        help="folder of nbgrader source notebooks (default: ./solutions, "
                             "else the course repository's solutions/)")
    parser.add_argument("--timeout", type=_positive(float), default=30.0, metavar="SECONDS",
                        help="time limit for each cell (default: 30)")
    parser.add_argument("--json", metavar="FILE|-", default=None,
                        help="write the results as JSON to FILE, or to standard output with '-'")
    parser.add_argument("--csv", type=Path, metavar="FILE", default=None,
                        help="write one row per submission and question to FILE")
    parser.add_argument("--report", type=Path, metavar="FILE.html", default=None,
                        help="write the class report (score distribution, pass rate and misconceptions "
                             "per question, submissions that failed to run) as one self-contained HTML page")
    parser.add_argument("--jobs", type=_positive(int), default=1, metavar="N",
                        help="grade N submissions at a time, in parallel processes (default: 1)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run the kernels without the bubblewrap sandbox (they then have your "
                             "account's rights: files and network)")
    return parser


def _collect(paths, parser):
    found = []
    for path in paths:
        if path.is_dir():
            notebooks = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            if not notebooks:
                parser.error(f"the folder {path} holds no .ipynb files")
            found.extend(notebooks)
        elif path.exists():
            found.append(path)
        else:
            parser.error(f"{path} does not exist; check the path of the submission")
    return found


def main(argv=None):
    """Run the command line; return the exit status."""
    from tqdm import tqdm

    from . import sandbox as sandboxing
    from .classreport import write_report
    from .grade import grade_many

    parser = _parser()
    args = parser.parse_args(argv)
    solutions_dir = args.solutions or default_solutions_dir()
    if not solutions_dir.is_dir() or not any(solutions_dir.glob("*.ipynb")):
        parser.error(f"no source notebooks (*.ipynb) in {solutions_dir}; pass --solutions DIR, "
                     f"the folder of the exercises' nbgrader source notebooks")
    submissions = _collect(args.submissions, parser)
    outputs = [Path(path) for path in (args.json, args.csv, args.report) if path and str(path) != "-"]

    sandbox = not args.no_sandbox
    if args.no_sandbox:
        print("mlcore-grade: warning: --no-sandbox: the submissions' code runs with your account's "
              "rights, and can read and write your files and use the network.", file=sys.stderr)
    elif sandboxing.available() is not None:
        print(f"mlcore-grade: notice: {sandboxing.available()}.", file=sys.stderr)
        sandbox = False

    table_stream = sys.stderr if args.json == "-" else sys.stdout
    with tqdm(total=len(submissions), file=sys.stderr, unit="notebook", disable=None if len(submissions) > 1
              else True, dynamic_ncols=True) as bar:
        def progress(done, result):
            bar.set_postfix_str(Path(result.submission).name, refresh=False)
            bar.update(1)

        results = grade_many(submissions, solutions_dir, timeout=args.timeout, jobs=args.jobs,
                             on_result=progress, sandbox=sandbox,
                             hidden=tuple(path.resolve().parent for path in outputs))

    print(format_table(results), file=table_stream)
    if args.json == "-":
        write_json(results, sys.stdout)
    elif args.json:
        with open(args.json, "w", encoding="utf-8") as stream:
            write_json(results, stream)
    if args.csv:
        with open(args.csv, "w", encoding="utf-8", newline="") as stream:
            write_csv(results, stream)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as stream:
            write_report(results, stream, title=f"mlcore-grade: {len(results)} submissions")
    failures = [result.grader_error for result in results if result.grader_error]
    for failure in failures:
        print(f"grader error: {failure}", file=sys.stderr)
    return GRADER_ERROR if failures else 0
