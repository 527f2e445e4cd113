"""Per-exercise results from an executed notebook.

Scores are nbgrader's (``nbgrader.utils.determine_grade``: an error or anything on stderr
in a test cell scores 0, a trailing number is partial credit); this module adds the
status (``graded, error, timeout, memory, tampered, missing, needs_manual``) and a
message written for people: the ``helpers.feedback.checks`` message of a failed check, whether
the failing check was a hidden test, and never the hidden test's source.
"""
from __future__ import annotations

import re

from .core import ExerciseResult, Status
from .integrity import parse_after, parse_marker

__all__ = ["score_notebook", "sanitize", "STATUSES", "setup_fault", "setup_fault_message", "SETUP_CELLS"]

STATUSES = tuple(s.value for s in Status)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ABS = re.compile(r"(?<![\w.])/(?:[\w.@+-]+/)+([\w.@+-]+)")
_MEM = ("MemoryError", "_ArrayMemoryError")


_ROOTED = re.compile(r"/(?:tmp|root|home|work|opt|usr|etc|proc|var|srv|mnt|run|dev)(?:/[\w.@+-]+)*/([\w.@+-]+)")


def sanitize(text: str, limit: int = 2000) -> str:
    """Remove colour codes and absolute paths (keep the file name); cut to ``limit`` chars.
    Paths glued to other text (``\\x00/work/...`` in a printed ``/proc`` file) go too."""
    text = _ROOTED.sub(r"…/\1", _ABS.sub(r"…/\1", _ANSI.sub("", text or "")))
    return text if len(text) <= limit else text[:limit] + " […]"


def _stream(cell, name):
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.output_type == "stream" and o.get("name") == name)


def _error(cell):
    return next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)


def _is_memory(err) -> bool:
    """A MemoryError, raised directly or reported by ``helpers.feedback.checks.call``."""
    return err is not None and (err.get("ename") in _MEM or "MemoryError" in str(err.get("evalue", "")))


def _hidden_lines(source: str) -> range | None:
    lines = source.splitlines()
    try:
        start = next(i for i, ln in enumerate(lines) if "BEGIN HIDDEN TESTS" in ln) + 1
        end = next(i for i, ln in enumerate(lines) if "END HIDDEN TESTS" in ln) + 1
    except StopIteration:
        return None
    return range(start, end + 1)


def hidden_text(source: str) -> list[str]:
    """The hidden tests' lines of a test cell (stripped, the short ones left out)."""
    rows = _hidden_lines(source)
    lines = source.splitlines()
    return [ln.strip() for i, ln in enumerate(lines, 1) if rows and i in rows and len(ln.strip()) >= 12]


def redact(text: str, secret_lines) -> str:
    """``text`` without any line that quotes one of ``secret_lines`` (hidden test source)."""
    if not secret_lines or not text:
        return text
    keep = [ln for ln in text.splitlines(keepends=True) if not any(s in ln for s in secret_lines)]
    return "".join(keep) if len(keep) == len(text.splitlines()) else \
        "".join(keep) + "[lines quoting the hidden tests were removed]\n"


def _trailing_expression(source: str) -> bool:
    from .tamper import parse_cell
    tree = parse_cell(source)
    return bool(tree is not None and tree.body and type(tree.body[-1]).__name__ == "Expr")


def grade_test_cell(cell, source: str, points: float) -> float:
    """nbgrader's rule, read strictly: an error or anything on stderr scores 0; a number counts as
    partial credit only when the test cell's own source ends in an expression."""
    from nbgrader.utils import determine_grade
    outs = cell.get("outputs", [])
    if any(o.output_type == "error" or (o.output_type == "stream" and o.get("name") == "stderr") for o in outs):
        return 0.0
    if not _trailing_expression(source):
        return float(points)
    try:
        score, _ = determine_grade(cell)
    except ValueError:       # nbgrader refuses partial credit above the cell's points
        return 0.0
    return float(min(points, score if score is not None else 0.0))


def _failure_message(cell, spec_source, line):
    err = _error(cell)
    if err is not None:
        msg = f"{err.get('ename')}: {err.get('evalue')}".strip()
        if err.get("ename") in ("CheckFailed", "AssertionError") and err.get("evalue"):
            msg = str(err.get("evalue"))
        where, hidden = "", _hidden_lines(spec_source)
        if hidden is not None and line is not None:
            where = "A hidden test failed: " if line in hidden else "A visible test failed: "
        return where + msg, bool(where.startswith("A hidden"))
    err_text = _stream(cell, "stderr")
    if err_text:
        return ("The test wrote to stderr (a warning?), which scores 0 under nbgrader: "
                + err_text.strip().splitlines()[-1]), False
    return "", False


_STOP = {"died": (Status.ERROR, "not graded: the kernel died in an earlier cell (os._exit, a crash "
                                "or running out of memory)"),
         "timeout": (Status.TIMEOUT, "not graded: an earlier cell ran past the time limit and the "
                                     "kernel had to be stopped"),
         "notebook_timeout": (Status.TIMEOUT, "not graded: the whole notebook ran past its time limit")}


def _not_run(stop, stop_cause, own, mem):
    status, msg = _STOP.get(stop_cause, (Status.ERROR, f"not graded: {stop_cause}"))
    if stop in own and stop_cause == "died":
        msg = "not graded: the kernel died while running this exercise (os._exit, a crash or memory)"
    return (Status.MEMORY if mem else status), msg


def _injected(nb, i, kind):
    return 0 <= i < len(nb.cells) and nb.cells[i].metadata.get("bw_injected") == kind


def _tamper_reasons(nb, ti, nonce, static):
    check = nb.cells[ti - 1] if _injected(nb, ti - 1, "check") else None
    verdict = parse_marker(_stream(check, "stdout"), nonce) if check is not None else None
    reasons = list(static)
    if verdict is None:
        reasons.append("the grader's integrity check could not run before the tests")
    elif not verdict.get("ok"):
        reasons += verdict.get("problems", [])
    return reasons


SETUP_CELLS = ("stubs", "preamble", "t-preamble")   # injected first, before any student code runs


def setup_fault(nb) -> str | None:
    """The error of a grader cell that runs before any student code (its own setup), or ``None``.

    Nothing a student wrote has run at that point, so such an error is a fault of the grading
    machine (e.g. a kernel that cannot import ``helpers``), never a verdict on the submission."""
    for cell in nb.cells:
        if cell.metadata.get("bw_injected") not in SETUP_CELLS:
            continue
        err = _error(cell)
        if err is not None:
            return sanitize(f"{err.get('ename', 'Error')}: {err.get('evalue', '')}", 300)
    return None


def setup_fault_message(cause: str) -> str:
    return (f"not graded: the grader's own setup failed in the grading kernel before any student code ran "
            f"({cause}); a fault of the grading machine, not of this submission: the instructor should "
            f"check the grader's installation and grade again")


def _written(ex, answered, flags):
    ans, flags = answered.get(ex["name"], {}), tuple(flags.get(ex["name"], []))
    if ans.get("changed"):
        return ExerciseResult(ex["name"], ex["points"], Status.NEEDS_MANUAL, None,
                              "written answer: to be graded by hand", flags=flags)
    return ExerciseResult(ex["name"], ex["points"], Status.GRADED, 0.0,
                          "not answered" if ans.get("present") else "answer cell missing", flags=flags)


def _auto(ex, ctx):
    """One autograded exercise -> ExerciseResult."""
    nb, events, name, pts = ctx["nb"], ctx["events"], ex["name"], ex["points"]
    res = dict(exercise=name, max_score=pts, flags=tuple(ctx["flags"].get(name, [])))
    ti, ai = ctx["idx_of"].get(f"test_{name}"), ctx["idx_of"].get(name)
    test, own = nb.cells[ti], [i for i in (ai, ti) if i is not None]
    cell_events = [events[i] for i in own if i in events]
    mem = any(_is_memory(_error(nb.cells[i])) for i in own)
    ran = bool(test.get("outputs")) or test.get("execution_count") is not None
    static = ctx["tamper"].get(name, [])
    if static:      # decided before running: holds even if the kernel then hung
        return ExerciseResult(**res, status=Status.TAMPERED, message="tampering with the checks: "
                              + "; ".join(sorted(set(static))))
    if ctx["setup_fault"] is not None:
        return ExerciseResult(**res, status=Status.ERROR, message=setup_fault_message(ctx["setup_fault"]))
    if not ran and ctx["stop"] is not None:
        status, msg = _not_run(ctx["stop"], events.get(ctx["stop"]), own, mem)
        return ExerciseResult(**res, status=status, message=msg)
    reasons = _tamper_reasons(nb, ti, ctx["nonce"], static)
    if reasons:
        return ExerciseResult(**res, status=Status.TAMPERED,
                              message="tampering with the checks: " + "; ".join(sorted(set(reasons))))
    source = ctx["spec_by_gid"][f"test_{name}"]["source"]
    secret = hidden_text(source)
    score = grade_test_cell(test, source, pts)
    output = sanitize(redact(_stream(test, "stdout"), secret), 4000)
    if score < pts and ("timeout" in cell_events or "notebook_timeout" in cell_events):
        which = "answer" if ai in events else "test"
        return ExerciseResult(**res, status=Status.TIMEOUT, output=output,
                              message=f"the {which} cell ran past the time limit")
    if score < pts and mem:
        return ExerciseResult(**res, status=Status.MEMORY, output=output,
                              message="ran out of memory (MemoryError) under the grader's memory cap")
    if score >= pts:
        return ExerciseResult(**res, score=score, output=output)
    after = nb.cells[ti + 1] if _injected(nb, ti + 1, "after") else None
    diagnosis, line = parse_after(_stream(after, "stdout"), ctx["nonce"]) if after is not None else (None, None)
    msg, hidden = _failure_message(test, source, line)
    return ExerciseResult(**res, score=score, output=output, message=sanitize(redact(msg, secret), 1500),
                          hidden_failed=hidden, diagnosis=diagnosis)


def score_notebook(nb, spec, events, nonce, static_tamper, ref_flags, answered, notes) -> list[ExerciseResult]:
    """-> one :class:`ExerciseResult` per exercise, in the lesson's order."""
    idx_of = {c.metadata["nbgrader"]["grade_id"]: i for i, c in enumerate(nb.cells)
              if "nbgrader" in c.metadata and c.metadata["nbgrader"].get("grade_id")
              and not c.metadata.get("bw_injected")}
    ctx = {"nb": nb, "events": events, "nonce": nonce, "tamper": static_tamper, "flags": ref_flags,
           "idx_of": idx_of, "stop": min(events) if events else None, "setup_fault": setup_fault(nb),
           "spec_by_gid": {c["grade_id"]: c for c in spec["cells"] if c["grade_id"]}}
    return [_written(ex, answered, ref_flags) if ex["kind"] == "written" else _auto(ex, ctx) for ex in spec["exercises"]]
