"""Damaged and dishonest submissions, built at test time from a released lesson.

``build_corpus(release_nb, solution_nb, spec)`` -> ``[Case]``; each case is the bytes of
one submission and what the grader must make of it: ``expect`` maps exercise names to
statuses (``"*"``: every autograded exercise not listed), ``full``/``zero``: exercises
that must score full marks / 0, ``flagged``: exercises flagged for calling the reference,
``note``: a phrase the repair notes must contain.
"""
from __future__ import annotations

import copy
import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.release import lesson_names

__all__ = ["Case", "honest_notebook", "build_corpus", "to_bytes", "LESSONS", "CORPUS_LESSON", "sha",
           "read_grades"]

LESSONS = lesson_names()
CORPUS_LESSON = "01_forward_propagation" if "01_forward_propagation" in LESSONS else (LESSONS or [None])[0]


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_grades(out) -> dict:
    """grades.csv as ``{(student_id, lesson, exercise): row}``."""
    with open(Path(out) / "grades.csv", newline="", encoding="utf-8") as f:
        return {(r["student_id"], r["lesson"], r["exercise"]): r for r in csv.DictReader(f)}


@dataclass
class Case:
    name: str
    data: bytes
    expect: dict
    full: set = field(default_factory=set)
    zero: set = field(default_factory=set)
    flagged: set = field(default_factory=set)
    note: str = ""


def to_bytes(nb) -> bytes:
    return nbformat.writes(nb).encode("utf-8")


def _gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _strip_markers(src: str) -> str:
    return "\n".join(ln for ln in src.splitlines() if not re.match(r"\s*### (BEGIN|END) SOLUTION", ln))


def honest_notebook(release_nb, solution_nb):
    """What a diligent student hands in: the released notebook with the model answers typed in."""
    sol = {_gid(c): c for c in solution_nb.cells if _gid(c)}
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and _gid(cell) in sol:
            cell.source = _strip_markers(sol[_gid(cell)].source)
    return nb


def _index(nb, gid):
    return next(i for i, c in enumerate(nb.cells) if _gid(c) == gid)


def _with_answer(nb, name, extra_top="", body_prefix=None, replace=None):
    nb = copy.deepcopy(nb)
    cell = nb.cells[_index(nb, name)]
    if replace is not None:
        cell.source = replace
    if body_prefix is not None:       # insert a statement at the top of the function body
        lines = cell.source.splitlines()
        k = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("def "))
        j = k + 1
        while lines[j].rstrip().endswith(("(", ",")) or not lines[j - 1].rstrip().endswith(":"):
            j += 1
        cell.source = "\n".join(lines[:j] + [f"    {body_prefix}"] + lines[j:])
    if extra_top:
        cell.source = cell.source + "\n" + extra_top
    return nb


def _insert_after(nb, gid, source):
    nb = copy.deepcopy(nb)
    nb.cells.insert(_index(nb, gid) + 1, nbformat.v4.new_code_cell(source))
    return nb


def build_corpus(release_nb, solution_nb, spec) -> list[Case]:
    autos = [e["name"] for e in spec["exercises"] if e["kind"] == "auto"]
    a0, a1, a2 = autos[0], autos[1], autos[2]
    after = lambda k: set(autos[k:])          # noqa: E731 -- exercises from the k-th on
    honest = honest_notebook(release_nb, solution_nb)
    imports = next(c["source"] for c in spec["cells"] if c["role"] == "locked" and "import" in c["source"])
    check_fn = next(n for n in ("check_array", "check_scalar", "passed") if n in imports)
    ref_ex = next((c for c in spec["cells"] if c["role"] == "answer" and c["def_name"] in
                   __import__("helpers").__all__ and c["def_name"] not in ("dense_forward",)), None)
    cases = []

    def add(name, nb_or_bytes, expect, **kw):
        data = nb_or_bytes if isinstance(nb_or_bytes, bytes) else to_bytes(nb_or_bytes)
        cases.append(Case(name, data, expect, **kw))

    # -- damaged notebooks -------------------------------------------------------------
    nb = copy.deepcopy(honest)
    del nb.cells[_index(nb, f"test_{a0}")]
    add("deleted_test_cell", nb, {"*": "graded"}, full=set(autos), note=f"test_{a0} was missing")
    nb = copy.deepcopy(honest)
    dup = copy.deepcopy(nb.cells[_index(nb, f"test_{a0}")])
    dup["id"] = "copy-of-a-test"
    nb.cells.insert(_index(nb, f"test_{a0}"), dup)
    add("duplicated_test_cell", nb, {"*": "graded"}, full=set(autos), note="duplicate")
    nb = copy.deepcopy(honest)
    t = nb.cells.pop(_index(nb, f"test_{a1}"))
    nb.cells.insert(_index(nb, a1), t)                      # test before its answer
    add("reordered_test_cell", nb, {"*": "graded"}, full=set(autos), note="moved")
    nb = copy.deepcopy(release_nb)
    nb.cells[_index(nb, f"test_{a0}")].source = "pass  # all good"
    add("edited_test_cell", nb, {"*": "graded"}, zero=set(autos), note="edited")
    nb = copy.deepcopy(release_nb)
    nb.cells[_index(nb, f"test_{a0}")].metadata["nbgrader"]["points"] = 100
    add("edited_points", nb, {"*": "graded"}, zero=set(autos), note="points")
    nb = copy.deepcopy(honest)
    nb.cells[_index(nb, f"test_{a1}")].metadata["nbgrader"]["grade_id"] = "test_free_points"
    add("renamed_grade_id", nb, {"*": "graded"}, full=set(autos))
    add("corrupt_json", to_bytes(honest)[:-200], {"*": "error"})
    add("empty_file", b"", {"*": "error"})
    add("json_not_a_notebook", json.dumps([1, 2, 3]).encode(), {"*": "error"})
    add("old_nbformat_v3", nbformat.writes(nbformat.convert(copy.deepcopy(honest), 3)).encode("utf-8"),
        {"*": "graded"}, full=set(autos))
    nb = copy.deepcopy(honest)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
        cell.pop("id", None)
    nb.nbformat_minor = 4
    add("stripped_metadata", nb, {"*": "graded"}, full=set(autos), note="recognised by their content")
    # -- kernels in trouble --------------------------------------------------------------
    add("kernel_dies", _with_answer(honest, a1, extra_top="import os\nos._exit(3)"),
        {**{a: "error" for a in after(1)}, "*": "graded"}, full={a0})
    add("infinite_loop", _with_answer(honest, a1, body_prefix="while True: pass"),
        {a1: "timeout", "*": "graded"}, full=set(autos) - {a1}, zero={a1})
    add("loop_ignoring_sigint", _with_answer(
        honest, a1, extra_top="import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                               "while True:\n    time.sleep(0.01)"),
        {**{a: "timeout" for a in after(1)}, "*": "graded"}, full={a0})
    add("memory_bomb", _with_answer(honest, a1, body_prefix="_hog = np.ones((1 << 31,))  # 16 GB"),
        {a1: "memory", "*": "graded"}, full=set(autos) - {a1})
    add("output_flood_50MB", _with_answer(honest, a0, extra_top='print("x" * 50_000_000)'),
        {"*": "graded"}, full=set(autos))
    add("fork_storm", _insert_after(honest, f"test_{a0}",
        "import os, time\nkids = []\ntry:\n    while len(kids) < 5000:\n        pid = os.fork()\n"
        "        if pid == 0:\n            time.sleep(60)\n            os._exit(0)\n        kids.append(pid)\n"
        "except OSError as e:\n    print('fork refused after', len(kids), type(e).__name__)"),
        {"*": "graded"}, full=set(autos))
    # -- tampering with the checks -------------------------------------------------------
    tamper = {
        "patch_np_testing": "np.testing.assert_allclose = lambda *a, **k: None",
        "patch_np_dynamic": "setattr(__import__('num' + 'py'), 'allclose', lambda *a, **k: True)",
        "patch_builtins": "import builtins\nbuiltins.isinstance = lambda *a: True",
        "patch_sys_stderr": "import sys\nsys.stderr = sys.stdout",
        "patch_helpers": "import helpers.checks\nhelpers.checks.check_array = lambda *a, **k: None",
        "trace_hook": "import sys\nsys.settrace(lambda *a: None)",
        "input_transformer": "get_ipython().input_transformers_post.append(lambda lines: lines)",
        "redefine_assertionerror": "class AssertionError(Exception):\n    pass",
        "rebind_check_function": f"{check_fn} = lambda *a, **k: None",
    }
    for name, code in tamper.items():
        add(name, _with_answer(release_nb, a1, extra_top=code),
            {**{a: "tampered" for a in after(1)}, "*": "graded"}, zero=set(autos))
    if ref_ex is not None:
        fn = ref_ex["def_name"]
        src = ref_ex["release_source"]
        sig = src[src.index("def "):].split(":", 1)[0]
        args = sig[sig.index("(") + 1: sig.rindex(")")]
        call_args = ", ".join(a.split("=")[0].strip() for a in args.split(",") if a.strip())
        cheat = f"import helpers\n\n{sig}:\n    return helpers.{fn}({call_args})\n"
        add("calls_reference", _with_answer(honest, ref_ex["grade_id"], replace=cheat),
            {"*": "graded"}, flagged={ref_ex["grade_id"]})
    nb = copy.deepcopy(honest)
    del nb.cells[_index(nb, a2)]
    add("deleted_answer_cell", nb, {"*": "graded"}, zero={a2}, full=set(autos) - {a2}, note=f"{a2} was not found")
    return cases
