"""Which per-student variant a submission is, checked on the grader's side (it holds the secret).

A released notebook carries its variant's fingerprint twice: in the notebook metadata and in
the read-only ``variant`` cell (``V = Variant("<fingerprint>")``, see :mod:`grader.variants`).
Only the course secret can say whose fingerprint it is, so the student cannot make another
student's variant look like their own. For each submission of a lesson with variants:

* ``own``: every fingerprint the notebook carries is its student's: graded against it;
* ``copied_variant``: the notebook carries (consistently) another roster student's fingerprint,
  e.g. B handed in A's notebook: graded against A's variant (scores kept) and flagged, naming A;
* ``unknown_variant``: no fingerprint (the common version, or the cell removed), one that is no
  roster student's (forged or edited), or two that disagree: graded against the student's own
  variant and flagged.

Flags go to ``needs_attention`` and ``report.html`` for an instructor to judge; never a zero,
never in a student's feedback page. The result records ``variant``: ``{"of", "check",
"reason"}`` (whose variant it was graded against), never a fingerprint or the secret.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum

from .safeio import read_regular
from .submissions import MAX_BYTES
from .variants import fingerprint, notebook_fingerprint

__all__ = ["Verdict", "VariantCheck", "VariantKeys", "check_submission", "lesson_varies", "variant_flags"]


class Verdict(str, Enum):
    OWN = "own"
    COPIED = "copied_variant"
    UNKNOWN = "unknown_variant"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class VariantCheck:
    """The verdict on one submission; ``fingerprint`` is what it is graded against (not recorded)."""
    verdict: Verdict
    of: str
    fingerprint: str = field(repr=False)
    reason: str = ""

    def record(self) -> dict:
        """What the result keeps: whose variant it was graded against, and why (no fingerprint)."""
        return {"of": self.of, "check": self.verdict.value, "reason": self.reason}


@dataclass(frozen=True)
class VariantKeys:
    """The course secret and the roster: a student's fingerprint, and whose a fingerprint is."""
    secret: bytes = field(repr=False)
    students: tuple[str, ...]
    _owners: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        fingerprint(self.secret, "check", "check")           # a clear error for a bad secret, now
        if not self.students:
            raise ValueError("VariantKeys: students: expected the roster's student ids, got none")

    def of(self, student: str, lesson: str) -> str:
        return fingerprint(self.secret, student, lesson)

    def owner(self, fp: str, lesson: str) -> str | None:
        """The roster student whose variant of ``lesson`` has fingerprint ``fp`` (``None``: nobody's)."""
        if lesson not in self._owners:
            self._owners[lesson] = {self.of(s, lesson): s for s in self.students}
        return self._owners[lesson].get(fp)


def lesson_varies(spec: dict) -> bool:
    """Whether the lesson declares per-student variants (its spec has the ``variant`` cell)."""
    return any(c.get("variant") == "cell" for c in spec["cells"])


def _found(path) -> tuple[str | None, str | None]:
    """(metadata fingerprint, variant cell fingerprint) of the file; ``None`` for what is unreadable."""
    try:
        nb = json.loads(read_regular(path, MAX_BYTES).decode("utf-8"))
        return notebook_fingerprint(nb) if isinstance(nb, dict) else (None, None)
    except Exception:  # noqa: BLE001 -- an unreadable or odd notebook simply carries no fingerprint
        return None, None


def _name(fp: str, keys: VariantKeys, student: str, lesson: str) -> str:
    if fp == keys.of(student, lesson):
        return f"{student}'s own"
    owner = keys.owner(fp, lesson)
    return f"{owner}'s" if owner else "no roster student's"


def check_submission(keys: VariantKeys, student: str, lesson: str, path) -> VariantCheck:
    """The verdict on ``path``, ``student``'s submission of ``lesson`` (a lesson with variants)."""
    own = keys.of(student, lesson)
    in_meta, in_cell = _found(path)
    found = {fp for fp in (in_meta, in_cell) if fp}
    if not found:
        return VariantCheck(Verdict.UNKNOWN, student, own,
                            "the notebook carries no variant fingerprint (the common version from lessons/, "
                            f"or its variant cell and metadata were removed); graded against {student}'s own variant")
    if len(found) > 1:
        return VariantCheck(Verdict.UNKNOWN, student, own,
                            f"the fingerprints disagree: the metadata's is {_name(in_meta, keys, student, lesson)}, "
                            f"the variant cell's is {_name(in_cell, keys, student, lesson)}; "
                            f"graded against {student}'s own variant")
    fp = found.pop()
    if fp == own:
        return VariantCheck(Verdict.OWN, student, own)
    owner = keys.owner(fp, lesson)
    if owner is not None:
        return VariantCheck(Verdict.COPIED, owner, fp,
                            f"this notebook is {owner}'s variant of {lesson}, handed in by {student}; "
                            f"graded against {owner}'s variant (scores kept)")
    return VariantCheck(Verdict.UNKNOWN, student, own,
                        "the notebook's fingerprint is no roster student's (forged, edited, or made with another "
                        f"course secret); graded against {student}'s own variant")


def variant_flags(results: list[dict]) -> list[dict]:
    """``[{"student", "lesson", "flag", "of", "reason"}]`` for every result whose variant check is not ``own``."""
    out = []
    for r in results:
        v = r.get("variant")
        if isinstance(v, dict) and v.get("check") in (Verdict.COPIED.value, Verdict.UNKNOWN.value):
            out.append({"student": r.get("student"), "lesson": r.get("lesson"), "flag": v["check"],
                        "of": v.get("of"), "reason": v.get("reason", "")})
    return sorted(out, key=lambda f: (f["student"] or "", f["lesson"] or ""))
