"""``grader validate NOTEBOOK``: a student runs the visible tests exactly as the autograder will.

The test cells are restored from the released lesson (``lessons/<id>/<id>.ipynb``), the
notebook runs in a fresh kernel with the autograder's limits, and a per-exercise summary
is printed. Unlike ``nbgrader validate``, the exit status says whether everything passed.
A student's own variant (``grader release --roster``) is validated as that variant: the
fingerprint in its read-only ``variant`` cell says which (no secret is needed to *use* one).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .core import Limits, Status
from .grading import grade_file
from .release import ROOT
from .sandbox import Sandbox, bwrap_works, default_keep
from .spec import build_specs

__all__ = ["validate"]


def _own_variant(path: Path) -> str | None:
    """The fingerprint in the notebook's ``variant`` cell (``None``: the common version or unreadable)."""
    import json
    import re

    from .variants import notebook_fingerprint
    try:
        _, fp = notebook_fingerprint(json.loads(path.read_text(encoding="utf-8")))
    except Exception:  # noqa: BLE001 -- an unreadable notebook is reported by grade_file itself
        return None
    return fp if fp and re.fullmatch(r"[0-9a-f]{64}", fp) else None


def validate(notebook, root: Path = ROOT, timeout: int | None = None, notebook_timeout: int | None = None,
             memory_mb: int | None = None, out=print, limits: Limits | None = None) -> int:
    """-> exit status: 0 when every autograded exercise passes its visible tests, 1 otherwise,
    2 when the notebook is not one of the lessons. ``limits`` (default :class:`Limits`), with
    ``timeout``/``notebook_timeout``/``memory_mb`` overriding its fields when given."""
    limits = (limits or Limits()).with_(cell_timeout=timeout, notebook_timeout=notebook_timeout,
                                        memory_mb=memory_mb)
    path = Path(notebook)
    lesson = path.stem
    released = Path(root) / "lessons"
    if not (released / lesson / f"{lesson}.ipynb").is_file():
        known = ", ".join(sorted(p.name for p in released.iterdir() if p.is_dir())) if released.is_dir() else ""
        out(f"{path.name}: not a lesson notebook (the file name must be the lesson's, one of: {known})")
        return 2
    if not path.is_file():
        out(f"{path}: no such file")
        return 2
    spec = build_specs(root, [lesson], released=released, hidden=False)[lesson]
    variant = _own_variant(path)
    mode = "bwrap" if bwrap_works() else "none"
    base = Path(tempfile.mkdtemp(prefix="bw-validate-"))
    try:
        sandbox = Sandbox(mode, slot=os.getpid() % 30000, hide=[str(base)], keep=default_keep(), limits=limits)
        result = grade_file(str(path), spec, sandbox, base, limits=limits, two_sided=False, variant=variant)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    failed = 0
    kinds = {ex["name"]: ex["kind"] for ex in spec["exercises"]}
    out(f"Validating {path.name} (visible tests only; the autograder adds hidden tests):")
    for note in result.get("notes", []):
        out(f"  note: {note}")
    for e in result["exercises"]:
        if e["status"] == Status.NEEDS_MANUAL:
            out(f"  ~ {e['exercise']}: written answer, graded by your instructor")
            continue
        ok = e["status"] == Status.GRADED and e["score"] is not None and e["score"] >= e["max_score"]
        if kinds.get(e["exercise"]) == "written":
            out(f"  ~ {e['exercise']}: written answer not written yet")
            continue
        failed += not ok
        mark = "PASS" if ok else "FAIL"
        line = f"  {mark} {e['exercise']}: {e['score'] or 0:g}/{e['max_score']:g}"
        if e["status"] != Status.GRADED:
            line += f" [{e['status']}]"
        if e.get("message") and not ok:
            line += f" -- {e['message']}"
        out(line)
    out("All visible tests pass." if not failed else f"{failed} exercise(s) need more work.")
    return 1 if failed else 0
