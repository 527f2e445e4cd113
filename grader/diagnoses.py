"""What the class got wrong: the stable diagnosis codes of failed checks, counted per exercise.

Every exercise result may carry ``diagnosis`` (contracts.md #1: the ``code`` of the
``helpers.feedback.checks.CheckFailed`` that failed, e.g. ``"transpose"``), or ``None`` / no key at all
(older results, or a failure no check diagnosed). :data:`WORDING` turns a code into words for
instructors (read from ``helpers.feedback.codes``); an unknown code is shown as itself, never dropped.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from helpers.feedback.codes import DIAGNOSES, UNKNOWN

__all__ = ["WORDING", "UNKNOWN", "Mistake", "describe", "common_mistakes"]

# code -> what "N students ..." did (the wording of report.html's common-mistakes table): a read of
# helpers.feedback.codes.DIAGNOSES, the one table that owns every diagnosis code (with its hints)
WORDING = {code: d.instructor for code, d in DIAGNOSES.items()}


@dataclass(frozen=True)
class Mistake:
    exercise: str          # "<lesson> <exercise>"
    code: str
    students: int
    wording: str


def describe(code: str | None, example: str = "") -> str:
    """The instructor-facing words for a diagnosis code; a code without words in :data:`WORDING`
    is described by what the check told one of the students (``example``), or named as it is."""
    code = code or UNKNOWN
    if code in WORDING:
        return WORDING[code]
    if example:
        first = example.strip().splitlines()[0]
        for where in ("A visible test failed: ", "A hidden test failed: "):
            first = first[len(where):] if first.startswith(where) else first
        return f"got \u201c{first[:160]}{'…' if len(first) > 160 else ''}\u201d"
    return f"failed with diagnosis code {code} (no wording for this code yet)"


def common_mistakes(results: list[dict], written: set[tuple[str, str]] = frozenset()) -> dict[str, list[Mistake]]:
    """-> ``{"<lesson> <exercise>": [Mistake, ...]}``, most frequent first, from graded
    autograded exercises that scored below their maximum. Each student counts once per code."""
    seen, example = defaultdict(set), {}
    for r in results:
        for e in r.get("exercises", []):
            if (r.get("lesson"), e.get("exercise")) in written or e.get("status") != "graded":
                continue
            if e.get("score") is None or e.get("max_score") is None or e["score"] >= e["max_score"]:
                continue
            key = f"{r.get('lesson')} {e.get('exercise')}"
            code = e.get("diagnosis") or UNKNOWN
            seen[(key, code)].add(r.get("student"))
            example.setdefault((key, code), e.get("message") or "")
    per = defaultdict(Counter)
    for (key, code), students in seen.items():
        per[key][code] = len(students)
    return {key: [Mistake(key, code, n, describe(code, example[(key, code)]))
                  for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
            for key, counts in sorted(per.items())}
