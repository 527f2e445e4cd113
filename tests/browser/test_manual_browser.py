"""`grader manual` in a real browser: a small class handed in as a Canvas zip, two written answers graded on
the page (one with the keyboard alone, applying a rubric item), kept after a reload, refused when the score
is bad, two tabs saving at once; then `grader report` and `grader export` carry the hand grades; axe audits
of the grading page, report.html and a feedback page (no serious or critical violations)."""
from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "grader"))

from lms_class import LESSON, QUESTION, lms_run  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = ROOT / "test-artifacts" / "manual"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The Canvas class graded once per session, copied so this module's hand grades stay its own."""
    run = lms_run(tmp_path_factory)
    assert run["canvas_rc"] == 0, run["canvas_stderr"]
    copy = tmp_path_factory.mktemp("manual") / "results"
    shutil.copytree(run["canvas_results"], copy)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return {**run, "results": copy}


@contextlib.contextmanager
def _manual(results, log_name, *extra):
    """`grader manual RESULTS ...` on a free port; -> its URL parts (base, token)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / log_name, "w")
    proc = subprocess.Popen([sys.executable, "-m", "grader", "manual", str(results), "--grader", "Prof Test", *extra],
                            stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True, cwd=ROOT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=(\S+)", line)
        assert m, f"grader manual printed {line!r} (log: {ARTIFACTS / log_name})"
        yield {"base": m.group(1), "token": m.group(2), "proc": proc}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=10)
        proc.stdout.close()
        log.close()


@pytest.fixture(scope="module")
def server(graded):
    """`grader manual RESULTS --submissions canvas.zip --roster ...` on a free port; -> its URL (with token)."""
    with _manual(graded["results"], "grader-manual.log", "--submissions", str(graded["canvas"]),
                 "--roster", str(graded["roster"])) as srv:
        yield srv


def _axe(page, what):
    from axe_playwright_python.sync_playwright import Axe
    found = Axe().run(page).response["violations"]
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found
           if v["impact"] in ("serious", "critical")]
    assert not bad, f"{what}: axe found serious/critical violations: {bad}"


def _question_url(server):
    return f"{server['base']}/q/{LESSON}/{QUESTION}?token={server['token']}"


def _saved(page):
    page.wait_for_function("() => document.getElementById('state').textContent.startsWith('saved')", timeout=10_000)


def _grades(results):
    return json.loads((results / "manual" / "grades.json").read_text())


def test_grading_two_answers_on_the_page(browser, server, graded):
    ctx = browser.new_context(viewport={"width": 1200, "height": 1000})
    page = ctx.new_page()
    try:
        page.goto(f"{server['base']}/?token={server['token']}")
        assert page.locator("#progress").inner_text() == "0 of 3 graded"
        _axe(page, "manual index")
        page.goto(_question_url(server))
        assert "0 of 3 graded for this question" in page.locator("#progress").inner_text()
        # group 1: alice and zoe wrote the same answer (other spacing): one grade for both, keyboard only
        assert page.locator("#who").inner_text().startswith("2 students gave this answer")
        assert "alice" in page.locator("#who").inner_text() and "zoe" in page.locator("#who").inner_text()
        page.keyboard.press("1")                              # rubric item 1: -1 point
        _saved(page)
        assert page.locator("#score").input_value() == "1"
        page.keyboard.press("c")
        page.keyboard.type("Say what the activation adds.")
        page.keyboard.press("Escape")                         # leaving the field saves the comment
        page.wait_for_function("() => document.getElementById('progress').textContent.startsWith('2 of 3')")
        page.keyboard.press("u")                              # jump to the next ungraded answer: bob's
        who = page.locator("#who").inner_text()
        assert who == "Student: bob", who
        answer = page.locator("article.answer:not([hidden])")
        assert answer.locator("strong").inner_text() == "collapse"
        assert answer.locator("img[alt='my sketch']").get_attribute("src").startswith("data:image/png;base64,")
        assert page.title() != "pwned" and answer.locator("script").count() == 0
        # group 2 with the mouse: a bad score is refused with a message, then a good one
        page.locator("#score").fill("5")
        page.locator("#save").click()
        page.wait_for_function("() => document.getElementById('msg').textContent.length > 0")
        assert "at most 2" in page.locator("#msg").inner_text()
        assert page.locator("#score").get_attribute("aria-invalid") == "true"
        assert set(_grades(graded["results"])) == {f"alice/{LESSON}/{QUESTION}", f"zoe/{LESSON}/{QUESTION}"}
        page.locator("#score").fill("1.5")
        page.locator("#comment").fill("Nice sketch.")
        page.locator("#save").click()
        _saved(page)
        assert "3 of 3 graded" in page.locator("#progress").inner_text()
        page.reload()                                         # everything is kept
        assert "3 of 3 graded" in page.locator("#progress").inner_text()
        assert page.locator("#score").input_value() == "1"
        assert page.locator("#comment").input_value() == "Say what the activation adds."
        assert page.locator("#rubric button").first.get_attribute("aria-pressed") == "true"
        page.keyboard.press("n")
        assert page.locator("#score").input_value() == "1.5" and page.locator("#comment").input_value() == "Nice sketch."
        page.screenshot(path=str(ARTIFACTS / "manual-page.png"), full_page=True)
        _axe(page, "manual question page")
        g = _grades(graded["results"])
        assert {k: (v["score"], v["grader"]) for k, v in g.items()} == {
            f"alice/{LESSON}/{QUESTION}": (1.0, "Prof Test"), f"zoe/{LESSON}/{QUESTION}": (1.0, "Prof Test"),
            f"bob/{LESSON}/{QUESTION}": (1.5, "Prof Test")}
        assert [x["id"] for x in g[f"alice/{LESSON}/{QUESTION}"]["rubric"]] == ["s1"]
    finally:
        ctx.close()


def test_report_and_export_carry_the_hand_grades(browser, graded):
    from grader.__main__ import main
    results = graded["results"]
    assert main(["report", str(results)]) == 0
    with open(results / "grades.csv", newline="") as f:
        rows = {(r["student_id"], r["exercise"]): r for r in csv.DictReader(f) if r["lesson"] == LESSON}
    for student, score, comment in (("alice", "1.0", "Say what the activation adds."),
                                    ("zoe", "1.0", "Say what the activation adds."), ("bob", "1.5", "Nice sketch.")):
        r = rows[(student, QUESTION)]
        assert (r["status"], r["score"], r["grader"], r["comment"]) == ("graded", score, "Prof Test", comment), r
    with open(results / "summary.csv", newline="") as f:
        summary = {r["student_id"]: r for r in csv.DictReader(f)}
    auto = sum(float(r["score"]) for (s, ex), r in rows.items() if s == "alice" and ex != QUESTION)
    assert float(summary["alice"][LESSON]) == auto + 1.0 and summary["alice"]["needs_attention"] == "0"
    feedback = results / "feedback" / "zoe" / f"{LESSON}.html"
    text = feedback.read_text()
    assert "Say what the activation adds." in text and "-1: does not say that a composition" in text
    out = results.parent / "canvas.csv"
    assert main(["export", str(results), "--format", "canvas", "--roster", str(graded["roster"]),
                 "--out", str(out)]) == 0
    with open(out, newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    col = table[0].index(LESSON)
    assert {r[1]: r[col] for r in table[2:]}["1001"] == f"{auto + 1.0:g}"
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        for path in (results / "report.html", feedback):
            page.goto(path.as_uri())
            _axe(page, path.name)
    finally:
        ctx.close()


def test_two_tabs_saving_at_once_lose_nothing(browser, server, graded):
    ctx = browser.new_context()
    a, b = ctx.new_page(), ctx.new_page()
    try:
        for p in (a, b):
            p.goto(_question_url(server))
        groups = json.loads(a.locator("#page-data").inner_text())["groups"]
        shared, alone = groups[1]["key"], groups[0]["key"]
        js = """([group, score, tag]) => { const page = JSON.parse(document.getElementById('page-data').textContent);
            window.done = fetch('/api/grade', {method: 'POST', headers: {'Content-Type': 'application/json',
              'X-Token': page.token}, body: JSON.stringify({lesson: page.lesson, question: page.question,
              group, score, comment: tag, rubric: []})}).then(r => r.status); return 0; }"""
        log = graded["results"] / "manual" / "log.jsonl"
        before = len(log.read_text().splitlines())
        for _ in range(3):                                    # both tabs fire before either is answered
            a.evaluate(js, [shared, "2", "tab A"])
            b.evaluate(js, [shared, "0.5", "tab B"])
            a.evaluate(js.replace("window.done", "window.done2"), [alone, "2", "tab A"])
            assert [p.evaluate("window.done") for p in (a, b)] == [200, 200]
            assert a.evaluate("window.done2") == 200
        entries = [json.loads(x) for x in log.read_text().splitlines()[before:]]
        assert len(entries) == 3 * (1 + 1 + 2)                # bob twice per round, alice+zoe once per round
        g = _grades(graded["results"])
        bob = [e for e in entries if e["student"] == "bob"]
        assert {e["comment"] for e in bob} == {"tab A", "tab B"}
        assert g[f"bob/{LESSON}/{QUESTION}"]["comment"] == bob[-1]["comment"]     # the last write wins
        assert g[f"alice/{LESSON}/{QUESTION}"]["score"] == g[f"zoe/{LESSON}/{QUESTION}"]["score"] == 2.0
    finally:
        ctx.close()


def test_common_mistakes_section_screenshot(browser, tmp_path):
    """The common-mistakes table of a class with known diagnosis codes, as an instructor sees it."""
    from grader.report import write_report
    from grader.store import save_run, write_json
    out = tmp_path / "r"
    save_run(out, {"lessons": {"03_backpropagation": {"exercises": [
        {"name": "dense_backward", "points": 3.0, "kind": "auto"}, {"name": "softmax_ce_backward", "points": 2.0,
                                                                   "kind": "auto"}]}},
        "students": [], "isolation": ["bubblewrap"], "skipped": []})
    codes = ["transpose"] * 9 + ["factor_N"] * 4 + ["overflow"] * 2 + [None]
    for i, code in enumerate(codes):
        exs = [{"exercise": "dense_backward", "score": 0.0, "max_score": 3.0, "status": "graded", "message": "x",
                "output": "", "hidden_failed": False, "flags": [], "diagnosis": code},
               {"exercise": "softmax_ce_backward", "score": 0.0 if i % 3 else 2.0, "max_score": 2.0, "status": "graded",
                "message": "", "output": "", "hidden_failed": False, "flags": [],
                "diagnosis": "wrong_axis" if i % 3 else None}]
        write_json(out / "results" / f"s{i:02d}" / "03_backpropagation.json",
                   {"student": f"s{i:02d}", "lesson": "03_backpropagation", "exercises": exs, "notes": [], "sha256": "x"})
    write_report([out], out)
    ctx = browser.new_context(viewport={"width": 1100, "height": 900})
    page = ctx.new_page()
    try:
        page.goto((out / "report.html").as_uri())
        section = page.locator("#common-mistakes")
        assert "03_backpropagation dense_backward: 9 students transposed" in section.inner_text()
        section.screenshot(path=str(ARTIFACTS / "common-mistakes.png"))
        _axe(page, "report.html with common mistakes")
    finally:
        ctx.close()


def test_the_page_needs_the_token_and_a_local_host(server):
    import urllib.error
    import urllib.request

    def status(url, headers=None, data=None):
        try:
            return urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {}),
                                          timeout=10).status
        except urllib.error.HTTPError as e:
            return e.code
    q = f"{server['base']}/q/{LESSON}/{QUESTION}"
    assert status(q) == 403 and status(q + "?token=wrong") == 403 and status(q + f"?token={server['token']}") == 200
    assert status(q + f"?token={server['token']}", {"Host": "evil.example"}) == 403      # DNS rebinding
    body = json.dumps({"lesson": LESSON, "question": QUESTION, "group": "x", "score": "1"}).encode()
    assert status(f"{server['base']}/api/grade?token={server['token']}", {"Content-Type": "application/json"},
                  body) == 403                                     # the API wants the X-Token header


def test_a_huge_answer_with_a_long_word_is_folded_and_wrapped(browser, tmp_path):
    """A 200 KB answer with a 6,000-letter word: the page stays as wide as the window, the grade form
    stays within the first screens, "Show all" unfolds the whole answer (and folds it again)."""
    from grader.answers import answers_path
    from grader.store import save_run, write_json
    results = tmp_path / "results"
    save_run(results, {"lessons": {}, "students": ["lena", "sam"], "skipped": [], "isolation": []})
    huge = "x" * 6000 + "\n\n" + "\n\n".join(f"Paragraph {i}: the kink of the ReLU bends the map." for i in range(4000))
    assert len(huge) > 200_000
    for student, text in (("lena", huge), ("sam", "Affine maps compose into one affine map.")):
        write_json(results / "results" / student / f"{LESSON}.json", {
            "student": student, "lesson": LESSON, "graded_at": "2026-01-01T00:00:00Z", "sha256": student,
            "exercises": [{"exercise": QUESTION, "score": None, "max_score": 2.0, "status": "needs_manual",
                           "message": "", "flags": []}]})
        write_json(answers_path(results, student, LESSON),      # what grading records for grader manual
                   {"student": student, "lesson": LESSON, "sha256": student, "answers": {},
                    "written": {QUESTION: {"text": text, "attachments": {}}}})
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    page = ctx.new_page()
    try:
        with _manual(results, "grader-manual-huge.log") as srv:
            page.goto(_question_url(srv))
            assert page.locator("#who").inner_text() == "Student: lena"
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 1200, f"the page is {width} px wide in a 1200 px window (a long word is not wrapped)"
            form_top = page.evaluate("document.getElementById('grade-form').getBoundingClientRect().top + scrollY")
            assert form_top < 2 * 900, f"the grade form starts {form_top:.0f} px down the page"
            button = page.locator("#show-all")
            assert button.is_visible() and "Show all" in button.inner_text()
            assert button.get_attribute("aria-expanded") == "false"
            button.click()
            answer = page.locator("article.answer:not([hidden])")
            assert answer.evaluate("a => a.clientHeight") > 20 * 900, "Show all did not unfold the answer"
            assert "Paragraph 3999:" in answer.inner_text() and button.get_attribute("aria-expanded") == "true"
            assert page.evaluate("document.documentElement.scrollWidth") <= 1200
            page.screenshot(path=str(ARTIFACTS / "manual-huge-answer.png"))
            button.click()
            assert answer.evaluate("a => a.clientHeight") < 900
            page.keyboard.press("n")                                  # sam's short answer: nothing to fold
            assert page.locator("#who").inner_text() == "Student: sam" and not button.is_visible()
            _axe(page, "manual page with a folded answer")
    finally:
        ctx.close()
