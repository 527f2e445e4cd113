"""Fast tests of the grader's parts (no kernels)."""
from __future__ import annotations

import copy
import json
import zipfile

import nbformat
import pytest
from grader_corpus import CORPUS_LESSON, LESSONS, honest_notebook, read_grades, to_bytes

from grader.feedback import feedback_html
from grader.grading import _inspect
from grader.report import write_report
from grader.restore import SubmissionError, read_submission, rebuild
from grader.scoring import sanitize
from grader.store import save_run, write_json
from grader.submissions import discover
from grader.tamper import import_aliases, inspect_source, parse_cell, reference_calls


def _gids(nb):
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]


def test_rebuild_restores_deleted_reordered_and_stripped(built):
    b = built[CORPUS_LESSON]
    spec = b["spec"]
    honest = honest_notebook(b["release"], b["solution"])
    reference, _, _ = rebuild(honest, spec)
    tests = [c["grade_id"] for c in spec["cells"] if c["role"] == "test"]
    nb = copy.deepcopy(honest)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != tests[0]]  # deleted
    nb.cells.reverse()                                                  # everything reordered
    for c in nb.cells:                                                  # metadata stripped
        c.metadata.pop("nbgrader", None)
        c.pop("id", None)
    got, notes, answered = rebuild(nb, spec)
    graded_src = {c["grade_id"]: c["source"] for c in spec["cells"] if c["role"] == "test"}
    written = {c["grade_id"] for c in spec["cells"] if c["role"] == "written"}   # free text: not recognisable
    order = [g for g in _gids(got) if g and g not in written]
    assert order == [g for g in _gids(reference) if g and g not in written], \
        "instructor cells must come back in the lesson's order"
    for c in got.cells:
        gid = c.metadata.get("nbgrader", {}).get("grade_id")
        if gid in graded_src:
            assert c.source == graded_src[gid], f"{gid} not restored with its hidden tests"
    assert all(a["present"] for name, a in answered.items() if name not in written), answered
    text = " ".join(notes)
    assert "moved" in text and "recognised by their content" in text


def test_rebuild_keeps_student_cells_next_to_their_answer(built):
    b = built[CORPUS_LESSON]
    nb = honest_notebook(b["release"], b["solution"])
    first_answer = next(c["grade_id"] for c in b["spec"]["cells"] if c["role"] == "answer")
    k = _gids(nb).index(first_answer)
    nb.cells.insert(k + 1, nbformat.v4.new_code_cell("my_scratch = 42"))
    got, _, _ = rebuild(nb, b["spec"])
    k2 = _gids(got).index(first_answer)
    assert got.cells[k2 + 1].source == "my_scratch = 42"


@pytest.mark.parametrize("data, phrase", [
    (b"", "empty"), (b"{not json", "not valid JSON"), (b"[1, 2]", "not a Jupyter notebook"),
    (b"\xff\xfe\x00", "not UTF-8")])
def test_unreadable_files_raise_a_clear_error(tmp_path, data, phrase):
    p = tmp_path / "x.ipynb"
    p.write_bytes(data)
    with pytest.raises(SubmissionError, match=phrase):
        read_submission(str(p))


@pytest.mark.parametrize("code, reason", [
    ("np.testing.assert_allclose = lambda *a, **k: None", "assigns to numpy.testing.assert_allclose"),
    ("import numpy.testing as npt\nnpt.assert_array_equal = print", "assigns to numpy.testing.assert_array_equal"),
    ("from numpy import testing\ntesting.assert_allclose = print", "assigns to numpy.testing.assert_allclose"),
    ("import builtins\nbuiltins.print = None", "assigns to builtins.print"),
    ("__builtins__.len = None", "assigns to builtins.len"),
    ("import sys\nsys.stderr = sys.stdout", "assigns to sys.stderr"),
    ("del np.allclose", "assigns to numpy.allclose"),
    ("setattr(np, 'all', lambda *a: True)", "calls setattr on numpy"),
    ("vars(np)['all'] = lambda *a: True", "writes into the namespace of numpy"),
    ("import helpers\nhelpers.feedback.checks.check_array = print", "assigns to helpers.feedback.checks.check_array"),
    ("import sys\nsys.settrace(lambda *a: None)", "installs a trace hook (sys.settrace)"),
    ("import threading\nthreading.settrace(print)", "installs a trace hook (threading.settrace)"),
    ("get_ipython().input_transformers_cleanup.append(str)", "changes IPython's input_transformers_cleanup"),
    ("ip = get_ipython()\nip.ast_transformers.append(1)", "changes IPython's ast_transformers"),
    ("class AssertionError(Exception):\n    pass", "redefines AssertionError"),
    ("AssertionError = ValueError", "redefines AssertionError"),
    ("check_array = lambda *a, **k: None", "rebinds `check_array`"),
    ("def passed(name):\n    pass", "redefines `passed`"),
])
def test_static_inspection_flags_tampering(code, reason):
    aliases = import_aliases([parse_cell("import numpy as np\nfrom helpers.feedback.checks import check_array, passed")])
    found = inspect_source(parse_cell(code), aliases, {"check_array", "passed", "np"})
    assert any(reason in f for f in found), (code, found)


@pytest.mark.parametrize("code", [
    "x = np.zeros(3)\nx[0] = 1", "import numpy as np", "np.random.seed(0)", "rng = np.random.default_rng(1)",
    "def relu(z):\n    return np.maximum(z, 0)", "%matplotlib inline\nresult = np.sum([1, 2])",
    "errs = {}\nerrs['a'] = 1", "with np.errstate(over='ignore'):\n    y = np.exp(3.0)"])
def test_static_inspection_accepts_ordinary_code(code):
    aliases = import_aliases([parse_cell("import numpy as np\nfrom helpers.feedback.checks import check_array")])
    assert inspect_source(parse_cell(code), aliases, {"check_array"}) == []


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_false_tamper_flags_on_model_answers(built, lesson):
    nb, _, _ = rebuild(honest_notebook(built[lesson]["release"], built[lesson]["solution"]), built[lesson]["spec"])
    tamper, flags = _inspect(nb, built[lesson]["spec"])
    assert tamper == {} and flags == {}, (tamper, flags)


def test_reference_call_detection():
    aliases = import_aliases([parse_cell("import helpers as ref")])
    tree = parse_cell("def relu(z):\n    return ref.relu(z)")
    assert reference_calls(tree, aliases, {"relu"}) == ["helpers.relu"]
    tree = parse_cell("from helpers.activations import relu as r\ndef relu(z):\n    return r(z)")
    assert "helpers.activations.relu" in reference_calls(tree, aliases, {"relu"})
    tree = parse_cell("def relu(z):\n    return ref.sigmoid(z) * 0 + np.maximum(z, 0)")
    assert reference_calls(tree, aliases, {"relu"}) == []


def _tree(tmp_path):
    root = tmp_path / "subs"
    for s, names in {"ann": ["01_forward_propagation.ipynb", "notes.txt"], "bob": ["02_loss_functions.ipynb"],
                     "bad id!": ["01_forward_propagation.ipynb"], "cat": ["99_nope.ipynb"]}.items():
        (root / s).mkdir(parents=True)
        for n in names:
            (root / s / n).write_text("{}")
    (root / "stray.pdf").write_text("x")
    (root / ".ipynb_checkpoints").mkdir()
    (root / "dan").mkdir()
    (root / "dan" / "02_loss_functions.ipynb").symlink_to(root / "bob" / "02_loss_functions.ipynb")
    return root


def test_discovery_reports_strays_by_name(tmp_path):
    lessons = ["01_forward_propagation", "02_loss_functions"]
    subs, skipped, students = discover(_tree(tmp_path), lessons)
    assert [(s.student, s.lesson) for s in subs] == [("ann", "01_forward_propagation"), ("bob", "02_loss_functions")]
    reasons = {s["path"]: s["reason"] for s in skipped}
    assert set(reasons) == {"ann/notes.txt", "bad id!/01_forward_propagation.ipynb", "cat/99_nope.ipynb",
                            "stray.pdf", "dan/02_loss_functions.ipynb"}
    assert "unknown lesson '99_nope'" in reasons["cat/99_nope.ipynb"]
    assert "symbolic link" in reasons["dan/02_loss_functions.ipynb"]
    assert students == ["ann", "bob", "cat", "dan"]


def test_discovery_reads_a_zip_without_path_traversal(tmp_path):
    z = tmp_path / "class.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("class/ann/01_forward_propagation.ipynb", "{}")
        zf.writestr("bob/01_forward_propagation.ipynb", "{}")
        zf.writestr("../evil/01_forward_propagation.ipynb", "{}")
    before = z.read_bytes()
    subs, skipped, _ = discover(z, ["01_forward_propagation"], tmp_path / "unpacked")
    assert sorted(s.student for s in subs) == ["ann", "bob"]
    assert any("unsafe" in s["reason"] for s in skipped)
    assert not (tmp_path / "evil").exists() and z.read_bytes() == before


def _fake_result(student, lesson, score, status="graded", when="2026-01-01T00:00:00Z"):
    return {"student": student, "lesson": lesson, "graded_at": when, "notes": [], "sha256": "x",
            "exercises": [{"exercise": "ex1", "score": score, "max_score": 2.0, "status": status,
                           "message": "" if status == "graded" else "why", "output": "", "flags": []}]}


def test_report_merges_results_folders(tmp_path):
    run = {"lessons": {"L1": {"exercises": [{"name": "ex1", "points": 2.0, "kind": "auto"}]},
                       "L2": {"exercises": [{"name": "ex1", "points": 2.0, "kind": "auto"}]}},
           "isolation": ["test"], "skipped": []}
    a, b, merged = tmp_path / "a", tmp_path / "b", tmp_path / "merged"
    save_run(a, {**run, "students": ["ann"]})
    save_run(b, {**run, "students": ["bob"]})
    write_json(a / "results" / "ann" / "L1.json", _fake_result("ann", "L1", 2.0))
    write_json(b / "results" / "bob" / "L1.json", _fake_result("bob", "L1", 0.0, "timeout"))
    write_json(b / "results" / "bob" / "L2.json", _fake_result("bob", "L2", 1.0))
    write_report([a, b], merged)
    g = read_grades(merged)
    assert g[("ann", "L1", "ex1")]["score"] == "2.0" and g[("ann", "L2", "ex1")]["status"] == "missing"
    assert g[("bob", "L1", "ex1")]["status"] == "timeout"
    summary = (merged / "summary.csv").read_text().splitlines()
    assert summary[1:] == ["ann,2,0,2,4,0", "bob,0,1,1,4,1"]
    assert (merged / "feedback" / "bob" / "L2.html").exists()
    write_report([merged], merged)                      # a merged folder can be re-reported
    assert read_grades(merged) == g


def test_feedback_escapes_and_hides_paths():
    r = _fake_result("ann", "L1", 0.0)
    r["exercises"][0]["message"] = "open('/tmp/bw-grader-x/s-1/secret.txt') <script>"
    page = feedback_html(r)
    assert "/tmp/" not in page and "<script>" not in page and "secret.txt" in page
    assert sanitize("File /work/main/solutions/x.py, line 3") == "File …/x.py, line 3"


def test_results_are_written_atomically(tmp_path, monkeypatch):
    target = tmp_path / "r.json"
    write_json(target, {"a": 1})

    class Boom(Exception):
        pass

    def explode(*a, **k):
        raise Boom
    monkeypatch.setattr(json, "dump", explode)
    with pytest.raises(Boom):
        write_json(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 1} and list(tmp_path.iterdir()) == [target]


def test_corpus_notebooks_differ_from_each_other(built):
    from grader_corpus import build_corpus
    b = built[CORPUS_LESSON]
    cases = build_corpus(b["release"], b["solution"], b["spec"])
    assert len(cases) >= 20 and len({c.name for c in cases}) == len(cases)
    assert len({c.data for c in cases}) == len(cases)
    assert to_bytes(b["release"]) not in {c.data for c in cases}


def test_sandbox_kept_paths_under_an_emptied_folder_stay_reachable(tmp_path):
    """A clone under /tmp (or pyenv under /root): the kept Python/helpers must stay readable by
    the kernel's unprivileged uid, while their hidden siblings stay invisible."""
    import os
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from grader.sandbox import Sandbox, bwrap_works
    assert bwrap_works(), "bubblewrap is needed for the sandbox (apt-get install bubblewrap)"
    clone = Path(tempfile.mkdtemp(prefix="bw-sandbox-test-", dir="/tmp"))   # open folders only,
    os.chmod(clone, 0o755)                                                   # like a git clone
    kept = clone / "venv" / "lib"
    kept.mkdir(parents=True)
    (kept / "module.py").write_text("X = 1\n")
    (clone / "solutions").mkdir()
    (clone / "solutions" / "secret.txt").write_text("hidden tests")
    scratch = tmp_path / "scratch"
    box = Sandbox("bwrap", 512, slot=91, hide=[str(clone)], keep=[str(kept)])
    box.prepare(scratch)
    uid = box.uid or os.getuid()
    script = f"cat {kept / 'module.py'}; test ! -e {clone / 'solutions' / 'secret.txt'} && echo hidden"
    cmd = box.wrap(scratch, ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "sh", "-c", script])
    try:
        proc = subprocess.run(cmd, pass_fds=box.pending_fds, capture_output=True, text=True, timeout=30)
    finally:
        box.launched()
        shutil.rmtree(clone, ignore_errors=True)
    assert proc.stdout.split() == ["X", "=", "1", "hidden"], (proc.stdout, proc.stderr)
