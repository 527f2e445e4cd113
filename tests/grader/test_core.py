"""The typed core: statuses, limits, results and their JSON shape."""
from __future__ import annotations

import json

import pytest

from grader.core import ExerciseResult, Limits, Status, SubmissionResult
from grader.scoring import STATUSES

KEYS = {"exercise", "score", "max_score", "status", "message", "output", "hidden_failed", "flags", "diagnosis"}


def test_status_values_are_the_documented_strings():
    assert [s.value for s in Status] == ["graded", "error", "timeout", "memory", "tampered", "missing",
                                         "needs_manual"]
    assert STATUSES == tuple(s.value for s in Status)
    assert Status("timeout") is Status.TIMEOUT and Status.TIMEOUT == "timeout"
    assert json.dumps({"s": Status.MEMORY}) == '{"s": "memory"}' and str(Status.ERROR) == "error"


def test_exercise_result_round_trips_and_keeps_every_key():
    e = ExerciseResult("relu", 2.0, Status.GRADED, 1.0, "why", "printed", True, ["flag"], "transpose")
    d = e.to_dict()
    assert set(d) == KEYS and d["status"] == "graded" and d["flags"] == ["flag"]
    assert ExerciseResult.from_dict(json.loads(json.dumps(d))) == e


def test_older_results_without_diagnosis_are_read():
    old = {"exercise": "relu", "score": 0.0, "max_score": 1.0, "status": "error", "message": "m",
           "output": "", "hidden_failed": False, "flags": []}
    e = ExerciseResult.from_dict(old)
    assert e.diagnosis is None and e.status is Status.ERROR


def test_unknown_status_is_a_clear_error():
    with pytest.raises(ValueError, match=r"status: expected one of .*graded.*got 'passed'"):
        ExerciseResult("relu", 1.0, "passed")


def test_submission_result_shape_and_extra_keys():
    sub = SubmissionResult("01_x", [ExerciseResult("a", 1.0)], spec_sha256="abc", notes=["n"],
                           isolation="bwrap", graded_at="t", seconds=1.5, extra={"late": True})
    d = sub.to_dict()
    assert set(d) == {"lesson", "spec_sha256", "notes", "isolation", "graded_at", "exercises", "seconds", "late"}
    back = SubmissionResult.from_dict(json.loads(json.dumps(d)))
    assert back == sub and back.statuses == [Status.GRADED]
    with pytest.raises(AttributeError):
        sub.lesson = "other"        # frozen


def test_limits_defaults_validation_and_deadline():
    lim = Limits()
    assert (lim.cell_timeout, lim.notebook_timeout, lim.memory_mb) == (30, 600, 2048)
    assert lim.deadline == 720 and Limits(submission_timeout=50).deadline == 50
    assert lim.with_(cell_timeout=5, memory_mb=None).cell_timeout == 5
    assert Limits.from_dict(lim.to_dict()) == lim
    for bad in ({"cell_timeout": 0}, {"memory_mb": -1}, {"scratch_mb": "64"}, {"nproc": True}):
        with pytest.raises(ValueError, match=f"Limits.{next(iter(bad))}: expected a positive integer"):
            Limits(**bad)
    with pytest.raises(ValueError, match="unknown field"):
        Limits.from_dict({"cpu": 1})


def test_sandbox_takes_its_limits_from_one_object():
    from grader.sandbox import Sandbox
    box = Sandbox("none", limits=Limits(memory_mb=300, file_mb=7))
    assert box.memory_mb == 300 and "300 MB" in box.describe() and "7 MB" in box.describe()
    assert Sandbox("none", 512).limits.memory_mb == 512
    with pytest.raises(ValueError, match="Sandbox.mode"):
        Sandbox("docker")
