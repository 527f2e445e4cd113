"""Argument validation shared by the reference implementations (private).

Every public function in ``helpers`` checks its inputs with these functions so
that bad input fails with a ``ValueError``/``TypeError`` that names the
function, the argument, what was expected and what came, instead of a numpy
broadcasting traceback deep inside a matrix product.
"""
from __future__ import annotations

from numbers import Integral, Real

import numpy as np

__all__ = ["as_float_array", "as_2d", "as_targets", "check_finite", "check_int", "is_real", "check_lr",
           "check_in_range", "check_fraction"]


def as_float_array(x, name: str, fn: str) -> np.ndarray:
    """Return ``x`` as a float32/float64 ndarray (ints and bools become float64).

    Raises TypeError for non-numeric input and ValueError for NaN/inf.
    """
    if x is None:
        raise TypeError(f"{fn}: {name} must be an array of numbers, got None")
    arr = np.asarray(x)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{fn}: {name} must be an array of numbers, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{fn}: {name} must be real, got dtype {arr.dtype}")
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    check_finite(arr, name, fn)
    return arr


def check_finite(arr: np.ndarray, name: str, fn: str) -> None:
    """Raise ValueError naming the first NaN/inf entry of ``arr``, if any."""
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(np.atleast_1d(arr)))[0]
        idx = tuple(int(i) for i in bad) if arr.ndim else ()
        raise ValueError(
            f"{fn}: {name} contains NaN or inf (first at index {idx}: "
            f"{np.atleast_1d(arr)[tuple(bad)]!r}); expected finite numbers"
        )


def as_2d(x, name: str, fn: str, shape_doc: str) -> np.ndarray:
    """A float 2-D array; a 1-D input gets a hint on how to make a batch of one."""
    arr = as_float_array(x, name, fn)
    if arr.ndim != 2:
        hint = " (for a single sample use x.reshape(1, -1))" if arr.ndim == 1 else ""
        raise ValueError(
            f"{fn}: {name} must be 2-D with shape {shape_doc}, got shape {arr.shape}{hint}"
        )
    return arr


def as_targets(y, n: int, num_classes: int, fn: str):
    """Classification targets as ``(labels (N,) int, None)`` or ``(None, onehot (N, C))``.

    Accepts integer labels ``(N,)`` in ``0..C-1`` or one-hot / probability rows ``(N, C)``.
    """
    if y is None:
        raise TypeError(f"{fn}: y must be integer labels (N,) or one-hot (N, C), got None")
    y = np.asarray(y)
    if y.ndim == 1:
        if y.shape[0] != n:
            raise ValueError(f"{fn}: y has {y.shape[0]} labels but the batch has N={n} rows")
        if not np.issubdtype(y.dtype, np.integer):
            if np.issubdtype(y.dtype, np.floating):
                check_finite(y, "y", fn)  # np.mod(inf, 1) would warn
            if np.issubdtype(y.dtype, np.floating) and np.all(np.mod(y, 1) == 0):
                y = y.astype(np.int64)
            else:
                raise TypeError(f"{fn}: integer labels y must have an integer dtype, got {y.dtype}")
        if y.size and (y.min() < 0 or y.max() >= num_classes):
            bad = int(y[(y < 0) | (y >= num_classes)][0])
            raise ValueError(
                f"{fn}: label {bad} in y is out of range; expected labels in 0..{num_classes - 1} "
                f"for C={num_classes} classes"
            )
        return y, None
    if y.ndim == 2:
        if y.shape != (n, num_classes):
            hint = " (for integer labels pass a 1-D array: y.ravel())" if y.shape == (n, 1) else ""
            raise ValueError(
                f"{fn}: one-hot y must have shape (N, C) == {(n, num_classes)}, got {y.shape}{hint}"
            )
        y = as_float_array(y, "y", fn)
        return None, y
    raise ValueError(f"{fn}: y must be labels (N,) or one-hot (N, C), got shape {y.shape}")


# -- scalar settings (ints, learning rates, ranges) -------------------------------------------
def check_int(value, name: str, fn: str, minimum: int = 1, maximum=None, message=None) -> int:
    """``value`` as an int in ``minimum..maximum``; ValueError (bools are not ints) otherwise.

    ``message``: the wording of "what was expected" (default "a positive int" / "an int >= m" /
    "an int in m..M").
    """
    ok = (not isinstance(value, bool) and isinstance(value, (int, np.integer))
          and value >= minimum and (maximum is None or value <= maximum))
    if not ok:
        if message is None:
            message = (f"an int in {minimum}..{maximum}" if maximum is not None else
                       "a positive int" if minimum == 1 else f"an int >= {minimum}")
        raise ValueError(f"{fn}: {name} must be {message}, got {value!r}")
    return int(value)


def is_real(value) -> bool:
    """A finite real number (int, float or numpy scalar), not a bool."""
    return (not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
            and bool(np.isfinite(value)))


def check_lr(value, fn: str, name: str = "lr") -> float:
    """A learning rate: a positive finite number (the check every optimiser and loop shares)."""
    if not is_real(value) or not value > 0:
        raise ValueError(f"{fn}: {name} must be a positive number, got {value!r}")
    return float(value)


def check_in_range(value, name: str, fn: str, lo, hi, whole: bool = False):
    """A number (an int when ``whole``) in the closed range ``lo..hi``."""
    kind_ok = (not isinstance(value, bool) and isinstance(value, (int, np.integer))) if whole else is_real(value)
    if not kind_ok or not bool(np.isfinite(value)) or not lo <= value <= hi:
        what = "a whole number" if whole else "a number"
        raise ValueError(f"{fn}: {name} must be {what} in {lo:g}..{hi:g}, got {value!r}")
    return int(value) if whole else float(value)


def check_fraction(value, name: str, fn: str, *, open_low=False, open_high=True) -> float:
    """A number in [0, 1) (or the variant with the given open ends), e.g. a momentum beta."""
    ok = is_real(value) and (value > 0 if open_low else value >= 0) and (value < 1 if open_high else value <= 1)
    if not ok:
        rng = f"{'(' if open_low else '['}0, 1{')' if open_high else ']'}"
        raise ValueError(f"{fn}: {name} must be a number in {rng}, got {value!r}")
    return float(value)


def check_real(func, name, value, lo=None, hi=None, hi_open=False):
    """``value`` as a float, or a TypeError/ValueError naming ``func`` and ``name``."""
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise TypeError(f"{func}: {name} must be a finite real number, got {value!r}")
    if (lo is not None and value < lo) or (
        hi is not None and (value >= hi if hi_open else value > hi)
    ):
        want = f">= {lo}" if hi is None else f"in [{lo}, {hi}{')' if hi_open else ']'}"
        raise ValueError(f"{func}: {name} must be {want}, got {value!r}")
    return float(value)


def seeded_rng(func, seed):
    """``np.random.default_rng(seed)`` for a seed of None, an int >= 0 or a Generator; else a ValueError."""
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
