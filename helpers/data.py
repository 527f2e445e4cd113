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

All randomness goes through ``np.random.default_rng(seed)``; the same seed
gives the same arrays. The digits are read from ``datasets/digits.csv.gz``
shipped next to this module (see ``datasets/README.md``); nothing is
downloaded.
"""

from functools import lru_cache
from numbers import Integral, Real
from pathlib import Path

import numpy as np

from ._validate import check_int

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


# --------------------------------------------------------------------------- checks


def _check_real(func, name, value, lo=None, hi=None, hi_open=False):
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise TypeError(f"{func}: {name} must be a finite real number, got {value!r}")
    if (lo is not None and value < lo) or (
        hi is not None and (value >= hi if hi_open else value > hi)
    ):
        want = f">= {lo}" if hi is None else f"in [{lo}, {hi}{')' if hi_open else ']'}"
        raise ValueError(f"{func}: {name} must be {want}, got {value!r}")
    return float(value)


def _rng(func, seed):
    ok = seed is None or isinstance(seed, np.random.Generator) or (
        isinstance(seed, Integral) and not isinstance(seed, bool) and seed >= 0
    )
    if not ok:
        raise ValueError(
            f"{func}: seed must be None, a non-negative int or a np.random.Generator, "
            f"got {seed!r}"
        )
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------- toy data
def make_moons(n_samples=200, noise=0.1, seed=0):
    """Two interleaving half-circles, a classic non-linearly-separable problem.

    Class 0 is the upper arc ``(cos t, sin t)``, class 1 the lower arc
    ``(1 - cos t, 0.5 - sin t)``, ``t`` in ``[0, pi]`` (the geometry of
    scikit-learn's ``make_moons``). Gaussian noise of std ``noise`` is added to
    both coordinates, and the rows are shuffled.

    Returns ``X`` (N, 2) float64 and ``y`` (N,) int64 in {0, 1}; class 0 has
    ``N // 2`` points, class 1 the rest.
    """
    n = check_int(n_samples, "n_samples", "make_moons")
    noise = _check_real("make_moons", "noise", noise, lo=0)
    rng = _rng("make_moons", seed)
    n_out, n_in = n // 2, n - n // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.concatenate([
        np.column_stack([np.cos(t_out), np.sin(t_out)]),
        np.column_stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)]),
    ])
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def make_spirals(n_samples=300, n_classes=3, noise=0.2, seed=0):
    """The CS231n spiral: ``n_classes`` arms winding out of the origin.

    Arm ``k`` has radius ``r`` running 0 -> 1 and angle ``4k .. 4(k+1)``
    radians plus Gaussian noise of std ``noise`` (on the angle), the point
    being ``(r sin t, r cos t)``. Samples are split as evenly as possible
    between the arms and the rows are shuffled.

    Returns ``X`` (N, 2) float64 and ``y`` (N,) int64 in ``0..n_classes-1``.
    """
    n = check_int(n_samples, "n_samples", "make_spirals")
    k = check_int(n_classes, "n_classes", "make_spirals", 2)
    noise = _check_real("make_spirals", "noise", noise, lo=0)
    if n < k:
        raise ValueError(
            f"make_spirals: n_samples must be >= n_classes={k}, got {n}"
        )
    rng = _rng("make_spirals", seed)
    counts = np.full(k, n // k)
    counts[: n % k] += 1
    X = np.empty((n, 2))
    y = np.empty(n, np.int64)
    start = 0
    for c, m in enumerate(counts):
        r = np.linspace(0.0, 1.0, m)
        t = np.linspace(4.0 * c, 4.0 * (c + 1), m) + noise * rng.standard_normal(m)
        X[start:start + m] = np.column_stack([r * np.sin(t), r * np.cos(t)])
        y[start:start + m] = c
        start += m
    order = rng.permutation(n)
    return X[order], y[order]


def make_circles(n_samples=200, noise=0.1, factor=0.5, seed=0):
    """Two concentric circles: class 0 on the outer one (radius 1), class 1 on the inner one
    (radius ``factor``), ``N // 2`` points on the outer circle, the rest inside.

    The angles are evenly spaced on each circle; Gaussian noise of std ``noise`` is added to
    both coordinates, and the rows are shuffled. No straight line separates the classes.

    Returns ``X`` (N, 2) float64 and ``y`` (N,) int64 in {0, 1}.
    """
    n = check_int(n_samples, "n_samples", "make_circles")
    noise = _check_real("make_circles", "noise", noise, lo=0)
    factor = _check_real("make_circles", "factor", factor, lo=0, hi=1, hi_open=True)
    rng = _rng("make_circles", seed)
    n_out, n_in = n // 2, n - n // 2
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate([np.column_stack([np.cos(t_out), np.sin(t_out)]),
                        factor * np.column_stack([np.cos(t_in), np.sin(t_in)])])
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def make_xor(n_samples=200, noise=0.1, seed=0):
    """The XOR pattern: points uniform in ``[-1, 1]^2``, class 1 where ``x1 * x2 < 0`` (the
    second and fourth quadrants), class 0 elsewhere; the labels come from the clean points,
    then Gaussian noise of std ``noise`` moves them (so a large noise blurs the border).

    Returns ``X`` (N, 2) float64 and ``y`` (N,) int64 in {0, 1}.
    """
    n = check_int(n_samples, "n_samples", "make_xor")
    noise = _check_real("make_xor", "noise", noise, lo=0)
    rng = _rng("make_xor", seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)
    return X + noise * rng.standard_normal(X.shape), y


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
    noise = _check_real(func, "noise", noise, lo=0)
    slope = _check_real(func, "slope", slope)
    intercept = _check_real(func, "intercept", intercept)
    rng = _rng(func, seed)
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
    val_fraction = _check_real(func, "val_fraction", val_fraction, lo=0, hi=1, hi_open=True)
    test_fraction = _check_real(func, "test_fraction", test_fraction, lo=0, hi=1,
                                hi_open=True)
    rng = _rng(func, seed)
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
