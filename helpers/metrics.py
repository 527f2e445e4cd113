"""Classification metrics on integer labels.

Interface: ``y_pred`` and ``y_true`` are integer class labels of shape (N,).
"""
from __future__ import annotations

import numpy as np

__all__ = ["accuracy", "confusion_matrix"]


def _labels(y, name, fn):
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{fn}: {name} must be 1-D labels (N,), got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer) and not np.issubdtype(y.dtype, np.bool_):
        if np.issubdtype(y.dtype, np.floating) and not np.isfinite(y).all():
            raise ValueError(f"{fn}: {name} contains NaN or inf; expected integer labels")
        if not (np.issubdtype(y.dtype, np.floating) and np.all(np.mod(y, 1) == 0)):
            raise TypeError(f"{fn}: {name} must hold integer labels, got dtype {y.dtype}")
    return y.astype(np.int64)


def accuracy(y_pred, y_true) -> float:
    """Fraction of labels predicted correctly, ``mean(y_pred == y_true)``, in [0, 1]."""
    y_pred = _labels(y_pred, "y_pred", "accuracy")
    y_true = _labels(y_true, "y_true", "accuracy")
    if y_pred.shape != y_true.shape:
        raise ValueError(f"accuracy: y_pred has shape {y_pred.shape} but y_true has {y_true.shape}")
    if y_pred.size == 0:
        raise ValueError("accuracy: no labels given (N == 0)")
    return float(np.mean(y_pred == y_true))


def confusion_matrix(y_true, y_pred, num_classes=None):
    """``M[i, j]`` = how many examples of true class i were predicted as class j. (C, C) int."""
    y_true = _labels(y_true, "y_true", "confusion_matrix")
    y_pred = _labels(y_pred, "y_pred", "confusion_matrix")
    if y_pred.shape != y_true.shape:
        raise ValueError(f"confusion_matrix: y_pred has shape {y_pred.shape} but y_true has {y_true.shape}")
    if num_classes is not None and (isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer))
                                    or num_classes < 1):
        raise ValueError(f"confusion_matrix: num_classes must be a positive int, got {num_classes!r}")
    c = int(max(y_true.max(initial=-1), y_pred.max(initial=-1)) + 1) if num_classes is None else int(num_classes)
    if y_true.size and (min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= c):
        lo, hi = int(min(y_true.min(), y_pred.min())), int(max(y_true.max(), y_pred.max()))
        raise ValueError(f"confusion_matrix: labels must be in 0..{c - 1}, got labels in {lo}..{hi}")
    m = np.zeros((c, c), dtype=np.int64)
    np.add.at(m, (y_true, y_pred), 1)
    return m
