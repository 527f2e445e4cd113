"""Shared fixtures for the autograder tests.

Everything is built at test time from ``solutions/`` (released with nbgrader into a
scratch folder): honest submissions (the model answers typed into the released
notebook), blanks (the released notebook as is), one wrong answer per lesson (from
``tests/lessons/wrong_answers/<id>.py``) and the damaged/dishonest corpus
(``grader_corpus.py``). ``mixed_run`` grades all of them in ONE ``autograde`` run.
"""
from __future__ import annotations

import runpy
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))   # grader_corpus.py, whatever pytest's import mode

from grader.release import ROOT, generate  # noqa: E402
from grader.spec import build_specs  # noqa: E402
from grader_corpus import (CORPUS_LESSON, LESSONS, build_attacks, build_corpus,  # noqa: E402
                           honest_notebook, read_grades, sha, to_bytes)

WRONG_DIR = ROOT / "tests" / "lessons" / "wrong_answers"
TIMEOUT = 10          # per cell, seconds: the loops in the corpus cost this much
MEMORY_MB = 512
NOTEBOOK_TIMEOUT = 180


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """-> dict(lesson -> {"release": nb, "solution": nb, "spec": spec})."""
    if not LESSONS:
        pytest.fail("no lesson in solutions/: the grader tests need at least one")
    tmp = tmp_path_factory.mktemp("released")
    released = generate(tmp, ROOT, LESSONS)
    specs = build_specs(ROOT, LESSONS, released=released)
    out = {}
    for lesson in LESSONS:
        out[lesson] = {
            "release": nbformat.read(released / lesson / f"{lesson}.ipynb", as_version=4),
            "solution": nbformat.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb", as_version=4),
            "spec": specs[lesson]}
    return out


def wrong_notebook(lesson, built):
    """The honest notebook with the first wrong implementation of the first listed exercise;
    -> ``(notebook, exercise, the diagnosis code the table names for it or None)``."""
    table = runpy.run_path(str(WRONG_DIR / f"{lesson}.py"))["WRONG"]
    name, entries = next(iter(table.items()))
    nb = honest_notebook(built[lesson]["release"], built[lesson]["solution"])
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == name)
    cell.source = entries[0][1]
    return nb, name, (entries[0][2] if len(entries[0]) > 2 else None)


PROBE = """import os, socket
_leaks = [p for p in {hidden!r} if os.path.exists(p) and (os.path.isfile(p) or os.listdir(p))]
_leaks += [p for p in {absent!r} if os.path.exists(p)]
_mine = os.path.dirname(os.getcwd())
# what the sandbox binds back on purpose (the Python installation, helpers) may live under /tmp
_kept = tuple(p.rstrip("/") + "/" for p in {kept!r})
_skip = (_mine + "/",) + _kept
_others = []
for _d, _ds, _fs in os.walk("/tmp"):    # not into the kept folders (a venv under /tmp: 1e4 files)
    _ds[:] = [x for x in _ds if not (os.path.join(_d, x) + "/").startswith(_skip)]
    _others += [os.path.join(_d, f) for f in _fs if not os.path.join(_d, f).startswith(_skip)]
if _others:
    _leaks.append(f"files in /tmp: {{_others[:3]}}")
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2).close()
    _leaks.append("network")
except OSError:
    pass
if _leaks:
    raise RuntimeError(f"sandbox leak: {{_leaks}}")
"""


def sandbox_probe(b, subs, out):
    """An honest notebook whose first answer cell fails when it can see what it must not."""
    nb = honest_notebook(b["release"], b["solution"])
    first = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code")
    from grader.sandbox import default_keep
    first.source = PROBE.format(hidden=[str(subs), str(out)], kept=default_keep(),
                                absent=[str(ROOT / "solutions"), str(ROOT / ".git"), str(ROOT / "lessons")]) \
        + first.source
    return nb


def _canary(tmp_path_factory):
    """A readable "copy of solutions/" elsewhere on the host, with a unique string in it."""
    import os
    import secrets
    folder = Path(tempfile.mkdtemp(prefix="bw-solutions-copy-", dir="/tmp"))
    os.chmod(folder, 0o755)
    token = f"CANARY-{secrets.token_hex(8)}"
    (folder / "secret.ipynb").write_text(f'{{"hidden": "{token}"}}')
    os.chmod(folder / "secret.ipynb", 0o644)
    return folder / "secret.ipynb", token


def _special_files(subs):
    """A FIFO named like a notebook, and a notebook that is a symlink to a host file."""
    import os
    (subs / "fifo_student").mkdir()
    os.mkfifo(subs / "fifo_student" / f"{CORPUS_LESSON}.ipynb")
    (subs / "link_student").mkdir()
    (subs / "link_student" / f"{CORPUS_LESSON}.ipynb").symlink_to("/etc/passwd")


@pytest.fixture(scope="session")
def mixed_run(built, tmp_path_factory):
    """ONE autograde run over honest, blank, wrong, corpus and attack submissions (plus stray files)."""
    import os
    import shutil
    import time
    from grader.runner import autograde
    subs = tmp_path_factory.mktemp("submissions")
    wrong, diagnosis = {}, {}
    for lesson in LESSONS:
        b = built[lesson]
        for student, nb in (("ada", honest_notebook(b["release"], b["solution"])), ("bo", b["release"])):
            (subs / student).mkdir(exist_ok=True)
            (subs / student / f"{lesson}.ipynb").write_bytes(to_bytes(nb))
        if (WRONG_DIR / f"{lesson}.py").exists():
            nb, name, code = wrong_notebook(lesson, built)
            (subs / "cy").mkdir(exist_ok=True)
            (subs / "cy" / f"{lesson}.ipynb").write_bytes(to_bytes(nb))
            wrong[lesson] = name
            diagnosis[lesson] = code
    b = built[CORPUS_LESSON]
    canary, token = _canary(tmp_path_factory)
    cases = build_corpus(b["release"], b["solution"], b["spec"])
    attacks = build_attacks(b["release"], b["solution"], b["spec"], canary)
    for case in cases + attacks:
        (subs / case.name).mkdir()
        (subs / case.name / f"{CORPUS_LESSON}.ipynb").write_bytes(case.data)
    out = tmp_path_factory.mktemp("results")
    probe = sandbox_probe(b, subs, out)
    (subs / "sandbox_probe").mkdir()
    (subs / "sandbox_probe" / f"{CORPUS_LESSON}.ipynb").write_bytes(to_bytes(probe))
    (subs / "README.txt").write_text("stray file")
    (subs / "ada" / "notes.txt").write_text("stray file")
    (subs / "ada" / "99_unknown_lesson.ipynb").write_text("{}")
    _special_files(subs)
    before = {p: sha(p) for p in subs.rglob("*") if p.is_file() and not p.is_symlink()}
    t0 = time.monotonic()
    os.environ["BW_HOST_SECRET"] = token          # in the grader's environment, never in a kernel's
    try:
        counts = autograde(subs, out, jobs=2, timeout=TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT,
                           memory_mb=MEMORY_MB, quiet=True, log=lambda *a, **k: None)
    finally:
        os.environ.pop("BW_HOST_SECRET", None)
        shutil.rmtree(canary.parent, ignore_errors=True)
    return {"subs": subs, "out": out, "cases": cases, "attacks": attacks, "before": before, "counts": counts,
            "grades": read_grades(out), "wrong": wrong, "diagnosis": diagnosis, "canary": token, "seconds": time.monotonic() - t0}


@pytest.fixture(scope="session")
def alone_run(built, mixed_run, tmp_path_factory):
    """The honest submissions graded on their own, for comparison with the mixed run."""
    from grader.runner import autograde
    subs = tmp_path_factory.mktemp("alone")
    (subs / "ada").mkdir()
    for p in (mixed_run["subs"] / "ada").glob("0*.ipynb"):
        (subs / "ada" / p.name).write_bytes(p.read_bytes())
    out = tmp_path_factory.mktemp("alone-results")
    autograde(subs, out, jobs=2, timeout=TIMEOUT, notebook_timeout=180, memory_mb=MEMORY_MB,
              quiet=True, log=lambda *a, **k: None)
    return read_grades(out)

