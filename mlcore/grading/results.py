"""The grade of a submission, question by question, in the shape ``--json`` writes."""

from dataclasses import dataclass, field

@dataclass(frozen=True)
class QuestionResult:
    """One graded test cell: points earned (all or nothing), status and a message for the student.

    ``status`` is "passed", "failed" (the test judged the answer wrong or
    missing), "error" (code raised something unexpected, or the kernel died,
    so the answer could not be judged) or "timeout" (the answer, or the code
    it depends on, ran past the time limit).
    """

    grade_id: str
    points: float
    max_points: float
    status: str
    message: str = ""

    def to_dict(self):
        """The JSON form: grade_id, points, max_points, status, message."""
        return {"grade_id": self.grade_id, "points": self.points, "max_points": self.max_points,
                "status": self.status, "message": self.message}


@dataclass
class SubmissionResult:
    """All questions of one submission.

    ``grader_error`` is set (and never serialised) when the grader itself
    failed on this submission, e.g. the kernel could not start; the command
    line then exits with a non-zero status.
    """

    submission: str
    notebook: str
    questions: list = field(default_factory=list)
    grader_error: str = ""

    @property
    def score(self):
        """Points earned over all questions."""
        return float(sum(question.points for question in self.questions))

    @property
    def max_score(self):
        """Points available over all questions."""
        return float(sum(question.max_points for question in self.questions))

    def to_dict(self):
        """The JSON form: submission, notebook, score, max_score, questions."""
        return {"submission": self.submission, "notebook": self.notebook, "score": self.score,
                "max_score": self.max_score, "questions": [q.to_dict() for q in self.questions]}
