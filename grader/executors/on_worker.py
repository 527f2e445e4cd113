"""What runs on a Dask worker: the check when a worker joins, and the grading task.

This module is sent to the workers *by value* (cloudpickle), so that a worker that lacks
the course can still run the check and say so, instead of failing to unpickle. It
therefore imports nothing from ``grader`` at module level.

:class:`GraderPlugin` (a ``WorkerPlugin``: runs on every worker present and on every
worker that joins later) checks that the course is importable, that its ``helpers``
are the same as the grader's, and (when sandboxing) that bubblewrap works; it keeps the
worker's private scratch folder. A worker that passes the check announces the run's Dask
*resource* (named after the run's plugin, one unit per thread); every grading task asks
for one unit, so the scheduler sends submissions only to checked workers and a worker
that lacks something grades nothing. :func:`grade_task` grades one submission sent as
bytes with :func:`grader.worker.grade_bytes`, exactly as the local pool does.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
import threading
from pathlib import Path

from distributed import WorkerPlugin, get_worker

__all__ = ["PLUGIN", "GraderPlugin", "grade_task", "lesson_spec", "worker_status", "helpers_fingerprint",
           "allow_one_retry", "revisit_unrunnable"]

PLUGIN = "bw-grader"           # + a run id: each run has its own plugin (and scratch) on a shared cluster
NEEDED = ("grader", "helpers", "nbgrader", "nbclient", "ipykernel", "numpy")


def helpers_fingerprint() -> str:
    """SHA-256 over the ``helpers`` package's Python files (what the kernels import)."""
    spec = importlib.util.find_spec("helpers")
    if spec is None or not spec.origin:
        return ""
    root = Path(spec.origin).parent
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _bwrap_problem() -> str | None:
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) not found (Debian/Ubuntu: apt-get install bubblewrap)"
    from grader.sandbox import bwrap_works
    if not bwrap_works():
        return "bubblewrap (bwrap) cannot create namespaces here (user namespaces disabled?)"
    return None


def _problem(mode: str, fingerprint: str) -> str | None:
    """What this worker lacks to grade, or ``None``."""
    missing = [m for m in NEEDED if importlib.util.find_spec(m) is None]
    if missing:
        return f"the course is not installed (cannot import {', '.join(missing)})"
    if fingerprint and helpers_fingerprint() != fingerprint:
        return "its copy of the course differs from the grader's (helpers/ is not the same version)"
    return _bwrap_problem() if mode == "bwrap" else None


def _warm_up() -> None:
    try:
        import grader.grading  # noqa: F401
        import nbclient  # noqa: F401
        import nbgrader.utils  # noqa: F401
    except Exception:  # noqa: BLE001 -- the first task will import (and report) it again
        pass


class GraderPlugin(WorkerPlugin):
    """Checks a worker when it joins and holds its private scratch folder and sandbox slots."""

    def __init__(self, mode: str, fingerprint: str, resource: str):
        self.mode, self.fingerprint, self.resource = mode, fingerprint, resource

    async def setup(self, worker):
        self.address = worker.address
        self.local_directory = worker.local_directory
        self.scratch = Path(tempfile.mkdtemp(prefix="bw-dask-worker-"))      # 0700
        self._slots, self._lock = {}, threading.Lock()
        try:
            self.problem = _problem(self.mode, self.fingerprint)
        except Exception as e:  # noqa: BLE001 -- a failing check is itself the problem to report
            self.problem = f"the worker check failed ({type(e).__name__}: {e})"
        if not self.problem:          # pay the imports now, off the event loop, not in the first task
            threading.Thread(target=_warm_up, name="bw-grader-warm-up", daemon=True).start()
            await worker.set_resources(**{self.resource: worker.state.nthreads})

    def teardown(self, worker):
        shutil.rmtree(self.scratch, ignore_errors=True)

    def slot(self) -> int:
        """This thread's sandbox slot (its kernels' uid): one per worker thread."""
        with self._lock:
            k = self._slots.setdefault(threading.get_ident(), len(self._slots))
        return os.getpid() % 30000 + 30000 * k

    def sandbox(self, settings: dict):
        from grader.release import ROOT
        from grader.sandbox import Sandbox, default_keep
        # the client's folders (when on the same machine), this worker's course, scratch, spilled data,
        # and its temporary folder (other runs' scratch when not running as root)
        hide = sorted({*settings["hide"], str(ROOT), str(self.scratch), str(self.local_directory),
                       tempfile.gettempdir()})
        return Sandbox(mode=self.mode, memory_mb=settings["memory_mb"], slot=self.slot(), hide=hide,
                       keep=default_keep())


def worker_status(plugin_name: str, memory_mb: int, dask_worker=None) -> dict:
    """For ``client.run``: ``{"problem", "isolation"}`` of this worker."""
    plugin = dask_worker.plugins.get(plugin_name)
    if plugin is None:
        return {"problem": "the grader's worker check did not run", "isolation": ""}
    if plugin.problem:
        return {"problem": plugin.problem, "isolation": ""}
    from grader.sandbox import Sandbox
    return {"problem": None, "isolation": Sandbox(plugin.mode, memory_mb).describe()}


def grade_task(payload: dict, spec: dict, settings: dict) -> dict:
    """Grade one submission (``payload``: student, lesson, sha256, data) -> ``{"worker", "result"}``."""
    worker = get_worker()
    plugin = worker.plugins.get(settings["plugin"])
    problem = plugin.problem if plugin is not None else "the grader's worker check did not run"
    if problem:                    # only a checked worker has the resource this task asks for
        raise RuntimeError(f"worker {worker.address} cannot grade: {problem}")
    from grader.worker import grade_bytes
    result = grade_bytes(payload["data"], payload["sha256"], spec, plugin.sandbox(settings), plugin.scratch,
                         settings["timeout"], settings["notebook_timeout"], payload.get("variant"))
    return {"worker": worker.address, "result": result}


def lesson_spec(spec: dict) -> dict:
    """A lesson's spec as a task result (recomputed by Dask if the worker holding it dies)."""
    return spec


def allow_one_retry(dask_scheduler) -> None:
    """For ``client.run_on_scheduler``: a task whose worker dies is retried once; when the second
    worker dies too, the task fails with ``KilledWorker`` (Dask's default allows 3)."""
    dask_scheduler.allowed_failures = 1


def revisit_unrunnable(resource: str, dask_scheduler=None) -> int:
    """For ``client.run_on_scheduler``: the threads of the workers that passed this run's check.

    A worker announces the resource after it has joined, and Dask looks for a home for tasks
    that found none (``no-worker``) only when a worker joins; so this sends such tasks to the
    checked workers now.
    """
    fit = [ws for ws in dask_scheduler.workers.values() if ws.resources.get(resource)]
    for ws in fit:
        recs = dask_scheduler.bulk_schedule_unrunnable_after_adding_worker(ws)
        if recs:
            dask_scheduler.transitions(recs, stimulus_id=f"bw-grader-revisit-{id(recs)}")
    return int(sum(ws.resources[resource] for ws in fit))
