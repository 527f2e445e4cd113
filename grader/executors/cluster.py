"""``--scheduler tcp://HOST:PORT`` / ``--cluster local:N``: grading on a Dask cluster.

No shared file system: each task carries the submission's bytes (and SHA-256, student,
lesson) and a reference to its lesson's spec, sent to the cluster once; a worker grades in its own
sandbox (:mod:`grader.executors.on_worker`) and returns the result, which the runner
writes. A worker that dies mid-task: Dask runs the task again on another worker; when
that one dies too the submission is ``error`` (the scheduler's ``allowed_failures`` is set
to 1 for this). A worker that fails the join check grades nothing: it is named on stderr,
and the scheduler sends it no submission (each task asks for the run's resource, which only
a checked worker announces). When no checked worker has been connected for
``NO_WORKER_TIMEOUT`` seconds, the run stops (exit 2) with every finished result in place.
"""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from pathlib import Path

from . import ClusterError, Settings
from .pool import crashed_twice

__all__ = ["DaskExecutor", "parse_cluster", "parse_scheduler", "CONNECT_TIMEOUT", "NO_WORKER_TIMEOUT"]

CONNECT_TIMEOUT = 10            # seconds to reach a scheduler
NO_WORKER_TIMEOUT = 600         # seconds without a checked worker before a run gives up
TICK = 5                        # seconds between looks at the cluster while waiting for results
WINDOW_PER_THREAD = 4           # tasks in flight per worker thread (bounds the client's memory)


def parse_cluster(text: str) -> int:
    """``"local:N"`` (N >= 1) -> ``N``."""
    m = re.fullmatch(r"local:(\d+)", text or "")
    if not m or int(m.group(1)) < 1:
        raise ValueError(f"--cluster: expected local:N with N >= 1 worker processes (e.g. local:4), "
                         f"got {text!r}")
    return int(m.group(1))


def parse_scheduler(text: str) -> str:
    """``"tcp://HOST:PORT"`` (or ``tls://``, or just ``HOST:PORT``) -> the address, checked."""
    if not re.fullmatch(r"((tcp|tls|ucx|inproc)://)?\[?[A-Za-z0-9_.:-]+\]?:\d{1,5}", text or ""):
        raise ValueError(f"--scheduler: expected the Dask scheduler's address tcp://HOST:PORT "
                         f"(e.g. tcp://10.0.0.5:8786), got {text!r}")
    return text


def _payload(sub) -> dict:
    return {"student": sub.student, "lesson": sub.lesson, "origin": sub.origin, "sha256": sub.sha256,
            "variant": sub.variant, "data": Path(sub.path).read_bytes()}


class DaskExecutor:
    """Grade on the cluster at ``scheduler`` or on a ``LocalCluster`` of ``local`` processes."""

    def __init__(self, settings: Settings, specs: dict, scheduler: str | None = None,
                 local: int | None = None, log=print):
        self.settings, self.specs, self.log = settings, specs, log
        self.cluster = self.client = self.plugin = None
        self.pending: dict = {}
        self.client = self._connect(scheduler, local)
        try:
            self._prepare_workers()
        except BaseException:
            self.close()
            raise

    def _connect(self, scheduler, local):
        from distributed import Client, LocalCluster
        if local:
            self.cluster = LocalCluster(n_workers=local, threads_per_worker=1, processes=True,
                                        dashboard_address=None, scheduler_port=0,
                                        silence_logs=logging.ERROR)
            scheduler = self.cluster.scheduler_address
        parse_scheduler(scheduler)
        try:
            return Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as e:
            self.close()
            raise ClusterError(f"--scheduler {scheduler}: cannot reach the Dask scheduler within "
                               f"{CONNECT_TIMEOUT} s ({type(e).__name__}: {e})") from None

    def _prepare_workers(self) -> None:
        """Register the join check, wait for a worker, say which workers cannot grade."""
        import cloudpickle

        from . import on_worker
        cloudpickle.register_pickle_by_value(on_worker)
        self.client.run_on_scheduler(on_worker.allow_one_retry)
        self.plugin = f"{on_worker.PLUGIN}-{uuid.uuid4().hex[:12]}"
        self.client.register_plugin(on_worker.GraderPlugin(self.settings.mode, on_worker.helpers_fingerprint(),
                                                           resource=self.plugin), name=self.plugin)
        if not self.client.scheduler_info(n_workers=-1)["workers"]:
            self.log(f"waiting for a Dask worker to join {self.client.scheduler.address} ...",
                     file=sys.stderr)
            self.client.wait_for_workers(1)
        status = self.client.run(on_worker.worker_status, self.plugin, self.settings.memory_mb)
        bad = {w: s["problem"] for w, s in sorted(status.items()) if s["problem"]}
        for w, problem in bad.items():
            self.log(f"worker {w}: {problem}; it is given no submission", file=sys.stderr)
        if len(bad) == len(status):
            raise ClusterError("no Dask worker can grade: " + ("; ".join(
                f"worker {w}: {p}" for w, p in bad.items()) or "every worker left"))
        self.isolation = sorted({s["isolation"] for s in status.values() if s["isolation"]})
        self.threads, self._counted_at, self._fit_since = 0, 0.0, time.monotonic()
        self._tick()

    def _result(self, sub, fut) -> dict:
        from distributed.scheduler import KilledWorker
        if fut.status == "finished":
            answer = fut.result()
            return dict(answer["result"], worker=answer["worker"])
        if fut.status in ("cancelled", "lost"):
            result = crashed_twice(self.specs[sub.lesson], "not graded: the task was cancelled on the cluster")
            return dict(result, retry=True)
        exc = fut.exception()
        if isinstance(exc, KilledWorker):
            why = (f"the grading worker died twice while grading this submission (killed, or out of "
                   f"memory); the last was {exc.last_worker.address}")
        else:
            why = f"the grading task failed on the cluster ({type(exc).__name__}: {exc})"
        return crashed_twice(self.specs[sub.lesson], why)

    def grade(self, todo: list):
        """Yield ``(submission, result)`` for every submission of ``todo``, as futures finish."""
        from distributed import as_completed

        from . import on_worker
        lessons = sorted({s.lesson for s in todo})
        # Each lesson's spec is sent once, as the result of a tiny task rather than scattered data: Dask
        # keeps one replica of data no task is waiting for, and scattered data on a worker that dies is
        # lost (its dependents cancelled), while a task's result is recomputed.
        specs = {k: self.client.submit(on_worker.lesson_spec, self.specs[k], pure=False,
                                       key=f"spec-{k}-{uuid.uuid4().hex[:8]}") for k in lessons}
        settings = {"plugin": self.plugin, "hide": list(self.settings.hide), "memory_mb": self.settings.memory_mb,
                    "timeout": self.settings.timeout, "notebook_timeout": self.settings.notebook_timeout}
        queue, done = iter(todo), as_completed(loop=self.client.loop)

        def submit_next():
            sub = next(queue, None)
            if sub is not None:
                fut = self.client.submit(on_worker.grade_task, _payload(sub), specs[sub.lesson], settings,
                                         key=f"grade-{sub.student}-{sub.lesson}-{uuid.uuid4().hex[:8]}",
                                         pure=False, retries=1, resources={self.plugin: 1})
                self.pending[fut.key] = (sub, fut)
                done.add(fut)
            return sub is not None
        for _ in range(self._window()):
            submit_next()
        while self.pending:
            if not done.has_ready():
                self._tick()
                time.sleep(0.05)
                continue
            fut = next(done)
            sub, _ = self.pending.pop(fut.key)
            result = self._result(sub, fut)
            fut.release()
            while len(self.pending) < self._window() and submit_next():
                pass
            yield sub, result

    def _tick(self) -> None:
        """Every ``TICK`` s: count the checked workers' threads, send waiting tasks to checked
        workers that joined since, and give up after ``NO_WORKER_TIMEOUT`` s without one."""
        from . import on_worker
        now = time.monotonic()
        if now - self._counted_at < TICK:
            return
        self._counted_at = now
        self.threads = self.client.run_on_scheduler(on_worker.revisit_unrunnable, self.plugin)
        if self.threads:
            self._fit_since = now
        elif now - self._fit_since > NO_WORKER_TIMEOUT:
            raise ClusterError(f"no Dask worker able to grade has been connected to "
                               f"{self.client.scheduler.address} for {NO_WORKER_TIMEOUT} s; "
                               f"{len(self.pending)} submissions in flight are not graded (finished "
                               f"results are kept: run again once a worker has joined)")

    def _window(self) -> int:
        """How many tasks to keep in flight: grows with the cluster (workers joining mid-run)."""
        self._tick()
        return max(16, WINDOW_PER_THREAD * self.threads)

    def close(self) -> None:
        """Cancel what is still pending (Ctrl-C), disconnect, stop a local cluster."""
        if self.client is not None:
            if self.pending:
                try:
                    self.client.cancel([f for _, f in self.pending.values()], force=True)
                except Exception:  # noqa: BLE001 -- closing anyway
                    pass
                self.pending.clear()
            if self.plugin:
                try:
                    self.client.unregister_worker_plugin(self.plugin)   # its teardown removes the scratch
                except Exception:  # noqa: BLE001 -- a worker already gone; closing anyway
                    pass
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
