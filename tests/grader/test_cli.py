"""The command line: validate's exit status, report's arguments, refusing to run unsandboxed,
and an interrupted autograde that loses nothing."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from grader_corpus import CORPUS_LESSON, honest_notebook, to_bytes

from grader.__main__ import main
from grader.release import ROOT


@pytest.mark.slow
def test_validate_exit_status(built, tmp_path, capsys):
    b = built[CORPUS_LESSON]
    good = tmp_path / "good" / f"{CORPUS_LESSON}.ipynb"
    blank = tmp_path / "blank" / f"{CORPUS_LESSON}.ipynb"
    for path, nb in ((good, honest_notebook(b["release"], b["solution"])), (blank, b["release"])):
        path.parent.mkdir()
        path.write_bytes(to_bytes(nb))
    assert main(["validate", str(good)]) == 0
    out = capsys.readouterr().out
    assert "All visible tests pass." in out and "FAIL" not in out
    assert main(["validate", str(blank)]) == 1
    out = capsys.readouterr().out
    autos = [e["name"] for e in b["spec"]["exercises"] if e["kind"] == "auto"]
    assert all(f"FAIL {name}: 0/" in out for name in autos), out
    assert "not written yet" in out
    other = tmp_path / "homework.ipynb"
    other.write_bytes(to_bytes(b["release"]))
    assert main(["validate", str(other)]) == 2


def test_report_needs_out_for_several_folders(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert main(["report", str(tmp_path / "a"), str(tmp_path / "b")]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nope")]) == 2


def test_refuses_to_grade_without_sandbox_unless_told(tmp_path, monkeypatch, capsys):
    import grader.runner as runner
    monkeypatch.setattr(runner, "bwrap_works", lambda: False)
    assert main(["autograde", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap" in err and "--no-sandbox" in err
    assert not (tmp_path / "r").exists()
    assert runner.choose_mode(no_sandbox=True) == "none"


def test_bad_arguments_are_named(tmp_path, capsys):
    assert main(["autograde", str(tmp_path / "missing"), "--out", str(tmp_path / "r")]) == 2
    assert "missing" in capsys.readouterr().err
    assert main(["autograde", str(tmp_path), "--out", str(tmp_path / "r"), "--cluster", "local:0"]) == 2
    assert "--cluster: expected local:N" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:            # one place to grade: --jobs, --scheduler or --cluster
        main(["autograde", str(tmp_path), "--out", str(tmp_path / "r"), "--jobs", "2", "--scheduler", "tcp://h:1"])
    assert stop.value.code == 2 and "not allowed with argument --jobs" in capsys.readouterr().err


@pytest.mark.slow
def test_interrupted_run_loses_nothing_and_resumes(built, tmp_path):
    b = built[CORPUS_LESSON]
    subs = tmp_path / "subs"
    data = to_bytes(honest_notebook(b["release"], b["solution"]))
    for s in ("s1", "s2", "s3"):
        (subs / s).mkdir(parents=True)
        (subs / s / f"{CORPUS_LESSON}.ipynb").write_bytes(data)
    out = tmp_path / "res"
    proc = subprocess.Popen([sys.executable, "-m", "grader", "autograde", str(subs), "--out", str(out),
                             "--jobs", "1", "--quiet"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline and not list(out.glob("results/*/*.json")):
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "re-run" in err
    done = list(out.glob("results/*/*.json"))
    assert 1 <= len(done) < 3, "the run should have been interrupted after the first result"
    for f in done:
        assert json.loads(f.read_text())["exercises"], f
    assert not list(out.rglob(".tmp-*"))
    from grader.runner import autograde
    counts = autograde(subs, out, jobs=1, quiet=True, log=lambda *a, **k: None)
    assert counts["already_graded"] == len(done) and counts["graded"] == 3 - len(done)


@pytest.mark.slow
def test_no_sandbox_grades_with_a_loud_warning(built, tmp_path):
    from grader.runner import autograde
    b = built[CORPUS_LESSON]
    (tmp_path / "subs" / "s1").mkdir(parents=True)
    (tmp_path / "subs" / "s1" / f"{CORPUS_LESSON}.ipynb").write_bytes(to_bytes(b["release"]))
    said = []
    counts = autograde(tmp_path / "subs", tmp_path / "res", jobs=1, quiet=True, no_sandbox=True,
                       log=lambda *a, **k: said.append(" ".join(map(str, a))))
    assert counts["graded"] == 1
    assert any("WITHOUT a sandbox" in s and "solutions/" in s for s in said)
    run = json.loads((tmp_path / "res" / "run.json").read_text())
    assert "NO SANDBOX" in run["isolation"][0]
    grades = (tmp_path / "res" / "grades.csv").read_text()
    assert ",graded,A visible test failed" in grades


@pytest.mark.slow
def test_whole_notebook_limit(built, tmp_path):
    import copy

    import nbformat

    from grader.grading import grade_file
    from grader.runner import choose_mode
    from grader.sandbox import Sandbox, default_keep
    b = built[CORPUS_LESSON]
    nb = copy.deepcopy(honest_notebook(b["release"], b["solution"]))
    autos = [e["name"] for e in b["spec"]["exercises"] if e["kind"] == "auto"]
    k = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == f"test_{autos[0]}")
    nb.cells.insert(k + 1, nbformat.v4.new_code_cell("import time\ntime.sleep(60)"))
    path = tmp_path / f"{CORPUS_LESSON}.ipynb"
    path.write_bytes(to_bytes(nb))
    base = tmp_path / "scratch"
    base.mkdir()
    sandbox = Sandbox(choose_mode(False), 1024, slot=os.getpid() % 30000, hide=[str(base), str(ROOT)],
                      keep=default_keep())
    t0 = time.monotonic()
    result = grade_file(str(path), b["spec"], sandbox, base, cell_timeout=60, notebook_timeout=15)
    assert time.monotonic() - t0 < 45
    by = {e["exercise"]: e for e in result["exercises"]}
    assert (by[autos[0]]["status"], by[autos[0]]["score"]) == ("graded", by[autos[0]]["max_score"])
    for name in autos[1:]:
        assert by[name]["status"] == "timeout" and "whole notebook" in by[name]["message"], by[name]


def test_a_kernel_that_cannot_import_the_grader_is_an_error_not_tampering(built, tmp_path):
    """Issue 18: the sandboxed kernel cannot import ``helpers`` (a venv whose editable install points
    at another checkout): every honest exercise is ``error`` naming the cause, never ``tampered``."""
    import importlib.util

    from grader.grading import grade_file
    from grader.runner import choose_mode
    from grader.sandbox import Sandbox, default_keep
    b = built[CORPUS_LESSON]
    path = tmp_path / f"{CORPUS_LESSON}.ipynb"
    path.write_bytes(to_bytes(honest_notebook(b["release"], b["solution"])))
    base = tmp_path / "scratch"
    base.mkdir()
    helpers = os.path.dirname(importlib.util.find_spec("helpers").origin)
    keep = [p for p in default_keep() if p != helpers]
    assert len(keep) < len(default_keep()), "default_keep() no longer names the helpers folder"
    sandbox = Sandbox(choose_mode(False), 1024, slot=os.getpid() % 30000, hide=[str(base), str(ROOT)], keep=keep)
    result = grade_file(str(path), b["spec"], sandbox, base, cell_timeout=60, notebook_timeout=120)
    autos = [e for e in result["exercises"] if e["max_score"] and e["exercise"] in
             {x["name"] for x in b["spec"]["exercises"] if x["kind"] == "auto"}]
    assert autos
    for e in autos:
        assert e["status"] == "error", e
        assert "grader's own setup" in e["message"] and "helpers" in e["message"], e["message"]


def test_preflight_refuses_to_start_when_the_reference_does_not_score_full_marks(tmp_path):
    """Issue 18: a lesson whose reference solution fails in this sandbox stops the run before anyone is graded."""
    import shutil

    import nbformat

    from grader.runner import PreflightFailed, autograde
    root = tmp_path / "course"
    shutil.copytree(ROOT / "solutions" / CORPUS_LESSON, root / "solutions" / CORPUS_LESSON)
    path = root / "solutions" / CORPUS_LESSON / f"{CORPUS_LESSON}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution"))
    cell.source = cell.source.replace("### BEGIN SOLUTION", "### BEGIN SOLUTION\nraise RuntimeError('broken reference')")
    nbformat.write(nb, str(path))
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    (tmp_path / "subs" / "ann" / f"{CORPUS_LESSON}.ipynb").write_text("{}")
    with pytest.raises(PreflightFailed) as e:
        autograde(tmp_path / "subs", tmp_path / "out", jobs=1, timeout=20, quiet=True, root=root,
                  log=lambda *a, **k: None)
    assert CORPUS_LESSON in str(e.value) and "reference solution" in str(e.value)
    assert not list((tmp_path / "out").glob("results/*/*.json")), "nobody may be graded after a failed preflight"
