"""Hand grades of written answers: the store (atomic, concurrent, validated), rubrics from solutions/,
safe rendering of student Markdown, the spreadsheet round trip, and `grader report` merging them."""
from __future__ import annotations

import csv
import json
import threading

import pytest

from grader.diagnoses import WORDING, describe
from grader.manual.answers import Answer, group_answers
from grader.manual.csvio import ImportRejected, export_csv, import_csv
from grader.manual.questions import RubricItem, load_questions, parse_rubric, score_from_rubric
from grader.manual.render import render_markdown
from grader.manual.store import HandGrade, load_grades, parse_score, save_grades
from grader.release import ROOT, lesson_names
from grader.report import write_report
from grader.store import save_run, write_json

RUN = {"lessons": {"L1": {"exercises": [{"name": "ex1", "points": 2.0, "kind": "auto"},
                                         {"name": "written_q", "points": 2.0, "kind": "written"}]},
                   "L2": {"exercises": [{"name": "ex1", "points": 1.0, "kind": "auto"}]}},
       "isolation": ["test"], "skipped": []}


def _result(student, auto_score, diagnosis="absent", sha="sha-" + "0"):
    ex1 = {"exercise": "ex1", "score": auto_score, "max_score": 2.0, "status": "graded",
           "message": "" if auto_score == 2.0 else "A visible test failed: wrong", "output": "",
           "hidden_failed": False, "flags": []}
    if diagnosis != "absent":
        ex1["diagnosis"] = diagnosis
    return {"student": student, "lesson": "L1", "graded_at": "2026-01-01T00:00:00Z", "notes": [], "sha256": sha,
            "exercises": [ex1, {"exercise": "written_q", "score": None, "max_score": 2.0, "status": "needs_manual",
                                "message": "written answer: to be graded by hand", "output": "",
                                "hidden_failed": False, "flags": []}]}


@pytest.fixture
def results(tmp_path):
    out = tmp_path / "results"
    save_run(out, {**RUN, "students": ["ann", "ben", "cat"]})
    for s, score in (("ann", 2.0), ("ben", 0.0), ("cat", 0.0)):
        write_json(out / "results" / s / "L1.json", _result(s, score))
    return out


def _answers():
    return [Answer(s, "L1", "written_q", t, "sha-0", 2.0) for s, t in
            (("ann", "Affine maps compose."), ("ben", "Affine   maps\ncompose. "), ("cat", "No idea"))]


@pytest.mark.parametrize("value, phrase", [("3", "at most 2"), ("-1", "must not be negative"), ("abc", "expected a number"),
                                           ("", "expected a number"), ("nan", "expected a number")])
def test_bad_scores_are_refused_with_what_was_expected(value, phrase):
    with pytest.raises(ValueError, match=phrase):
        parse_score(value, 2.0)
    assert parse_score("1,5", 2.0) == 1.5 and parse_score(2, 2.0) == 2.0


def test_concurrent_saves_lose_nothing_and_are_all_logged(results):
    def save(student, score):
        save_grades(results, [HandGrade(student, "L1", "written_q", score, 2.0, f"by {score}", (), "t", "sha-0")])
    threads = [threading.Thread(target=save, args=(s, sc)) for s, sc in
               [("ann", 1.0), ("ben", 2.0), ("cat", 0.5), ("ann", 1.5)] * 5]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    grades = load_grades(results)
    assert set(grades) == {"ann/L1/written_q", "ben/L1/written_q", "cat/L1/written_q"}
    log = [json.loads(x) for x in (results / "manual" / "log.jsonl").read_text().splitlines()]
    assert len(log) == 20
    last_ann = [e for e in log if e["student"] == "ann"][-1]          # the last write per answer wins
    assert grades["ann/L1/written_q"].score == last_ann["score"]
    assert not list((results / "manual").glob(".tmp-*"))


def test_identical_answers_after_whitespace_normalisation_form_one_group():
    groups = group_answers(_answers())[("L1", "written_q")]
    assert [g.students for g in groups] == [["ann", "ben"], ["cat"]]


def test_written_answers_in_solutions_parse_and_carry_their_rubrics():
    qs = {q.key: q for q in load_questions(ROOT)}          # a malformed rubric line raises here
    written = {f"{lesson}/{c['metadata']['nbgrader']['grade_id']}" for lesson in lesson_names()
               for c in json.loads((ROOT / "solutions" / lesson / f"{lesson}.ipynb").read_text())["cells"]
               if c["cell_type"] == "markdown" and c.get("metadata", {}).get("nbgrader", {}).get("grade")
               and c["metadata"]["nbgrader"].get("solution")}
    assert set(qs) == written and {k.split("/")[0] for k in written} == set(lesson_names())
    for key in sorted(written):                             # every written answer has its rubric
        q = qs[key]
        assert q.rubric and all(i.points < 0 for i in q.rubric), f"{key}: no rubric of deductions"
        assert -sum(i.points for i in q.rubric) <= q.points, f"{key}: deductions exceed the points"
    for q in qs.values():
        assert "```rubric" not in q.model and "BEGIN SOLUTION" not in q.model and q.statement.strip(), q.key


def test_rubric_parsing_and_scores():
    items, rest = parse_rubric("Model.\n\n```rubric\n-1: no shapes\n−0.5: no update\n+1: bonus\n```\n")
    assert items == [(-1.0, "no shapes"), (-0.5, "no update"), (1.0, "bonus")] and rest == "Model."
    with pytest.raises(ValueError, match="rubric line 1"):
        parse_rubric("```rubric\nno points here\n```\n")
    deductions = (RubricItem("s1", -1.0, "a"), RubricItem("s2", -1.5, "b"))
    assert score_from_rubric(2.0, [deductions[0]], deductions) == 1.0
    assert score_from_rubric(2.0, list(deductions), deductions) == 0.0          # clipped at 0


def test_student_markdown_cannot_run_script_but_keeps_maths_and_images():
    html = render_markdown("**ok** $a^2 + b^2$ <script>alert(1)</script><img src=x onerror=alert(1)>"
                           "[x](javascript:alert(1)) ![remote](http://example.com/t.png) ![mine](attachment:p.png)"
                           "<a href='https://ok.example' onclick='x()'>link</a>",
                           {"p.png": {"image/png": "iVBORw0KGgo="}})
    assert "<script" not in html and "onerror" not in html and "onclick" not in html and "javascript:" not in html
    assert "<strong>ok</strong>" in html and 'href="https://ok.example"' in html
    assert 'alt="a^2 + b^2"' in html and "data:image/svg+xml;base64," in html     # maths drawn on the server
    assert "example.com/t.png" not in html and "[image not shown (not embedded in the notebook): remote]" in html and 'src="data:image/png;base64,iVBORw0KGgo="' in html


def test_spreadsheet_round_trip(results, tmp_path):
    answers = _answers()
    out = tmp_path / "answers.csv"
    assert export_csv(results, answers, out) == 3
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["answer"] for r in rows] == [a.text for a in answers] and rows[0]["score"] == ""
    rows[0].update(score="1.5", comment="good, but no kink")
    rows[2].update(score="0")
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    assert import_csv(results, answers, out, "prof") == 2
    g = load_grades(results)
    assert (g["ann/L1/written_q"].score, g["ann/L1/written_q"].comment, g["ann/L1/written_q"].grader) == \
           (1.5, "good, but no kink", "prof")
    assert "ben/L1/written_q" not in g and g["cat/L1/written_q"].score == 0.0
    again = tmp_path / "again.csv"
    export_csv(results, answers, again)
    with open(again, newline="", encoding="utf-8") as f:
        assert [r["score"] for r in csv.DictReader(f)] == ["1.5", "", "0"]


def test_a_malformed_import_changes_nothing_and_names_the_lines(results, tmp_path):
    answers = _answers()
    save_grades(results, [HandGrade("ann", "L1", "written_q", 1.0, 2.0, "", (), "t", "sha-0")])
    before = (results / "manual" / "grades.json").read_text()
    bad = tmp_path / "bad.csv"
    bad.write_text("student,lesson,question,answer,max,score,comment\n"
                   "ann,L1,written_q,x,2,2,fine\n"
                   "ben,L1,written_q,\"multi\nline\",2,three,\n"
                   "cat,L1,written_q,x,2,9,\n"
                   "dan,L1,written_q,x,2,1,\n"
                   "cat,L1,written_q,x,5,1,\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_csv(results, answers, bad, "prof")
    problems = info.value.problems
    assert [p.split(":")[0] for p in problems] == ["row 3 (line 3)", "row 4 (line 5)", "row 5 (line 6)",
                                                   "row 6 (line 7)"], problems
    assert "expected a number" in problems[0] and "at most 2" in problems[1]
    assert "'dan'" in problems[2] and "max must stay 2" in problems[3]
    assert (results / "manual" / "grades.json").read_text() == before


def _write_sheet(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _read_sheet(path):
    old = csv.field_size_limit(10 ** 8)                            # the test reads long answers too
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    finally:
        csv.field_size_limit(old)


def test_an_answer_longer_than_the_csv_field_limit_survives_the_round_trip(results, tmp_path):
    """Python's csv stops at 131,072 characters a field; `--import` must read its own `--export`."""
    long = "word " * 40_000 + "x" * 20_000                          # 220,000 characters
    answers = [Answer("ann", "L1", "written_q", long, "sha-0", 2.0), *_answers()[1:]]
    sheet = tmp_path / "answers.csv"
    export_csv(results, answers, sheet)
    rows = _read_sheet(sheet)
    assert rows[0]["answer"] == long
    rows[0].update(score="2", comment="thorough")
    _write_sheet(sheet, rows)
    assert import_csv(results, answers, sheet, "prof") == 1
    assert load_grades(results)["ann/L1/written_q"].comment == "thorough"


def test_a_field_too_long_even_for_the_raised_limit_is_named_by_its_row(results, tmp_path, monkeypatch):
    import grader.manual.csvio as csvio
    monkeypatch.setattr(csvio, "FIELD_LIMIT", 1000, raising=False)
    sheet = tmp_path / "answers.csv"
    sheet.write_text("student,lesson,question,answer,max,score,comment\n"
                     "ben,L1,written_q,short,2,1,\n"
                     f"ann,L1,written_q,\"{'y' * 5000}\",2,1,\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_csv(results, _answers(), sheet, "prof")
    assert len(info.value.problems) == 1 and info.value.problems[0].startswith("row 3 (line 3): cannot be read"), \
        info.value.problems
    assert "1,000 characters" in info.value.problems[0] and not (results / "manual" / "grades.json").exists()


def test_reimporting_an_unchanged_sheet_keeps_the_rubric_items_and_who_graded(results, tmp_path):
    """Grades given on the page (rubric items applied, signed "TA") survive an import of the exported
    sheet unchanged; a row whose comment changed is re-signed by the importer and keeps its rubric items."""
    answers = _answers()
    item = {"id": "s1", "points": -1.0, "text": "no kink"}
    save_grades(results, [HandGrade(s, "L1", "written_q", 1.0, 2.0, "see the kink", (item,), "TA", "sha-0")
                          for s in ("ann", "ben")])
    before = load_grades(results)
    sheet = tmp_path / "answers.csv"
    export_csv(results, answers, sheet)
    assert import_csv(results, answers, sheet, "prof") == 0
    assert load_grades(results) == before                            # rubric items, grader, saved_at: as they were
    rows = _read_sheet(sheet)
    rows[1]["comment"] = "see the kink at 0"                          # ben's comment changes, nothing else
    _write_sheet(sheet, rows)
    assert import_csv(results, answers, sheet, "prof") == 1
    after = load_grades(results)
    assert after["ann/L1/written_q"] == before["ann/L1/written_q"]
    ben = after["ben/L1/written_q"]
    assert (ben.comment, ben.grader, ben.score, ben.rubric) == ("see the kink at 0", "prof", 1.0, (item,)), ben


def test_report_merges_hand_grades(results):
    save_grades(results, [HandGrade("ann", "L1", "written_q", 1.5, 2.0, "Say <why> & how", (
        {"id": "s1", "points": -0.5, "text": "no kink"},), "Prof X", "sha-0"),
                          HandGrade("ben", "L1", "written_q", 2.0, 2.0, "", (), "Prof X", "sha-OLD")])
    counts = write_report([results], results)
    with open(results / "grades.csv", newline="") as f:
        g = {(r["student_id"], r["exercise"]): r for r in csv.DictReader(f) if r["lesson"] == "L1"}
    ann = g[("ann", "written_q")]
    assert (ann["status"], ann["score"], ann["grader"], ann["comment"]) == ("graded", "1.5", "Prof X", "Say <why> & how")
    ben = g[("ben", "written_q")]           # graded for an earlier version of the notebook: not merged
    assert ben["status"] == "needs_manual" and "earlier version" in ben["message"]
    with open(results / "summary.csv", newline="") as f:
        summary = {r["student_id"]: r for r in csv.DictReader(f)}
    assert summary["ann"]["L1"] == "3.5" and summary["ann"]["needs_attention"] == "0"
    assert summary["ben"]["needs_attention"] == "1" and counts["needs_attention"] == 2
    page = (results / "feedback" / "ann" / "L1.html").read_text()
    assert "1.5 / 2" in page and "-0.5: no kink" in page and "Say &lt;why&gt; &amp; how" in page and "Prof X" in page


def test_report_common_mistakes_and_charts(tmp_path):
    out = tmp_path / "r"
    save_run(out, {**RUN, "students": []})
    codes = {"s1": "transpose", "s2": "transpose", "s3": "factor_N", "s4": None, "s5": "absent",
             "s6": "brand_new_code", "s7": "transpose"}
    for i, (s, code) in enumerate(codes.items()):
        write_json(out / "results" / s / "L1.json", _result(s, 0.0, code))
    write_json(out / "results" / "s8" / "L1.json", _result("s8", 2.0, "transpose"))   # full marks: no mistake
    write_report([out], out)
    html = (out / "report.html").read_text()
    section = html.split('id="common-mistakes"')[1].split("</section>")[0]
    assert (f"<strong>L1 ex1</strong>: 3 students {WORDING['transpose']}, 2 students {WORDING['unknown']}, "
            f"1 student {describe('brand_new_code', 'wrong')}, 1 student {WORDING['factor_N']}.") in section, section
    # a code without words is described by what the check told a student with it
    assert describe("brand_new_code", "wrong") == "got \u201cwrong\u201d" and "brand_new_code" in section
    assert "written_q" not in section
    # one histogram per lesson handed in (L2: nobody), pass rate without the written answer, text alternatives
    assert html.count("data:image/png;base64,") == 2 and "Histogram of the scores of L1" in html
    assert "scores of L2" not in html and "<caption>L2" not in html
    rates = html.split("Submissions with full marks per exercise")[1].split("</table>")[0]
    assert "L1 ex1" in rates and "written_q" not in rates and "<td>1</td><td>8</td><td>12 %</td>" in rates
    att = html.split("<h2>Needs attention</h2>")[1]
    assert att.count("<h3>") == 8 and "<h3>s1 (1)</h3>" in att      # grouped by student


def test_rubric_items_added_on_the_page_go_to_results_not_solutions(results):
    from grader.manual.store import add_rubric_item, load_rubric_additions
    sources = {p: p.read_bytes() for p in (ROOT / "solutions").rglob("*.ipynb")}
    item = add_rubric_item(results, "01_forward_propagation", "written_nonlinearity", -0.5, "  no   example ")
    assert item == {"id": "r1", "points": -0.5, "text": "no example"}
    q = next(q for q in load_questions(ROOT, ["01_forward_propagation"], load_rubric_additions(results)))
    assert q.rubric[-1] == RubricItem("r1", -0.5, "no example") and q.rubric[0].id == "s1"
    assert {p: p.read_bytes() for p in (ROOT / "solutions").rglob("*.ipynb")} == sources
    with pytest.raises(ValueError, match="text is empty"):
        add_rubric_item(results, "01_forward_propagation", "written_nonlinearity", -1, "   ")


def test_written_answers_reach_manual_from_the_python_api(built, tmp_path):
    """Issue 18: a run through ``grader.runner.autograde`` (the Python API, the cluster recipes) gives
    ``grader manual`` the written answers without ``--submissions`` (today: MissingAnswers)."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent))
    from grader_corpus import CORPUS_LESSON, honest_notebook, to_bytes

    from grader.manual.answers import collect_answers
    from grader.runner import autograde
    b = built[CORPUS_LESSON]
    nb = honest_notebook(b["release"], b["solution"])
    written = {c["grade_id"] for c in b["spec"]["cells"] if c["role"] == "written"}
    assert written, f"{CORPUS_LESSON} has no written answer to test with"
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    (tmp_path / "subs" / "ann" / f"{CORPUS_LESSON}.ipynb").write_bytes(to_bytes(nb))
    autograde(tmp_path / "subs", tmp_path / "out", jobs=1, timeout=20, quiet=True, report=False,
              log=lambda *a, **k: None)
    want = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade_id") in written}
    got = {a.question: a.text for a in collect_answers(tmp_path / "out")}
    assert got == want, f"written answers recorded by the run: {sorted(got)}, expected {sorted(want)}"
