"""Grading one submission on a worker, and the local pool's worker process (``python -m grader.worker``).

:func:`grade_one` is what every executor runs for a submission (the local pool's worker
processes and the Dask workers alike): :func:`grader.grading.grade_file` with a grader bug
turned into an ``error`` result. :func:`grade_bytes` is the same for a submission that
arrives as bytes (Dask: no shared file system): it writes a private, root-owned copy into
a folder the sandbox cannot write, checks the SHA-256 and grades that copy.

The local worker process pays the imports (nbgrader, nbclient, IPython) once, then grades
one submission per request. Protocol, one JSON object per line: the first line on stdin
is the configuration (``specs`` path, ``scratch`` folder, ``mode``, ``memory_mb``,
``timeout``, ``notebook_timeout``, ``hide``, ``keep``); then each line is a job (a
:class:`grader.submissions.Submission` as a dict). For each job the worker answers one
line, the result dict, on its original stdout (everything else the libraries print goes
to stderr, so it cannot corrupt the protocol). The runner writes the results.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

__all__ = ["grade_one", "grade_bytes", "main"]


def grade_one(path: str, spec: dict, sandbox, scratch: Path, timeout: int, notebook_timeout: int,
              variant: str | None = None) -> dict:
    """Grade the notebook at ``path`` (against the per-student ``variant``, a fingerprint, when given);
    -> result dict (never raises for a bad submission or a grader bug)."""
    from .grading import error_result, grade_file
    from .scoring import sanitize
    try:
        return grade_file(path, spec, sandbox, scratch, timeout, notebook_timeout, variant=variant)
    except Exception as e:  # noqa: BLE001 -- a grader bug must not stop the batch; say what it was
        traceback.print_exc()
        return {"lesson": spec["lesson"], "spec_sha256": "", "notes": [], "isolation": sandbox.mode,
                "graded_at": "", "exercises": error_result(
                    spec, "error", sanitize(f"the grader itself failed on this submission "
                                            f"({type(e).__name__}: {e}); please report this", 500))}


def grade_bytes(data: bytes, sha256: str, spec: dict, sandbox, scratch: Path, timeout: int,
                notebook_timeout: int, variant: str | None = None) -> dict:
    """Grade a submission sent as ``data`` (its SHA-256 ``sha256``, checked) -> result dict."""
    from .grading import error_result
    if hashlib.sha256(data).hexdigest() != sha256:
        return {"lesson": spec["lesson"], "spec_sha256": "", "notes": [], "isolation": sandbox.mode,
                "graded_at": "", "exercises": error_result(
                    spec, "error", "the submission arrived damaged on the grading worker "
                                   "(SHA-256 mismatch); re-run to grade it again")}
    inbox = Path(tempfile.mkdtemp(prefix="in-", dir=scratch))      # 0700, root's: no kernel writes here
    try:
        copy = inbox / spec["notebook"]
        copy.write_bytes(data)
        copy.chmod(0o400)
        return grade_one(str(copy), spec, sandbox, scratch, timeout, notebook_timeout, variant)
    finally:
        shutil.rmtree(inbox, ignore_errors=True)


def main() -> int:
    proto = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)                       # stray prints go to stderr
    sys.stdout = sys.stderr
    cfg = json.loads(sys.stdin.readline())
    import nbclient  # noqa: F401 -- pay the imports once, before the first job
    import nbgrader.utils  # noqa: F401

    from .sandbox import Sandbox
    from .spec import load_specs
    specs = load_specs(Path(cfg["specs"]))
    sandbox = Sandbox(mode=cfg["mode"], memory_mb=cfg["memory_mb"], slot=os.getpid() % 30000,
                      hide=cfg["hide"], keep=cfg["keep"])
    scratch = Path(cfg["scratch"])
    proto.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        result = grade_one(job["path"], specs[job["lesson"]], sandbox, scratch,
                           cfg["timeout"], cfg["notebook_timeout"], job.get("variant"))
        proto.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
