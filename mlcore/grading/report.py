"""What ``mlcore-grade`` prints: a progress bar while a batch runs, then a table."""

import shutil

_MARK = {"passed": "ok", "failed": "FAIL", "error": "ERR", "timeout": "TIME"}


class ProgressBar:
    """A one-line progress bar on a terminal stream: ``[#####-----] 5/10 alice.ipynb``."""

    def __init__(self, total, stream):
        self.total, self.stream = total, stream

    def __call__(self, done, result):
        width = 30
        filled = width * done // self.total
        name = result.submission[-40:]
        self.stream.write(f"\r[{'#' * filled}{'-' * (width - filled)}] {done}/{self.total} {name:<40}")
        if done == self.total:
            self.stream.write("\n")
        self.stream.flush()


def format_table(results):
    """One row per submission (score and a mark per question); for a single submission,
    one row per question with the first line of its message."""
    if len(results) == 1:
        return _question_table(results[0])
    rows = [("submission", "notebook", "score", "questions")]
    for result in results:
        marks = " ".join(_MARK[q.status] for q in result.questions)
        rows.append((result.submission, result.notebook, _score(result), marks))
    return _render(rows)


def _question_table(result):
    rows = [("question", "points", "status", "message")]
    for question in result.questions:
        first_line = question.message.splitlines()[0] if question.message else ""
        rows.append((question.grade_id, f"{question.points:g}/{question.max_points:g}",
                     question.status, first_line))
    header = f"{result.submission} ({result.notebook}): {_score(result)}"
    return header + "\n" + _render(rows)


def _score(result):
    return f"{result.score:g}/{result.max_score:g}"


def _render(rows):
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    terminal = shutil.get_terminal_size((120, 24)).columns
    lines = []
    for row in rows:
        left = "  ".join(cell.ljust(width) for cell, width in zip(row, widths))
        room = max(terminal - len(left) - 2, 20)
        last = row[-1] if len(row[-1]) <= room else row[-1][: room - 3] + "..."
        lines.append(f"{left}  {last}".rstrip())
    lines.insert(1, "-" * min(terminal, max(len(line) for line in lines)))
    return "\n".join(lines)
