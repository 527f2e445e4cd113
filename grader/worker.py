"""A long-lived grading worker: ``python -m grader.worker`` (started by ``grader autograde``).

It pays the imports (nbgrader, nbclient, IPython) once, then grades one submission per
request. Protocol, one JSON object per line: the first line on stdin is the
configuration (``specs`` path, ``scratch`` folder, ``slot``, ``mode``, ``memory_mb``,
``timeout``, ``notebook_timeout``, ``hide``, ``keep``, ``results``); then each line is a
job (a :class:`grader.submissions.Submission` as a dict). For each job the worker writes
the result atomically into the results folder and answers one line
``{"student", "lesson", "statuses": [...]}`` on its original stdout (everything else the
libraries print goes to stderr, so it cannot corrupt the protocol).
"""
from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

__all__ = ["main"]


def main() -> int:
    proto = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)                       # stray prints go to stderr
    sys.stdout = sys.stderr
    cfg = json.loads(sys.stdin.readline())
    import nbclient  # noqa: F401 -- pay the imports once, before the first job
    import nbgrader.utils  # noqa: F401

    from .grading import error_result, grade_file
    from .sandbox import Sandbox
    from .spec import load_specs
    from .scoring import sanitize
    from .store import save_result
    from .submissions import Submission
    specs = load_specs(Path(cfg["specs"]))
    sandbox = Sandbox(mode=cfg["mode"], memory_mb=cfg["memory_mb"], slot=os.getpid() % 30000,
                      hide=cfg["hide"], keep=cfg["keep"])
    scratch = Path(cfg["scratch"])
    proto.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        sub = Submission(**json.loads(line))
        try:
            result = grade_file(sub.path, specs[sub.lesson], sandbox, scratch,
                                cfg["timeout"], cfg["notebook_timeout"])
        except Exception as e:  # noqa: BLE001 -- a grader bug must not stop the batch; say what it was
            traceback.print_exc()
            result = {"lesson": sub.lesson, "spec_sha256": "", "notes": [], "isolation": sandbox.mode,
                      "graded_at": "", "exercises": error_result(
                          specs[sub.lesson], "error",
                          sanitize(f"the grader itself failed on this submission ({type(e).__name__}: {e}); "
                                   "please report this", 500))}
        save_result(Path(cfg["results"]), sub, result)
        proto.write(json.dumps({"student": sub.student, "lesson": sub.lesson,
                                "statuses": [e["status"] for e in result["exercises"]]}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
