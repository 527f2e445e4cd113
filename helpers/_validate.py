"""Argument validation shared by the reference implementations (private).

Every public function in ``helpers`` checks its inputs with these functions so
that bad input fails with a ``ValueError``/``TypeError`` that names the
function, the argument, what was expected and what came, instead of a numpy
broadcasting traceback deep inside a matrix product.
"""
from __future__ import annotations

import numpy as np

__all__ = ["as_float_array", "as_2d", "as_targets", "check_finite"]


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
