"""What ``mlcore-grade`` prints: a table of the questions, named, with what each answer was."""

import shutil
from itertools import groupby


def format_table(results):
    """For one submission, one row per question with the first line of its message. For a
    batch, per notebook, one row per submission: its score, and for each question (a column
    named after it) "ok", "wrong", "no answer", "error", "timeout" or "denied"."""
    if len(results) == 1:
        return _question_table(results[0])
    tables = []
    for notebook, group in groupby(sorted(results, key=lambda r: r.notebook), key=lambda r: r.notebook):
        group = list(group)
        names = list(dict.fromkeys(q.grade_id for result in group for q in result.questions))
        rows = [("submission", "score", *[_short(name) for name in names])]
        for result in group:
            outcomes = {q.grade_id: q.outcome for q in result.questions}
            rows.append((result.submission, _score(result), *[outcomes.get(name, "-") for name in names]))
        tables.append(f"{notebook}:\n" + _render(rows, wrap_last=False))
    return "\n\n".join(tables)


def _short(grade_id):
    for suffix in ("-test", "_test"):
        if grade_id.endswith(suffix) and len(grade_id) > len(suffix):
            return grade_id[: -len(suffix)]
    return grade_id


def _question_table(result):
    rows = [("question", "points", "status", "message")]
    for question in result.questions:
        first_line = question.message.splitlines()[0] if question.message else ""
        rows.append((question.grade_id, f"{question.points:g}/{question.max_points:g}",
                     question.outcome, first_line))
    header = f"{result.submission} ({result.notebook}): {_score(result)}"
    return header + "\n" + _render(rows)


def _score(result):
    return f"{result.score:g}/{result.max_score:g}"


def _render(rows, wrap_last=True):
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    terminal = shutil.get_terminal_size((120, 24)).columns
    lines = []
    for row in rows:
        left = "  ".join(cell.ljust(width) for cell, width in zip(row, widths))
        room = max(terminal - len(left) - 2, 20)
        last = row[-1] if len(row[-1]) <= room or not wrap_last else row[-1][: room - 3] + "..."
        lines.append(f"{left}  {last}".rstrip())
    lines.insert(1, "-" * min(terminal, max(len(line) for line in lines)))
    return "\n".join(lines)
