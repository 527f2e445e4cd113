"""The classroom loop end to end on a real JupyterHub, driven as each user through the REST APIs.

Release two lessons (CLI and formgrader), student A fetches both and submits the model answers,
student B submits lesson 1 blank and then with a wrong answer, A forges a submission as B,
collect, autograde (sandboxed), return, both fetch their feedback.
"""
from __future__ import annotations

import csv
import json

import nbformat

from .conftest import LESSONS, grader


def _grades(results):
    with open(results / "grades.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _points(nb) -> dict[str, float]:
    """Autograded exercise -> points, from the lesson's nbgrader metadata (test cells)."""
    out = {}
    for c in nb.cells:
        meta = c.metadata.get("nbgrader", {})
        if meta.get("grade") and c.cell_type == "code" and meta.get("grade_id", "").startswith("test_"):
            out[meta["grade_id"][len("test_"):]] = float(meta["points"])
    return out


def _fetched_feedback(hub, user, lesson) -> dict[str, str]:
    """timestamp -> the feedback page the student's fetch_feedback put in their home."""
    listing = hub.user(user, "GET", f"/api/contents/{lesson}/feedback", expect=200).json()
    out = {}
    for d in listing["content"]:
        page = hub.user(user, "GET", f"/api/contents/{lesson}/feedback/{d['name']}/{lesson}.html",
                        params={"type": "file", "format": "text"}).json()
        out[d["name"]] = page["content"]
    return out


def test_students_see_both_released_lessons(classroom, flow):
    """Before the loop, in each student's Assignments list (B may have fetched lesson 2 in the
    browser test already)."""
    a, b = classroom["names"]["a"], classroom["names"]["b"]
    got = {u: sorted((x["assignment_id"], x["status"]) for x in listed) for u, listed in flow["seen"].items()}
    assert got[a] == [(lesson, "released") for lesson in LESSONS], f"A sees {got[a]}"
    assert got[b] in ([(l, "released") for l in LESSONS], [(LESSONS[0], "released"), (LESSONS[1], "fetched")]), \
        f"B sees {got[b]}"


def test_the_hub_runs_in_the_background_on_the_ports_make_was_given(classroom):
    """`make classroom-start HUB_PORT=... HUB_API_PORT=... PROXY_API_PORT=...`: all three ports move (two
    classrooms on one machine do not collide on 8081/8001), and the Hub runs detached with its pid file."""
    import socket
    ports, state = classroom["ports"], classroom["state"]
    assert "runs in the background" in classroom["started"].stdout, classroom["started"].stdout
    for name in ("port", "hub_port", "proxy_api_port"):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", ports[name])) == 0, f"nothing listens on {name} {ports[name]}"
    for default in (8081, 8001):
        assert default not in ports.values()
    assert int((state / "hub" / "jupyterhub.pid").read_text()) == classroom["hub"].proc.pid


def test_setup_again_changes_nothing(classroom, flow):
    """`make classroom` re-run: the same users, no new password, the exchange as it was."""
    import os
    import stat
    room = classroom["room"]
    before = {p: (os.stat(p).st_mode, os.stat(p).st_uid, os.stat(p).st_gid)
              for p in (room.exchange, room.course_path, room.outbound, room.inbound, room.feedback)}
    out = grader(*classroom["setup_args"])
    assert "new passwords" not in out.stdout, out.stdout
    after = {p: (os.stat(p).st_mode, os.stat(p).st_uid, os.stat(p).st_gid) for p in before}
    assert after == before, {str(p): (oct(stat.S_IMODE(before[p][0])), oct(stat.S_IMODE(after[p][0])))
                             for p in before if before[p] != after[p]}


def test_collect_counts_the_latest_and_rejects_the_forged_submission(classroom, flow):
    a, b = classroom["names"]["a"], classroom["names"]["b"]
    subs, lesson = flow["subs"], LESSONS[0]
    assert flow["forged"].returncode == 0, f"nbgrader submit --student did not even run: {flow['forged'].stderr}"
    assert sorted(p.name for p in subs.iterdir() if not p.name.startswith(".")) == sorted([a, b])
    assert sorted(p.name for p in (subs / a).iterdir()) == sorted(f"{l}.ipynb" for l in LESSONS)
    assert [p.name for p in (subs / b).iterdir()] == [f"{lesson}.ipynb"]
    counted = nbformat.read(subs / b / f"{lesson}.ipynb", as_version=4)
    wrong = flow["nbs"][lesson]["wrong"]
    name = flow["nbs"][lesson]["wrong_exercise"]
    src = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in counted.cells}
    assert src[name] == next(c.source for c in wrong.cells if c.metadata.get("nbgrader", {}).get("grade_id") == name), \
        "B's counted submission is not the later (wrong-answer) one"
    manifest = json.loads((subs / ".hub" / b / f"{lesson}.json").read_text())
    assert manifest["counted"]["student"] == b and not manifest["counted"]["late"]
    assert len(manifest["others"]) == 1 and manifest["others"][0]["submitted_at"] < manifest["counted"]["submitted_at"]
    rejected = json.loads((subs / ".hub" / "rejected.json").read_text())
    assert len(rejected) == 1, f"expected exactly the forged submission to be rejected, got {rejected}"
    assert rejected[0]["folder"].startswith(f"{b}+{lesson}+") and rejected[0]["owner"] == a, rejected
    assert "rejected" in flow["collected"].stderr and a in flow["collected"].stderr


def test_a_late_submission_is_kept_and_flagged(classroom, flow, tmp_path):
    """With the due date between B's two submissions the blank counts; the later one is kept, late."""
    b, lesson = classroom["names"]["b"], LESSONS[0]
    out = tmp_path / "subs"
    grader("hub", "collect", lesson, "--out", out, "--due", flow["between"].isoformat(), *flow["room_args"])
    manifest = json.loads((out / ".hub" / b / f"{lesson}.json").read_text())
    assert not manifest["counted"]["late"] and [o["late"] for o in manifest["others"]] == [True], manifest
    kept = sorted((out / ".hub" / b / lesson).iterdir())
    assert len(kept) == 2, f"both of B's submissions must be kept, found {[p.name for p in kept]}"
    blank = nbformat.read(out / b / f"{lesson}.ipynb", as_version=4)
    name = flow["nbs"][lesson]["wrong_exercise"]
    src = next(c.source for c in blank.cells if c.metadata.get("nbgrader", {}).get("grade_id") == name)
    assert "raise NotImplementedError" in src, f"the blank should count before the due date, got {src!r}"


def test_scores(classroom, flow):
    a, b = classroom["names"]["a"], classroom["names"]["b"]
    rows = _grades(flow["results"])
    for lesson in LESSONS:
        points = _points(flow["nbs"][lesson]["honest"])
        got = {r["exercise"]: r for r in rows if r["student_id"] == a and r["lesson"] == lesson}
        for ex, pts in points.items():
            assert got[ex]["status"] == "graded" and float(got[ex]["score"]) == pts, \
                f"A {lesson} {ex}: {got[ex]['score']} ({got[ex]['status']}) instead of {pts}"
    lesson, wrong = LESSONS[0], flow["nbs"][LESSONS[0]]["wrong_exercise"]
    got = {r["exercise"]: r for r in rows if r["student_id"] == b and r["lesson"] == lesson}
    for ex, pts in _points(flow["nbs"][lesson]["honest"]).items():
        want = 0.0 if ex == wrong else pts
        assert float(got[ex]["score"]) == want, f"B {lesson} {ex}: {got[ex]['score']} instead of {want}"
    missing = [r for r in rows if r["student_id"] == b and r["lesson"] == LESSONS[1]]
    assert missing and all(r["status"] == "missing" for r in missing), missing


def test_each_student_fetched_exactly_their_own_feedback(classroom, flow):
    hub, a, b = classroom["hub"], classroom["names"]["a"], classroom["names"]["b"]
    results = flow["results"]
    assert "3 feedback pages returned to 2 students" in flow["returned"].stdout, flow["returned"].stdout
    pages = {}
    for user, lessons in ((a, LESSONS), (b, LESSONS[:1])):
        for lesson in lessons:
            fetched = _fetched_feedback(hub, user, lesson)
            want = (results / "feedback" / user / f"{lesson}.html").read_text(encoding="utf-8")
            assert list(fetched.values()) == [want], \
                f"{user} {lesson}: fetched {len(fetched)} pages, equal to their own: {[v == want for v in fetched.values()]}"
            pages[user, lesson] = want
    assert pages[a, LESSONS[0]] != pages[b, LESSONS[0]]
    listing = hub.user(b, "GET", f"/api/contents/{LESSONS[0]}").json()
    assert "feedback" in {x["name"] for x in listing["content"]}
