"""The machine-readable outputs of ``mlcore-grade``: ``--json`` and ``--csv``."""

import csv
import json

CSV_COLUMNS = ("submission", "notebook", "score", "max_score",
               "grade_id", "points", "max_points", "status", "message")


def write_json(results, stream):
    """A JSON list with one object per submission (see ``SubmissionResult.to_dict``)."""
    json.dump([result.to_dict() for result in results], stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def write_csv(results, stream):
    """One row per submission and question, with the submission's totals on every row."""
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    for result in results:
        for question in result.questions:
            writer.writerow((result.submission, result.notebook, result.score, result.max_score,
                             question.grade_id, question.points, question.max_points,
                             question.status, question.message))
