"""End to end: one autograde run over honest, blank, wrong and damaged/dishonest submissions."""
from __future__ import annotations

import json
import re

import pytest
from grader_corpus import ATTACK_FAMILIES, CORPUS_LESSON, LESSONS, sha

from grader.scoring import STATUSES


def _rows(grades, student, lesson):
    return {k[2]: r for k, r in grades.items() if k[0] == student and k[1] == lesson}


def _auto(built, lesson):
    return [e["name"] for e in built[lesson]["spec"]["exercises"] if e["kind"] == "auto"]


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_solutions_get_full_marks(mixed_run, built, lesson):
    rows = _rows(mixed_run["grades"], "ada", lesson)
    for ex in built[lesson]["spec"]["exercises"]:
        r = rows[ex["name"]]
        if ex["kind"] == "written":
            assert r["status"] == "needs_manual", r
        else:
            assert (r["status"], float(r["score"])) == ("graded", ex["points"]), \
                f"{lesson}/{ex['name']}: model answer scored {r['score']}/{ex['points']} " \
                f"({r['status']}: {r['message']})"


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_blanks_score_zero_and_are_graded(mixed_run, built, lesson):
    rows = _rows(mixed_run["grades"], "bo", lesson)
    for ex in built[lesson]["spec"]["exercises"]:
        r = rows[ex["name"]]
        assert (r["status"], float(r["score"])) == ("graded", 0.0), f"{lesson}/{ex['name']}: {r}"
        if ex["kind"] == "auto":
            assert "not written yet" in r["message"], r["message"]


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_a_wrong_answer_gives_partial_marks(mixed_run, built, lesson):
    if lesson not in mixed_run["wrong"]:
        pytest.fail(f"tests/lessons/wrong_answers/{lesson}.py is missing")
    wrong = mixed_run["wrong"][lesson]
    rows = _rows(mixed_run["grades"], "cy", lesson)
    total = sum(float(r["score"] or 0) for r in rows.values())
    best = sum(e["points"] for e in built[lesson]["spec"]["exercises"] if e["kind"] == "auto")
    assert float(rows[wrong]["score"]) == 0.0 and rows[wrong]["status"] == "graded", rows[wrong]
    assert rows[wrong]["message"], "a failed exercise must say why"
    assert 0 < total < best, f"{lesson}: wrong answer total {total} of {best}"


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_a_wrong_answer_is_recorded_with_its_diagnosis(mixed_run, lesson):
    """The failed check's stable code reaches the results (for the report's common mistakes),
    taken from the exception on the trusted side, never parsed from the message."""
    exercise = mixed_run["wrong"][lesson]
    result = json.loads((mixed_run["out"] / "results" / "cy" / f"{lesson}.json").read_text())
    got = {e["exercise"]: e.get("diagnosis") for e in result["exercises"]}
    want = mixed_run["diagnosis"][lesson]
    if want is None:                 # the table names no code: any specific one will do
        assert isinstance(got[exercise], str) and got[exercise], f"{lesson}/{exercise}: no diagnosis"
    else:
        assert got[exercise] == want, f"{lesson}/{exercise}: diagnosis {got[exercise]!r}, the table names {want!r}"
    honest = json.loads((mixed_run["out"] / "results" / "ada" / f"{lesson}.json").read_text())
    assert all(e.get("diagnosis") is None for e in honest["exercises"]), "a passed check has no diagnosis"
    report = (mixed_run["out"] / "report.html").read_text(encoding="utf-8")
    mistakes = report.split('id="common-mistakes"')[1].split("</section>")[0]
    rows = [r for r in mistakes.split("<tr>") if r.startswith(f"<td>{lesson} {exercise}</td>")]
    assert any(f"<code>{got[exercise]}</code>" in r for r in rows), \
        f"report.html's common mistakes do not list {lesson} {exercise} with code {got[exercise]!r}: {rows}"


@pytest.mark.slow
def test_corpus_statuses(mixed_run, built):
    assert len(mixed_run["cases"]) >= 20
    autos = _auto(built, CORPUS_LESSON)
    problems = []
    for case in mixed_run["cases"] + mixed_run["attacks"]:
        rows = _rows(mixed_run["grades"], case.name, CORPUS_LESSON)
        for ex in autos:
            want = case.expect.get(ex, case.expect["*"])
            r = rows[ex]
            if r["status"] not in (want if isinstance(want, tuple) else (want,)):
                problems.append(f"{case.name}/{ex}: status {r['status']} != {want} ({r['message'][:200]})")
            if ex in case.full and float(r["score"]) != float(r["max_score"]):
                problems.append(f"{case.name}/{ex}: expected full marks, got {r['score']} ({r['message'][:200]})")
            if ex in case.zero and float(r["score"]) != 0:
                problems.append(f"{case.name}/{ex}: expected 0, got {r['score']}")
            if r["status"] != "graded" and not r["message"]:
                problems.append(f"{case.name}/{ex}: status {r['status']} without a message")
            assert r["status"] in STATUSES
        for ex in case.flagged:
            if "reference implementation" not in rows[ex]["message"]:
                problems.append(f"{case.name}/{ex}: not flagged for calling the reference: {rows[ex]['message']}")
        if case.note:
            result = json.loads((mixed_run["out"] / "results" / case.name / f"{CORPUS_LESSON}.json").read_text())
            if not any(case.note in n for n in result["notes"]):
                problems.append(f"{case.name}: no repair note containing {case.note!r}: {result['notes']}")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_kernel_sees_no_solutions_submissions_results_or_network(mixed_run, built):
    from grader.sandbox import bwrap_works
    assert bwrap_works(), "bubblewrap is needed for the sandbox (apt-get install bubblewrap)"
    rows = _rows(mixed_run["grades"], "sandbox_probe", CORPUS_LESSON)
    for ex in _auto(built, CORPUS_LESSON):
        assert rows[ex]["status"] == "graded" and rows[ex]["score"] == rows[ex]["max_score"], rows[ex]


@pytest.mark.slow
def test_honest_graded_exactly_as_alone(mixed_run, alone_run):
    mixed = {k: r for k, r in mixed_run["grades"].items() if k[0] == "ada" and r["status"] != "missing"}
    assert mixed and set(mixed) == set(alone_run)
    for k, r in mixed.items():
        assert (r["score"], r["status"], r["message"]) == \
               (alone_run[k]["score"], alone_run[k]["status"], alone_run[k]["message"]), k


@pytest.mark.slow
def test_submissions_are_never_modified(mixed_run):
    after = {p: sha(p) for p in mixed_run["subs"].rglob("*") if p.is_file() and not p.is_symlink()}
    assert after == mixed_run["before"]


@pytest.mark.slow
def test_attacks_cover_every_family(mixed_run):
    by_family = {}
    for case in mixed_run["attacks"]:
        by_family.setdefault(case.family, []).append(case.name)
    assert len(mixed_run["attacks"]) >= 30, len(mixed_run["attacks"])
    assert set(by_family) == set(ATTACK_FAMILIES) and all(len(v) >= 2 for v in by_family.values()), by_family


@pytest.mark.slow
def test_no_attack_scores_above_what_its_answers_earn(mixed_run, built):
    honest = _rows(mixed_run["grades"], "ada", CORPUS_LESSON)
    problems = []
    for case in mixed_run["attacks"]:
        for ex, r in _rows(mixed_run["grades"], case.name, CORPUS_LESSON).items():
            if r["score"] in ("", None) or ex not in honest:
                continue
            ceiling = 0.0 if case.family == "forge" else float(honest[ex]["score"] or 0)
            if float(r["score"]) > ceiling:
                problems.append(f"{case.name}/{ex}: {r['score']} > {ceiling} ({r['status']}: {r['message'][:120]})")
    assert not problems, "\n".join(problems)


def _texts(out):
    for p in [out / "grades.csv", out / "report.html", *(out / "results").rglob("*.json"),
              *(out / "feedback").rglob("*.html")]:
        yield p, p.read_text(encoding="utf-8")


@pytest.mark.slow
def test_no_hidden_test_or_host_file_in_any_result(mixed_run, built):
    hidden = set()
    for lesson in LESSONS:
        for c in built[lesson]["spec"]["cells"]:
            if "BEGIN HIDDEN TESTS" in c["source"]:
                block = c["source"].split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
                hidden.update(ln.strip() for ln in block.splitlines() if len(ln.strip()) > 25)
    host = [mixed_run["canary"], "root:x:0:0", "root:*:", "BW_HOST_SECRET"]
    for path, text in _texts(mixed_run["out"]):
        leaked = [ln for ln in hidden if ln in text] + [h for h in host if h in text]
        assert not leaked, f"{path.name} shows what it must not: {leaked[:2]}"


@pytest.mark.slow
def test_batch_finishes_within_its_deadlines(mixed_run):
    from grader.core import Limits
    from conftest import NOTEBOOK_TIMEOUT, TIMEOUT
    deadline = Limits(cell_timeout=TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT).deadline
    slow = {f.parent.name: json.loads(f.read_text())["seconds"] for f in (mixed_run["out"] / "results").rglob("*.json")}
    assert all(sec <= deadline for sec in slow.values()), sorted(slow.items(), key=lambda kv: -kv[1])[:3]
    run = json.loads((mixed_run["out"] / "run.json").read_text())
    skipped = {s["path"]: s["reason"] for s in run["skipped"]}
    assert "FIFO" in skipped[f"fifo_student/{CORPUS_LESSON}.ipynb"], skipped
    assert "symbolic link" in skipped[f"link_student/{CORPUS_LESSON}.ipynb"], skipped


@pytest.mark.slow
def test_stray_files_are_reported_and_skipped(mixed_run):
    run = json.loads((mixed_run["out"] / "run.json").read_text())
    skipped = {s["path"]: s["reason"] for s in run["skipped"]}
    assert "README.txt" in skipped and "ada/notes.txt" in skipped
    assert "unknown lesson" in skipped["ada/99_unknown_lesson.ipynb"]
    assert "99_unknown_lesson.ipynb" in (mixed_run["out"] / "report.html").read_text()


@pytest.mark.slow
def test_lessons_not_handed_in_are_missing_not_silent_zeros(mixed_run):
    rows = _rows(mixed_run["grades"], "empty_file", LESSONS[-1])
    if LESSONS[-1] != CORPUS_LESSON:
        assert rows and all(r["status"] == "missing" for r in rows.values())


@pytest.mark.slow
def test_feedback_hides_hidden_tests_and_paths(mixed_run, built):
    hidden = set()
    for lesson in LESSONS:
        for c in built[lesson]["spec"]["cells"]:
            src = c["source"]
            if "BEGIN HIDDEN TESTS" in src:
                block = src.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
                hidden.update(ln.strip() for ln in block.splitlines() if len(ln.strip()) > 25)
    pages = list((mixed_run["out"] / "feedback").rglob("*.html"))
    assert len(pages) >= len(mixed_run["cases"])
    for page in pages:
        text = page.read_text()
        leaked = [ln for ln in hidden if ln in text]
        assert not leaked, f"{page.name} shows hidden test source: {leaked[:2]}"
        assert not re.search(r"(/tmp/|/root/|/home/|/work/|site-packages)", text), page
    flood = (mixed_run["out"] / "results" / "output_flood_50MB" / f"{CORPUS_LESSON}.json")
    assert flood.stat().st_size < 200_000


@pytest.mark.slow
def test_report_files(mixed_run):
    out = mixed_run["out"]
    summary = (out / "summary.csv").read_text().splitlines()
    assert summary[0].startswith("student_id,") and summary[0].endswith("total,max_total,needs_attention")
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 2 and "kernel_dies" in html
    assert "bubblewrap" in html or "NO SANDBOX" in html


@pytest.mark.slow
def test_rerun_is_idempotent(mixed_run):
    from grader.release import ROOT
    from grader.runner import autograde
    results = list((mixed_run["out"] / "results").glob("*/*.json"))
    # a lesson whose source was edited since (someone working on solutions/) must be regraded
    changed = sum(json.loads(f.read_text())["spec_sha256"] !=
                  sha(ROOT / "solutions" / f.stem / f"{f.stem}.ipynb") for f in results)
    before = (mixed_run["out"] / "grades.csv").read_text()
    counts = autograde(mixed_run["subs"], mixed_run["out"], jobs=2, quiet=True, log=lambda *a, **k: None)
    assert counts["submissions"] == len(results) > 0
    assert counts["graded"] == changed and counts["already_graded"] == len(results) - changed
    if not changed:
        assert (mixed_run["out"] / "grades.csv").read_text() == before
    assert not list(mixed_run["out"].rglob(".tmp-*"))
