"""Feedback pages for students: ``feedback/<student_id>/<lesson>.html``.

Per exercise: the score, the status, what the student's visible test printed, and for a
failed check the message from ``helpers.checks`` (saying whether a hidden test failed).
Never the source of a hidden test, never a traceback, never an absolute path of the
grading machine (all text is passed through :func:`grader.scoring.sanitize` and escaped).
"""
from __future__ import annotations

import html

from .scoring import sanitize

__all__ = ["feedback_html"]

_CSS = """body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}.ex{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0}
.ok{border-left:6px solid #2a9d4b}.bad{border-left:6px solid #d1495b}.wait{border-left:6px solid #e0a100}
pre{background:#f6f6f6;padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere}.st{color:#666;font-size:.9rem}
.note{background:#fff7e0;padding:.5rem 1rem;border-radius:6px}"""

_STATUS_TEXT = {
    "graded": "", "error": "could not be graded", "timeout": "ran too long",
    "memory": "used too much memory", "tampered": "held for review by your instructor",
    "missing": "not handed in", "needs_manual": "will be graded by your instructor",
}


def _e(text, limit=4000) -> str:
    return html.escape(sanitize(str(text), limit))


def feedback_html(result: dict) -> str:
    """The page for one graded submission (a result dict from :mod:`grader.grading`)."""
    exs = result.get("exercises", [])
    got = sum(e["score"] or 0 for e in exs)
    total = sum(e["max_score"] or 0 for e in exs)
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{_e(result.get('lesson'))}"
             f" feedback</title><style>{_CSS}</style></head><body>",
             f"<h1>Feedback: {_e(result.get('lesson'))}</h1>",
             f"<p>Student <b>{_e(result.get('student'))}</b> &mdash; score <b>{got:g} / {total:g}</b>"
             " (written answers are added once your instructor has read them).</p>"]
    notes = result.get("notes") or []
    if notes:
        parts.append("<div class='note'><p><b>What the grader repaired in your notebook</b> (the tests "
                     "were run exactly as the lesson wrote them):</p><ul>"
                     + "".join(f"<li>{_e(n, 500)}</li>" for n in notes) + "</ul></div>")
    for e in exs:
        full = e["score"] is not None and e["max_score"] and e["score"] >= e["max_score"]
        cls = "wait" if e["status"] == "needs_manual" else ("ok" if full and e["status"] == "graded" else "bad")
        score = "&ndash;" if e["score"] is None else f"{e['score']:g}"
        parts.append(f"<div class='ex {cls}'><h2>{_e(e['exercise'])}: {score} / {e['max_score']:g}</h2>"
                     f"<p class='st'>status: {_e(e['status'])}"
                     + (f" ({_STATUS_TEXT[e['status']]})" if _STATUS_TEXT.get(e["status"]) else "") + "</p>")
        if e.get("message"):
            parts.append(f"<p>{_e(e['message'], 1500)}</p>")
        if e.get("output"):
            parts.append(f"<p>Output of the test cell:</p><pre>{_e(e['output'])}</pre>")
        if e["status"] == "graded" and full:
            parts.append("<p>All checks passed, including the hidden tests. Well done!</p>")
        elif e["status"] == "graded" and e.get("hidden_failed"):
            parts.append("<p>The visible tests passed but a hidden test did not: try other shapes, "
                         "a batch of one, float32 input and very large or small values.</p>")
        parts.append("</div>")
    parts.append("</body></html>")
    return "\n".join(parts)
