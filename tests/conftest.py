"""Shared pytest setup.

* Draw with the non-interactive Agg backend (no display needed).
* One BLAS thread for everything the tests start (notebook kernels, grading workers):
  on a 2-core machine shared with other work, multi-threaded BLAS makes small matrix
  products erratically slow (measured: a batch-256 update from 0.3 ms to 47 ms).
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
