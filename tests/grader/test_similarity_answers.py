"""grader.answers: the answer cells kept for the similarity report (found by grade_id, never executed)."""
from __future__ import annotations

import json
import os

import nbformat
import nbformat.v4 as v4

from grader.answers import MAX_ANSWER_CHARS, answers_path, class_answers, extract, keep_answers
from grader.submissions import Submission, file_sha256

STUB = "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
SPEC = {"lesson": "L", "cells": [
    {"role": "locked", "grade_id": None, "id": "intro", "release_source": "import numpy as np"},
    {"role": "answer", "grade_id": "f", "id": "cell-f", "release_source": STUB},
    {"role": "test", "grade_id": "test_f", "id": "cell-tf", "release_source": "assert f(1) == 2"},
    {"role": "answer", "grade_id": "g", "id": "cell-g", "release_source": STUB.replace("f(", "g(")},
    {"role": "written", "grade_id": "w", "id": "cell-w", "release_source": "YOUR ANSWER HERE"},
]}


def _cell(source, gid=None, cell_id=None, kind="code"):
    cell = (v4.new_code_cell if kind == "code" else v4.new_markdown_cell)(source=source)
    if gid:
        cell.metadata["nbgrader"] = {"grade_id": gid, "solution": True}
    if cell_id:
        cell["id"] = cell_id
    return cell


def _write(tmp_path, student, cells) -> Submission:
    path = tmp_path / "subs" / student / "L.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(v4.new_notebook(cells=cells), str(path))
    return Submission(student, "L", str(path), f"{student}/L.ipynb", file_sha256(path))


def test_extract_finds_answers_by_grade_id_then_cell_id_and_only_answer_cells():
    nb = v4.new_notebook(cells=[
        _cell("import numpy as np", cell_id="intro"),
        _cell("def f(x):\n    return 2 * x\n", gid="f"),
        _cell("def f(x):\n    return 3 * x\n", gid="f"),                 # a duplicate: the first counts
        _cell("def g(x):\n    return x + 1\n", cell_id="cell-g"),         # metadata stripped, id kept
        _cell("my written answer", gid="w", kind="markdown"),
    ])
    got = extract(nb, SPEC)
    assert set(got) == {"f", "g"}, got
    assert got["f"] == {"source": "def f(x):\n    return 2 * x\n", "changed": True}
    assert got["g"]["source"] == "def g(x):\n    return x + 1\n"


def test_extract_survives_a_hostile_notebook_json():
    """What a student can put in the JSON: wrong types everywhere; only well-formed answer cells count."""
    data = {"nbformat": 4, "cells": [
        "not a cell", {"cell_type": "code", "metadata": "x", "source": 7},
        {"cell_type": "code", "metadata": {"nbgrader": ["f"]}, "id": ["cell-f"], "source": "a = 1"},
        {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": ["f"]}}, "id": "cell-g",
         "source": ["def g(x):\n", 5, "    return x\n"]},
        {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "test_f"}}, "id": "cell-f", "source": "f = 1"},
    ]}
    got = extract(data, SPEC)
    assert got == {"g": {"source": "def g(x):\n    return x\n", "changed": True}}, got   # test_f is no answer


def test_an_untouched_stub_is_unchanged_and_a_huge_answer_is_truncated():
    nb = v4.new_notebook(cells=[_cell(STUB + "\n", gid="f"), _cell("x = 1\n" * MAX_ANSWER_CHARS, gid="g")])
    got = extract(nb, SPEC)
    assert got["f"]["changed"] is False
    assert got["g"]["truncated"] is True and len(got["g"]["source"]) == MAX_ANSWER_CHARS


def test_keep_answers_records_each_version_once_and_class_answers_match_the_graded_one(tmp_path):
    results = tmp_path / "results"
    a = _write(tmp_path, "ann", [_cell("def f(x):\n    return 2 * x\n", gid="f"), _cell(STUB.replace("f(", "g("), gid="g")])
    assert keep_answers(results, [a], {"L": SPEC}) == 1
    assert keep_answers(results, [a], {"L": SPEC}) == 0                 # same bytes: not read again
    graded = {"student": "ann", "lesson": "L", "sha256": a.sha256}
    got = class_answers([results], [graded])
    assert got.rows == (("ann", "L/f", "def f(x):\n    return 2 * x\n"),) and got.recorded == 1   # no stub
    a2 = _write(tmp_path, "ann", [_cell("def f(x):\n    return x + x\n", gid="f")])
    got = class_answers([results], [dict(graded, sha256=a2.sha256)])
    assert (got.rows, got.recorded) == ((), 0)                        # not the graded version
    assert keep_answers(results, [a2], {"L": SPEC}) == 1
    assert class_answers([results], [dict(graded, sha256=a2.sha256)]).rows[0][2] == "def f(x):\n    return x + x\n"


def test_a_special_file_is_never_followed_or_blocks(tmp_path):
    (tmp_path / "subs" / "eve").mkdir(parents=True)
    link = tmp_path / "subs" / "eve" / "L.ipynb"
    secret = tmp_path / "secret.ipynb"
    nbformat.write(v4.new_notebook(cells=[_cell("def f(x):\n    return 'SECRET'\n", gid="f")]), str(secret))
    link.symlink_to(secret)
    fifo = tmp_path / "subs" / "fifo" / "L.ipynb"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    subs = [Submission("eve", "L", str(link), "eve/L.ipynb", "0" * 64),
            Submission("fifo", "L", str(fifo), "fifo/L.ipynb", "1" * 64)]
    results = tmp_path / "results"
    assert keep_answers(results, subs, {"L": SPEC}) == 2
    for s in subs:
        data = json.loads(answers_path(results, s.student, "L").read_text())
        assert data == {"student": s.student, "lesson": "L", "sha256": s.sha256, "answers": {},
                        "written": {}}, data
