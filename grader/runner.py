"""``grader autograde``: find submissions, grade them on an executor, write results and the report.

The executor (:mod:`grader.executors`) is the local pool (``--jobs N``) or a Dask cluster
(``--scheduler`` / ``--cluster local:N``); either way this process writes every result
atomically as it arrives, so an interrupted run (Ctrl-C, a crash) keeps everything
already graded and a re-run skips it (unless ``force``), as long as neither the
submission nor the lesson source changed. A result marked ``retry`` (a cluster worker
that could not grade) is graded again by the next run.

With ``variants`` (the course secret and roster, :class:`grader.variant_check.VariantKeys`), each
submission of a lesson with per-student variants is checked (:func:`~grader.variant_check.check_submission`)
and graded against the variant it is judged to be; its result records ``variant``, and a
changed verdict regrades it.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from .answers import keep_answers, save_answers
from .executors import ClusterError, Settings
from .preflight import PreflightFailed, preflight
from .progress import Progress
from .release import ROOT, lesson_names
from .sandbox import bwrap_works
from .spec import cached_specs
from .store import is_current, result_path, save_result, save_run
from .submissions import discover
from .variant_check import VariantKeys, check_submission, lesson_varies

__all__ = ["autograde", "NoSandbox", "ClusterError", "PreflightFailed", "choose_mode"]


class NoSandbox(RuntimeError):
    """bubblewrap is unavailable and the instructor did not accept running without it."""


def choose_mode(no_sandbox: bool) -> str:
    if no_sandbox:
        return "none"
    if bwrap_works():
        return "bwrap"
    raise NoSandbox(
        "bubblewrap (bwrap) is not installed or cannot create namespaces here, so student code "
        "could read solutions/, other students' notebooks and use the network.\n"
        "Install it (Debian/Ubuntu: apt-get install bubblewrap) or, if you accept reduced "
        "isolation, re-run with --no-sandbox.")


@dataclass(frozen=True)
class _Plan:
    subs: list
    todo: list
    skipped: list
    students: list
    specs: dict
    checks: dict = field(default_factory=dict)     # (student, lesson) -> VariantCheck


def _needs_grading(out: Path, sub, spec_sha: str, force: bool, variant: dict | None = None) -> bool:
    if force or not is_current(out, sub, spec_sha):
        return True
    try:
        old = json.loads(result_path(out, sub.student, sub.lesson).read_text("utf-8"))
        return bool(old.get("retry")) or old.get("variant") != variant or bool(old.get("late")) != sub.late
    except (OSError, ValueError):
        return True


def _check_variants(subs: list, specs: dict, variants: VariantKeys | None):
    """-> (submissions, each with the fingerprint to grade against; checks by (student, lesson))."""
    if variants is None:
        return subs, {}
    checks, out = {}, []
    for s in subs:
        if lesson_varies(specs[s.lesson]):
            c = checks[(s.student, s.lesson)] = check_submission(variants, s.student, s.lesson, s.path)
            s = replace(s, variant=c.fingerprint)
        out.append(s)
    return out, checks


def _plan(submissions: Path, out: Path, root: Path, base: Path, force: bool, log,
          variants: VariantKeys | None = None) -> _Plan:
    lessons = lesson_names(root)
    subs, skipped, students = discover(Path(submissions), lessons, base / "unpacked")
    for s in skipped:
        log(f"skipped {s['path']}: {s['reason']}", file=sys.stderr)
    specs = cached_specs(root, lessons)
    subs, checks = _check_variants(subs, specs, variants)

    def record(s):
        c = checks.get((s.student, s.lesson))
        return c.record() if c else None
    todo = [s for s in subs if _needs_grading(out, s, specs[s.lesson]["source_sha256"], force, record(s))]
    return _Plan(subs, todo, skipped, students, specs, checks)


def _executor(settings: Settings, plan: _Plan, base: Path, jobs, scheduler, cluster, log):
    if scheduler or cluster:
        from .executors.cluster import DaskExecutor
        return DaskExecutor(settings, plan.specs, scheduler=scheduler, local=cluster, log=log)
    from .executors.pool import LocalPool
    return LocalPool(jobs or os.cpu_count() or 1, settings, plan.specs, base)


def _grade(executor, plan: _Plan, out: Path, quiet: bool) -> dict:
    counts = {"submissions": len(plan.subs), "already_graded": len(plan.subs) - len(plan.todo),
              "graded": 0, "with_problems": 0, "skipped_files": len(plan.skipped)}
    progress = Progress(len(plan.todo), quiet)
    try:
        for sub, result in executor.grade(plan.todo):
            check = plan.checks.get((sub.student, sub.lesson))
            save_result(out, sub, dict(result, variant=check.record()) if check else result)
            save_answers(out, sub, plan.specs[sub.lesson])    # for `grader report`'s similar answers
            failed = any(e["status"] not in ("graded", "needs_manual") for e in result["exercises"])
            counts["graded"] += 1
            counts["with_problems"] += failed
            progress.update(failed)
    finally:
        progress.close()
    return counts


def _warn_unsandboxed(log) -> None:
    log("WARNING: grading WITHOUT a sandbox: student code can read every file this account can "
        "(including solutions/) and use the network. Only do this for trusted submissions.",
        file=sys.stderr)


def autograde(submissions, out, jobs=None, timeout=30, notebook_timeout=600, memory_mb=2048,
              force=False, quiet=False, no_sandbox=False, root: Path = ROOT, report=True, log=print,
              scheduler: str | None = None, cluster: int | None = None,
              variants: VariantKeys | None = None) -> dict:
    """Grade ``submissions`` into ``out`` on the local pool (``jobs``), the Dask cluster at
    ``scheduler``, or a local Dask cluster of ``cluster`` processes (each submission against its
    own per-student variant when ``variants`` is given);
    -> counts ``{"submissions", "already_graded", "graded", "with_problems", "skipped_files"}``."""
    on_dask = bool(scheduler or cluster)
    mode = ("none" if no_sandbox else "bwrap") if on_dask else choose_mode(no_sandbox)  # workers check bwrap
    if mode == "none":
        _warn_unsandboxed(log)
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="bw-grader-"))
    try:
        plan = _plan(submissions, out, root, base, force, log, variants)
        if not quiet and plan.todo != plan.subs:
            log(f"{len(plan.subs) - len(plan.todo)} submission(s) already graded (use --force to regrade)",
                file=sys.stderr)
        hide = tuple(sorted({str(Path(root).resolve()), str(Path(submissions).resolve()), str(out), str(base)}))
        settings = Settings(mode, memory_mb, timeout, notebook_timeout, hide)
        with _executor(settings, plan, base, jobs, scheduler, cluster, log) as executor:
            preflight(executor, plan.specs, {s.lesson for s in plan.todo}, root, settings, base, log)
            save_run(out, {"lessons": {k: {"exercises": v["exercises"], "source_sha256": v["source_sha256"]}
                                       for k, v in plan.specs.items()},
                           "students": plan.students, "skipped": plan.skipped, "isolation": executor.isolation})
            counts = _grade(executor, plan, out, quiet)
        keep_answers(out, plan.subs, plan.specs)   # and of those graded before answers were recorded
    finally:
        shutil.rmtree(base, ignore_errors=True)
    if report:
        from .report import write_report
        write_report([out], out)
    return counts
