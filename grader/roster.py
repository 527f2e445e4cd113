"""The class roster (``ROSTER.csv``): who gets a variant, and whose variant a fingerprint is.

The same file as ``--roster`` for LMS zips (:func:`grader.lms.load_roster`): a ``student_id``
column, any other columns ignored here. Student ids must be valid folder names (they name
``DIR/<student_id>/`` and ``SUBMISSIONS/<student_id>/``) and appear once.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from .lms import load_roster

__all__ = ["student_ids"]


def student_ids(path: Path) -> tuple[str, ...]:
    """The roster's student ids, in file order (checked: valid, unique, at least one)."""
    from .submissions import STUDENT_ID
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--roster: {path} does not exist")
    ids = tuple(r["student_id"] for r in load_roster(path).rows)
    bad = [s for s in ids if not STUDENT_ID.match(s)]
    if bad:
        raise ValueError(f"--roster: {path}: student_id {bad[0]!r} is not a valid student id (letters, digits "
                         f"and _.@+- only, starting with a letter or digit; at most 100 characters)")
    twice = sorted(s for s, n in Counter(ids).items() if n > 1)
    if twice:
        raise ValueError(f"--roster: {path}: student_id {twice[0]!r} appears {Counter(ids)[twice[0]]} times; "
                         f"each student once")
    if not ids:
        raise ValueError(f"--roster: {path} lists no student")
    return ids
