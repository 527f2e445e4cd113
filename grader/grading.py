"""Grade one submission: read -> rebuild from the spec -> inspect -> inject checks -> run -> score.

Returns a JSON-able result dict (:class:`grader.core.SubmissionResult`); never raises for a bad
submission (an unreadable file, a kernel that cannot start or dies, ... become per-exercise
statuses with a message). The whole submission -- reading, inspection, kernel start and every
cell -- runs under one wall-clock deadline (``Limits.deadline``).
"""
from __future__ import annotations

import dataclasses
import secrets
import shutil
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from nbgrader.utils import is_grade, is_locked, is_solution

from . import plan
from .core import ExerciseResult, Limits, Status, SubmissionResult
from .execute import run_notebook
from .twoside import run_two_sided
from .restore import SubmissionError, read_submission, rebuild
from .scoring import sanitize, score_notebook
from .tamper import import_aliases, inspect_source, parse_cell, reference_calls
from .variants import personalise_spec

__all__ = ["grade_file", "error_result", "grade_id", "InspectTimeout"]


class InspectTimeout(Exception):
    """Reading and inspecting the notebook took longer than ``Limits.inspect_timeout``."""


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id") if "nbgrader" in cell.metadata else None


def _is_test(cell) -> bool:
    return cell.cell_type == "code" and is_grade(cell) and (grade_id(cell) or "").startswith("test_")


def error_result(spec: dict, status: str, message: str) -> list[dict]:
    """Every exercise of the lesson with the same status (nothing could be graded)."""
    return [ExerciseResult(ex["name"], ex["points"], Status(status), 0.0, message).to_dict()
            for ex in spec["exercises"]]


def _locked_names(spec, trees_by_spec) -> set[str]:
    """Names the read-only cells bind that the tests rely on: module aliases (``np``, ``ref``)
    and the check functions (``call``, ``check_array``, ``passed``, ``numpy.testing``)."""
    answers = {c["def_name"] for c in spec["cells"] if c["role"] == "answer"}
    names = set()
    for c, tree in zip(spec["cells"], trees_by_spec, strict=True):
        if c["role"] == "locked" and c["cell_type"] == "code" and tree is not None:
            for local, target in import_aliases([tree]).items():
                if target in ("numpy", "helpers", "helpers.feedback.checks", "numpy.testing", "sys", "builtins") \
                        or target.startswith(("helpers.feedback.checks.", "numpy.testing.")):
                    names.add(local)
    return names - answers - {"__builtins__"}


def _inspect(nb, spec):
    """-> (static tamper reasons per exercise, reference-call flags per exercise)."""
    spec_trees = [parse_cell(c["source"]) if c["cell_type"] == "code" else None for c in spec["cells"]]
    locked = _locked_names(spec, spec_trees)
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    trees = {i: parse_cell(c.source) for i, c in code}
    aliases = import_aliases([trees[i] for i, _ in code])
    test_pos = {grade_id(c)[5:]: i for i, c in code if _is_test(c)}
    tamper, flags = {}, {}
    for i, cell in code:
        if is_locked(cell) or is_grade(cell):
            continue                      # instructor cells come from solutions/
        gid = grade_id(cell)
        label = f"answer cell {gid}" if gid else f"a cell of yours (cell {i + 1})"
        for r in inspect_source(trees[i], aliases, locked):
            for ex, pos in test_pos.items():
                if pos > i:
                    tamper.setdefault(ex, []).append(f"{label} {r}")
        if gid and is_solution(cell):
            names = {gid}
            names.update(c["def_name"] for c in spec["cells"] if c["grade_id"] == gid and c["def_name"])
            hits = reference_calls(trees[i], aliases, names)
            if hits:
                flags[gid] = [f"the answer calls the reference implementation {', '.join(hits)}"]
    return tamper, flags


@contextmanager
def _time_limit(seconds: int):
    """Raise :class:`InspectTimeout` in this (main) thread after ``seconds`` (no limit elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise InspectTimeout(f"reading and inspecting the notebook took over {seconds} s")
    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _prepare(path, spec, limits, two_sided):
    """-> (nb, notes, answered, tamper, flags, nonce) or raise SubmissionError/OSError/InspectTimeout."""
    with _time_limit(limits.inspect_timeout):
        student_nb, version = read_submission(path)
        nb, notes, answered = rebuild(student_nb, spec)
        if version < 4:
            notes.insert(0, f"The notebook was in the old nbformat {version}; it was converted.")
        tamper, flags = _inspect(nb, spec)
    nonce = secrets.token_hex(8)
    skip = {c["def_name"] for c in spec["cells"] if c["def_name"]}
    nb = plan.two_sided(nb, spec, nonce, skip) if two_sided else plan.single_sided(nb, nonce, skip)
    return nb, notes, answered, tamper, flags, nonce


def _scratch(base, sandbox):
    scratch = Path(tempfile.mkdtemp(prefix="s-", dir=base))
    scratch.chmod(0o755)
    sandbox.prepare(scratch)
    return scratch


def trusted_sandbox(sandbox):
    """The trusted side's confinement: the same as the student's, with its own uid."""
    return dataclasses.replace(sandbox, slot=sandbox.slot + 500_000, memory_mb=None, pending_fds=[])


def _execute(nb, sandbox, scratch_base, limits, deadline, two_sided):
    made = []
    try:
        made.append(_scratch(scratch_base, sandbox))
        if not two_sided:
            return run_notebook(nb, made[0], sandbox, limits.cell_timeout, limits.notebook_timeout, deadline)
        trusted = trusted_sandbox(sandbox)
        made.append(_scratch(scratch_base, trusted))
        return run_two_sided(nb, made[0], made[1], sandbox, trusted, limits.cell_timeout,
                             limits.notebook_timeout, deadline)
    finally:
        for scratch in made:
            shutil.rmtree(scratch, ignore_errors=True)


def grade_file(path: str, spec: dict, sandbox, scratch_base: Path, cell_timeout: int = 30,
               notebook_timeout: int = 600, limits: Limits | None = None, two_sided: bool = True,
               variant: str | None = None) -> dict:
    """Grade the notebook at ``path`` (only read) against ``spec``; -> result dict.

    ``limits`` (default: ``sandbox.limits``) wins over ``cell_timeout``/``notebook_timeout`` when given.
    ``two_sided``: the tests run in a trusted kernel of their own (:mod:`grader.twoside`); ``False``
    runs everything in the student's kernel (``grader validate``). ``variant``: the fingerprint of
    the per-student variant to grade against (both kernels run that variant's setup cell);
    ``None``: the spec as given (the common version).
    """
    t0 = time.time()
    if variant is not None:
        spec = personalise_spec(spec, variant)
    if limits is None:
        limits = getattr(sandbox, "limits", Limits()).with_(cell_timeout=cell_timeout,
                                                            notebook_timeout=notebook_timeout)
    deadline = time.monotonic() + limits.deadline
    base = dict(lesson=spec["lesson"], spec_sha256=spec.get("source_sha256", ""), isolation=sandbox.mode,
                graded_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))

    def done(exercises, notes=()):
        return SubmissionResult(exercises=exercises, notes=notes, seconds=round(time.time() - t0, 2),
                                **base).to_dict()
    try:
        nb, notes, answered, tamper, flags, nonce = _prepare(path, spec, limits, two_sided)
    except SubmissionError as e:
        return done(_errors(spec, f"could not read the notebook: {e}"))
    except OSError as e:
        return done(_errors(spec, f"could not open the file: {e.strerror or e}"))
    except (InspectTimeout, RecursionError, MemoryError) as e:
        return done(_errors(spec, f"not graded: {e if isinstance(e, InspectTimeout) else type(e).__name__}"))
    events = _execute(nb, sandbox, scratch_base, limits, deadline, two_sided)
    if -1 in events:
        return done(_errors(spec, sanitize(str(events[-1]), 500)), notes)
    return done(score_notebook(nb, spec, events, nonce, tamper, flags, answered, notes), notes)


def _errors(spec, message):
    return [ExerciseResult(ex["name"], ex["points"], Status.ERROR, 0.0, message) for ex in spec["exercises"]]
