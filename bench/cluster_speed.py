"""How long does one class take with ``--jobs 2``, ``--cluster local:2`` and ``--scheduler`` (2 workers)?

The class is the one of ``tests/grader/test_dask.py`` (model answers, blanks and wrong
answers of every lesson, a timeout, a tampered, a dying kernel, a corrupt file, the
sandbox probe). The ``--scheduler`` run uses a ``dask scheduler`` and two
``dask worker --nthreads 1 --no-nanny`` processes started here; startup of the cluster
processes is not counted, LocalCluster startup is (it is part of that run). Checks that
the three ``grades.csv`` are identical.

    python bench/cluster_speed.py
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "grader"))
RUNS = ("r-jobs", "r-local", "r-sched")


def build_class(folder: Path) -> int:
    import nbformat
    from grader_corpus import LESSONS
    from test_dask import write_class

    from grader.release import generate
    from grader.spec import build_specs
    (folder / "released").mkdir(parents=True)
    released = generate(folder / "released", ROOT, LESSONS)
    specs = build_specs(ROOT, LESSONS, released=released)
    built = {k: {"release": nbformat.read(released / k / f"{k}.ipynb", as_version=4),
                 "solution": nbformat.read(ROOT / "solutions" / k / f"{k}.ipynb", as_version=4),
                 "spec": specs[k]} for k in LESSONS}
    subs = folder / "class"
    for r in RUNS:
        (folder / r).mkdir()
    write_class(subs, built, [subs] + [folder / r for r in RUNS])
    return len(list(subs.glob("*/*.ipynb")))


def timed(args: list[str], out: Path) -> float:
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "grader", "autograde", *args, "--out", str(out), "--quiet",
                    "--timeout", "10", "--notebook-timeout", "180", "--memory-mb", "512"],
                   cwd=ROOT, check=True, capture_output=True)
    return time.monotonic() - t0


def main() -> int:
    from test_dask import Cluster
    tmp = Path(tempfile.mkdtemp(prefix="bw-cluster-bench-"))
    try:
        n = build_class(tmp)
        subs = str(tmp / "class")
        times = {"--jobs 2": timed([subs, "--jobs", "2"], tmp / "r-jobs"),
                 "--cluster local:2": timed([subs, "--cluster", "local:2"], tmp / "r-local")}
        cluster = Cluster(tmp)
        try:
            cluster.worker("w1")
            cluster.worker("w2")
            cluster.wait_for_workers(2)
            times["--scheduler (2 workers)"] = timed([subs, "--scheduler", cluster.address], tmp / "r-sched")
        finally:
            cluster.stop()
        print(f"{n} submissions across the lessons")
        for name, seconds in times.items():
            print(f"  {name:26s} {seconds:6.1f} s   {60 * n / seconds:5.1f} submissions/min")
        grades = {r: (tmp / r / "grades.csv").read_text() for r in RUNS}
        same = len(set(grades.values())) == 1
        print("grades.csv identical across the three:", same)
        return 0 if same else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
