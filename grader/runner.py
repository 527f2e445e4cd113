"""``grader autograde``: find submissions, grade them in parallel workers, write the report.

Each of ``jobs`` worker processes (:mod:`grader.worker`) is fed one submission at a time;
a worker that dies mid-submission is replaced and the submission retried once, then
recorded as ``error``. Results are written atomically as they complete, so an
interrupted run (Ctrl-C, a crash) keeps everything already graded and a re-run skips
it (unless ``force``), as long as neither the submission nor the lesson source changed.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .grading import error_result
from .progress import Progress
from .release import ROOT, lesson_names
from .sandbox import Sandbox, bwrap_works, default_keep
from .spec import cached_specs, save_specs
from .store import is_current, save_result, save_run
from .submissions import discover

__all__ = ["autograde", "NoSandbox", "choose_mode"]


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


class _Worker:
    def __init__(self, cfg: dict, log: Path):
        self.log = open(log, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "grader.worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, text=True,
                                     start_new_session=True, cwd=str(ROOT))
        self.proc.stdin.write(json.dumps(cfg) + "\n")
        self.proc.stdin.flush()
        self.ready = False

    def ask(self, job: dict) -> dict | None:
        """Send a job; -> the answer, or ``None`` when the worker died."""
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


def autograde(submissions, out, jobs=None, timeout=30, notebook_timeout=600, memory_mb=2048,
              force=False, quiet=False, shard=None, no_sandbox=False, root: Path = ROOT,
              report=True, log=print) -> dict:
    """Grade ``submissions`` into ``out``; -> counts ``{"graded", "skipped_current", "failed", ...}``."""
    mode = choose_mode(no_sandbox)
    if mode == "none":
        log("WARNING: grading WITHOUT a sandbox: student code can read every file this account can "
            "(including solutions/) and use the network. Only do this for trusted submissions.",
            file=sys.stderr)
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    lessons = lesson_names(root)
    base = Path(tempfile.mkdtemp(prefix="bw-grader-"))
    workers: list[_Worker] = []
    try:
        subs, skipped, students = discover(Path(submissions), lessons, base / "unpacked", shard)
        for s in skipped:
            log(f"skipped {s['path']}: {s['reason']}", file=sys.stderr)
        specs = cached_specs(root, lessons)
        save_specs(specs, base / "specs.json")
        todo = [s for s in subs if force or not is_current(out, s, specs[s.lesson]["source_sha256"])]
        sandbox = Sandbox(mode, memory_mb)
        save_run(out, {"lessons": {k: {"exercises": v["exercises"], "source_sha256": v["source_sha256"]}
                                   for k, v in specs.items()},
                       "students": students, "skipped": skipped, "isolation": [sandbox.describe()]})
        counts = {"submissions": len(subs), "already_graded": len(subs) - len(todo), "graded": 0,
                  "with_problems": 0, "skipped_files": len(skipped)}
        if not quiet and len(subs) > len(todo):
            log(f"{len(subs) - len(todo)} submission(s) already graded (use --force to regrade)",
                file=sys.stderr)
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
        hide = sorted({str(Path(root).resolve()), str(Path(submissions).resolve()), str(out), str(base)})
        keep = default_keep()

        def cfg(slot):
            return {"specs": str(base / "specs.json"), "scratch": str(base), "slot": slot, "mode": mode,
                    "memory_mb": memory_mb, "timeout": timeout, "notebook_timeout": notebook_timeout,
                    "hide": hide, "keep": keep, "results": str(out)}
        q: queue.Queue = queue.Queue()
        for s in todo:
            q.put(s)
        progress = Progress(len(todo), quiet)
        lock, stop = threading.Lock(), threading.Event()

        def run(slot):
            w = _Worker(cfg(slot), base / f"worker-{slot}.log")
            workers.append(w)
            while not stop.is_set():
                try:
                    sub = q.get_nowait()
                except queue.Empty:
                    return
                answer, tries = None, 0
                while answer is None and tries < 2:
                    tries += 1
                    answer = w.ask(sub.__dict__)
                    if stop.is_set():
                        return
                    if answer is None:
                        w.kill()
                        w = _Worker(cfg(slot), base / f"worker-{slot}.log")
                        workers.append(w)
                if answer is None:
                    save_result(out, sub, {"lesson": sub.lesson, "spec_sha256": "", "notes": [],
                                           "exercises": error_result(specs[sub.lesson], "error",
                                                                     "the grading worker crashed twice on "
                                                                     "this submission"),
                                           "isolation": mode, "graded_at": ""})
                    answer = {"statuses": ["error"]}
                failed = any(st not in ("graded", "needs_manual") for st in answer.get("statuses", []))
                with lock:
                    counts["graded"] += 1
                    counts["with_problems"] += failed
                    progress.update(failed)
        threads = [threading.Thread(target=run, args=(k + 1,), daemon=True) for k in range(jobs if todo else 0)]
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.2)
        progress.close()
    finally:
        if "stop" in locals():
            stop.set()
        for w in list(workers):
            w.kill()
        shutil.rmtree(base, ignore_errors=True)
    if report:
        from .report import write_report
        write_report([out], out)
    return counts
