"""mlcore-grade --report: a self-contained class report whose counts are the --json file's.

A class of six submissions of the fixture (two right, two that sum instead
of averaging, one untouched, one that loops) is graded once. The page is
opened in headless Chromium with every network request refused, screenshot
to artifacts/grading/report.png, and the counts it shows are compared with
those computed from the JSON.
"""

import json
import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from mlcore.grading.classreport import summarise
from mlcore.grading.cli import main

from browser_support.chromium import new_page, running_chromium

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
NAME = "demo_losses.ipynb"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "grading"
SUMMED = "def mse(y_hat, y):\n    return float(((np.asarray(y_hat) - np.asarray(y)) ** 2).sum())"
CLASS = {"ann": None, "ben": None, "cat": SUMMED, "dan": SUMMED, "eve": "untouched",
         "fay": "while True:\n    pass"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    for student, answer in CLASS.items():
        base = FIXTURES / ("exercises" if answer == "untouched" else "solutions") / NAME
        nb = nbformat.read(base, as_version=4)
        if answer not in (None, "untouched"):
            next(cell for cell in nb.cells if cell.get("id") == "mse-answer").source = answer
        (root / student).mkdir()
        nbformat.write(nb, root / student / NAME)
    report, grades = root / "report.html", root / "grades.json"
    assert main([str(root), "--solutions", str(FIXTURES / "solutions"), "--jobs", "2", "--timeout", "4",
                 "--report", str(report), "--json", str(grades)]) == 0
    return report, json.loads(grades.read_text(encoding="utf-8"))


def test_the_json_names_the_misconception_of_each_failed_answer(graded):
    _, results = graded
    found = Counter(q["misconception"] for result in results for q in result["questions"] if q["misconception"])
    assert found == {"the sum was not averaged": 2}


def test_the_summary_counts_outcomes_and_misconceptions(graded):
    _, results = graded
    [book] = summarise(results)
    assert book["submissions"] == 6 and sorted(book["scores"]) == [0.0, 2.0, 2.0, 2.0, 4.0, 4.0]
    mse = next(q for q in book["questions"] if q["grade_id"] == "mse_test")
    assert mse["outcomes"] == {"no answer": 1, "ok": 2, "timeout": 1, "wrong": 2}
    assert [(m["name"], m["count"]) for m in mse["misconceptions"]] == [("the sum was not averaged", 2)]
    assert mse["misconceptions"][0]["example"].startswith("Smallest failing case: mse(")
    assert [item["submission"].split("/")[-2] for item in book["troubled"]] == ["fay"]


def test_the_report_is_self_contained(graded):
    page = graded[0].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", page), "the page loads something"
    assert "<link" not in page and "http://" not in page and "https://" not in page
    assert page.count('src="data:image/png;base64,') == 2


def test_the_report_renders_in_chromium_with_the_jsons_counts(graded):
    report, results = graded
    expected = summarise(results)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_chromium() as browser:
        page = new_page(browser)
        requests = []
        page.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()
                                          if route.request.url.startswith(("file:", "data:")) else route.abort()))
        page.goto(report.as_uri())
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        assert all(url.startswith(("file:", "data:")) for url in requests), requests
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])")
        assert images and all(done and width > 100 for done, width in images)
        shown = page.eval_on_selector_all("tr[data-question]", """rows => rows.map(row => ({
            question: row.dataset.question,
            passRate: row.querySelector('.pass-rate').textContent,
            misconceptions: [...row.querySelectorAll('li.misconception')].map(li => [
                li.querySelector('.name').textContent, Number(li.querySelector('.count').textContent)])}))""")
        embedded = json.loads(page.eval_on_selector("#class-summary", "el => el.textContent"))
    assert embedded == json.loads(json.dumps(expected))
    [book] = expected
    assert [row["question"] for row in shown] == [q["grade_id"] for q in book["questions"]]
    for row, question in zip(shown, book["questions"]):
        assert row["passRate"].startswith(f"{question['passed']} of {question['submissions']} ")
        assert row["misconceptions"] == [[m["name"], m["count"]] for m in question["misconceptions"]]
