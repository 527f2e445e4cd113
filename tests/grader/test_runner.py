"""Fast tests of autograde's plumbing: the progress bar, --cluster parsing, what a re-run regrades."""
from __future__ import annotations

import io
import sys
import time

import pytest

from grader.executors.cluster import parse_cluster
from grader.progress import Progress
from grader.runner import _needs_grading
from grader.store import save_result
from grader.submissions import Submission


def test_progress_without_a_terminal_prints_a_line_every_ten_percent():
    stream = io.StringIO()
    progress = Progress(40, stream=stream)
    for k in range(40):
        progress.update(failed=k % 4 == 0)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 11, lines                 # the first result, then every 10 %
    assert "1/40" in lines[0] and lines[1].lstrip().startswith("10%") and "4/40" in lines[1], lines[:2]
    assert "40/40" in lines[-1] and "10 with problems" in lines[-1], lines[-1]
    assert "\r" not in stream.getvalue()


def test_progress_quiet_prints_nothing():
    stream = io.StringIO()
    progress = Progress(5, quiet=True, stream=stream)
    for _ in range(5):
        progress.update(failed=True)
    progress.close()
    assert stream.getvalue() == "" and (progress.done, progress.failures) == (5, 5)


def test_cluster_spec_is_parsed_or_named():
    assert parse_cluster("local:3") == 3
    for bad in ("local:0", "local", "slurm:4", ""):
        with pytest.raises(ValueError, match=r"--cluster: expected local:N .* got"):
            parse_cluster(bad)


def test_scheduler_address_is_checked():
    from grader.executors.cluster import parse_scheduler
    assert parse_scheduler("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert parse_scheduler("node-3.example.edu:8786") == "node-3.example.edu:8786"
    for bad in ("nonsense", "tcp://host", "http://h:1", ""):
        with pytest.raises(ValueError, match=r"--scheduler: expected .* tcp://HOST:PORT .* got"):
            parse_scheduler(bad)


def test_a_result_marked_retry_is_graded_again(tmp_path):
    sub = Submission("ann", "L1", str(tmp_path / "L1.ipynb"), "ann/L1.ipynb", "abc")
    result = {"lesson": "L1", "spec_sha256": "s1", "notes": [], "graded_at": "", "exercises": []}
    assert _needs_grading(tmp_path, sub, "s1", force=False)                   # nothing yet
    save_result(tmp_path, sub, result)
    assert not _needs_grading(tmp_path, sub, "s1", force=False)               # current
    assert _needs_grading(tmp_path, sub, "s1", force=True)
    assert _needs_grading(tmp_path, sub, "s2", force=False)                   # lesson changed
    save_result(tmp_path, sub, dict(result, retry=True))                      # a worker could not grade
    assert _needs_grading(tmp_path, sub, "s1", force=False)


SPEC = {"lesson": "L1", "exercises": [{"name": "ex1", "points": 2.0}, {"name": "ex2", "points": 1.0}]}


class _Future:
    def __init__(self, status, exc=None):
        self.status, self._exc = status, exc

    def exception(self):
        return self._exc


def test_a_submission_that_killed_two_workers_is_an_error_with_the_reason():
    from types import SimpleNamespace

    from distributed.scheduler import KilledWorker

    from grader.executors.cluster import DaskExecutor
    executor = object.__new__(DaskExecutor)            # only the mapping of futures to results
    executor.specs = {"L1": SPEC}
    sub = Submission("ann", "L1", "", "ann/L1.ipynb", "abc")
    killed = KilledWorker("grade-ann-L1", SimpleNamespace(address="tcp://10.0.0.9:4000"), 1)
    result = executor._result(sub, _Future("error", killed))
    assert [e["status"] for e in result["exercises"]] == ["error", "error"]
    assert "died twice" in result["exercises"][0]["message"] and "tcp://10.0.0.9:4000" in \
        result["exercises"][0]["message"]
    assert not result.get("retry")                    # not retried forever: the next run keeps it
    lost = executor._result(sub, _Future("cancelled"))
    assert lost["retry"] is True and lost["exercises"][1]["status"] == "error"


def test_the_worker_check_names_what_is_missing(monkeypatch):
    from grader.executors import on_worker
    good = on_worker.helpers_fingerprint()
    assert len(good) == 64
    assert on_worker._problem("none", good) is None
    assert "not the same version" in on_worker._problem("none", "0" * 64)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert on_worker._problem("bwrap", good) == \
        "bubblewrap (bwrap) not found (Debian/Ubuntu: apt-get install bubblewrap)"
    assert on_worker._problem("none", good) is None     # --no-sandbox: bwrap not needed


# a worker that says it is ready, then never answers (stuck in something the kernel deadline cannot see)
_HANGING = (sys.executable, "-c", "import sys, time\nsys.stdin.readline()\nprint('{\"ready\": true}', flush=True)\n"
            "time.sleep(600)\n")


def test_the_local_pool_stops_a_worker_that_misses_the_runners_deadline(tmp_path, monkeypatch):
    from grader.executors import Settings
    from grader.executors.pool import LocalPool, _Worker
    monkeypatch.setattr(_Worker, "COMMAND", _HANGING)
    subs = [Submission("ann", "L1", "", "ann/L1.ipynb", "abc"), Submission("ben", "L1", "", "ben/L1.ipynb", "def")]
    t0 = time.monotonic()
    with LocalPool(2, Settings(mode="none", memory_mb=512, timeout=5, notebook_timeout=10), {"L1": SPEC},
                   tmp_path) as pool:
        pool.deadline = 1.5
        results = dict((s.student, r) for s, r in pool.grade(subs))
    assert time.monotonic() - t0 < 20, "the pool waited for a worker that never answers"
    assert set(results) == {"ann", "ben"}
    for r in results.values():     # not retried: a submission that hangs its worker would hang the next too
        assert [e["status"] for e in r["exercises"]] == ["timeout", "timeout"], r
        assert "runner's deadline of 2 s" in r["exercises"][0]["message"]
