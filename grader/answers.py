"""The students' answer cells, kept for comparing a class (:mod:`grader.similarity`), never for students.

``grader autograde`` writes, for every graded submission, ``RESULTS/answers/<student_id>/<lesson>.json``::

    {"student", "lesson", "sha256": <of the graded submission>,
     "answers": {<grade_id>: {"source": <the cell as handed in>, "changed": <differs from the released stub>}},
     "written": {<grade_id>: {"text": <the written answer as handed in>, "attachments": {...}}}}

``written`` (the Markdown answers graded by hand) is what ``grader manual`` shows, whoever started the run
(the command line, the Python API, a cluster recipe).

The submission is read through :func:`grader.safeio.read_regular` (no symlink, no FIFO, bounded
size) and only parsed as JSON (nbformat 3 and older are converted by
:func:`grader.restore.read_submission`): nothing in it is executed. Answer cells are found by nbgrader
``grade_id`` (then by nbformat cell id, as :mod:`grader.restore` does). The files are written
atomically like the results, live outside ``feedback/`` (which is what students are given) and are
read only by ``grader report`` for its "Similar answers" section. A result and its answers belong
together by the submission's SHA-256: answers of another version of the notebook are never used.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .safeio import read_regular
from .store import write_json

__all__ = ["answers_path", "extract", "extract_written", "save_answers", "keep_answers", "find_answers", "class_answers",
           "ClassAnswers", "MAX_ANSWER_CHARS"]

MAX_ANSWER_CHARS = 20_000      # an answer cell longer than this is kept truncated and not compared


def answers_path(results: Path, student: str, lesson: str) -> Path:
    return Path(results) / "answers" / student / f"{lesson}.json"


def _norm(src) -> str:
    return "\n".join(line.rstrip() for line in str(src or "").strip().splitlines())


def _dict(x) -> dict:
    return x if isinstance(x, dict) else {}


def extract(nb, spec: dict) -> dict[str, dict]:
    """-> ``{grade_id: {"source", "changed"[, "truncated"]}}`` for the lesson's autograded answer cells
    (``nb``: a notebook, or its JSON as read; whatever its cells hold, nothing is run)."""
    wanted = [c for c in spec["cells"] if c["role"] == "answer" and c["grade_id"]]
    by_gid = {c["grade_id"]: c for c in wanted}
    by_id = {c["id"]: c for c in wanted if c["id"]}
    graded = {c["grade_id"] for c in spec["cells"] if c["grade_id"]}
    out = {}
    for cell in _dict(nb).get("cells") or []:
        cell = _dict(cell)
        if cell.get("cell_type") != "code":
            continue
        gid, cid = _dict(_dict(cell.get("metadata")).get("nbgrader")).get("grade_id"), cell.get("id")
        if isinstance(gid, str) and gid in graded:      # another graded cell (a test) is not an answer
            sc = by_gid.get(gid)
        else:
            sc = by_id.get(cid) if isinstance(cid, str) else None
        if sc is None or sc["grade_id"] in out:         # a duplicated cell: the first one counts
            continue
        src = cell.get("source")
        src = "".join(x for x in src if isinstance(x, str)) if isinstance(src, list) else str(src or "")
        entry = {"source": src[:MAX_ANSWER_CHARS], "changed": _norm(src) != _norm(sc["release_source"])}
        if len(src) > MAX_ANSWER_CHARS:
            entry["truncated"] = True
        out[sc["grade_id"]] = entry
    return out


def extract_written(nb, spec: dict) -> dict[str, dict]:
    """-> ``{grade_id: {"text", "attachments"}}`` for the lesson's written answers (the first cell of each
    grade id counts, as in :mod:`grader.restore`)."""
    wanted = {c["grade_id"] for c in spec["cells"] if c["role"] == "written" and c["grade_id"]}
    out = {}
    for cell in _dict(nb).get("cells") or []:
        cell = _dict(cell)
        gid = _dict(_dict(cell.get("metadata")).get("nbgrader")).get("grade_id")
        if isinstance(gid, str) and gid in wanted and gid not in out:
            src = cell.get("source")
            src = "".join(x for x in src if isinstance(x, str)) if isinstance(src, list) else str(src or "")
            out[gid] = {"text": src[:MAX_ANSWER_CHARS], "attachments": _dict(cell.get("attachments"))}
    return out


def _notebook(path: str):
    """The notebook's JSON (nbformat 4), or an older one converted by :func:`grader.restore.read_submission`."""
    from .restore import MAX_NOTEBOOK_BYTES, SubmissionError, read_submission
    try:
        data = json.loads(read_regular(path, MAX_NOTEBOOK_BYTES).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SubmissionError("not a notebook") from None
    if isinstance(data, dict) and isinstance(data.get("nbformat"), int) and data["nbformat"] >= 4:
        return data
    return read_submission(path)[0]


def save_answers(results: Path, sub, spec: dict) -> None:
    """Write the answers of submission ``sub`` (an unreadable notebook gets an empty record)."""
    from .restore import SubmissionError
    try:
        nb = _notebook(sub.path)
        answers, written = extract(nb, spec), extract_written(nb, spec)
    except (SubmissionError, OSError, RecursionError, MemoryError):
        answers, written = {}, {}
    write_json(answers_path(results, sub.student, sub.lesson),
               {"student": sub.student, "lesson": sub.lesson, "sha256": sub.sha256, "answers": answers,
                "written": written})


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def keep_answers(results: Path, subs, specs: dict) -> int:
    """After a run: the answers of every submission in ``subs`` not recorded yet for its bytes; -> how many."""
    n = 0
    for sub in subs:
        old = _read(answers_path(results, sub.student, sub.lesson))
        if old is None or old.get("sha256") != sub.sha256 or "written" not in old:
            save_answers(results, sub, specs[sub.lesson])
            n += 1
    return n


def find_answers(folders, result: dict) -> dict | None:
    """The answers recorded for the submission ``result`` graded (same SHA-256) in any of ``folders``."""
    for folder in folders:
        data = _read(answers_path(folder, result["student"], result["lesson"]))
        if data is not None and data.get("sha256") == result.get("sha256"):
            return data
    return None


@dataclass(frozen=True)
class ClassAnswers:
    """The answers to compare: ``rows`` of ``(student, "<lesson>/<grade_id>", source)`` (changed from the
    stub, complete), and how many of the graded submissions had their answers ``recorded``."""
    rows: tuple
    recorded: int


def class_answers(folders, results: list[dict]) -> ClassAnswers:
    """The answers of the graded submissions in ``results``."""
    rows, recorded = [], 0
    for r in results:
        data = find_answers(folders, r)
        recorded += data is not None
        for gid, a in sorted(((data or {}).get("answers") or {}).items()):
            if isinstance(a, dict) and a.get("changed") and not a.get("truncated"):
                rows.append((r["student"], f"{r['lesson']}/{gid}", str(a.get("source", ""))))
    return ClassAnswers(tuple(rows), recorded)
