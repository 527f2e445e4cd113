"""Weight initialisation: zeros, Xavier/Glorot and He, from keeping the variance constant.

Interface: ``init_scale(fan_in, fan_out, method) -> std`` and
``init_params(layer_sizes, method="he", rng=0) -> {"W1", "b1", ...}``. A dense layer
``W: (fan_out, fan_in)`` (``fan_in = D_in`` inputs per unit, ``fan_out = D_out`` units) gets
``W = rng.standard_normal((fan_out, fan_in)) * std`` drawn layer by layer in order, and zero
biases. The scales:

- ``"zeros"``: ``std = 0`` -- every hidden unit computes the same thing forever (symmetry);
- ``"xavier"`` (Glorot): ``std = sqrt(2 / (fan_in + fan_out))`` -- keeps the variance of the
  activations (forward) and of the gradients (backward) about constant for tanh / linear layers;
- ``"he"``: ``std = sqrt(2 / fan_in)`` -- the same for ReLU, which zeroes half of its inputs;
- a number: that standard deviation (to show vanishing and exploding signals).
"""
from __future__ import annotations

import math

import numpy as np

from ._validate import check_int, is_real

__all__ = ["METHODS", "init_scale", "init_params"]

METHODS = ("zeros", "xavier", "he")


def init_scale(fan_in, fan_out, method):
    """The standard deviation of the weights of a ``fan_in -> fan_out`` layer for ``method``."""
    fan_in = check_int(fan_in, "fan_in", "init_scale")
    fan_out = check_int(fan_out, "fan_out", "init_scale")
    if is_real(method) and method >= 0:
        return float(method)
    if method == "zeros":
        return 0.0
    if method == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if method == "he":
        return math.sqrt(2.0 / fan_in)
    raise ValueError(f"init_scale: method must be one of {METHODS} or a standard deviation >= 0, "
                     f"got {method!r}")


def init_params(layer_sizes, method="he", rng=0, dtype=np.float64):
    """Parameters ``{"W1": (D1, D0), "b1": (D1,), ...}`` for ``layer_sizes = [D0, D1, ...]``.

    ``rng``: a ``np.random.Generator`` or a seed for ``np.random.default_rng``.
    """
    sizes = list(layer_sizes) if isinstance(layer_sizes, (list, tuple)) else None
    if not sizes or len(sizes) < 2:
        raise ValueError(f"init_params: layer_sizes must be a list of at least two positive ints "
                         f"such as [64, 32, 10], got {layer_sizes!r}")
    sizes = [check_int(s, "layer_sizes", "init_params", message="a list of positive ints") for s in sizes]
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    params = {}
    for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        std = init_scale(d_in, d_out, method)
        params[f"W{i}"] = (rng.standard_normal((d_out, d_in)) * std).astype(dtype)
        params[f"b{i}"] = np.zeros(d_out, dtype=dtype)
    return params
