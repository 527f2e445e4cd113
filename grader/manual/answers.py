"""The students' written answers, for grading question by question.

The result JSONs say which written answers wait for a hand grade (``needs_manual``) and which
submission (its SHA-256) was graded. The answer text is what the run recorded for that submission
in ``RESULTS/answers/<student>/<lesson>.json`` (``written``, :mod:`grader.answers`); for results
graded before that was recorded, ``RESULTS/manual/answers.json``, a cache filled by ``grader manual
--submissions`` (the same folder or zip that was graded, opened read-only; a file whose hash differs
from the graded one is not used).
"""
from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..answers import find_answers
from ..store import load, write_json
from .store import folder

__all__ = ["Answer", "Group", "collect_answers", "group_answers", "normalise", "MissingAnswers", "prefetch"]


class MissingAnswers(Exception):
    """Some answers waiting for a grade cannot be shown: the message names them and the fix."""


@dataclass(frozen=True)
class Answer:
    student: str
    lesson: str
    question: str
    text: str
    sha256: str                       # the graded submission
    max_score: float
    attachments: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Group:
    """Answers identical after whitespace normalisation: one decision grades them all."""
    lesson: str
    question: str
    key: str
    answers: tuple

    @property
    def students(self) -> list[str]:
        return [a.student for a in self.answers]


def normalise(text: str) -> str:
    return " ".join(str(text).split())


def _from_notebook(path: str, questions: set[str]) -> dict:
    from ..restore import read_submission
    nb, _ = read_submission(path)
    out = {}
    for c in nb.cells:
        gid = c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in questions and gid not in out:
            out[gid] = {"text": c.source, "attachments": dict(c.get("attachments") or {})}
    return out


def _fill_cache(results: Path, submissions: Path, wanted: dict, cache: dict) -> None:
    from ..release import lesson_names
    from ..restore import SubmissionError
    from ..submissions import discover
    lessons = sorted({lesson for _, lesson in wanted} | set(lesson_names()))
    with tempfile.TemporaryDirectory(prefix="bw-manual-") as tmp:
        subs, _, _ = discover(Path(submissions), lessons, Path(tmp) / "unpacked")
        for s in subs:
            want = wanted.get((s.student, s.lesson))
            if want and want[0] == s.sha256:
                try:
                    found = _from_notebook(s.path, want[1])
                except (SubmissionError, OSError):       # reported as missing below, by name
                    continue
                cache[f"{s.student}/{s.lesson}"] = {"sha256": s.sha256, "answers": found}
    write_json(folder(results) / "answers.json", cache)


def collect_answers(results: Path, submissions: Path | None = None) -> list[Answer]:
    """Every written answer of ``results`` waiting for, or already given, a hand grade."""
    _, stored = load([Path(results)])
    cache_path = folder(results) / "answers.json"
    cache = json.loads(cache_path.read_text(encoding="utf-8")) if cache_path.exists() else {}
    pending = [(r, e) for r in stored for e in r.get("exercises", []) if e.get("status") == "needs_manual"]
    for r in {id(r): r for r, _ in pending}.values():       # what the run recorded for the graded bytes
        recorded = (find_answers([Path(results)], r) or {}).get("written")
        if isinstance(recorded, dict):
            cache[f"{r['student']}/{r['lesson']}"] = {"sha256": r.get("sha256"), "answers": recorded}
    wanted = {}
    for r, e in pending:
        hit = cache.get(f"{r['student']}/{r['lesson']}", {})
        if hit.get("sha256") != r.get("sha256") or e["exercise"] not in hit.get("answers", {}):
            wanted.setdefault((r["student"], r["lesson"]), (r.get("sha256"), set()))[1].add(e["exercise"])
    if wanted and submissions is not None:
        _fill_cache(results, submissions, wanted, cache)
    out, missing = [], []
    for r, e in pending:
        hit = cache.get(f"{r['student']}/{r['lesson']}", {})
        entry = hit.get("answers", {}).get(e["exercise"]) if hit.get("sha256") == r.get("sha256") else None
        if entry is None:
            missing.append(f"{r['student']} {r['lesson']} {e['exercise']}")
            continue
        out.append(Answer(r["student"], r["lesson"], e["exercise"], entry["text"], r.get("sha256", ""),
                          float(e["max_score"]), entry.get("attachments") or {}))
    if missing:
        how = ("pass --submissions with the folder or zip that was graded" if submissions is None else
               f"{submissions} does not hold the graded version of these notebooks")
        raise MissingAnswers(f"{len(missing)} written answer(s) cannot be shown ({how}): "
                             + ", ".join(missing[:10]) + (" …" if len(missing) > 10 else ""))
    return sorted(out, key=lambda a: (a.lesson, a.question, a.student))


def group_answers(answers: list[Answer]) -> dict[tuple[str, str], list[Group]]:
    """-> ``{(lesson, question): [Group, ...]}``; groups in the order of their first student."""
    groups: dict[tuple[str, str], dict[str, list[Answer]]] = {}
    for a in answers:
        key = hashlib.sha256(normalise(a.text).encode("utf-8")).hexdigest()[:16]
        groups.setdefault((a.lesson, a.question), {}).setdefault(key, []).append(a)
    return {q: [Group(q[0], q[1], k, tuple(v)) for k, v in g.items()] for q, g in groups.items()}


def prefetch(results: Path, submissions: Path) -> int:
    """After ``grader autograde``: cache the written answers' text, so ``grader manual RESULTS`` needs no
    ``--submissions``; -> how many answers are ready (never raises for a missing one)."""
    try:
        return len(collect_answers(results, submissions))
    except MissingAnswers:
        return 0
