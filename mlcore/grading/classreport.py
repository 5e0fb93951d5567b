"""The class report of ``mlcore-grade --report report.html``: what to re-teach on Monday.

One self-contained HTML page (its plots are embedded PNGs; it loads nothing)
with, per notebook: the score distribution; per question, the pass rate and
the misconceptions the checks found, counted across the class ("the sum was
not averaged: 12 of 31"), each with one example counterexample (no student
is named); and the submissions that errored or timed out.

``summarise(results)`` computes the numbers from the graded results, or from
the ``--json`` file's entries (``SubmissionResult.to_dict()``), which hold
the same data; the page embeds its summary as JSON (``<script
id="class-summary">``) so that a reader or a test can check one against the other.
"""

import base64
import html
import io
import json
from collections import Counter

from .results import QuestionResult


def summarise(results):
    """Per notebook: the scores and, per question, the counts of each outcome and of each
    misconception, from ``SubmissionResult``s or their JSON dicts."""
    entries = [result if isinstance(result, dict) else result.to_dict() for result in results]
    notebooks = {}
    for entry in entries:
        book = notebooks.setdefault(entry["notebook"], {"notebook": entry["notebook"], "submissions": 0,
                                                         "max_score": entry["max_score"], "scores": [],
                                                         "questions": {}, "troubled": []})
        book["submissions"] += 1
        book["scores"].append(entry["score"])
        book["max_score"] = max(book["max_score"], entry["max_score"])
        troubles = []
        for question in entry["questions"]:
            result = QuestionResult(**{key: question.get(key) for key in
                                       ("grade_id", "points", "max_points", "status", "message", "misconception")})
            row = book["questions"].setdefault(result.grade_id, {
                "grade_id": result.grade_id, "max_points": result.max_points, "answered_by": 0,
                "outcomes": Counter(), "misconceptions": {}})
            row["answered_by"] += 1
            row["outcomes"][result.outcome] += 1
            if result.misconception:
                found = row["misconceptions"].setdefault(result.misconception,
                                                         {"name": result.misconception, "count": 0,
                                                          "example": _example(result.message)})
                found["count"] += 1
            if result.outcome in ("error", "timeout", "denied"):
                troubles.append(f"{result.grade_id}: {result.outcome}")
        if troubles:
            book["troubled"].append({"submission": entry["submission"], "questions": troubles})
    return [_finish(book) for book in notebooks.values()]


def _finish(book):
    questions = []
    for row in book["questions"].values():
        passed = row["outcomes"]["ok"]
        questions.append({
            "grade_id": row["grade_id"], "max_points": row["max_points"], "submissions": row["answered_by"],
            "passed": passed, "pass_rate": passed / row["answered_by"] if row["answered_by"] else 0.0,
            "outcomes": dict(sorted(row["outcomes"].items())),
            "misconceptions": sorted(row["misconceptions"].values(), key=lambda m: (-m["count"], m["name"]))})
    return {**book, "questions": questions}


def _example(message):
    """The counterexample of a check's message: from "Smallest failing case:" on, else its last lines."""
    lines = message.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("Smallest failing case:"):
            return "\n".join(lines[index:])
    return "\n".join(lines[-3:])


def write_report(results, stream, title="Class report"):
    """Write the HTML class report of ``results`` to the text ``stream``."""
    summary = summarise(results)
    parts = [f"<h1>{html.escape(title)}</h1>"]
    for book in summary:
        parts.append(_notebook_section(book))
    data = json.dumps(summary, ensure_ascii=False).replace("</", "<\\/")
    stream.write(_PAGE.format(title=html.escape(title), body="\n".join(parts), data=data))


def _notebook_section(book):
    n = book["submissions"]
    rows = []
    for question in book["questions"]:
        outcomes = ", ".join(f"{name} {count}" for name, count in question["outcomes"].items())
        mistakes = "".join(
            f'<li class="misconception"><span class="name">{html.escape(m["name"])}</span>: '
            f'<span class="count">{m["count"]}</span> of {question["submissions"]}'
            f'<pre class="example">{html.escape(m["example"])}</pre></li>'
            for m in question["misconceptions"]) or "<li>none recognised</li>"
        rows.append(
            f'<tr data-question="{html.escape(question["grade_id"])}"><th>{html.escape(question["grade_id"])}</th>'
            f'<td class="pass-rate">{question["passed"]} of {question["submissions"]} '
            f'({question["pass_rate"]:.0%})</td><td>{html.escape(outcomes)}</td>'
            f"<td><ul>{mistakes}</ul></td></tr>")
    troubled = "".join(f"<li>{html.escape(item['submission'])}: {html.escape('; '.join(item['questions']))}</li>"
                       for item in book["troubled"]) or "<li>none</li>"
    return (f'<section data-notebook="{html.escape(book["notebook"])}"><h2>{html.escape(book["notebook"])}: '
            f'{n} submission{"s" if n != 1 else ""}</h2>'
            f'<div class="plots"><img alt="score distribution" src="{_score_plot(book)}">'
            f'<img alt="pass rate per question" src="{_pass_rate_plot(book)}"></div>'
            f"<h3>Per question</h3><table><tr><th>question</th><th>passed</th><th>outcomes</th>"
            f"<th>misconceptions found</th></tr>{''.join(rows)}</table>"
            f"<h3>Submissions that errored, timed out or were refused by the sandbox</h3>"
            f'<ul class="troubled">{troubled}</ul></section>')


def _figure():
    from matplotlib.figure import Figure  # the Agg canvas: no display, no pyplot state

    return Figure(figsize=(5.2, 2.8), dpi=100, layout="constrained")


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _score_plot(book):
    from matplotlib.ticker import MaxNLocator

    figure = _figure()
    axes = figure.add_subplot()
    top = book["max_score"] or 1.0
    # One bar per whole point (scores are sums of all-or-nothing points), or 20 bins for long tests.
    edges = [edge - 0.5 for edge in range(int(top) + 2)] if top <= 40 else 20
    axes.hist(book["scores"], bins=edges, color="#3b6ea8", edgecolor="white")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set(xlabel=f"score (of {top:g})", ylabel="submissions", title="Score distribution")
    return _png(figure)


def _pass_rate_plot(book):
    figure = _figure()
    axes = figure.add_subplot()
    names = [question["grade_id"] for question in book["questions"]]
    axes.barh(names[::-1], [question["pass_rate"] * 100 for question in book["questions"]][::-1],
              color="#5a9e6f")
    axes.set(xlim=(0, 100), xlabel="passed (%)", title="Pass rate per question")
    axes.tick_params(axis="y", labelsize=7)
    return _png(figure)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 70em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.4em; text-align: left; vertical-align: top; }}
pre.example {{ background: #f5f5f5; padding: 0.4em; font-size: 0.8em; white-space: pre-wrap; }}
.plots img {{ margin-right: 1em; }}
ul {{ margin: 0; padding-left: 1.2em; }}
</style></head>
<body>
{body}
<script type="application/json" id="class-summary">{data}</script>
</body></html>
"""
