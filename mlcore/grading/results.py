"""The grade of a submission, question by question, in the shape ``--json`` writes."""

from dataclasses import dataclass, field

from ..feedback.checks import NOT_ANSWERED

# How the message of a question the sandbox stopped begins ("sandbox: permission denied: ...").
SANDBOX_STOPPED = "sandbox:"

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
    misconception: str = None  # the mistake the check named, for a failed answer it recognised
    counterexample: str = None  # the case it showed, with the expected and the learner's values

    @property
    def outcome(self):
        """What the instructor reads: "ok", "wrong", "no answer" (the stub is still there),
        "error", "timeout" or "denied" (the sandbox refused an access or hit a limit)."""
        if self.status == "passed":
            return "ok"
        if self.status == "failed":
            return "no answer" if self.message.startswith(NOT_ANSWERED.split(":")[0]) else "wrong"
        if self.status == "error" and self.message.startswith(SANDBOX_STOPPED):
            return "denied"
        return self.status

    def to_dict(self):
        """The JSON form: grade_id, points, max_points, status, message, misconception."""
        return {"grade_id": self.grade_id, "points": self.points, "max_points": self.max_points,
                "status": self.status, "message": self.message, "misconception": self.misconception}


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
