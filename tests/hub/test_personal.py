"""Per-student variants through the Hub: ``grader hub release --roster``, each student's Fetch, grading.

Lesson 3 is released with the roster and a course secret; A and B fetch it in their own servers
(the students' ``PersonalFetch``) and get different numbers, each the variant the secret gives
them; neither can reach the other's copy in the exchange. A hands in the model answers in their
own notebook; B hands in the model answers in theirs, then A's notebook. Collected with the due
date between B's two submissions (A's and B's own count) and again for B alone without it (the
copy counts), then ``grader autograde --roster``: each own notebook full marks against its own
variant, the copy flagged ``copied_variant`` naming A. Uses the package's Hub (no second one).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
import time

import nbformat
import pytest

from grader.variants import fingerprint, notebook_fingerprint, variant_cell, variant_values

from .conftest import ROOT, TIMINGS, _action, _put_notebook, grader
from .test_classroom import _points
from .test_permissions import _probe

L3 = "03_backpropagation"


def _fetched(hub, user):
    body = hub.user(user, "GET", f"/api/contents/{L3}/{L3}.ipynb").json()
    return nbformat.from_dict(body["content"])


def _values(nb) -> dict:
    return variant_values(nb.cells[variant_cell(nb)].source, "fetched notebook")


def _results(subs, roster, secret):
    out = subs.parent / f"{subs.name}-results"
    grader("autograde", subs, "--out", out, "--jobs", "2", "--quiet", "--timeout", "20",
           "--roster", roster, "--secret-file", secret)
    return {p.parent.name: json.loads(p.read_text()) for p in (out / "results").glob(f"*/{L3}.json")}


@pytest.fixture(scope="module")
def personal(classroom, tmp_path_factory):
    import sys
    sys.path.insert(0, str(ROOT / "tests" / "grader"))
    from grader_corpus import honest_notebook
    hub, names, room, base = classroom["hub"], classroom["names"], classroom["room"], classroom["base"]
    a, b = names["a"], names["b"]
    room_args = ["--exchange", room.exchange, "--course", room.course, "--group", room.group]
    roster, secret = base / "roster.csv", base / "variant-secret"
    t0 = time.monotonic()
    released = grader("hub", "release", L3, "--roster", roster, "--secret-file", secret, *room_args)
    TIMINGS["release lesson 3 with the roster"] = time.monotonic() - t0
    t1 = time.monotonic()
    fetched = {}
    for u in (a, b):
        _action(hub, u, "fetch", L3)
        fetched[u] = _fetched(hub, u)
    solution = nbformat.read(ROOT / "solutions" / L3 / f"{L3}.ipynb", as_version=4)
    honest = {u: honest_notebook(nb, solution) for u, nb in fetched.items()}
    _put_notebook(hub, a, L3, honest[a])
    _action(hub, a, "submit", L3)
    _put_notebook(hub, b, L3, honest[b])
    _action(hub, b, "submit", L3)
    between = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    time.sleep(0.05)
    _put_notebook(hub, b, L3, honest[a])                      # B hands in A's notebook
    _action(hub, b, "submit", L3)
    TIMINGS["lesson 3: fetch + 3 submissions"] = time.monotonic() - t1
    tmp = tmp_path_factory.mktemp("hub-personal")
    only_b = tmp / "roster-b.csv"
    only_b.write_text(f"student_id\n{b}\n")
    t1 = time.monotonic()
    grader("hub", "collect", L3, "--out", tmp / "own", "--due", between.isoformat(), *room_args)
    grader("hub", "collect", L3, "--out", tmp / "copy", "--roster", only_b, *room_args)
    own = _results(tmp / "own", roster, secret)
    copy = _results(tmp / "copy", roster, secret)
    TIMINGS["lesson 3: collect x2 + autograde --roster (3 submissions)"] = time.monotonic() - t1
    return {"fetched": fetched, "secret": secret, "own": own, "copy": copy, "released": released,
            "solution": solution}


def test_each_student_fetched_their_own_numbers(classroom, personal):
    from grader.secret import load_secret
    a, b = classroom["names"]["a"], classroom["names"]["b"]
    key = load_secret(personal["secret"])
    nbs = personal["fetched"]
    for u in (a, b):
        fp = fingerprint(key, u, L3)
        assert notebook_fingerprint(nbs[u]) == (fp, fp), f"{u} fetched {notebook_fingerprint(nbs[u])}, not their own"
        assert "YOUR CODE HERE" in "".join(c.source for c in nbs[u].cells), f"{u}: not the student version"
    common = nbformat.read(ROOT / "lessons" / L3 / f"{L3}.ipynb", as_version=4)
    va, vb, vc = _values(nbs[a]), _values(nbs[b]), _values(common)
    assert va != vb and va != vc and vb != vc, f"the variants' numbers: A {va}, B {vb}, common {vc}"
    assert "personal" in personal["released"].stdout, personal["released"].stdout


def test_the_copies_in_the_exchange_and_what_each_student_can_do(classroom, personal):
    room, names = classroom["room"], classroom["names"]
    gids = {k: os.stat(classroom["homes"][k]).st_gid for k in ("a", "b")}
    got = {str(p.relative_to(room.course_path)): (stat.S_IMODE(p.lstat().st_mode), p.lstat().st_uid, p.lstat().st_gid)
           for p in [room.personal, *sorted(room.personal.rglob("*"))]}
    want = {"personal": (0o711, 0, room.gid())}
    for k in ("a", "b"):
        want[f"personal/{names[k]}"] = want[f"personal/{names[k]}/{L3}"] = (0o550, 0, gids[k])
        want[f"personal/{names[k]}/{L3}/{L3}.ipynb"] = (0o440, 0, gids[k])
    assert got == want, {p: (oct(got.get(p, (0,))[0]), oct(want.get(p, (0,))[0])) for p in set(got) | set(want)
                         if got.get(p) != want.get(p)}
    probe = classroom["base"] / "probe-personal.py"
    shutil.copy(ROOT / "tests" / "hub" / "probe.py", probe)
    probe.chmod(0o644)
    for me, other in (("a", "b"), ("b", "a")):
        mine, theirs = room.personal / names[me] / L3, room.personal / names[other] / L3
        checks = [("list", room.personal, "denied"), ("list", theirs.parent, "denied"), ("list", theirs, "denied"),
                  ("read", theirs / f"{L3}.ipynb", "denied"), ("overwrite", mine / f"{L3}.ipynb", "denied"),
                  ("create_in", mine, "denied"), ("create_in", mine.parent, "denied"),
                  ("create_in", room.personal, "denied"), ("rename", mine, "denied"),
                  ("chmod_open", mine, "denied"),
                  ("list", mine, "allowed"), ("read", mine / f"{L3}.ipynb", "allowed")]
        _probe(names[me], probe, checks)


def test_each_is_graded_against_their_own_and_the_copy_is_flagged(classroom, personal):
    a, b = classroom["names"]["a"], classroom["names"]["b"]
    points = _points(personal["fetched"][a])
    own, copy = personal["own"], personal["copy"]
    assert sorted(own) == sorted([a, b]) and sorted(copy) == [b], (sorted(own), sorted(copy))
    for u, r, check, of in ((a, own[a], "own", a), (b, own[b], "own", b), (b, copy[b], "copied_variant", a)):
        assert (r["variant"]["check"], r["variant"]["of"]) == (check, of), f"{u}: {r['variant']}"
        got = {ex["exercise"]: (ex["score"], ex["status"]) for ex in r["exercises"]}
        wrong = {ex: got.get(ex) for ex, pts in points.items() if got.get(ex) != (pts, "graded")}
        assert points and not wrong, f"{u} ({check}): (score, status) {wrong} instead of {points}"
