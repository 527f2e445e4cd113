"""Grade one submission: read -> rebuild from the spec -> inspect -> inject checks -> run -> score.

Returns a JSON-able result dict; never raises for a bad submission (an unreadable file,
a kernel that cannot start or dies, ... become per-exercise statuses with a message).
"""
from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from pathlib import Path

from . import integrity
from .execute import run_notebook
from .restore import SubmissionError, read_submission, rebuild
from .scoring import sanitize, score_notebook
from .tamper import import_aliases, inspect_source, parse_cell, reference_calls

__all__ = ["grade_file", "error_result"]


def error_result(spec: dict, status: str, message: str) -> list[dict]:
    """Every exercise of the lesson with the same status (nothing could be graded)."""
    return [{"exercise": ex["name"], "score": 0.0, "max_score": ex["points"], "status": status,
             "message": message, "output": "", "hidden_failed": False, "flags": []}
            for ex in spec["exercises"]]


def _locked_names(spec, trees_by_spec) -> set[str]:
    """Names the read-only cells bind that the tests rely on: module aliases (``np``, ``ref``)
    and the check functions (``call``, ``check_array``, ``passed``, ``numpy.testing``)."""
    answers = {c["def_name"] for c in spec["cells"] if c["role"] == "answer"}
    names = set()
    for c, tree in zip(spec["cells"], trees_by_spec, strict=True):
        if c["role"] == "locked" and c["cell_type"] == "code" and tree is not None:
            for local, target in import_aliases([tree]).items():
                if target in ("numpy", "helpers", "helpers.checks", "numpy.testing", "sys", "builtins") \
                        or target.startswith(("helpers.checks.", "numpy.testing.")):
                    names.add(local)
    return names - answers - {"__builtins__"}


def _inspect(nb, spec):
    """-> (static tamper reasons per exercise, reference-call flags per exercise)."""
    spec_trees = [parse_cell(c["source"]) if c["cell_type"] == "code" else None for c in spec["cells"]]
    locked = _locked_names(spec, spec_trees)
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    trees = {i: parse_cell(c.source) for i, c in code}
    aliases = import_aliases([trees[i] for i, _ in code])
    test_pos = {c.metadata["nbgrader"]["grade_id"][5:]: i for i, c in code
                if c.metadata.get("nbgrader", {}).get("grade", False) and
                c.metadata["nbgrader"].get("grade_id", "").startswith("test_")}
    tamper, flags = {}, {}
    for i, cell in code:
        nbg = cell.metadata.get("nbgrader", {})
        if nbg.get("locked") or nbg.get("grade"):
            continue                      # instructor cells come from solutions/
        reasons = inspect_source(trees[i], aliases, locked)
        gid = nbg.get("grade_id")
        label = f"answer cell {gid}" if gid else f"a cell of yours (cell {i + 1})"
        for r in reasons:
            for ex, pos in test_pos.items():
                if pos > i:
                    tamper.setdefault(ex, []).append(f"{label} {r}")
        if gid and nbg.get("solution"):
            names = {gid}
            names.update(c["def_name"] for c in spec["cells"] if c["grade_id"] == gid and c["def_name"])
            hits = reference_calls(trees[i], aliases, names)
            if hits:
                flags[gid] = [f"the answer calls the reference implementation {', '.join(hits)}"]
    return tamper, flags


def _inject(nb, nonce, skip_names):
    import nbformat.v4 as v4

    def cell(kind, src):
        c = v4.new_code_cell(src)
        c.metadata["bw_injected"] = kind
        c["id"] = f"bw-{kind}-{secrets.token_hex(4)}"
        return c
    out = [cell("preamble", integrity.preamble(nonce, skip_names))]
    student_code_seen = False
    for c in nb.cells:
        nbg = c.metadata.get("nbgrader", {})
        if c.cell_type == "code" and nbg.get("grade") and nbg.get("grade_id", "").startswith("test_"):
            out.append(cell("check", integrity.check_cell(nbg["grade_id"][5:])))
            out.append(c)
        else:
            out.append(c)
            if c.cell_type == "code" and nbg.get("locked") and not nbg.get("grade"):
                out.append(cell("record", integrity.record_cell(refresh=not student_code_seen)))
            elif c.cell_type == "code" and not nbg.get("locked"):
                student_code_seen = True
    nb.cells = out
    return nb


def grade_file(path: str, spec: dict, sandbox, scratch_base: Path, cell_timeout: int = 30,
               notebook_timeout: int = 600) -> dict:
    """Grade the notebook at ``path`` (only read) against ``spec``; -> result dict."""
    t0 = time.time()
    result = {"lesson": spec["lesson"], "spec_sha256": spec.get("source_sha256", ""), "notes": [],
              "isolation": sandbox.mode, "graded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    try:
        student_nb, version = read_submission(path)
    except SubmissionError as e:
        result.update(exercises=error_result(spec, "error", f"could not read the notebook: {e}"),
                      seconds=round(time.time() - t0, 2))
        return result
    except OSError as e:
        result.update(exercises=error_result(spec, "error", f"could not open the file: {e.strerror}"),
                      seconds=round(time.time() - t0, 2))
        return result
    nb, notes, answered = rebuild(student_nb, spec)
    if version < 4:
        notes.insert(0, f"The notebook was in the old nbformat {version}; it was converted.")
    tamper, flags = _inspect(nb, spec)
    nonce = secrets.token_hex(8)
    skip = {c["def_name"] for c in spec["cells"] if c["def_name"]}
    nb = _inject(nb, nonce, skip)
    scratch = Path(tempfile.mkdtemp(prefix="s-", dir=scratch_base))
    try:
        scratch.chmod(0o755)
        sandbox.prepare(scratch)
        events = run_notebook(nb, scratch, sandbox, cell_timeout, notebook_timeout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if -1 in events:
        result.update(exercises=error_result(spec, "error", sanitize(str(events[-1]), 500)), notes=notes,
                      seconds=round(time.time() - t0, 2))
        return result
    result["exercises"] = score_notebook(nb, spec, events, nonce, tamper, flags, answered, notes)
    result["notes"] = notes
    result["seconds"] = round(time.time() - t0, 2)
    return result
