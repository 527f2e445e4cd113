"""What the grader knows about a lesson: its cells as the instructor wrote them.

A *spec* is a plain JSON-able dict built once per run from ``solutions/<id>/<id>.ipynb``
(the source of truth) and the student version nbgrader generates from it:

``{"lesson", "notebook", "source_sha256", "cells": [...], "exercises": [...]}``

Every cell entry has ``role`` (``locked``: instructor code/markdown the student may not
change; ``answer``: an autograded answer cell; ``test``: its test cell; ``written``: a
manually graded markdown answer; ``free``: an ordinary cell the student may edit),
``grade_id`` (nbgrader's, or ``None``), ``id`` (nbformat cell id), ``cell_type``,
``source`` (what is executed when grading: solutions cleared, hidden tests kept -- what
nbgrader's gradebook stores), ``release_source`` (what students were given), ``points``
and ``exercise`` (``<name>`` for answer cell ``<name>`` and test cell ``test_<name>``).
Per-student variants (:mod:`grader.variants`): ``variant`` is ``"cell"`` for the read-only setup
cell tagged ``variant``, ``"text"`` for a markdown cell tagged ``variant-text`` (whose ``template``
keeps the Jinja2 source), else ``None``; the spec is the common version
(:func:`grader.variants.personalise_spec` makes a student's).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from .variants import personalise_spec, variant_role

__all__ = ["build_specs", "cached_specs", "spec_from_notebooks", "exercise_of", "def_name", "load_specs", "save_specs"]

_DEF = re.compile(r"^\s*def\s+([A-Za-z_]\w*)\s*\(", re.M)


def exercise_of(grade_id: str) -> str:
    """Exercise name of a grade_id: ``test_<name>`` -> ``<name>``."""
    return grade_id[len("test_"):] if grade_id.startswith("test_") else grade_id


def def_name(source: str) -> str | None:
    """Name of the first function defined in ``source`` (``None`` when there is none)."""
    m = _DEF.search(source or "")
    return m.group(1) if m else None


def _role(cell) -> str:
    from nbgrader.utils import is_grade, is_locked, is_solution
    if not cell.get("metadata", {}).get("nbgrader"):
        return "free"
    if is_grade(cell) and is_solution(cell):
        return "written"
    if is_solution(cell):
        return "answer"
    if is_grade(cell):
        return "test"
    return "locked" if is_locked(cell) else "free"


def spec_from_notebooks(lesson: str, graded, release, source_sha256: str = "") -> dict:
    """Build the spec from the graded-source notebook and the released (student) notebook."""
    rel_by_gid = {c.metadata.nbgrader["grade_id"]: c for c in release.cells
                  if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")}
    rel_by_id = {c.get("id"): c for c in release.cells if c.get("id")}
    cells, exercises = [], []
    for cell in graded.cells:
        nbg = dict(cell.get("metadata", {}).get("nbgrader", {}))
        gid = nbg.get("grade_id")
        role = _role(cell)
        rel = rel_by_gid.get(gid) if gid else rel_by_id.get(cell.get("id"))
        entry = {
            "role": role, "grade_id": gid, "id": cell.get("id"), "cell_type": cell.cell_type,
            "source": cell.source, "release_source": rel.source if rel is not None else cell.source,
            "points": float(nbg["points"]) if nbg.get("grade") else None,
            "exercise": exercise_of(gid) if gid and role in ("answer", "test", "written") else None,
            "nbgrader": nbg or None,
            "def_name": def_name(cell.source) if role == "answer" else None,
            "variant": variant_role(cell),
        }
        if entry["variant"] == "text":
            entry["template"] = cell.source
        elif entry["variant"] == "cell" and (role != "locked" or cell.cell_type != "code"):
            raise ValueError(f"{lesson}: the cell tagged 'variant' must be a read-only code cell (nbgrader "
                             f"'locked'), so that both kernels run it; it is a {role} {cell.cell_type} cell")
        cells.append(entry)
        if role in ("test", "written"):
            exercises.append({"name": entry["exercise"], "points": entry["points"],
                              "kind": "auto" if role == "test" else "written"})
    spec = {"lesson": lesson, "notebook": f"{lesson}.ipynb", "source_sha256": source_sha256,
            "cells": cells, "exercises": exercises}
    return personalise_spec(spec, None)


def _clear_solutions(nb):
    """Apply nbgrader's ClearSolutions to solution cells only (as nbgrader's gradebook stores them)."""
    from nbgrader.preprocessors import ClearSolutions
    from traitlets.config.loader import PyFileConfigLoader

    from .release import ROOT
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT / "grader")).load_config()
    pre = ClearSolutions(config=cfg)
    nb, _ = pre.preprocess(nb, {})
    return nb


def build_specs(root: Path, lessons: list[str] | None = None, released: Path | None = None,
                hidden: bool = True) -> dict[str, dict]:
    """Specs for ``lessons`` (default: every lesson of ``root/solutions``).

    ``hidden=True`` (autograde): graded source = ``solutions/`` with solutions cleared and
    hidden tests kept. ``hidden=False`` (student validate): graded source = the released
    notebook (visible tests only). ``released``: a folder with ``<id>/<id>.ipynb`` student
    versions; generated from ``solutions/`` into a scratch folder when not given.
    """
    import nbformat

    from .release import generate, lesson_names
    lessons = list(lessons or lesson_names(root))
    specs = {}
    with tempfile.TemporaryDirectory(prefix="bw-spec-") as tmp:
        if released is None and lessons:
            released = generate(Path(tmp), root, lessons)
        for lesson in lessons:
            rel = nbformat.read(str(Path(released) / lesson / f"{lesson}.ipynb"), as_version=4)
            if hidden:
                src_path = Path(root) / "solutions" / lesson / f"{lesson}.ipynb"
                sha = hashlib.sha256(src_path.read_bytes()).hexdigest()
                graded = _clear_solutions(nbformat.read(str(src_path), as_version=4))
            else:
                sha, graded = "", rel
            specs[lesson] = spec_from_notebooks(lesson, graded, rel, sha)
    return specs


def cached_specs(root: Path, lessons: list[str]) -> dict[str, dict]:
    """:func:`build_specs` (hidden tests kept), cached per content of the sources and of the grader's
    nbgrader configuration, in a private folder (0700) of the temporary directory."""
    h = hashlib.sha256()
    for f in [Path(__file__), Path(__file__).with_name("nbgrader_config.py"), Path(__file__).with_name("variants.py"),
              Path(__file__).with_name("release.py"),
              *(Path(root) / "solutions" / lesson / f"{lesson}.ipynb" for lesson in lessons)]:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    folder = Path(tempfile.gettempdir()) / f"bw-grader-specs-{os.geteuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_uid != os.geteuid() or folder.stat().st_mode & 0o077:
        return build_specs(root, lessons)          # not ours or not private: do not trust it
    path = folder / f"{h.hexdigest()}.json"
    if path.is_file():
        try:
            return load_specs(path)
        except (OSError, ValueError):
            pass
    specs = build_specs(root, lessons)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(specs, f)
    os.replace(tmp, path)
    return specs


def save_specs(specs: dict, path: Path) -> None:
    Path(path).write_text(json.dumps(specs), encoding="utf-8")


def load_specs(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
