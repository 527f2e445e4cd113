"""Layers as forward/backward pairs (the CS231n ``layers.py`` pattern).

Interface: ``*_forward(...) -> (out, cache)`` and ``*_backward(dout, cache) ->
grads``. The cache holds exactly what the backward pass needs. Batch-first
shapes: ``X: (N, D_in)``, ``W: (D_out, D_in)``, ``b: (D_out,)``, so the
single-sample formula ``a = f(W x + b)`` becomes ``A = f(X W^T + b)``.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_2d, as_float_array
from .activations import ACTIVATIONS, _sigmoid

__all__ = ["dense_forward", "dense_backward", "activation_forward", "activation_backward"]


def dense_forward(X, W, b):
    """Affine layer ``Z = X @ W.T + b``.

    ``X``: (N, D_in), ``W``: (D_out, D_in), ``b``: (D_out,) -> ``Z``: (N, D_out).
    Returns ``(Z, cache)`` with ``cache = (X, W)``.
    """
    fn = "dense_forward"
    X = as_2d(X, "X", fn, "(N, D_in)")
    W = as_2d(W, "W", fn, "(D_out, D_in)")
    b = as_float_array(b, "b", fn)
    if X.shape[1] != W.shape[1]:
        raise ValueError(
            f"{fn}: X has {X.shape[1]} features but W expects {W.shape[1]} (W.shape == {W.shape}); "
            "W must have shape (D_out, D_in)"
        )
    if b.shape != (W.shape[0],):
        raise ValueError(f"{fn}: b must have shape (D_out,) == {(W.shape[0],)}, got {b.shape}")
    Z = X @ W.T + b  # (N, D_in) @ (D_in, D_out) -> (N, D_out)
    return Z, (X, W)


def dense_backward(dZ, cache):
    """Backward pass of ``Z = X W^T + b``.

    ``dZ``: (N, D_out) upstream gradient dL/dZ. Returns ``(dX, dW, db)``:
    ``dX = dZ @ W`` (N, D_in), ``dW = dZ^T @ X`` (D_out, D_in), ``db = sum_i dZ_i`` (D_out,).
    """
    X, W = cache
    dZ = as_2d(dZ, "dZ", "dense_backward", "(N, D_out)")
    if dZ.shape != (X.shape[0], W.shape[0]):
        raise ValueError(
            f"dense_backward: dZ must have shape (N, D_out) == {(X.shape[0], W.shape[0])}, got {dZ.shape}"
        )
    dX = dZ @ W            # (N, D_out) @ (D_out, D_in) -> (N, D_in)
    dW = np.dot(dZ.T, X)   # (D_out, N) @ (N, D_in) -> (D_out, D_in); np.dot is fast at N = 1 too
    db = dZ.sum(axis=0)    # (D_out,)
    return dX, dW, db


def _check_name(name, fn):
    if name not in ACTIVATIONS:
        raise ValueError(f"{fn}: unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}")


def activation_forward(Z, name):
    """``A = f(Z)`` elementwise for ``name`` in relu | sigmoid | tanh | identity.

    ``Z``: any shape. Returns ``(A, cache)`` with ``cache = (name, Z, A)``.
    """
    _check_name(name, "activation_forward")
    Z = as_float_array(Z, "Z", "activation_forward")
    A = ACTIVATIONS[name][0](Z)
    return A, (name, Z, A)


def activation_backward(dA, cache):
    """``dZ = dA * f'(Z)`` (chain rule through an elementwise function).

    Uses the cached output where that is cheaper: sigmoid ``A(1-A)``, tanh ``1-A^2``, relu ``Z>0``.
    """
    name, Z, A = cache
    _check_name(name, "activation_backward")
    dA = as_float_array(dA, "dA", "activation_backward")
    if dA.shape != Z.shape:
        raise ValueError(f"activation_backward: dA must have the shape of Z {Z.shape}, got {dA.shape}")
    return _activation_backward(dA, name, Z, A)


def _activation_backward(dA, name, Z, A):
    if name == "relu":
        return dA * (Z > 0)
    if name == "sigmoid":
        return dA * A * (1 - A)
    if name == "tanh":
        return dA * (1 - A * A)
    return dA.copy()


def _activation(Z, name):
    """Unchecked ``f(Z)`` for the training hot path."""
    if name == "relu":
        return np.maximum(Z, 0)
    if name == "sigmoid":
        return _sigmoid(Z)
    if name == "tanh":
        return np.tanh(Z)
    return Z
