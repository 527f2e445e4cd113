"""Before grading anyone: each lesson's reference solution must score full marks and its blank notebook zero.

``grader autograde`` grades, in the same sandbox and on the same executor as the students, the
lesson's reference (``solutions/<id>/<id>.ipynb`` as is) and its blank (the released version of every
cell, as the spec holds it). A grader whose own setup is broken (a kernel that cannot import
``helpers``, a sandbox missing a binding, limits too tight for the lesson) would otherwise mark
the whole class down: it refuses to start instead, naming the lesson, which notebook and the cause.

A passing verdict is cached per user (``$XDG_CACHE_HOME/backprop-workbook/preflight/``, 0700), keyed
by the lesson spec's hash and a fingerprint of the environment (the code of ``grader`` and
``helpers``, the Python executable, the sandbox mode and the limits), so it costs once per lesson
and setup. A failure is never cached.
"""
from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path

import nbformat

from .submissions import Submission, file_sha256

__all__ = ["PreflightFailed", "preflight", "environment_fingerprint", "cache_folder"]

GRADER_PKG = Path(__file__).parent
WHICH = {"reference": "reference solution", "blank": "blank notebook"}


class PreflightFailed(RuntimeError):
    """A lesson's reference solution does not score full marks, or its blank does not score zero."""


def _code_hash(folder: Path, h) -> None:
    for f in sorted(folder.rglob("*.py")):
        h.update(str(f.relative_to(folder)).encode() + b"\0" + f.read_bytes())


def environment_fingerprint(settings) -> str:
    """What the preflight verdict depends on besides the lesson: code, interpreter, sandbox, limits."""
    h = hashlib.sha256()
    _code_hash(GRADER_PKG, h)
    spec = importlib.util.find_spec("helpers")
    if spec is not None and spec.origin:
        _code_hash(Path(spec.origin).parent, h)
    h.update(json.dumps([os.path.realpath(sys.executable), settings.mode, settings.memory_mb,
                         settings.timeout, settings.notebook_timeout]).encode())
    return h.hexdigest()


def cache_folder() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "backprop-workbook" / "preflight"


def _key(spec: dict, fingerprint: str) -> str:
    return hashlib.sha256(f"{spec['lesson']}\0{spec['source_sha256']}\0{fingerprint}".encode()).hexdigest()


def _passed_before(key: str) -> bool:
    return (cache_folder() / f"{key}.ok").is_file()


def _remember(key: str) -> None:
    folder = cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        (folder / f"{key}.ok").write_text("ok\n", encoding="utf-8")
    except OSError:
        pass                          # no cache: the next run checks again


def _write(nb, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return str(path)


def _notebooks(root: Path, spec: dict, folder: Path) -> dict[str, str]:
    """-> ``{"reference": path, "blank": path}`` for one lesson."""
    lesson = spec["lesson"]
    solution = Path(root) / "solutions" / lesson / f"{lesson}.ipynb"
    nb = nbformat.read(str(solution), as_version=4)
    blank = copy.deepcopy(nb)
    for cell, entry in zip(blank.cells, spec["cells"], strict=True):
        cell.source = entry["release_source"]
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return {"reference": str(solution),
            "blank": _write(blank, folder / "blank" / lesson / f"{lesson}.ipynb")}


def _problem(which: str, result: dict, spec: dict) -> str | None:
    """Why ``result`` is not what the ``which`` notebook must score, or ``None``."""
    auto = {e["name"]: e["points"] for e in spec["exercises"] if e["kind"] == "auto"}
    for e in result["exercises"]:
        if e["exercise"] not in auto:
            continue
        want = auto[e["exercise"]] if which == "reference" else 0.0
        if e["status"] != "graded" or float(e["score"] or 0.0) != float(want):
            return (f"{e['exercise']} is {e['status']} with {e['score']} of {e['max_score']} (expected "
                    f"{'full marks' if want else 'zero'})" + (f": {e['message']}" if e["message"] else ""))
    return None


def preflight(executor, specs: dict, lessons, root: Path, settings, scratch: Path, log=print) -> int:
    """Grade the reference and blank of every lesson in ``lessons`` not verified before; -> how many were
    graded now. Raises :class:`PreflightFailed` naming the lesson, the notebook and the cause."""
    fingerprint = environment_fingerprint(settings)
    todo, jobs = {}, []
    for lesson in sorted(set(lessons)):
        key = _key(specs[lesson], fingerprint)
        if _passed_before(key):
            continue
        todo[lesson] = key
        for which, path in _notebooks(root, specs[lesson], Path(scratch) / "preflight").items():
            jobs.append(Submission(which, lesson, path, path, file_sha256(path)))
    if not jobs:
        return 0
    failures = {}
    for sub, result in executor.grade(jobs):
        problem = _problem(sub.student, result, specs[sub.lesson])
        if problem:
            failures.setdefault(sub.lesson, []).append(f"{sub.lesson}: the {WHICH[sub.student]} {problem}")
    if failures:
        lines = [line for lesson in sorted(failures) for line in failures[lesson]]
        raise PreflightFailed("the grader's own check failed before grading anyone (the lesson's reference "
                              "solution must score full marks and its blank notebook zero, in this sandbox); "
                              "nothing was graded:\n  " + "\n  ".join(lines))
    for key in todo.values():
        _remember(key)
    return len(jobs)
