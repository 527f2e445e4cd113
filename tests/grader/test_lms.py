"""LMS submissions zips in (Canvas, Moodle: names as the LMSs write them) and gradebook files out."""
from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from grader.release import lesson_names  # noqa: E402
from grader.export import CANVAS_COLUMNS, MOODLE_COLUMNS, write_gradebook  # noqa: E402
from grader.lms import _name_of, lesson_of, load_roster, parse_canvas, parse_moodle, plan  # noqa: E402
from grader_corpus import read_grades  # noqa: E402
from lms_class import LESSON, QUESTION, lms_run  # noqa: E402

LESSONS = {"01_forward_propagation", "02_loss_functions"}


def test_canvas_names_are_parsed_as_canvas_writes_them():
    e = parse_canvas("doealice_LATE_1001_5001_01_forward_propagation-2.ipynb")
    assert (e.name, e.lms_id, e.late, e.filename, e.order[0]) == \
           ("doealice", "1001", True, "01_forward_propagation-2.ipynb", 5001)
    e = parse_canvas("anon_x7Yz_77_01_forward_propagation.ipynb")     # anonymous grading: no name
    assert (e.name, e.lms_id, e.late) == ("", "anon_x7Yz", False)
    assert parse_canvas("alice/01_forward_propagation.ipynb") is None
    assert parse_canvas("01_forward_propagation.ipynb") is None


def test_moodle_names_are_parsed_in_both_layouts():
    e = parse_moodle("Zoë Ñúñez_503_assignsubmission_file/sub/01_forward_propagation.ipynb")
    assert (e.name, e.lms_id, e.filename, e.late) == ("Zoë Ñúñez", "503", "01_forward_propagation.ipynb", None)
    e = parse_moodle("Bob Smith_502_assignsubmission_file_01_forward_propagation (1).ipynb")
    assert (e.name, e.lms_id, e.filename) == ("Bob Smith", "502", "01_forward_propagation (1).ipynb")
    assert parse_moodle("Bob Smith_502_assignsubmission_onlinetext_/onlinetext.html") is None


@pytest.mark.parametrize("name, lesson", [("01_forward_propagation.ipynb", "01_forward_propagation"),
                                          ("01_forward_propagation-1.ipynb", "01_forward_propagation"),
                                          ("01_forward_propagation (2).ipynb", "01_forward_propagation"),
                                          ("Copy of 02_loss_functions.ipynb", "02_loss_functions"),
                                          ("notes.ipynb", None), ("01_forward_propagation.txt", None)])
def test_lesson_is_recovered_from_the_file_name(name, lesson):
    assert lesson_of(name, LESSONS) == lesson


def test_a_name_stored_without_the_utf8_flag_is_decoded():
    info = zipfile.ZipInfo("ñúñezzoë_1003_5003_x.ipynb".encode("utf-8").decode("cp437"))
    info.flag_bits = 0
    assert _name_of(info) == "ñúñezzoë_1003_5003_x.ipynb"


def test_an_ordinary_submissions_zip_is_not_taken_for_an_lms_zip():
    infos = [zipfile.ZipInfo("alice/01_forward_propagation.ipynb"), zipfile.ZipInfo("bob_1_2_x.ipynb")]
    assert plan(infos, LESSONS) is None


def test_roster_errors_name_the_file_and_column(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("id,name\n1,A\n")
    with pytest.raises(ValueError, match="needs a student_id column"):
        load_roster(p)


def _small_results(tmp_path):
    """Two lessons known to run.json, only L1 handed in: ann graded 1.5 + a written answer not graded yet."""
    from grader.store import save_run, write_json
    out = tmp_path / "results"
    save_run(out, {"lessons": {"L1": {"exercises": [{"name": "ex1", "points": 2.0}, {"name": "wq", "points": 2.0}]},
                               "L2": {"exercises": [{"name": "ex1", "points": 1.0}]}},
                   "students": ["ann", "dan"], "skipped": [], "isolation": []})
    write_json(out / "results" / "ann" / "L1.json", {
        "student": "ann", "lesson": "L1", "graded_at": "2026-01-01T00:00:00Z", "sha256": "s", "exercises": [
            {"exercise": "ex1", "score": 1.5, "max_score": 2.0, "status": "graded", "message": "", "flags": []},
            {"exercise": "wq", "score": None, "max_score": 2.0, "status": "needs_manual", "message": "", "flags": []}]})
    write_json(out / "results" / "dan" / "L1.json", {
        "student": "dan", "lesson": "L1", "graded_at": "2026-01-01T00:00:00Z", "sha256": "t", "exercises": [
            {"exercise": "ex1", "score": 2.0, "max_score": 2.0, "status": "graded", "message": "", "flags": []},
            {"exercise": "wq", "score": 0.0, "max_score": 2.0, "status": "graded", "message": "", "flags": []}]})
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,first_name,last_name,sortable_name,canvas_user_id,idnumber,email\n"
                      "ann,Ann Lee,,,\"Lee, Ann\",11,ID-A,ann@x.example\n"
                      "dan,Dan Ó Briain,,,,12,ID-D,dan@x.example\n"
                      "eve,Eve Mac Giolla Phádraig,Eve,Mac Giolla Phádraig,,13,ID-E,eve@x.example\n", encoding="utf-8")
    return out, load_roster(roster)


def test_moodle_export_writes_no_grade_as_a_dash_and_takes_names_from_the_roster(tmp_path):
    """Moodle's import_new_grade_item stores '' (-> 0 in a numeric column); only '-' is "no grade" under
    both mappings. Names: first/last columns, else the sortable name, else left empty (never guessed)."""
    results, roster = _small_results(tmp_path)
    out = tmp_path / "moodle.csv"
    write_gradebook([results], "moodle", out, roster, log=lambda *a, **k: None)
    header, *body = _csv(out)
    rows = {r[2]: dict(zip(header, r)) for r in body}
    assert [rows[i]["L1"] for i in ("ID-A", "ID-D", "ID-E")] == ["-", "2", "-"], rows   # ungraded / graded / no results
    assert all("" not in list(r.values())[4:] for r in rows.values()), rows
    assert [(rows[i]["First name"], rows[i]["Last name"]) for i in ("ID-A", "ID-D", "ID-E")] == [
        ("Ann", "Lee"), ("", ""), ("Eve", "Mac Giolla Phádraig")], rows          # "Dan Ó Briain": not split by guessing
    assert header == MOODLE_COLUMNS + ["L1"], header


def test_canvas_export_has_a_column_only_for_the_lessons_the_results_hold(tmp_path, capsys):
    """An unknown column makes Canvas create a new assignment: L2 (nobody handed it in) is left out
    unless asked for, and the printed note says which lessons were exported and which were not."""
    from grader.__main__ import main
    results, _ = _small_results(tmp_path)
    out = tmp_path / "canvas.csv"
    assert main(["export", str(results), "--format", "canvas", "--roster", str(tmp_path / "roster.csv"),
                 "--out", str(out)]) == 0
    rows = _csv(out)
    assert rows[0] == CANVAS_COLUMNS + ["L1"] and rows[1][5:] == ["4"], rows[:2]
    assert [r[0] for r in rows[2:]] == ["Lee, Ann", "Dan Ó Briain", "Mac Giolla Phádraig, Eve"]
    printed = capsys.readouterr().out
    assert "lessons: L1" in printed and "left out" in printed and "L2" in printed and "--all-lessons" in printed
    assert main(["export", str(results), "--format", "canvas", "--roster", str(tmp_path / "roster.csv"),
                 "--out", str(out), "--all-lessons"]) == 0
    assert _csv(out)[0] == CANVAS_COLUMNS + ["L1", "L2"] and "left out" not in capsys.readouterr().out


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return lms_run(tmp_path_factory)


@pytest.mark.slow
def test_canvas_zip_is_graded_into_the_right_students(run):
    assert run["canvas_rc"] == 0, run["canvas_stderr"]
    g = read_grades(run["canvas_results"])
    assert {k[0] for k in g} == {"alice", "bob", "zoe"}, sorted({k[0] for k in g})
    assert g[("alice", LESSON, QUESTION)]["status"] == "needs_manual"
    assert g[("zoe", LESSON, QUESTION)]["status"] == "needs_manual"           # non-ASCII name, matched by name
    # the duplicate resolved to the later upload (-1, larger attachment id): bob's answers, not the blank
    assert g[("bob", LESSON, QUESTION)]["status"] == "needs_manual"
    autos = [r for (s, lsn, ex), r in g.items() if s == "bob" and lsn == LESSON and ex != QUESTION]
    assert autos and all(r["score"] == r["max_score"] for r in autos), autos
    err = run["canvas_stderr"]
    assert "strangerx_1999_5004_01_forward_propagation.ipynb" in err and "not in the roster" in err
    assert "doealice_LATE_1001_5006_notes.txt" in err
    assert "smithbob_1002_5002_01_forward_propagation.ipynb: superseded by a later submission" in err
    report = (run["canvas_results"] / "report.html").read_text()
    late = report.split("<h2>Late submissions</h2>")[1].split("</ul>")[0]
    assert "alice" in late and "bob" not in late and "zoe" not in late


@pytest.mark.slow
def test_moodle_zip_is_graded_into_the_right_students(run):
    assert run["moodle_rc"] == 0, run["moodle_stderr"]
    g = read_grades(run["moodle_results"])
    assert {k[0] for k in g} == {"alice", "bob"}
    bob = [r for (s, lsn, ex), r in g.items() if s == "bob" and lsn == LESSON and ex != QUESTION]
    assert all(r["score"] == r["max_score"] for r in bob), bob          # the later "(1)" upload, not the blank
    err = run["moodle_stderr"]
    assert "Who Knows_599_assignsubmission_file/01_forward_propagation.ipynb" in err and "not in the roster" in err
    assert "superseded by a later submission" in err
    assert "Late submissions" not in (run["moodle_results"] / "report.html").read_text()   # Moodle names carry none


def _csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.mark.slow
def test_canvas_export_matches_the_gradebook_import_format(run, tmp_path):
    roster = load_roster(run["roster"])
    err = io.StringIO()
    out = tmp_path / "canvas.csv"
    done = write_gradebook([run["canvas_results"]], "canvas", out, roster, log=lambda m, file=None: err.write(m + "\n"))
    rows = _csv(out)
    assert done["students"] == 3 and rows[0] == CANVAS_COLUMNS + [LESSON]       # only the lesson handed in
    assert rows[1][:5] == ["    Points Possible", "", "", "", ""] and all(float(x) > 0 for x in rows[1][5:])
    by_id = {r[1]: r for r in rows[2:]}
    assert by_id["1001"][:5] == ["Doe, Alice", "1001", "S-1", "alice@uni.example", "Section A"]
    assert rows[4][0] == "Ñúñez, Zoë"
    # the written answers are not graded yet: the lesson total is left empty, never 0, and listed
    assert all(x == "" for r in rows[2:] for x in r[5:]), rows
    assert err.getvalue().count(f"{LESSON}: needs_manual ({QUESTION})") == 3, err.getvalue()
    assert done["left_out"] == sorted(set(lesson_names()) - {LESSON}) and "02_loss_functions" not in err.getvalue()


@pytest.mark.slow
def test_moodle_and_csv_exports_per_exercise(run, tmp_path):
    roster = load_roster(run["roster"])
    out = tmp_path / "moodle.csv"
    write_gradebook([run["moodle_results"]], "moodle", out, roster, per_exercise=True, log=lambda *a, **k: None)
    rows = _csv(out)
    assert rows[0][:4] == MOODLE_COLUMNS and {c.split()[0] for c in rows[0][4:]} == {LESSON}
    alice = next(r for r in rows if r[2] == "ID-1")
    assert alice[:4] == ["Alice", "Doe", "ID-1", "alice@uni.example"]
    cols = dict(zip(rows[0], alice))
    assert cols[f"{LESSON} {QUESTION}"] == "-" and float(cols[f"{LESSON} dense_forward"]) > 0, cols
    zoe = next(r for r in rows if r[2] == "ID-3")                       # no Moodle submission: no grade anywhere
    assert zoe[4:] == ["-"] * (len(rows[0]) - 4)
    out = tmp_path / "plain.csv"
    write_gradebook([run["moodle_results"]], "csv", out, None, log=lambda *a, **k: None)
    assert _csv(out)[0] == ["student_id", LESSON] and [r[0] for r in _csv(out)[1:]] == ["alice", "bob"]


@pytest.mark.slow
def test_manual_spreadsheet_from_the_command_line(run, tmp_path, capsys):
    import shutil

    from grader.__main__ import main
    results = tmp_path / "results"
    shutil.copytree(run["canvas_results"], results)
    sheet = tmp_path / "answers.csv"
    assert main(["manual", str(results), "--export", str(sheet)]) == 0       # autograde recorded the answers' text
    shutil.rmtree(results / "answers")                                    # results graded before it did
    assert main(["manual", str(results), "--export", str(sheet)]) == 2       # without it, the submissions are needed
    assert "pass --submissions" in capsys.readouterr().err
    assert main(["manual", str(results), "--submissions", str(run["canvas"]), "--roster", str(run["roster"]),
                 "--export", str(sheet)]) == 0
    rows = _csv(sheet)
    assert rows[0] == ["student", "lesson", "question", "answer", "max", "score", "comment"]
    assert sorted(r[0] for r in rows[1:]) == ["alice", "bob", "zoe"] and all(r[5] == "" for r in rows[1:])
    assert "**collapse**" in next(r[3] for r in rows if r[0] == "bob")
    for r in rows[1:]:
        r[5], r[6] = ("2", "well argued") if r[0] == "alice" else ("", "")
    rows[2][5] = "2.5"                                                   # row 3: above the maximum
    with open(sheet, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    assert main(["manual", str(results), "--import", str(sheet)]) == 1     # answers cached: no --submissions now
    err = capsys.readouterr().err
    assert "nothing imported" in err and re.search(r"row 3 \(line \d+\): score: at most 2", err), err
    assert not (results / "manual" / "grades.json").exists()
    rows[2][5] = ""
    with open(sheet, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    assert main(["manual", str(results), "--import", str(sheet), "--grader", "TA"]) == 0
    assert main(["report", str(results)]) == 0
    g = read_grades(results)
    assert (g[("alice", LESSON, QUESTION)]["status"], g[("alice", LESSON, QUESTION)]["grader"]) == ("graded", "TA")
    assert g[("bob", LESSON, QUESTION)]["status"] == "needs_manual"


def test_late_hub_submission_shows_as_late(tmp_path):
    """Issue 18: ``grader hub collect`` records lateness in ``.hub/<student>/<lesson>.json`` only; the graded
    result must carry it, so the report's late list names it (today: nothing wrote ``late``)."""
    from dataclasses import asdict

    from grader.hub.collect import Submitted
    from grader.lms import late_submissions
    from grader.store import load, save_result, write_json
    from grader.submissions import discover
    subs = tmp_path / "subs"
    for student, late in (("ada", True), ("bo", False)):
        (subs / student).mkdir(parents=True)
        (subs / student / f"{LESSON}.ipynb").write_text("{}")
        counted = Submitted(f"{student}+{LESSON}+2026-12-02 10:00:00.000000 UTC", student, LESSON,
                            "2026-12-02T10:00:00", "2026-12-02T10:00:00", False, late=late)
        write_json(subs / ".hub" / student / f"{LESSON}.json",
                   {"student": student, "lesson": LESSON, "due": "2026-12-01T23:59:00",
                    "counted": asdict(counted), "others": []})
    found, skipped, _ = discover(subs, sorted(LESSONS))
    assert {s.student: s.late for s in found} == {"ada": True, "bo": False} and skipped == []
    out = tmp_path / "results"
    for s in found:
        save_result(out, s, {"lesson": LESSON, "exercises": [], "graded_at": "2026-12-03T00:00:00Z"})
    _, results = load([out])
    assert [(r["student"], r["lesson"]) for r in late_submissions(results)] == [("ada", LESSON)]
