"""Hand grades of written answers, in ``RESULTS/manual/`` (never in the submissions, never in solutions/).

``grades.json``   ``{"<student>/<lesson>/<question>": HandGrade as dict}``: the current grade of each answer
``log.jsonl``     every save, in order (two tabs saving the same answer: both are here, the last wins)
``rubric.json``   ``{"<lesson>/<question>": [{"id", "points", "text"}]}``: rubric items added on the page

Every change happens under an exclusive lock (``.lock``, ``fcntl.flock``), and files are replaced
atomically (:func:`grader.store.write_json`), so concurrent saves never lose one another.
"""
from __future__ import annotations

import fcntl
import json
import math
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..store import write_json

__all__ = ["HandGrade", "parse_score", "key_of", "save_grades", "load_grades", "hand_grades",
           "merge_hand_grades", "load_rubric_additions", "add_rubric_item", "write_all", "folder"]

_THREAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class HandGrade:
    student: str
    lesson: str
    question: str
    score: float
    max_score: float
    comment: str = ""
    rubric: tuple = ()            # ({"id", "points", "text"}, ...) as applied
    grader: str = ""
    sha256: str = ""              # of the submission graded (a resubmission makes this grade stale)
    saved_at: str = field(default="")

    def as_dict(self) -> dict:
        d = asdict(self)
        d["rubric"] = [dict(x) for x in self.rubric]
        return d


def folder(results: Path) -> Path:
    return Path(results) / "manual"


def key_of(student: str, lesson: str, question: str) -> str:
    return f"{student}/{lesson}/{question}"


def parse_score(value, max_score: float) -> float:
    """``value`` (text or number) as a score in ``[0, max_score]``; ValueError saying what was expected."""
    text = str(value).strip().replace(",", ".") if value is not None else ""
    try:
        score = float(text)
    except ValueError:
        raise ValueError(f"score: expected a number between 0 and {max_score:g}, got {str(value)!r}") from None
    if not math.isfinite(score):
        raise ValueError(f"score: expected a number between 0 and {max_score:g}, got {str(value)!r}")
    if score < 0:
        raise ValueError(f"score: must not be negative (0 to {max_score:g}), got {score:g}")
    if score > max_score:
        raise ValueError(f"score: at most {max_score:g} points for this question, got {score:g}")
    return score


@contextmanager
def _locked(results: Path):
    d = folder(results)
    d.mkdir(parents=True, exist_ok=True)
    with _THREAD_LOCK, open(d / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield d
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default


def save_grades(results: Path, grades: list[HandGrade]) -> list[HandGrade]:
    """Record ``grades`` (all or nothing) and append them to the log; -> them with ``saved_at``."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    stamped = [HandGrade(**{**g.as_dict(), "rubric": tuple(g.rubric), "saved_at": g.saved_at or now})
               for g in grades]
    with _locked(results) as d:
        current = _read(d / "grades.json", {})
        for g in stamped:
            current[key_of(g.student, g.lesson, g.question)] = g.as_dict()
        with open(d / "log.jsonl", "a", encoding="utf-8") as log:
            for g in stamped:
                log.write(json.dumps(g.as_dict(), sort_keys=True) + "\n")
            log.flush()
            os.fsync(log.fileno())
        write_json(d / "grades.json", current)
    return stamped


def write_all(results: Path, grades: dict[str, HandGrade]) -> None:
    """Replace the stored grades with ``grades`` (a merged report folder)."""
    with _locked(results) as d:
        write_json(d / "grades.json", {k: g.as_dict() for k, g in grades.items()})


def _from_dict(d: dict) -> HandGrade:
    return HandGrade(**{**d, "rubric": tuple(d.get("rubric") or ())})


def load_grades(results: Path) -> dict[str, HandGrade]:
    data = _read(folder(results) / "grades.json", {})
    return {k: _from_dict(v) for k, v in data.items()}


def hand_grades(folders: list[Path]) -> dict[str, HandGrade]:
    """Hand grades of several results folders; for the same answer the latest save wins."""
    best: dict[str, HandGrade] = {}
    for f in folders:
        for k, g in load_grades(f).items():
            if k not in best or g.saved_at >= best[k].saved_at:
                best[k] = g
    return best


def merge_hand_grades(results: list[dict], hand: dict[str, HandGrade]) -> list[dict]:
    """Written answers (``needs_manual``) with a hand grade for the same submission become ``graded``."""
    for r in results:
        for e in r.get("exercises", []):
            g = hand.get(key_of(r.get("student"), r.get("lesson"), e.get("exercise")))
            if g is None or e.get("status") != "needs_manual":
                continue
            if g.sha256 and r.get("sha256") and g.sha256 != r.get("sha256"):
                e["message"] = (f"{e.get('message') or ''}; the hand grade by {g.grader} was for an earlier "
                                "version of this notebook: grade it again").strip("; ")
                continue
            e.update(score=float(g.score), status="graded", message=f"graded by hand by {g.grader}",
                     hand={"grader": g.grader, "comment": g.comment,
                           "rubric": [f"{x['points']:+g}: {x['text']}" for x in g.rubric]})
    return results


def load_rubric_additions(results: Path) -> dict[str, list[dict]]:
    return _read(folder(results) / "rubric.json", {})


def add_rubric_item(results: Path, lesson: str, question: str, points: float, text: str) -> dict:
    """A new reusable rubric item for a question, saved in RESULTS (never in solutions/)."""
    text = " ".join(str(text).split())
    if not text:
        raise ValueError("rubric item: the text is empty")
    if len(text) > 300:
        raise ValueError(f"rubric item: at most 300 characters, got {len(text)}")
    with _locked(results) as d:
        data = _read(d / "rubric.json", {})
        items = data.setdefault(f"{lesson}/{question}", [])
        item = {"id": f"r{len(items) + 1}", "points": float(points), "text": text}
        items.append(item)
        write_json(d / "rubric.json", data)
    return item
