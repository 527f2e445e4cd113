"""Where submissions are graded: the seam between ``grader autograde`` and its workers.

An *executor* takes the submissions to grade and yields ``(submission, result)`` pairs as
they finish, in any order; the runner writes each result (the client writes, never a
worker). Two executors share :class:`Settings` and :func:`grader.worker.grade_one`:

* :class:`~grader.executors.pool.LocalPool`: ``--jobs N`` long-lived worker processes on
  this machine;
* :class:`~grader.executors.cluster.DaskExecutor`: a Dask cluster, running (``--scheduler``)
  or started here (``--cluster local:N``); no shared file system.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Settings", "ClusterError"]


class ClusterError(RuntimeError):
    """The cluster cannot be used (unreachable scheduler, no worker able to grade)."""


@dataclass(frozen=True)
class Settings:
    """How every submission of a run is graded, wherever it runs."""
    mode: str                        # "bwrap" or "none" (see grader.sandbox)
    memory_mb: int
    timeout: int                     # per cell, seconds
    notebook_timeout: int            # whole notebook, seconds
    hide: tuple[str, ...] = ()       # folders the kernel must not see (course, submissions, results)
