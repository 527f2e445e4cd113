"""One diagnosis code's words: what the student reads, what the instructor reads, and its hints."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Diagnosis"]


@dataclass(frozen=True)
class Diagnosis:
    """The words of one diagnosis code.

    ``instructor``: what "N students ..." did (report.html's common-mistakes table);
    ``hints``: 2-3 hints, from a nudge to nearly the answer, written for this mistake;
    ``student``: the message a check shows for this code when it is fixed text (a test cell's
    ``mistakes={code: value}``); ``""`` when the message is built from the inputs where the code is
    raised (``explain_*`` in :mod:`helpers.feedback.diagnose`, a check, a test cell).
    """

    instructor: str
    hints: tuple[str, ...]
    student: str = ""

    def __post_init__(self):
        if not self.instructor or not 2 <= len(self.hints) <= 3 or not all(self.hints):
            raise ValueError(f"a Diagnosis needs instructor words and 2-3 non-empty hints, got {self!r}")
