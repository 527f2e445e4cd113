"""Which side runs each cell of the notebook to grade (the two-sided execution model).

:func:`two_sided` marks every cell with ``metadata.bw_side`` and adds the grader's cells:

* student's kernel (``S``): the stubs for this lesson's references (first, before anything
  else), the integrity snapshot and checks, the lesson's setup cells, the student's answers
  and own cells; before each test, the references of the exercises already graded are given
  back;
* trusted kernel (``T``): the setup cells again, the proxies of the student's functions, the
  test cells with their hidden tests, and after each test the report of its failure code;
* neither (``-``): the lesson's demonstration cells as released (they are not graded).
"""
from __future__ import annotations

import secrets

from nbgrader.utils import is_grade, is_locked, is_solution

from . import integrity

__all__ = ["two_sided", "single_sided"]


def _gid(cell):
    return cell.metadata["nbgrader"].get("grade_id") if "nbgrader" in cell.metadata else None


def _is_test(cell) -> bool:
    return cell.cell_type == "code" and is_grade(cell) and (_gid(cell) or "").startswith("test_")


def _norm(src) -> str:
    return "\n".join(line.rstrip() for line in str(src or "").strip().splitlines())


def _cell(kind, src, side):
    import nbformat.v4 as v4
    c = v4.new_code_cell(src)
    c.metadata["bw_injected"] = kind
    c.metadata["bw_side"] = side
    c["id"] = f"bw-{kind}-{secrets.token_hex(4)}"
    return c


def single_sided(nb, nonce, skip_names):
    """Everything in the student's kernel (``grader validate`` on a student's own machine)."""
    out = [_cell("preamble", integrity.preamble(nonce, skip_names), "S")]
    student_code_seen = False
    for c in nb.cells:
        if _is_test(c):
            ex = _gid(c)[5:]
            out += [_cell("check", integrity.check_cell(ex), "S"), c, _cell("after", integrity.after_cell(ex), "S")]
            continue
        out.append(c)
        if c.cell_type == "code" and is_locked(c):
            out.append(_cell("record", integrity.record_cell(refresh=not student_code_seen), "S"))
        elif c.cell_type == "code":
            student_code_seen = True
    nb.cells = out
    return nb


def _head(spec, nonce, skip_names, exercises):
    return [_cell("stubs", "from bw_kernel.stubs import install as __bw_stub, release as __bw_release\n"
                           f"__bw_stub({exercises!r})\ndel __bw_stub", "S"),
            _cell("preamble", integrity.preamble(nonce, skip_names), "S"),
            _cell("t-preamble", "from bw_kernel.integrity import after_reporter as __bw_r\n"
                                f"__bw_after = __bw_r({nonce!r}, {integrity.MARKER!r})\ndel __bw_r", "T")]


def _test_cells(c, graded, def_names):
    ex = _gid(c)[5:]
    c.metadata["bw_side"] = "T"
    return [_cell("release", f"__bw_release({sorted(graded)!r})", "S"),
            _cell("proxies", "from bw_kernel.sides import install as __bw_i\n"
                             f"__bw_i(globals(), {sorted(def_names)!r})\ndel __bw_i", "T"),
            _cell("check", integrity.check_cell(ex), "S"), c,
            _cell("after", f"__bw_after({ex!r})", "T")]


def two_sided(nb, spec, nonce, skip_names):
    """Mark and extend ``nb`` (rebuilt from the spec) for :func:`grader.twoside.run_two_sided`."""
    exercises = [e["name"] for e in spec["exercises"] if e["kind"] == "auto"]
    def_names = {c["def_name"] for c in spec["cells"] if c["role"] == "answer" and c["def_name"]}
    demos = {_norm(c["release_source"]) for c in spec["cells"] if c["role"] == "free" and c["cell_type"] == "code"}
    out, graded, student_code_seen = _head(spec, nonce, skip_names, exercises), [], False
    for c in nb.cells:
        if _is_test(c):
            out += _test_cells(c, graded, def_names)
            graded.append(_gid(c)[5:])
            continue
        out.append(c)
        if c.cell_type != "code":
            c.metadata["bw_side"] = "-"
        elif is_locked(c):
            c.metadata["bw_side"] = "ST"
            out.append(_cell("record", integrity.record_cell(refresh=not student_code_seen), "S"))
        elif not is_solution(c) and _norm(c.source) in demos:
            c.metadata["bw_side"] = "-"          # a demonstration cell as released: not run
        else:
            c.metadata["bw_side"] = "S"
            student_code_seen = True
    nb.cells = out
    return nb
