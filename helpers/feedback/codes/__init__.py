"""Every diagnosis code's words in one table: :data:`DIAGNOSES` (``code -> Diagnosis``).

A check that fails carries a stable ``code`` (``CheckFailed(..., code=...)``); this table is its one
owner: the student's message when it is fixed text (``Diagnosis.student``; messages built from the
inputs stay in :mod:`helpers.feedback.diagnose`), the instructor's wording of report.html's
common-mistakes table (``grader.diagnoses.WORDING`` reads it) and the hints of the feedback box
(``Diagnosis.hints``: a nudge first, nearly the answer last). Hints come from this table only --
never from a hidden test or a model answer.

* :mod:`.entry` -- the :class:`Diagnosis` record;
* :mod:`.general` -- the codes the checks find in any lesson (and the grader's ``unknown``);
* :mod:`.lessons` -- the codes of lessons 01-05's test cells;
* :mod:`.deeper` -- the codes of lesson 06's test cells.
"""
from __future__ import annotations

from .deeper import DEEPER
from .entry import Diagnosis
from .general import GENERAL, UNKNOWN
from .lessons import LESSONS

__all__ = ["DIAGNOSES", "Diagnosis", "UNKNOWN", "hints"]

#: code -> its words; the one table of every diagnosis code
DIAGNOSES: dict[str, Diagnosis] = {**GENERAL, **LESSONS, **DEEPER}


def hints(code: str | None) -> tuple[str, ...]:
    """The hint ladder of ``code`` (nudge first); ``()`` for a code the table does not know."""
    entry = DIAGNOSES.get(code or "")
    return entry.hints if entry else ()
