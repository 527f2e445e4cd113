"""The results folder: one JSON file per graded submission, written atomically.

Layout of ``RESULTS/``::

    results/<student_id>/<lesson>.json   one graded submission (see grading.grade_file)
    run.json                             lessons (exercises, points), students seen, skipped
                                         files, isolation in force
    grades.csv, summary.csv, report.html, feedback/<student_id>/<lesson>.html   (grader report)

A result is written to a temporary file and renamed into place, so an interrupted run
leaves either the whole result or none. ``load`` merges several results folders.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

__all__ = ["write_json", "result_path", "is_current", "save_result", "load", "save_run", "merge_run"]


def write_json(path: Path, data) -> None:
    """Atomically replace ``path`` with ``data`` as JSON."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def result_path(results: Path, student: str, lesson: str) -> Path:
    return Path(results) / "results" / student / f"{lesson}.json"


def is_current(results: Path, sub, spec_sha: str) -> bool:
    """Already graded: a result exists for the same submission bytes and the same lesson source."""
    p = result_path(results, sub.student, sub.lesson)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return data.get("sha256") == sub.sha256 and data.get("spec_sha256") == spec_sha


def save_result(results: Path, sub, result: dict) -> None:
    data = dict(result, student=sub.student, lesson=sub.lesson, sha256=sub.sha256, origin=sub.origin)
    if getattr(sub, "late", False):
        data["late"] = True
    write_json(result_path(results, sub.student, sub.lesson), data)


def merge_run(old: dict, new: dict) -> dict:
    """Combine two ``run.json`` contents (lessons, students, skipped, isolation)."""
    lessons = dict(old.get("lessons", {}))
    lessons.update(new.get("lessons", {}))
    skipped = {(s["path"], s["reason"]): s for s in old.get("skipped", []) + new.get("skipped", [])}
    iso = sorted(set(old.get("isolation", [])) | set(new.get("isolation", [])))
    return {"lessons": lessons, "students": sorted(set(old.get("students", [])) | set(new.get("students", []))),
            "skipped": list(skipped.values()), "isolation": iso}


def save_run(results: Path, run: dict) -> None:
    p = Path(results) / "run.json"
    old = json.loads(p.read_text(encoding="utf-8")) if p.exists() else {}
    write_json(p, merge_run(old, run))


def load(folders: list[Path]) -> tuple[dict, list[dict]]:
    """-> ``(run, results)`` merged over ``folders``; for a student x lesson graded in several
    folders, the most recently graded result wins."""
    run, best = {}, {}
    for folder in folders:
        folder = Path(folder)
        p = folder / "run.json"
        if p.exists():
            run = merge_run(run, json.loads(p.read_text(encoding="utf-8")))
        for f in sorted((folder / "results").glob("*/*.json")):
            try:
                data = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            key = (data.get("student"), data.get("lesson"))
            if key not in best or data.get("graded_at", "") >= best[key].get("graded_at", ""):
                best[key] = data
    return run, [best[k] for k in sorted(best)]
