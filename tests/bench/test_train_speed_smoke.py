"""Smoke test of bench/train_speed.py: it runs, prints its tables, and survives missing peers.

It asserts no speed (speed is what the benchmark itself reports, not a test): only that the
script finishes, prints a helpers row for every network/batch/dtype with a finite positive
samples/s and an accuracy in [0, 1], and reports a peer it cannot import as "not installed".
"""
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "train_speed.py"

NETWORKS = ("64-64-10", "64-256-256-10")
BATCHES = ("32", "256")
DTYPES = ("float32", "float64")

# "64-64-10  32  float32  helpers  220,579  -  0.663  4.46  6 %"
MAIN_ROW = re.compile(r"^(?P<net>[\d-]+)\s+(?P<batch>\d+)\s+(?P<dtype>float\d\d)\s+(?P<lib>\w+)\s+"
                      r"(?P<rate>[\d,.]+|not installed)\s+(?P<ratio>\S+)\s+(?P<acc>\S+)\s+(?P<gflops>\S+)\s+"
                      r"(?P<frac>\S+)(?: %)?$")
# "64-256-256-10  float32  helpers  113.0  -  12 %"
STEP_ROW = re.compile(r"^(?P<net>[\d-]+)\s+(?P<dtype>float\d\d)\s+(?P<lib>\w+)\s+(?P<us>[\d.]+)\s+(?P<ratio>\S+)\s+"
                      r"(?P<frac>\S+) %$")


def run_bench(*args, env_path=None):
    env = None if env_path is None else dict(os.environ, PYTHONPATH=str(env_path))
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"train_speed.py {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}"
    assert proc.stderr == "", f"train_speed.py wrote to stderr (warnings?):\n{proc.stderr}"
    return proc.stdout


def parse(stdout):
    main, steps = [], []
    for line in stdout.splitlines():
        if m := MAIN_ROW.match(line):
            main.append(m.groupdict())
        elif m := STEP_ROW.match(line):
            steps.append(m.groupdict())
    return main, steps


@pytest.fixture(scope="module")
def no_peers_output():
    return run_bench("--peers", "none")


def test_prints_a_helpers_row_for_every_configuration(no_peers_output):
    main, steps = parse(no_peers_output)
    got = {(r["net"], r["batch"], r["dtype"]) for r in main if r["lib"] == "helpers"}
    want = {(n, b, d) for n in NETWORKS for b in BATCHES for d in DTYPES}
    assert got == want, f"helpers rows missing: {sorted(want - got)}; unexpected: {sorted(got - want)}\n" \
                        f"{no_peers_output}"
    assert {r["lib"] for r in main} == {"helpers"}, f"--peers none still ran peers:\n{no_peers_output}"
    assert sorted((r["net"], r["dtype"], r["lib"]) for r in steps) == \
        [("64-256-256-10", d, "helpers") for d in DTYPES], f"batch-1 table wrong:\n{no_peers_output}"


def test_figures_are_finite_and_accuracies_are_fractions(no_peers_output):
    main, steps = parse(no_peers_output)
    assert main and steps, f"no table parsed from:\n{no_peers_output}"
    for r in main:
        rate, acc = float(r["rate"].replace(",", "")), float(r["acc"])
        where = f"{r['net']} batch {r['batch']} {r['dtype']}"
        assert math.isfinite(rate) and rate > 0, f"{where}: samples/s is {r['rate']}"
        assert 0.0 <= acc <= 1.0, f"{where}: held-out accuracy is {r['acc']}"
        assert math.isfinite(float(r["gflops"])) and math.isfinite(float(r["frac"])), f"{where}: {r}"
    for r in steps:
        assert math.isfinite(float(r["us"])) and float(r["us"]) > 0, f"batch-1 {r['dtype']}: {r['us']} us"
    assert "# targets" in no_peers_output


def test_a_missing_peer_is_reported_not_installed(tmp_path):
    # stand-ins that fail to import, put ahead of the real packages on sys.path
    for name in ("torch", "sklearn"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(f"raise ImportError('No module named {name}', name={name!r})\n")
    out = run_bench("--peers", "all", "--dtype", "float32", env_path=tmp_path)
    main, steps = parse(out)
    for peer in ("sklearn", "torch"):
        rows = [r for r in main if r["lib"] == peer]
        assert len(rows) == len(NETWORKS) * len(BATCHES), f"{peer}: expected a row per config:\n{out}"
        assert all(r["rate"] == "not installed" for r in rows), f"{peer} rows: {rows}"
        assert f"# {peer}: not installed" in out
    assert {r["dtype"] for r in main} == {"float32"}, "--dtype float32 was not honoured"
    assert [r["lib"] for r in steps] == ["helpers"]
