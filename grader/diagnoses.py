"""What the class got wrong: the stable diagnosis codes of failed checks, counted per exercise.

Every exercise result may carry ``diagnosis`` (contracts.md #1: the ``code`` of the
``helpers.checks.CheckFailed`` that failed, e.g. ``"transpose"``), or ``None`` / no key at all
(older results, or a failure no check diagnosed). :data:`WORDING` is the one table that turns
a code into words for instructors; an unknown code is shown as itself, never dropped.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

__all__ = ["WORDING", "UNKNOWN", "Mistake", "describe", "common_mistakes"]

UNKNOWN = "unknown"
# code -> what "N students ..." did (the wording of report.html's common-mistakes table)
WORDING = {
    "transpose": "transposed a matrix (e.g. dW instead of dW.T)",
    "factor_N": "got results off by a factor of the batch size N (a missing or extra mean over the batch)",
    "overflow": "overflowed or produced inf/nan for large inputs (no stable formulation)",
    "in_place": "modified an input array in place",
    "wrong_axis": "summed or averaged over the wrong axis",
    "wrong_shape": "returned an array of the wrong shape",
    "dtype": "changed the dtype (e.g. float32 input returned as float64)",
    "sign": "flipped the sign of the result",
    "mismatch": "returned wrong values (no more specific diagnosis)",
    UNKNOWN: "failed a check the grader could not diagnose (no diagnosis code recorded)",
}


@dataclass(frozen=True)
class Mistake:
    exercise: str          # "<lesson> <exercise>"
    code: str
    students: int
    wording: str


def describe(code: str | None) -> str:
    """The instructor-facing words for a diagnosis code (unknown codes are named as they are)."""
    code = code or UNKNOWN
    return WORDING.get(code, f"failed with diagnosis code {code} (no wording for this code yet)")


def common_mistakes(results: list[dict], written: set[tuple[str, str]] = frozenset()) -> dict[str, list[Mistake]]:
    """-> ``{"<lesson> <exercise>": [Mistake, ...]}``, most frequent first, from graded
    autograded exercises that scored below their maximum. Each student counts once per code."""
    seen = defaultdict(set)
    for r in results:
        for e in r.get("exercises", []):
            if (r.get("lesson"), e.get("exercise")) in written or e.get("status") != "graded":
                continue
            if e.get("score") is None or e.get("max_score") is None or e["score"] >= e["max_score"]:
                continue
            key = f"{r.get('lesson')} {e.get('exercise')}"
            seen[(key, e.get("diagnosis") or UNKNOWN)].add(r.get("student"))
    per = defaultdict(Counter)
    for (key, code), students in seen.items():
        per[key][code] = len(students)
    return {key: [Mistake(key, code, n, describe(code))
                  for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
            for key, counts in sorted(per.items())}
