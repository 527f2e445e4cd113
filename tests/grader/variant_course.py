"""A one-lesson course with per-student variants, built at test time (for tests/grader/test_variants.py).

Lesson ``01_tiny``: a read-only setup cell tagged ``variant`` draws ``n_t`` (1 .. 10**6, default 4);
a ``variant-text`` cell quotes it; the answer ``rows()`` must return ``3 * N_T``; the test cell has a
visible and a hidden assertion, both computed from the variant (so an answer that hard-codes one
variant's number passes in that variant only).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import nbformat.v4 as v4

__all__ = ["LESSON", "build_course", "answer", "set_answer", "n_t_of", "write_roster"]

LESSON = "01_tiny"
VARIANT_CELL = """from helpers.course.variants import Variant
V = Variant(None)
N_T = V.integer("n_t", default=4, low=1, high=1000000)
"""
TEXT = "Your batch has {{ n_t }} rows, so `rows()` is {{ n_t * 3 }}."
TEST = """assert rows() == 3 * N_T, f"rows() should be 3 * N_T = {3 * N_T}, got {rows()}"
print("visible test passed")
### BEGIN HIDDEN TESTS
assert rows() == 3 * V.values()["n_t"], "hidden: rows() must follow this variant's n_t"
### END HIDDEN TESTS
"""


def _nbg(gid, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": gid, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _cell(make, source, cid, nbgrader=None, tags=None):
    cell = make(source)
    cell["id"] = cid
    if nbgrader:
        cell.metadata["nbgrader"] = nbgrader
    if tags:
        cell.metadata["tags"] = tags
    return cell


def build_course(root: Path) -> Path:
    """Write ``root/solutions/01_tiny/01_tiny.ipynb``; -> ``root``."""
    cells = [
        _cell(v4.new_markdown_cell, "# A tiny lesson with variants", "intro"),
        _cell(v4.new_code_cell, "import numpy as np", "imports", _nbg("imports", locked=True)),
        _cell(v4.new_code_cell, VARIANT_CELL, "setup", _nbg("variant_setup", locked=True), ["variant"]),
        _cell(v4.new_markdown_cell, TEXT, "text", None, ["variant-text"]),
        _cell(v4.new_code_cell, "def rows():\n    ### BEGIN SOLUTION\n    return 3 * N_T\n    ### END SOLUTION\n",
              "answer", _nbg("rows", solution=True)),
        _cell(v4.new_code_cell, TEST, "test", _nbg("test_rows", grade=True, locked=True, points=2)),
    ]
    nb = v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                               "language": "python"}})
    path = Path(root) / "solutions" / LESSON / f"{LESSON}.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, str(path))
    return Path(root)


def set_answer(nb_bytes: bytes, body: str) -> bytes:
    """The notebook with the answer cell's body replaced (``return ...``)."""
    nb = json.loads(nb_bytes)
    for c in nb["cells"]:
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "rows":
            c["source"] = f"def rows():\n    {body}\n"
    return json.dumps(nb, indent=1).encode()


def answer(nb_bytes: bytes) -> str:
    nb = json.loads(nb_bytes)
    return next("".join(c["source"]) for c in nb["cells"]
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "rows")


def n_t_of(nb_bytes: bytes) -> int:
    """The ``n_t`` a released notebook's text quotes (what its student reads)."""
    nb = json.loads(nb_bytes)
    text = next("".join(c["source"]) for c in nb["cells"] if "variant-text" in c.get("metadata", {}).get("tags", []))
    return int(re.search(r"batch has (\d+) rows", text).group(1))


def write_roster(path: Path, students) -> Path:
    path.write_text("student_id,name\n" + "".join(f"{s},Student {s}\n" for s in students), encoding="utf-8")
    return path
