"""Small datasets for the workbook, and the two utilities every lesson needs.

Interface (batch-first: ``X`` has shape ``(N, D)``, class labels ``y`` are
int64 of shape ``(N,)``):

- ``make_moons(n_samples=200, noise=0.1, seed=0) -> X (N, 2), y (N,)``
- ``make_spirals(n_samples=300, n_classes=3, noise=0.2, seed=0) -> X (N, 2), y (N,)``
- ``make_circles(n_samples=200, noise=0.1, factor=0.5, seed=0) -> X (N, 2), y (N,)``
- ``make_xor(n_samples=200, noise=0.1, seed=0) -> X (N, 2), y (N,)``
- ``make_regression_1d(n_samples=100, noise=0.1, seed=0, slope=2.0, intercept=-1.0)
  -> x (N, 1), y (N, 1)``
- ``load_digits(return_images=False) -> X (1797, 64), y (1797,)[, images (1797, 8, 8)]``
- ``train_val_test_split(X, y, val_fraction=0.15, test_fraction=0.15, seed=0,
  stratify=True) -> X_train, y_train, X_val, y_val, X_test, y_test``
- ``one_hot(y, num_classes=None) -> (N, C) float64``

All randomness goes through ``np.random.defaultseeded_rng(seed)``; the same seed
gives the same arrays. The digits are read from ``datasets/digits.csv.gz``
shipped next to this module (see ``datasets/README.md``); nothing is
downloaded.
"""

from functools import lru_cache
from pathlib import Path

import numpy as np

from ._validate import check_int, check_real, seeded_rng
from .toysets import make_circles, make_moons, make_spirals, make_xor

__all__ = [
    "make_moons",
    "make_spirals",
    "make_circles",
    "make_xor",
    "make_regression_1d",
    "load_digits",
    "train_val_test_split",
    "one_hot",
]

DIGITS_PATH = Path(__file__).resolve().parent / "datasets" / "digits.csv.gz"


def make_regression_1d(n_samples=100, noise=0.1, seed=0, slope=2.0, intercept=-1.0):
    """Points on a straight line plus noise: ``y = slope * x + intercept + eps``.

    ``x`` is uniform in [-1, 1] and ``eps`` is Gaussian with std ``noise``.
    The model is exactly linear, so the mean squared error of a line
    ``w * x + b`` is a convex bowl in ``(w, b)`` with its minimum near
    ``(slope, intercept)``.

    Returns ``x`` (N, 1) float64 and ``y`` (N, 1) float64.
    """
    func = "make_regression_1d"
    n = check_int(n_samples, "n_samples", func)
    noise = check_real(func, "noise", noise, lo=0)
    slope = check_real(func, "slope", slope)
    intercept = check_real(func, "intercept", intercept)
    rng = seeded_rng(func, seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 1))
    y = slope * x + intercept + noise * rng.standard_normal((n, 1))
    return x, y


# --------------------------------------------------------------------------- digits
@lru_cache(maxsize=1)
def _read_digits():
    if not DIGITS_PATH.is_file():
        raise FileNotFoundError(
            f"load_digits: data file missing at {DIGITS_PATH}; it ships with the "
            "repository (helpers/datasets/digits.csv.gz), reinstall or re-clone"
        )
    data = np.loadtxt(DIGITS_PATH, delimiter=",", dtype=np.int64)
    if data.shape != (1797, 65):
        raise ValueError(
            f"load_digits: expected a (1797, 65) table in {DIGITS_PATH}, got {data.shape}"
        )
    data.setflags(write=False)
    return data


def load_digits(return_images=False):
    """The 8x8 handwritten digits (UCI optdigits test set, 1797 images).

    Returns ``X`` (1797, 64) float64, pixels scaled from 0..16 to [0, 1], and
    ``y`` (1797,) int64 in 0..9. With ``return_images=True`` also returns
    ``images`` (1797, 8, 8) float64, the same scaled pixels as 8x8 images
    (``images[i] == X[i].reshape(8, 8)``). Fresh arrays on every call.
    """
    if not isinstance(return_images, (bool, np.bool_)):
        raise TypeError(
            f"load_digits: return_images must be a bool, got {return_images!r}"
        )
    data = _read_digits()
    X = data[:, :64].astype(np.float64) / 16.0
    y = data[:, 64].copy()
    if return_images:
        return X, y, X.reshape(-1, 8, 8).copy()
    return X, y


# --------------------------------------------------------------------------- utilities
def _allocate(counts, total, capacity):
    """Split ``total`` among classes proportionally to ``counts`` (largest remainder),
    never giving class ``c`` more than ``capacity[c]``."""
    quota = counts * (total / counts.sum()) if counts.sum() else np.zeros(len(counts))
    alloc = np.minimum(np.floor(quota).astype(np.int64), capacity)
    while alloc.sum() < total:
        gap = np.where(alloc < capacity, quota - alloc, -np.inf)
        alloc[int(np.argmax(gap))] += 1
    return alloc


def train_val_test_split(X, y, val_fraction=0.15, test_fraction=0.15, seed=0,
                         stratify=True):
    """Shuffle and split ``(X, y)`` into train / validation / test parts.

    ``X`` is (N, ...) and ``y`` is (N,) or (N, K). The test part has
    ``round(test_fraction * N)`` rows and the validation part
    ``round(val_fraction * N)``; the rest is training data (it must not be
    empty). A fraction of 0 gives an empty part.

    With ``stratify=True`` and integer labels ``y`` of shape (N,), each part
    keeps the class proportions of the whole (largest-remainder rounding per
    class). For float targets (regression) ``stratify`` is ignored and the
    split is a plain random one. Deterministic for a given ``seed``.

    Returns ``X_train, y_train, X_val, y_val, X_test, y_test`` (new arrays).
    """
    func = "train_val_test_split"
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{func}: X and y must have a first (sample) axis, got "
                         f"X.shape={X.shape}, y.shape={y.shape}")
    if len(X) != len(y):
        raise ValueError(f"{func}: X and y must have the same number of rows, got "
                         f"X.shape={X.shape}, y.shape={y.shape}")
    val_fraction = check_real(func, "val_fraction", val_fraction, lo=0, hi=1, hi_open=True)
    test_fraction = check_real(func, "test_fraction", test_fraction, lo=0, hi=1,
                                hi_open=True)
    rng = seeded_rng(func, seed)
    n = len(X)
    n_test, n_val = int(round(test_fraction * n)), int(round(val_fraction * n))
    if n_test + n_val >= n:
        raise ValueError(
            f"{func}: val_fraction + test_fraction leave no training data: "
            f"{n_val} val + {n_test} test rows out of N={n}"
        )
    if stratify and y.ndim == 1 and np.issubdtype(y.dtype, np.integer):
        classes, inverse = np.unique(y, return_inverse=True)
        groups = [rng.permutation(np.flatnonzero(inverse == c)) for c in range(len(classes))]
        counts = np.array([len(g) for g in groups], np.int64)
        t = _allocate(counts, n_test, counts)
        v = _allocate(counts, n_val, counts - t)
        test = np.concatenate([g[:a] for g, a in zip(groups, t)])
        val = np.concatenate([g[a:a + b] for g, a, b in zip(groups, t, v)])
        train = np.concatenate([g[a + b:] for g, a, b in zip(groups, t, v)])
        train, val, test = (rng.permutation(part) for part in (train, val, test))
    else:
        order = rng.permutation(n)
        test, val, train = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
    return X[train], y[train], X[val], y[val], X[test], y[test]


def one_hot(y, num_classes=None):
    """Encode integer labels ``y`` (N,) as a one-hot matrix (N, C) of float64.

    ``C`` is ``num_classes`` if given, else ``max(y) + 1``. Labels must be
    non-negative ints below ``C``. Inverse: ``one_hot(y).argmax(axis=1) == y``.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"one_hot: y must be a 1-D array of labels (N,), got shape {y.shape}")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        raise TypeError(
            f"one_hot: y must hold integer labels, got dtype {y.dtype} "
            "(use y.astype(int) if the values are whole numbers)"
        )
    y = y.astype(np.int64)
    if y.size and y.min() < 0:
        i = int(np.argmin(y))
        raise ValueError(f"one_hot: labels must be non-negative, got y[{i}] = {y[i]}")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    else:
        num_classes = check_int(num_classes, "num_classes", "one_hot")
        if y.size and y.max() >= num_classes:
            i = int(np.argmax(y))
            raise ValueError(
                f"one_hot: label y[{i}] = {y[i]} is out of range for "
                f"num_classes={num_classes} (labels must be in 0..{num_classes - 1})"
            )
    out = np.zeros((y.size, num_classes), dtype=np.float64)
    out[np.arange(y.size), y] = 1.0
    return out
