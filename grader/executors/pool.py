"""``--jobs N``: long-lived worker processes (``python -m grader.worker``) on this machine.

Each worker is fed one submission at a time and answers its result; a worker that dies
mid-submission is replaced and the submission retried once, then recorded as ``error``.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

from ..core import Limits
from ..grading import error_result
from ..release import ROOT
from ..sandbox import Sandbox, default_keep
from ..spec import save_specs
from . import Settings

__all__ = ["LocalPool", "crashed_twice", "DEADLINE_MARGIN"]

DEADLINE_MARGIN = 30.0   # seconds past a submission's own deadline before the runner stops its worker


def crashed_twice(spec: dict, why: str, status: str = "error") -> dict:
    """The result of a submission whose grading worker died twice (or missed the runner's deadline)."""
    return {"lesson": spec["lesson"], "spec_sha256": "", "notes": [], "isolation": "", "graded_at": "",
            "exercises": error_result(spec, status, why)}


class _Worker:
    COMMAND = (sys.executable, "-m", "grader.worker")

    def __init__(self, cfg: dict, log: Path):
        self.log = open(log, "ab")
        self.expired = False
        self.proc = subprocess.Popen(list(self.COMMAND), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, text=True,
                                     start_new_session=True, cwd=str(ROOT))
        self.proc.stdin.write(json.dumps(cfg) + "\n")
        self.proc.stdin.flush()
        self.ready = False

    def ask(self, job: dict, deadline: float) -> dict | None:
        """Send a job; -> the result, or ``None`` when the worker died or was stopped because it
        did not answer within ``deadline`` seconds (then :attr:`expired` is set)."""
        self.expired = False
        watchdog = threading.Timer(deadline, self._expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            if not self.ready:
                json.loads(self.proc.stdout.readline())
                self.ready = True
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
            return json.loads(line) if line else None
        except (OSError, ValueError):
            return None
        finally:
            watchdog.cancel()

    def _expire(self) -> None:
        """The runner's own deadline: whatever the worker is stuck in, its process group goes."""
        self.expired = True
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        self.log.close()


class LocalPool:
    """``jobs`` worker processes; ``grade(todo)`` yields ``(submission, result)`` as they finish."""

    def __init__(self, jobs: int, settings: Settings, specs: dict, scratch: Path):
        self.jobs, self.specs, self.scratch = jobs, specs, Path(scratch)
        save_specs(specs, self.scratch / "specs.json")
        self.cfg = {"specs": str(self.scratch / "specs.json"), "scratch": str(self.scratch),
                    "mode": settings.mode, "memory_mb": settings.memory_mb, "timeout": settings.timeout,
                    "notebook_timeout": settings.notebook_timeout,
                    "hide": sorted({*settings.hide, str(self.scratch)}), "keep": default_keep()}
        self.isolation = [Sandbox(settings.mode, settings.memory_mb).describe()]
        # the worker enforces the submission's deadline itself; this one catches a worker that hangs
        self.deadline = Limits(cell_timeout=settings.timeout, notebook_timeout=settings.notebook_timeout,
                               memory_mb=settings.memory_mb).deadline + DEADLINE_MARGIN
        self.workers: list[_Worker] = []
        self.stop = threading.Event()

    def _spawn(self, slot: int) -> _Worker:
        w = _Worker(self.cfg, self.scratch / f"worker-{slot}.log")
        self.workers.append(w)
        return w

    def _serve(self, slot: int, todo: queue.Queue, done: queue.Queue) -> None:
        w = self._spawn(slot)
        while not self.stop.is_set():
            try:
                sub = todo.get_nowait()
            except queue.Empty:
                return
            answer = w.ask(sub.__dict__, self.deadline)
            if answer is None and not w.expired and not self.stop.is_set():   # died: replace it, retry once
                w.kill()
                w = self._spawn(slot)
                answer = w.ask(sub.__dict__, self.deadline)
            if self.stop.is_set():
                return
            if answer is None:
                why, status = ((f"grading this submission took longer than the runner's deadline of "
                                f"{self.deadline:.0f} s; its worker was stopped", "timeout") if w.expired else
                               ("the grading worker crashed twice on this submission", "error"))
                w.kill()
                w = self._spawn(slot)
                answer = crashed_twice(self.specs[sub.lesson], why, status)
            done.put((sub, answer))

    def grade(self, todo: list):
        """Yield ``(submission, result)`` for every submission of ``todo``, as they finish."""
        work, done = queue.Queue(), queue.Queue()
        for s in todo:
            work.put(s)
        threads = [threading.Thread(target=self._serve, args=(k + 1, work, done), daemon=True)
                   for k in range(max(1, min(self.jobs, len(todo))) if todo else 0)]
        for t in threads:
            t.start()
        for _ in todo:
            while True:
                try:
                    yield done.get(timeout=0.2)
                    break
                except queue.Empty:
                    if not any(t.is_alive() for t in threads) and done.empty():
                        raise RuntimeError("every local grading worker stopped unexpectedly")

    def close(self) -> None:
        self.stop.set()
        for w in list(self.workers):
            w.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
