"""Shared pieces of the benchmarks in ``bench/``: thread pinning, timing, GEMM bound, tables.

Nothing here imports numpy at module level, so a benchmark script can pin the
BLAS thread count *before* numpy (or torch) loads its BLAS::

    import sys
    import _common
    if __name__ == "__main__":
        _common.set_thread_env(_common.threads_from_argv(sys.argv[1:]))
    import numpy as np  # noqa: E402  (after the environment is set)

and then, once every library is imported, ``_common.limit_threads(n)`` pins the
thread pools that are already loaded (threadpoolctl for numpy/scipy/sklearn's
BLAS and OpenMP, ``torch.set_num_threads`` for PyTorch).

Scripts in ``bench/`` are run as ``python bench/<name>.py``, which puts ``bench/``
on ``sys.path``; that is how they ``import _common``.
"""
from __future__ import annotations

import os
import platform
import statistics
import sys
import time

__all__ = [
    "THREAD_ENV_VARS", "CLOCKS", "threads_from_argv", "set_thread_env", "limit_threads",
    "median_time", "gemm_seconds", "gemm_flops_per_s", "format_table", "machine_summary",
]

#: environment variables read by OpenBLAS, MKL, OpenMP and friends when they load
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                   "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def threads_from_argv(argv, default=1):
    """The value of ``--threads N`` / ``--threads=N`` in ``argv`` (``default`` when absent).

    A cheap pre-parse so the environment can be set before numpy is imported;
    the script's argparse validates the option again afterwards.
    """
    for i, arg in enumerate(argv):
        value = None
        if arg == "--threads" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--threads="):
            value = arg.split("=", 1)[1]
        if value is not None:
            try:
                n = int(value)
            except ValueError:
                return default  # argparse reports the bad value properly
            return n if n >= 1 else default
    return default


def set_thread_env(n):
    """Put ``n`` in every ``THREAD_ENV_VARS`` entry. Call before numpy/torch are imported."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"set_thread_env: n must be a positive int, got {n!r}")
    for var in THREAD_ENV_VARS:
        os.environ[var] = str(n)


def limit_threads(n):
    """Pin the thread pools of every library already imported to ``n`` threads.

    Returns ``(keep, notes)``: ``keep`` must stay referenced while the limit should hold
    (threadpoolctl's controller, or None) and ``notes`` is a list of strings saying what
    was pinned (for the report's header).
    """
    notes = []
    keep = None
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        notes.append(f"threadpoolctl not installed: BLAS pinned only through {THREAD_ENV_VARS[1]}={n}")
    else:
        keep = threadpool_limits(limits=n)
        for pool in threadpool_info():
            notes.append(f"{pool.get('internal_api', '?')} {pool.get('version') or ''} "
                         f"({pool.get('user_api', '?')}): {pool.get('num_threads')} thread(s)")
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(n)
        notes.append(f"torch {torch.__version__}: {torch.get_num_threads()} thread(s)")
    return keep, notes


#: clocks for median_time: wall time, or the CPU time of the whole process (all its threads)
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def median_time(fn, repeats=5, warmup=1, clock="wall"):
    """Median time in seconds of ``fn()`` over ``repeats`` calls, after ``warmup`` untimed calls.

    ``clock``: ``"wall"`` (what a user waits) or ``"cpu"`` (CPU time this process spent; on a
    machine shared with other work it is far steadier than wall time, and with one thread per
    library it equals wall time on an idle machine). Returns ``(median, times)``.
    """
    if clock not in CLOCKS:
        raise ValueError(f"median_time: clock must be one of {sorted(CLOCKS)}, got {clock!r}")
    now = CLOCKS[clock]
    if repeats < 1:
        raise ValueError(f"median_time: repeats must be >= 1, got {repeats!r}")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = now()
        fn()
        times.append(now() - t0)
    return statistics.median(times), times


def gemm_seconds(shapes, dtype, repeats=5, min_time=0.02, seed=0, clock="wall"):
    """Median time in seconds of one pass over the matrix products ``shapes``.

    ``shapes``: a list of ``(m, k, n)``, each meaning ``(m, k) @ (k, n)`` with C-contiguous
    operands and a preallocated output (the best case numpy offers: ``np.dot``). The pass is repeated
    until ``min_time`` has elapsed per measurement, so tiny products are timed reliably;
    ``clock`` as in :func:`median_time`.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    ops = []
    for m, k, n in shapes:
        a = rng.standard_normal((m, k)).astype(dtype)
        b = rng.standard_normal((k, n)).astype(dtype)
        ops.append((a, b, np.empty((m, n), dtype=dtype)))

    def one_pass():
        for a, b, out in ops:
            np.dot(a, b, out=out)   # np.dot calls BLAS even when k == 1 (np.matmul does not)

    # calibrate how many passes fill min_time
    loops = 1
    while True:
        t0 = CLOCKS[clock]()
        for _ in range(loops):
            one_pass()
        elapsed = CLOCKS[clock]() - t0
        if elapsed >= min_time:
            break
        loops *= 2

    def timed():
        for _ in range(loops):
            one_pass()

    median, _ = median_time(timed, repeats=repeats, warmup=0, clock=clock)
    return median / loops


def gemm_flops_per_s(shapes, dtype, **kwargs):
    """FLOP/s numpy reaches on the products ``shapes`` (``2 m k n`` FLOPs each)."""
    flops = sum(2 * m * k * n for m, k, n in shapes)
    return flops / gemm_seconds(shapes, dtype, **kwargs)


def format_table(header, rows, align=None):
    """A plain-text table: ``header`` is a list of column titles, ``rows`` lists of strings.

    ``align``: one of ``"<"``/``">"`` per column (default: first column left, the rest right).
    """
    ncol = len(header)
    if align is None:
        align = "<" + ">" * (ncol - 1)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(ncol)]

    def line(cells):
        return "  ".join(f"{str(c):{a}{w}}" for c, a, w in zip(cells, align, widths)).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


def machine_summary():
    """One line: CPU model, logical cores, OS and Python version."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for text in f:
                if text.startswith("model name"):
                    cpu = text.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} logical core(s), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")
