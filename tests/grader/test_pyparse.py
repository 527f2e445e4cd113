"""grader.pyparse: cells parsed by several threads at once (Dask worker threads) all parse.

Without the lock this fails within a second with "SystemError: AST constructor recursion depth
mismatch" (CPython 3.11): thread switches every microsecond and garbage with finalizers make
the garbage collector run Python code, and another thread parse, in the middle of a parse.
"""
import gc
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from grader.pyparse import parse

NESTED = "x = " + "(" * 40 + "1" + ")" * 40 + "\n" + "def f(a):\n    return [[a for _ in r] for r in a]\n" * 20


class _Finalised:
    def __del__(self):
        time.sleep(0)                       # a thread switch inside the collector


def _many(_):
    n = 0
    for _ in range(300):
        junk = [_Finalised() for _ in range(3)]
        cycle = [junk]
        cycle.append(cycle)                 # collected by the cyclic GC, not by refcounting
        del cycle, junk
        n += len(parse(NESTED).body)
    return n


def test_parsing_in_many_threads_at_once_never_fails():
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(1e-6)
    gc.set_threshold(5, 1, 1)
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            counts = list(pool.map(_many, range(6)))
    finally:
        sys.setswitchinterval(interval)
        gc.set_threshold(*thresholds)
    assert counts == [300 * 21] * 6, counts
