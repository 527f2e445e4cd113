"""The written-answer questions of the course, from ``solutions/`` (the single source).

For each markdown cell that nbgrader grades by hand (``grade`` and ``solution``): the
statement (the nearest markdown cell above it, plus any code cells in between), the model
answer, the points and the rubric. Rubric items are versioned with the lesson, either as a
fenced block in the model answer::

    ```rubric
    -1: does not mention the ReLU kink
    ```

or as cell metadata ``{"backprop_workbook": {"rubric": [{"points": -1, "text": "..."}]}}``.
Items added on the grading page live in ``RESULTS/manual/rubric.json`` and are appended.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RubricItem", "Question", "load_questions", "parse_rubric", "score_from_rubric"]

_FENCE = re.compile(r"^```rubric[^\n]*\n(.*?)^```[ \t]*$\n?", re.S | re.M)
_ITEM = re.compile(r"^\s*([+\-−]?\s*\d+(?:\.\d+)?)\s*:\s*(.+?)\s*$")
_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.M)


@dataclass(frozen=True)
class RubricItem:
    id: str
    points: float          # added to the score when applied (negative: a deduction)
    text: str

    def as_dict(self) -> dict:
        return {"id": self.id, "points": self.points, "text": self.text}


@dataclass(frozen=True)
class Question:
    lesson: str
    name: str              # the nbgrader grade_id of the answer cell (= the exercise in results)
    points: float
    statement: str         # Markdown
    context_code: tuple    # code cells between the statement and the answer
    model: str             # the model answer, Markdown (rubric block and solution markers removed)
    rubric: tuple          # RubricItem, ...

    @property
    def key(self) -> str:
        return f"{self.lesson}/{self.name}"


def parse_rubric(source: str) -> tuple[list[tuple[float, str]], str]:
    """-> (items, source without the rubric block). A line that is not ``<points>: <text>`` is an error."""
    items = []
    for block in _FENCE.findall(source):
        for n, line in enumerate(block.splitlines(), 1):
            if not line.strip():
                continue
            m = _ITEM.match(line)
            if not m:
                raise ValueError(f"rubric line {n}: expected '<points>: <text>' (e.g. '-1: no shapes'), got {line!r}")
            items.append((float(m.group(1).replace("−", "-").replace(" ", "")), m.group(2)))
    return items, _FENCE.sub("", source).rstrip()


def score_from_rubric(points: float, applied: list[RubricItem], rubric: tuple) -> float:
    """Deductions start from full marks, credits (any positive item in the rubric) from 0; clipped."""
    base = 0.0 if any(i.points > 0 for i in rubric) else points
    return min(points, max(0.0, base + sum(i.points for i in applied)))


def _text(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _question(lesson: str, cells: list, i: int, extra: list[dict]) -> Question:
    cell = cells[i]
    nbg = cell["metadata"]["nbgrader"]
    code, j = [], i - 1
    while j >= 0 and cells[j]["cell_type"] != "markdown":
        code.insert(0, _text(cells[j]))
        j -= 1
    statement = _text(cells[j]) if j >= 0 else ""
    pairs, model = parse_rubric(_text(cell))
    meta = cell["metadata"].get("backprop_workbook", {}).get("rubric", [])
    pairs += [(float(m["points"]), str(m["text"])) for m in meta]
    rubric = [RubricItem(f"s{k}", p, t) for k, (p, t) in enumerate(pairs, 1)]
    rubric += [RubricItem(str(x["id"]), float(x["points"]), str(x["text"])) for x in extra]
    return Question(lesson, nbg["grade_id"], float(nbg.get("points", 0)), statement, tuple(code),
                    _MARKERS.sub("", model).strip(), tuple(rubric))


def load_questions(root: Path, lessons: list[str] | None = None, added: dict | None = None) -> list[Question]:
    """Every written-answer question of ``root/solutions`` (``added``: rubric items from RESULTS)."""
    import json

    from ..release import lesson_names
    added = added or {}
    out = []
    for lesson in lessons or lesson_names(root):
        nb = json.loads((Path(root) / "solutions" / lesson / f"{lesson}.ipynb").read_text(encoding="utf-8"))
        cells = nb["cells"]
        for i, c in enumerate(cells):
            nbg = c.get("metadata", {}).get("nbgrader", {})
            if c["cell_type"] == "markdown" and nbg.get("grade") and nbg.get("solution"):
                out.append(_question(lesson, cells, i, added.get(f"{lesson}/{nbg['grade_id']}", [])))
    return out
