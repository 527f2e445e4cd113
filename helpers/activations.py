"""Activation functions and their derivatives.

Interface: every activation ``f(z)`` is elementwise (``softmax`` is row-wise over
the last axis), returns an array of ``z``'s shape and dtype (float32 stays
float32, ints become float64), and ``f_grad(z)`` is ``df/dz`` evaluated
elementwise at the *pre-activation* ``z``. All are numerically stable: inputs
of +-1e4 give no overflow, no warning and no NaN.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array

__all__ = [
    "relu", "relu_grad", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad",
    "identity", "identity_grad", "softmax", "log_softmax", "ACTIVATIONS",
]


def relu(z):
    """ReLU: ``f(z) = max(z, 0)``. ``z``: any shape."""
    z = as_float_array(z, "z", "relu")
    return np.maximum(z, 0)


def relu_grad(z):
    """``f'(z) = 1 if z > 0 else 0`` (we take 0 at the kink z = 0)."""
    z = as_float_array(z, "z", "relu_grad")
    return (z > 0).astype(z.dtype)


def sigmoid(z):
    """Logistic sigmoid ``f(z) = 1 / (1 + exp(-z))``, computed without overflow.

    With ``e = exp(-|z|)`` (always in (0, 1]): ``f(z) = 1/(1+e)`` for z >= 0 and
    ``e/(1+e)`` for z < 0 -- both branches are safe to evaluate everywhere.
    """
    z = as_float_array(z, "z", "sigmoid")
    with np.errstate(under="ignore"):  # exp(-|z|) -> 0 for large |z| is exact enough, not an error
        return _sigmoid(z)


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def sigmoid_grad(z):
    """``f'(z) = f(z) (1 - f(z))``; its maximum is 0.25 at z = 0."""
    z = as_float_array(z, "z", "sigmoid_grad")
    with np.errstate(under="ignore"):
        s = _sigmoid(z)
        return s * (1 - s)


def tanh(z):
    """Hyperbolic tangent ``f(z) = (e^z - e^-z) / (e^z + e^-z)``, in (-1, 1)."""
    return np.tanh(as_float_array(z, "z", "tanh"))


def tanh_grad(z):
    """``f'(z) = 1 - tanh(z)^2``."""
    t = np.tanh(as_float_array(z, "z", "tanh_grad"))
    with np.errstate(under="ignore"):
        return 1 - t * t


def identity(z):
    """``f(z) = z`` (a linear output layer)."""
    return as_float_array(z, "z", "identity").copy()


def identity_grad(z):
    """``f'(z) = 1``."""
    return np.ones_like(as_float_array(z, "z", "identity_grad"))


def softmax(z):
    """Row-wise softmax over the last axis: ``p_k = exp(z_k) / sum_j exp(z_j)``.

    ``z``: (C,) or (N, C) logits; returns probabilities of the same shape whose
    rows sum to 1. Subtracting each row's maximum first leaves the result
    unchanged (softmax is shift-invariant) and keeps ``exp`` from overflowing.
    """
    z = as_float_array(z, "z", "softmax")
    if z.ndim == 0:
        raise ValueError("softmax: z must have at least 1 dimension (C,) or (N, C), got a scalar")
    with np.errstate(under="ignore"):  # tiny probabilities round to 0: harmless
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z):
    """``log softmax(z)`` via the log-sum-exp trick: ``z - m - log(sum exp(z - m))``, m = row max."""
    z = as_float_array(z, "z", "log_softmax")
    if z.ndim == 0:
        raise ValueError("log_softmax: z must have at least 1 dimension, got a scalar")
    shifted = z - z.max(axis=-1, keepdims=True)
    with np.errstate(under="ignore"):
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


#: name -> (function, derivative w.r.t. the pre-activation)
ACTIVATIONS = {
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "identity": (identity, identity_grad),
}
