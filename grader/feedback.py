"""Feedback pages for students: ``feedback/<student_id>/<lesson>.html`` (template ``feedback.html.j2``).

Per exercise: the score, the status, what the student's visible test printed, and for a
failed check the message from ``helpers.feedback.checks`` (saying whether a hidden test failed); for a
written answer graded by hand, the score, the rubric items applied and the comment.
Never the source of a hidden test, never a traceback, never an absolute path of the
grading machine (all text is passed through :func:`grader.scoring.sanitize`, and the
template escapes everything).
"""
from __future__ import annotations

from .pages import render
from .scoring import sanitize

__all__ = ["feedback_html"]

_STATUS_TEXT = {
    "graded": "", "error": "could not be graded", "timeout": "ran too long",
    "memory": "used too much memory", "tampered": "held for review by your instructor",
    "missing": "not handed in", "needs_manual": "will be graded by your instructor",
}


def _t(text, limit=4000) -> str:
    return sanitize(str(text), limit)


def _exercise(e: dict) -> dict:
    full = e["score"] is not None and bool(e["max_score"]) and e["score"] >= e["max_score"]
    graded = e["status"] == "graded"
    hand = e.get("hand")
    return {
        "name": _t(e["exercise"], 200), "status": e["status"], "status_text": _STATUS_TEXT.get(e["status"], ""),
        "cls": "wait" if e["status"] == "needs_manual" else ("ok" if full and graded else "bad"),
        "score": "–" if e["score"] is None else f"{e['score']:g}", "max": f"{e['max_score']:g}",
        "message": _t(e.get("message") or "", 1500), "output": _t(e.get("output") or ""),
        "praise": graded and full and not hand, "hint": graded and not full and bool(e.get("hidden_failed")),
        "hand": None if not hand else {"grader": _t(hand.get("grader") or "your instructor", 100),
                                       "comment": _t(hand.get("comment") or "", 4000),
                                       "rubric": [_t(x, 300) for x in hand.get("rubric", [])]},
    }


def feedback_html(result: dict) -> str:
    """The page for one graded submission (a result dict from :mod:`grader.grading`; exercises
    graded by hand carry ``hand``: ``{"grader", "comment", "rubric": [text, ...]}``)."""
    exs = result.get("exercises", [])
    return render("feedback.html.j2", lesson=_t(result.get("lesson"), 200), student=_t(result.get("student"), 200),
                  got=f"{sum(e['score'] or 0 for e in exs):g}", total=f"{sum(e['max_score'] or 0 for e in exs):g}",
                  pending=any(e["status"] == "needs_manual" for e in exs),
                  notes=[_t(n, 500) for n in result.get("notes") or []],
                  exercises=[_exercise(e) for e in exs])
