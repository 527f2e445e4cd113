"""Rebuild the notebook to grade from a student's submission and the lesson's spec.

Instructor cells (locked cells, test cells with their hidden tests and points) always
come from the spec, in the lesson's order; the student's answers and own cells are kept.
Student cells are matched to the spec by nbgrader ``grade_id``, then by nbformat cell
``id``, then by content (for notebooks whose nbgrader metadata was stripped). Every
repair is reported in plain words (``notes``) for the feedback page.
"""
from __future__ import annotations

import difflib
import json
import warnings

from .safeio import NotRegular, read_regular
from .spec import def_name

__all__ = ["SubmissionError", "read_submission", "rebuild", "MAX_NOTEBOOK_BYTES"]

MAX_NOTEBOOK_BYTES = 100 << 20     # a lesson notebook is well under 1 MB


class SubmissionError(Exception):
    """The file cannot be read as a notebook; the message is for student and instructor."""


def read_submission(path: str):
    """Read a notebook in any nbformat version; raise :class:`SubmissionError` with the cause."""
    import nbformat
    try:
        raw = read_regular(path, MAX_NOTEBOOK_BYTES)
    except NotRegular as e:
        raise SubmissionError(f"the file is {e.strerror}") from None
    if not raw.strip():
        raise SubmissionError("the file is empty (0 notebook cells): was it saved before uploading?")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SubmissionError("the file is not UTF-8 text, so it is not a Jupyter notebook") from None
    except json.JSONDecodeError as e:
        raise SubmissionError(f"the file is not valid JSON (line {e.lineno}, column {e.colno}: "
                              f"{e.msg}); it may have been truncated or edited by hand") from None
    if not isinstance(data, dict) or "nbformat" not in data:
        raise SubmissionError("the file is JSON but not a Jupyter notebook (no 'nbformat' field)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")        # duplicate cell ids etc. are repaired below
            nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as e:  # noqa: BLE001 -- any reader failure is the submission's problem
        raise SubmissionError(f"nbformat cannot read this notebook ({type(e).__name__}: {e})") from None
    if not isinstance(nb.get("cells"), list):
        raise SubmissionError("the notebook has no list of cells")
    return nb, int(data.get("nbformat", 0))


def _norm(src) -> str:
    if isinstance(src, list):
        src = "".join(src)
    return "\n".join(line.rstrip() for line in str(src or "").strip().splitlines())


def _match(student_cells, spec_cells):
    """-> list of spec indices (or None) per student cell, plus match-method counts."""
    by_gid = {c["grade_id"]: i for i, c in enumerate(spec_cells) if c["grade_id"]}
    by_id = {c["id"]: i for i, c in enumerate(spec_cells) if c["id"]}
    by_text = {}
    for i, c in enumerate(spec_cells):
        if c["role"] != "answer":
            by_text.setdefault((c["cell_type"], _norm(c["release_source"])), i)
    answer_by_def = {c["def_name"]: i for i, c in enumerate(spec_cells) if c["role"] == "answer" and c["def_name"]}
    taken, out, by_content = set(), [], 0
    for cell in student_cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        idx = by_gid.get(gid) if gid else None
        if idx is None and cell.get("id") in by_id:
            idx = by_id[cell.get("id")]
        if idx is None:
            idx = by_text.get((cell.cell_type, _norm(cell.source)))
            if idx is None and cell.cell_type == "code":
                idx = answer_by_def.get(def_name(cell.source))
            by_content += idx is not None
        if idx is not None and idx in taken:
            out.append(("dup", idx))
            continue
        if idx is not None:
            taken.add(idx)
        out.append(idx)
    # last resort: edited instructor cells without metadata, by similarity
    for k, cell in enumerate(student_cells):
        if out[k] is not None or cell.get("metadata", {}).get("nbgrader") or cell.cell_type != "code":
            continue
        best, best_r = None, 0.75
        mine = _norm(cell.source)
        for i, c in enumerate(spec_cells):
            if i in taken or c["role"] not in ("test", "locked") or c["cell_type"] != "code":
                continue
            theirs = _norm(c["release_source"])
            if 2 * min(len(mine), len(theirs)) <= best_r * (len(mine) + len(theirs)):
                continue      # the lengths alone rule out a ratio above best_r (and a 24,000-line cell)
            r = difflib.SequenceMatcher(None, mine, theirs).ratio()
            if r > best_r:
                best, best_r = i, r
        if best is not None:
            taken.add(best)
            out[k] = best
            by_content += 1
    return out, by_content


def _new_cell(cell_type, source, nbgrader=None, cell_id=None):
    import nbformat.v4 as v4
    make = {"code": v4.new_code_cell, "markdown": v4.new_markdown_cell}.get(cell_type, v4.new_raw_cell)
    cell = make(source=source)
    if nbgrader:
        cell.metadata["nbgrader"] = dict(nbgrader)
    if cell_id:
        cell["id"] = cell_id
    return cell


def _order_notes(student_cells, matches, spec_cells) -> list[str]:
    notes = []
    stripped = sum(1 for c, m in zip(student_cells, matches, strict=True) if isinstance(m, int)
                   and spec_cells[m]["grade_id"] and not c.get("metadata", {}).get("nbgrader"))
    if stripped:
        notes.append(f"{stripped} cell(s) had lost their nbgrader metadata; they were recognised by "
                     "their content.")
    matched_order = [m for m in matches if isinstance(m, int)]
    if matched_order != sorted(matched_order):
        notes.append("Some cells were moved; the notebook was graded in the lesson's original order.")
    return notes


def _place(student_cells, matches, spec_cells, notes):
    """-> (spec index -> the student's cell, anchor spec index -> the student's extra cells after it)."""
    chosen, extras_after, anchor = {}, {-1: []}, -1
    for cell, m in zip(student_cells, matches, strict=True):
        if isinstance(m, int):
            chosen[m] = cell
            anchor = m
            extras_after.setdefault(m, [])
        elif isinstance(m, tuple) and spec_cells[m[1]]["role"] in ("test", "locked", "written"):
            notes.append(f"A duplicate of {spec_cells[m[1]]['grade_id'] or 'an instructor cell'} was removed.")
        else:
            extras_after.setdefault(anchor, []).append(cell)
    return chosen, extras_after


def _instructor_cell(sc, cell, notes):
    """A read-only or test cell, always from the spec; notes on what the student had changed."""
    gid = sc["grade_id"]
    if cell is None and sc["role"] == "test":
        notes.append(f"The test cell {gid} was missing; it was restored and graded as written.")
    elif cell is not None and sc["role"] == "test":
        old_pts = cell.get("metadata", {}).get("nbgrader", {}).get("points")
        if old_pts is not None and float(old_pts) != float(sc["points"]):
            notes.append(f"The points of {gid} had been changed from {sc['points']:g} to "
                         f"{float(old_pts):g}; the lesson's {sc['points']:g} were used.")
        if _norm(cell.source) != _norm(sc["release_source"]):
            notes.append(f"The test cell {gid} had been edited; the original was restored and graded.")
    elif cell is not None and _norm(cell.source) != _norm(sc["release_source"]) and sc["cell_type"] == "code":
        notes.append(f"The read-only cell {gid or sc['id']} had been edited; the original was restored.")
    return _new_cell(sc["cell_type"], sc["source"], sc["nbgrader"], sc["id"])


def _own_cell(sc, cell, notes, answered):
    """An answer / written answer (the student's, if present) or a free cell -> cell or None."""
    if sc["role"] in ("answer", "written"):
        present = cell is not None
        src = cell.source if present else ""
        answered[sc["exercise"]] = {"present": present, "source": src,
                                    "changed": present and _norm(src) != _norm(sc["release_source"])}
        if not present:
            notes.append(f"The answer cell {sc['grade_id']} was not found in your notebook.")
            return None
        return _new_cell(sc["cell_type"], src, sc["nbgrader"], sc["id"])
    if cell is not None:      # free cell: the student's version, or the instructor's when deleted
        return _new_cell(cell.cell_type, cell.source, None, cell.get("id"))
    return _new_cell("code", sc["source"], None, sc["id"]) if sc["cell_type"] == "code" else None


def rebuild(student_nb, spec: dict):
    """-> ``(nb, notes, answered)``: the notebook to grade, repair notes, and per-exercise
    ``{"present": bool, "source": str}`` for answer cells and written answers."""
    import nbformat.v4 as v4
    spec_cells = spec["cells"]
    student_cells = [c for c in student_nb.cells if c.cell_type in ("code", "markdown", "raw")]
    matches, _ = _match(student_cells, spec_cells)
    notes = _order_notes(student_cells, matches, spec_cells)
    chosen, extras_after = _place(student_cells, matches, spec_cells, notes)
    out = [_new_cell(c.cell_type, c.source, None, c.get("id")) for c in extras_after[-1]]
    answered = {}
    for i, sc in enumerate(spec_cells):
        if sc["role"] in ("locked", "test"):
            out.append(_instructor_cell(sc, chosen.get(i), notes))
        else:
            made = _own_cell(sc, chosen.get(i), notes, answered)
            out += [made] if made is not None else []
        out += [_new_cell(e.cell_type, e.source, None, e.get("id")) for e in extras_after.get(i, [])]
    nb = v4.new_notebook(cells=out, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    seen = set()
    for k, cell in enumerate(nb.cells):  # unique ids (duplicated student cells keep theirs)
        if not cell.get("id") or cell["id"] in seen:
            cell["id"] = f"bw-cell-{k}"
        seen.add(cell["id"])
    return nb, notes, answered
