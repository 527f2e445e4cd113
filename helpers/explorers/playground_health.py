"""A network's health while it trains (CS231n's checks), as plain functions on arrays.

- ``activation_std(A)``: the spread (standard deviation) of a layer's activations ``A: (N, D)``;
- ``dead_fraction(A)``: the share of the ``D`` units whose activation is 0 on the whole batch
  (a "dead" ReLU gets no gradient and never comes back);
- ``gradient_std(dW)``: the spread of a weight gradient;
- ``update_ratio(W_before, W_after) = ||W_after - W_before|| / ||W_before||`` (Frobenius norms;
  the size of one update relative to the weights; about 1e-3 is healthy; ``inf`` for zero weights);
- ``layer_health(hidden, grads, before, after) -> [LayerHealth, ...]`` per layer and
  ``reading(h) -> str``, the one-line advice for a layer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["activation_std", "dead_fraction", "gradient_std", "update_ratio", "LayerHealth",
           "layer_health", "reading", "RATIO_HIGH", "RATIO_LOW", "DEAD_MANY", "VANISH"]

RATIO_HIGH, RATIO_LOW = 1e-2, 1e-4   # update/weight ratio: ~1e-3 is the healthy middle
DEAD_MANY = 0.5                      # half of a ReLU layer dead
VANISH = 1e-2                        # activations spread less than this: the signal vanishes


def activation_std(A) -> float:
    """Standard deviation of every entry of the activations ``A: (N, D)``."""
    return float(np.std(A))


def dead_fraction(A) -> float:
    """Fraction of the ``D`` columns (units) of ``A: (N, D)`` that are exactly 0 on every row."""
    A = np.asarray(A)
    if A.ndim != 2 or A.shape[1] == 0:
        raise ValueError(f"dead_fraction: A must be a (N, D) array of activations, got shape {A.shape}")
    return float(np.mean(np.all(A == 0, axis=0)))


def gradient_std(dW) -> float:
    """Standard deviation of every entry of the gradient ``dW``."""
    return float(np.std(dW))


def update_ratio(W_before, W_after) -> float:
    """``||W_after - W_before|| / ||W_before||``; ``inf`` when the weights were all zero and moved,
    0 when nothing moved."""
    step = float(np.linalg.norm(np.asarray(W_after) - np.asarray(W_before)))
    size = float(np.linalg.norm(W_before))
    if size == 0.0:
        return 0.0 if step == 0.0 else math.inf
    return step / size


@dataclass(frozen=True)
class LayerHealth:
    """One layer's readings; ``act_std``/``dead`` are None for the output layer (its logits)."""
    layer: int
    act_std: float | None
    dead: float | None
    grad_std: float
    ratio: float
    weight_norm: float


def layer_health(hidden, grads, before, after):
    """Per layer ``l = 1..L``: ``hidden[l-1]`` the activations ``A_l: (N, D_l)`` of the hidden
    layers (``L - 1`` of them), ``grads["Wl"]``, and the weights ``before``/``after`` the update."""
    out = []
    n_layers = len(before)
    for l in range(1, n_layers + 1):
        A = hidden[l - 1] if l <= len(hidden) else None
        key = f"W{l}"
        out.append(LayerHealth(l, None if A is None else activation_std(A), None if A is None else dead_fraction(A),
                               gradient_std(grads[key]), update_ratio(before[key], after[key]),
                               float(np.linalg.norm(after[key]))))
    return out


def reading(h: LayerHealth, activation="relu") -> str:
    """One line of advice on layer ``h`` (the most urgent problem first)."""
    name = f"layer {h.layer}"
    if h.weight_norm == 0.0:
        return f"{name}: all weights are zero, every unit computes the same thing — try Xavier or He initialisation"
    if h.dead is not None and h.dead >= DEAD_MANY:
        return (f"{name}: {100 * h.dead:.0f} % of units dead — try He initialisation or a smaller "
                f"learning rate")
    if h.act_std is not None and h.act_std < VANISH:
        return (f"{name}: activations barely vary (std {h.act_std:.1e}) — the signal vanishes; "
                f"try Xavier or He initialisation or a larger σ")
    if not math.isfinite(h.ratio) or h.ratio > RATIO_HIGH:
        return (f"{name}: update/weight ratio {h.ratio:.0e}, far above ≈1e-3 — try a smaller "
                f"learning rate")
    if h.ratio < RATIO_LOW:
        return f"{name}: update/weight ratio {h.ratio:.0e}, far below ≈1e-3 — try a larger learning rate"
    return f"{name}: healthy (update/weight ratio {h.ratio:.0e})"
