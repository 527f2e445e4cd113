"""Fast tests of autograde's plumbing: the progress bar, --cluster parsing, what a re-run regrades."""
from __future__ import annotations

import io

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
