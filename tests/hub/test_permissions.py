"""The permissions in force after the whole loop, tried as each Unix user (``runuser -u``).

Every "denied" check is paired with "allowed" controls run by the same user in the same
process (their own submission, the released lesson, their own feedback), so a probe that
cannot read anything would fail too.
"""
from __future__ import annotations

import glob
import json
import shutil
import subprocess

import pytest

from grader.hub.collect import scan
from grader.hub.handback import match_results

from .conftest import LESSONS, ROOT, VENV

L1 = LESSONS[0]


@pytest.fixture(scope="module")
def places(classroom, flow):
    """Paths of the exchange and of everyone's files, as root sees them."""
    from nbgrader.utils import notebook_hash
    room, names = classroom["room"], classroom["names"]
    subs, _ = scan(room, [L1])
    newest = {}
    for s in sorted(subs, key=lambda s: s.submitted_at_dt):
        if s.folder.startswith(f"{s.student}+"):
            newest[s.student] = room.inbound / s.folder
    handbacks, _ = match_results(room, flow["results"])
    feedback = {h.student: room.feedback / f"{notebook_hash(secret=h.secret, notebook_id=h.lesson)}.html"
                for h in handbacks if h.lesson == L1}
    course = classroom["homes"]["instructor"] / room.course
    probe = classroom["base"] / "probe.py"
    shutil.copy(ROOT / "tests" / "hub" / "probe.py", probe)
    probe.chmod(0o644)
    caches = {k: glob.glob(str(classroom["homes"][k] / ".local/share/jupyter/nbgrader_cache/*/*/submission_secret.txt"))
              for k in ("a", "b")}
    return {"sub": {k: newest[names[k]] for k in ("a", "b")},
            "feedback": {k: feedback[names[k]] for k in ("a", "b")}, "cache": caches,
            "course": course, "probe": probe}


def _probe(user, probe, checks):
    proc = subprocess.run(["runuser", "-u", user, "--", str(VENV / "bin" / "python"), str(probe)],
                          input=json.dumps([[op, str(p)] for op, p, _ in checks]),
                          capture_output=True, text=True, cwd="/")
    assert proc.returncode == 0, f"the probe failed as {user}: {proc.stderr}"
    got = json.loads(proc.stdout)
    wrong = [f"{op} {p}: {g} (expected {want})" for (op, p, want), g in zip(checks, got) if g != want]
    assert not wrong, f"as the Unix user {user}:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("me,other", [("a", "b"), ("b", "a")])
def test_a_student_reaches_only_their_own_work(classroom, flow, places, me, other):
    room, state = classroom["room"], classroom["state"]
    theirs, mine = places["sub"][other], places["sub"][me]
    assert places["cache"][other], "the other student's nbgrader cache (their submission secrets) was not found"
    checks = [
        # their submission: not readable, listable, writable, removable, renamable, openable
        ("read", theirs / f"{L1}.ipynb", "denied"), ("read", theirs / "submission_secret.txt", "denied"),
        ("list", theirs, "denied"), ("create_in", theirs, "denied"), ("unlink", theirs / "timestamp.txt", "denied"),
        ("rename", theirs, "denied"), ("chmod_open", theirs, "denied"),
        ("list", room.inbound, "denied"),
        # their feedback, even by its exact name; the feedback folder cannot be listed or written
        ("read", places["feedback"][other], "denied"), ("list", room.feedback, "denied"),
        ("create_in", room.feedback, "denied"),
        # the released lesson cannot be replaced; the course folder cannot be moved away
        ("overwrite", room.outbound / L1 / f"{L1}.ipynb", "denied"), ("create_in", room.outbound / L1, "denied"),
        ("unlink", room.outbound / L1 / f"{L1}.ipynb", "denied"), ("rename", room.outbound / L1, "denied"),
        ("create_in", room.outbound, "denied"), ("rename", room.course_path, "denied"),
        # their home (fetched lessons, the cache with their submission secrets)
        ("list", classroom["homes"][other], "denied"), ("read", places["cache"][other][0], "denied"),
        # solutions, gradebook, collected work, results, the Hub's passwords
        ("read", places["course"] / "solutions" / L1 / f"{L1}.ipynb", "denied"),
        ("read", places["course"] / "gradebook.db", "denied"),
        ("read", ROOT / "solutions" / L1 / f"{L1}.ipynb", "denied"),
        ("read", flow["subs"] / classroom["names"][other] / f"{L1}.ipynb", "denied"),
        ("read", flow["results"] / "grades.csv", "denied"),
        ("read", state / "hub" / "passwords.json", "denied"),
        # controls: their own things work
        ("read", mine / f"{L1}.ipynb", "allowed"), ("read", places["feedback"][me], "allowed"),
        ("read", room.outbound / L1 / f"{L1}.ipynb", "allowed"), ("create_in", room.inbound, "allowed"),
        ("read", places["cache"][me][0], "allowed"),
    ]
    _probe(classroom["names"][me], places["probe"], checks)


def test_the_instructor_reads_submissions_and_feedback(classroom, places):
    """The instructors' group reads the notebooks handed in (setgid inbound); nbgrader writes
    timestamp.txt and submission_secret.txt after copystat dropped the folder's setgid bit, so
    those two stay the student's (root reads them: `grader hub collect` / `return` run as root)."""
    room = classroom["room"]
    checks = [("list", room.inbound, "allowed"), ("read", places["sub"]["a"] / f"{L1}.ipynb", "allowed"),
              ("read", places["sub"]["b"] / f"{L1}.ipynb", "allowed"),
              ("list", room.feedback, "allowed"), ("read", places["feedback"]["b"], "allowed"),
              ("read", places["course"] / "solutions" / L1 / f"{L1}.ipynb", "allowed"),
              ("overwrite", places["sub"]["a"] / f"{L1}.ipynb", "denied"),
              ("list", classroom["homes"]["a"], "denied")]
    _probe(classroom["names"]["instructor"], places["probe"], checks)


def test_the_exchange_modes(classroom):
    """The layout of grader/hub/layout.py, as found after releases, submissions and returns."""
    import os
    import stat
    room = classroom["room"]
    want = {room.exchange: 0o1777, room.course_path: 0o2775, room.outbound: 0o2775,
            room.inbound: 0o3773, room.feedback: 0o2771, room.personal: 0o711}
    got = {p: stat.S_IMODE(os.stat(p).st_mode) for p in want}
    assert got == want, {str(p): f"{got[p]:04o} (want {want[p]:04o})" for p in want if got[p] != want[p]}
    for sub in room.inbound.iterdir():
        mode = stat.S_IMODE(sub.stat().st_mode)
        assert mode & 0o007 == 0, f"{sub.name} is open to other users: {mode:04o}"
