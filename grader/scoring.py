"""Per-exercise results from an executed notebook.

Scores are nbgrader's (``nbgrader.utils.determine_grade``: an error or anything on stderr
in a test cell scores 0, a trailing number is partial credit); this module adds the
status (``graded, error, timeout, memory, tampered, missing, needs_manual``) and a
message written for people: the ``helpers.checks`` message of a failed check, whether
the failing check was a hidden test, and never the hidden test's source.
"""
from __future__ import annotations

import re

from .integrity import parse_marker

__all__ = ["score_notebook", "sanitize", "STATUSES"]

STATUSES = ("graded", "error", "timeout", "memory", "tampered", "missing", "needs_manual")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ABS = re.compile(r"(?<![\w.])/(?:[\w.@+-]+/)+([\w.@+-]+)")
_MEM = ("MemoryError", "_ArrayMemoryError")
_LINE = re.compile(r"(?:Cell In\[\d+\]|<ipython-input-\d+-\w+>), line (\d+)")


def sanitize(text: str, limit: int = 2000) -> str:
    """Remove colour codes and absolute paths (keep the file name); cut to ``limit`` chars."""
    text = _ABS.sub(r"…/\1", _ANSI.sub("", text or ""))
    return text if len(text) <= limit else text[:limit] + " […]"


def _stream(cell, name):
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.output_type == "stream" and o.get("name") == name)


def _error(cell):
    return next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)


def _is_memory(err) -> bool:
    """A MemoryError, raised directly or reported by ``helpers.checks.call``."""
    return err is not None and (err.get("ename") in _MEM or "MemoryError" in str(err.get("evalue", "")))


def _hidden_lines(source: str) -> range | None:
    lines = source.splitlines()
    try:
        start = next(i for i, ln in enumerate(lines) if "BEGIN HIDDEN TESTS" in ln) + 1
        end = next(i for i, ln in enumerate(lines) if "END HIDDEN TESTS" in ln) + 1
    except StopIteration:
        return None
    return range(start, end + 1)


def _failure_message(cell, spec_source):
    err = _error(cell)
    if err is not None:
        msg = f"{err.get('ename')}: {err.get('evalue')}".strip()
        if err.get("ename") in ("CheckFailed", "AssertionError") and err.get("evalue"):
            msg = str(err.get("evalue"))
        where = ""
        hidden = _hidden_lines(spec_source)
        tb = "\n".join(_ANSI.sub("", t) for t in err.get("traceback", []))
        m = _LINE.search(tb)
        if hidden is not None and m:
            where = "A hidden test failed: " if int(m.group(1)) in hidden else "A visible test failed: "
        return where + msg, bool(where.startswith("A hidden"))
    err_text = _stream(cell, "stderr")
    if err_text:
        return ("The test wrote to stderr (a warning?), which scores 0 under nbgrader: "
                + err_text.strip().splitlines()[-1]), False
    return "", False


def score_notebook(nb, spec, events, nonce, static_tamper, ref_flags, answered, notes):
    """-> list of exercise result dicts, in the lesson's order."""
    from nbgrader.utils import determine_grade
    idx_of = {c.metadata.get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(nb.cells)
              if c.metadata.get("nbgrader", {}).get("grade_id") and not c.metadata.get("bw_injected")}
    stop = min(events) if events else None
    stop_cause = events.get(stop) if stop is not None else None
    spec_by_gid = {c["grade_id"]: c for c in spec["cells"] if c["grade_id"]}
    results = []
    for ex in spec["exercises"]:
        name, pts = ex["name"], ex["points"]
        res = {"exercise": name, "score": 0.0, "max_score": pts, "status": "graded", "message": "",
               "output": "", "hidden_failed": False, "flags": list(ref_flags.get(name, []))}
        results.append(res)
        if ex["kind"] == "written":
            ans = answered.get(name, {})
            if ans.get("changed"):
                res.update(score=None, status="needs_manual", message="written answer: to be graded by hand")
            else:
                res["message"] = "not answered" if ans.get("present") else "answer cell missing"
            continue
        ti = idx_of.get(f"test_{name}")
        ai = idx_of.get(name)
        test = nb.cells[ti]
        own = [i for i in (ai, ti) if i is not None]
        cell_events = [events[i] for i in own if i in events]
        mem = any(_is_memory(_error(nb.cells[i])) for i in own)
        ran = bool(test.get("outputs")) or test.get("execution_count") is not None
        if static_tamper.get(name):      # decided before running: holds even if the kernel then hung
            res.update(status="tampered", message="tampering with the checks: "
                       + "; ".join(sorted(set(static_tamper[name]))))
            continue
        if not ran and stop is not None:
            cause = {"died": ("error", "not graded: the kernel died in an earlier cell (os._exit, a crash "
                                        "or running out of memory)"),
                     "timeout": ("timeout", "not graded: an earlier cell ran past the time limit and the "
                                            "kernel had to be stopped"),
                     "notebook_timeout": ("timeout", "not graded: the whole notebook ran past its time limit")}
            status, msg = cause.get(stop_cause, ("error", f"not graded: {stop_cause}"))
            if stop in own and stop_cause == "died":
                msg = "not graded: the kernel died while running this exercise (os._exit, a crash or memory)"
            res.update(status="memory" if mem else status, message=msg)
            continue
        check = nb.cells[ti - 1] if ti > 0 and nb.cells[ti - 1].metadata.get("bw_injected") == "check" else None
        verdict = parse_marker(_stream(check, "stdout"), nonce) if check is not None else None
        reasons = list(static_tamper.get(name, []))
        if verdict is None:
            reasons.append("the grader's integrity check could not run before the tests")
        elif not verdict.get("ok"):
            reasons += verdict.get("problems", [])
        if reasons:
            res.update(status="tampered", message="tampering with the checks: " + "; ".join(sorted(set(reasons))))
            continue
        score, max_score = determine_grade(test)
        res["score"] = float(score if score is not None else 0.0)
        res["output"] = sanitize(_stream(test, "stdout"), 4000)
        if res["score"] < max_score and ("timeout" in cell_events or "notebook_timeout" in cell_events):
            which = "answer" if ai in events else "test"
            res.update(status="timeout", score=0.0, message=f"the {which} cell ran past the time limit")
        elif res["score"] < max_score and mem:
            res.update(status="memory", score=0.0,
                       message="ran out of memory (MemoryError) under the grader's memory cap")
        elif res["score"] < max_score:
            msg, hidden = _failure_message(test, spec_by_gid[f"test_{name}"]["source"])
            res.update(message=sanitize(msg, 1500), hidden_failed=hidden)
    return results
