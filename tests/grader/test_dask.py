"""Grading on a real Dask cluster on localhost: ``dask scheduler`` and ``dask worker`` processes
started here (free ports, stopped by process id), driven through ``grader autograde``.

One class across the lessons (model answers, blanks, wrong answers, a timeout, a tampered and
a damaged submission, the sandbox probe) is graded with ``--jobs 2`` and with ``--scheduler``
(two workers, one SIGKILLed once a third of the class is done): the grades must be the same,
row for row, and every submission must have exactly one result.
"""
from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PROBE, TIMEOUT, wrong_notebook
from grader_corpus import CORPUS_LESSON, LESSONS, build_corpus, honest_notebook, to_bytes

from grader.release import ROOT

pytestmark = pytest.mark.slow

VENV_BIN = Path(sys.executable).parent
CORPUS_CASES = ("infinite_loop", "patch_np_testing", "kernel_dies", "corrupt_json")
CLI = [sys.executable, "-m", "grader", "autograde"]
GRADE_ARGS = ["--timeout", str(TIMEOUT), "--notebook-timeout", "180", "--memory-mb", "512"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(path: str | None = None) -> dict:
    env = dict(os.environ, PATH=path or f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    return env


def _results(out: Path) -> list[Path]:
    return sorted(out.glob("results/*/*.json"))


def _lines(out: Path) -> list[str]:
    return (out / "grades.csv").read_text(encoding="utf-8").splitlines()


class Cluster:
    """``dask scheduler`` + workers as plain processes; everything stopped by pid."""

    def __init__(self, tmp: Path):
        self.tmp, self.procs, self.logs = tmp, [], []
        if not (VENV_BIN / "dask").exists():
            pytest.fail(f"the `dask` command is missing from {VENV_BIN} (pip install distributed)")
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        self._start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", self.address.rsplit(":", 1)[1],
                                  "--no-dashboard"])

    def _start(self, name: str, args: list[str], env=None) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "wb")
        self.logs.append(log)
        proc = subprocess.Popen([str(VENV_BIN / "dask"), *args], stdout=log, stderr=subprocess.STDOUT,
                                env=env or _env(), cwd=self.tmp, start_new_session=True)
        self.procs.append(proc)
        return proc

    def worker(self, name: str, path: str | None = None) -> tuple[subprocess.Popen, str]:
        port = _free_port()
        proc = self._start(name, ["worker", self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                  "--host", "127.0.0.1", "--worker-port", str(port), "--name", name,
                                  "--local-directory", str(self.tmp / name)], env=_env(path))
        return proc, f"tcp://127.0.0.1:{port}"

    def wait_for_workers(self, n: int) -> None:
        code = ("from distributed import Client\n"
                f"c = Client({self.address!r}, timeout=60)\n"
                f"c.wait_for_workers({n}, timeout=90)\nc.close()\n")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"{n} Dask workers did not join {self.address}:\n{proc.stderr[-2000:]}"

    def stop(self) -> None:
        """Workers first (they close quickly while the scheduler is up), then the scheduler."""
        for group in (self.procs[1:], self.procs[:1]):
            for proc in group:
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGTERM)
            for proc in group:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait()
        for log in self.logs:
            log.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        c.w1, c.w1_address = c.worker("w1")
        c.w2, c.w2_address = c.worker("w2")
        yield c                              # started, not waited for: they start while --jobs grades
    finally:
        c.stop()


@pytest.fixture(scope="module")
def outs(tmp_path_factory):
    """The results folders of the --jobs and --scheduler runs (the sandbox probe checks both are hidden)."""
    return {"local": tmp_path_factory.mktemp("local-results"), "dask": tmp_path_factory.mktemp("dask-results")}


@pytest.fixture(scope="module")
def dask_class(built, outs, tmp_path_factory):
    """>= 20 submissions across the lessons: model answers, blanks, wrong answers, and from the
    corpus a timeout, a tampered one, a dying kernel, a corrupt file, plus the sandbox probe."""
    subs = tmp_path_factory.mktemp("dask-class")
    write_class(subs, built, [subs, *outs.values()])
    n = len(list(subs.glob("*/*.ipynb")))
    assert n >= 20, f"the class has {n} submissions, the test needs >= 20"
    return subs


def write_class(subs: Path, built: dict, hidden: list[Path]) -> None:
    """The class into ``subs``: ada (model answers), bo (blank) and cy (a wrong answer) in every lesson,
    the ``CORPUS_CASES`` of the corpus, and the sandbox probe, which must not see ``hidden``.
    (Also used by ``bench/cluster_speed.py``.)"""
    for lesson in LESSONS:
        b = built[lesson]
        nbs = {"ada": honest_notebook(b["release"], b["solution"]), "bo": b["release"],
               "cy": wrong_notebook(lesson, built)[0]}
        for student, nb in nbs.items():
            (subs / student).mkdir(parents=True, exist_ok=True)
            (subs / student / f"{lesson}.ipynb").write_bytes(to_bytes(nb))
    b = built[CORPUS_LESSON]
    cases = {c.name: c for c in build_corpus(b["release"], b["solution"], b["spec"])}
    for name in CORPUS_CASES:
        (subs / name).mkdir()
        (subs / name / f"{CORPUS_LESSON}.ipynb").write_bytes(cases[name].data)
    (subs / "sandbox_probe").mkdir()
    (subs / "sandbox_probe" / f"{CORPUS_LESSON}.ipynb").write_bytes(to_bytes(_probe(b, hidden)))


def _probe(b, hidden: list[Path]):
    """conftest's sandbox probe, for several results folders: an honest notebook whose first answer
    cell fails when the kernel sees the submissions, a results folder, the course, /tmp or the network."""
    from grader.sandbox import default_keep
    nb = honest_notebook(b["release"], b["solution"])
    first = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code")
    first.source = PROBE.format(hidden=[str(p) for p in hidden], kept=default_keep(),
                                absent=[str(ROOT / "solutions"), str(ROOT / ".git"), str(ROOT / "lessons")]) \
        + first.source
    return nb


def _run(args: list[str], out: Path, timeout=600) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.monotonic()
    proc = subprocess.run(CLI + args + ["--out", str(out), "--quiet"] + GRADE_ARGS, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=_env())
    return proc, time.monotonic() - t0


@pytest.fixture(scope="module")
def local_run(dask_class, outs):
    out = outs["local"]
    proc, seconds = _run([str(dask_class), "--jobs", "2"], out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    print(f"\n--jobs 2: {seconds:.1f} s for {len(_results(out))} submissions")
    return out


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        kids.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return kids


@pytest.fixture(scope="module")
def scheduler_run(cluster, dask_class, outs):
    """``--scheduler`` with two workers; w1 is SIGKILLed mid-submission once a third is done."""
    cluster.wait_for_workers(2)
    out = outs["dask"]
    total = len(list(dask_class.glob("*/*.ipynb")))
    t0 = time.monotonic()
    proc = subprocess.Popen(CLI + [str(dask_class), "--scheduler", cluster.address, "--out", str(out),
                                   "--quiet"] + GRADE_ARGS, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())
    done_at_kill = None
    while proc.poll() is None and time.monotonic() - t0 < 400:
        done = len(_results(out))
        if done >= math.ceil(total / 3) and _children(cluster.w1.pid):   # w1 is grading one now
            os.kill(cluster.w1.pid, signal.SIGKILL)
            cluster.w1.wait()
            done_at_kill = done
            cluster.worker("w1_replacement")       # as a cluster manager would; it joins mid-run
            break
        time.sleep(0.1)
    stdout, stderr = proc.communicate(timeout=400)
    seconds = time.monotonic() - t0
    print(f"\n--scheduler (2 workers, one killed after {done_at_kill}): {seconds:.1f} s")
    return {"out": out, "proc": proc, "stderr": stderr, "done_at_kill": done_at_kill, "total": total}


def test_scheduler_grades_like_the_local_pool(cluster, local_run, scheduler_run):
    assert scheduler_run["proc"].returncode == 0, scheduler_run["stderr"][-3000:]
    dask_rows, local_rows = _lines(scheduler_run["out"]), _lines(local_run)
    statuses = {line.split(",")[5] for line in local_rows[1:]}
    assert {"graded", "timeout", "tampered", "error", "needs_manual"} <= statuses, statuses
    probe = [line.split(",") for line in dask_rows if line.startswith(f"sandbox_probe,{CORPUS_LESSON},")]
    assert probe and all(r[5] in ("graded", "needs_manual") and r[3] in (r[4], "") for r in probe), \
        f"the sandbox probe saw what it must not on a Dask worker: {probe}"
    differ = [(a, b) for a, b in zip(dask_rows, local_rows, strict=False) if a != b]
    assert len(dask_rows) == len(local_rows) and not differ, \
        f"{len(differ)} of {len(local_rows)} rows differ (dask, local): {differ[:3]}"


def test_a_killed_worker_loses_nothing(scheduler_run, cluster):
    import json
    assert scheduler_run["done_at_kill"] is not None, "the run ended before a third of the class was graded"
    assert scheduler_run["done_at_kill"] < scheduler_run["total"]
    assert scheduler_run["proc"].returncode == 0, scheduler_run["stderr"][-3000:]
    results = [json.loads(p.read_text()) for p in _results(scheduler_run["out"])]
    keys = [(r["student"], r["lesson"]) for r in results]
    assert len(keys) == len(set(keys)) == scheduler_run["total"]
    by_w1 = sum(r["worker"] == cluster.w1_address for r in results)
    assert 0 < by_w1 <= scheduler_run["done_at_kill"], f"w1 graded {by_w1}"
    rows = _lines(scheduler_run["out"])[1:]
    assert len(rows) == len({tuple(r.split(",")[:3]) for r in rows}), "duplicate grades.csv rows"
    assert not list(scheduler_run["out"].rglob(".tmp-*"))


def test_unreachable_scheduler_exits_2_quickly(dask_class, tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"          # nothing listens there
    proc, seconds = _run([str(dask_class), "--scheduler", address], tmp_path / "out", timeout=60)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert seconds < 30, f"took {seconds:.1f} s to give up"
    assert address in proc.stderr and "cannot reach the Dask scheduler" in proc.stderr, proc.stderr[-2000:]
    assert not _results(tmp_path / "out")


def test_a_worker_without_bubblewrap_is_named_and_nothing_else_affected(cluster, dask_class, local_run,
                                                                        scheduler_run, tmp_path):
    import json
    subs = tmp_path / "subs"
    picked = [(s, LESSONS[0]) for s in ("ada", "bo", "cy")] + \
        [(s, CORPUS_LESSON) for s in ("sandbox_probe", "patch_np_testing", "corrupt_json")]
    for student, lesson in picked:
        (subs / student).mkdir(parents=True)
        (subs / student / f"{lesson}.ipynb").write_bytes((dask_class / student / f"{lesson}.ipynb").read_bytes())
    w3, w3_address = cluster.worker("w3_no_bwrap", path=str(VENV_BIN))     # bwrap is in /usr/bin
    try:
        cluster.wait_for_workers(1 + sum(w.poll() is None for w in cluster.procs[1:-1]))
        proc, _ = _run([str(subs), "--scheduler", cluster.address], tmp_path / "out")
    finally:
        os.kill(w3.pid, signal.SIGTERM)
        w3.wait(timeout=30)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"worker {w3_address}: bubblewrap (bwrap) not found" in proc.stderr, proc.stderr[-3000:]
    results = {p.parent.name: json.loads(p.read_text()) for p in _results(tmp_path / "out")}
    assert len(results) == len(list(subs.glob("*/*.ipynb")))
    on_w3 = {s for s, r in results.items() if r["worker"] == w3_address}
    assert not on_w3, f"the worker without bubblewrap was given {sorted(on_w3)}"
    assert not [r for r in results.values() if r.get("retry")], "a submission was left for a re-run"
    local = {tuple(line.split(",")[:3]): line for line in _lines(local_run)[1:]}
    others = [line for line in _lines(tmp_path / "out")[1:] if line.split(",")[5] != "missing"]
    assert len({line.split(",")[0] for line in others}) == len(picked), others
    assert others and all(local[tuple(line.split(",")[:3])] == line for line in others), others
