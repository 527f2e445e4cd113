"""Networks of any depth as a loop over layers with caches, and L2 weight decay.

- ``L_layer_forward(X, params, activation="relu") -> (logits, caches)``: ``params`` holds
  ``W1, b1, ..., WL, bL`` (``Wl: (D_l, D_{l-1})``); every hidden layer is
  ``Z = dense_forward(A_prev, W, b)`` then ``A = f(Z)``; the last layer is linear (logits).
  ``caches[l-1] = (A_prev, W, Z)`` for layer ``l``: its input, its weights and its
  pre-activation.
- ``L_layer_backward(dlogits, caches, activation="relu") -> grads``: the caches walked in
  reverse order with ``dense_backward``; ``grads`` has the keys of ``params``.
- ``DeepNetwork(params, activation, forward=L_layer_forward, backward=L_layer_backward)``: a
  model (``params``, ``loss_and_grads``, ``loss``, ``predict``: the interface of
  ``helpers.network``) made from *any* forward/backward pair, e.g. your own
  ``forward(X, params) -> (logits, caches)`` and ``backward(dlogits, caches) -> grads``.
- ``l2_penalty(params, lam) = lam / 2 * sum_l ||W_l||^2`` (weights only, not biases) and
  ``add_weight_decay(loss, grads, params, lam) -> (loss + penalty, grads + lam * W)``.
"""
from __future__ import annotations

import numpy as np

from ._validate import is_real
from .activations import ACTIVATIONS
from .layers import dense_backward, dense_forward
from .losses import LOSSES

__all__ = ["L_layer_forward", "L_layer_backward", "DeepNetwork", "layer_keys", "l2_penalty",
           "add_weight_decay"]


def layer_keys(params, fn="L_layer_forward"):
    """``[("W1", "b1"), ..., ("WL", "bL")]``; ValueError unless params holds exactly these keys."""
    if not isinstance(params, dict):
        raise TypeError(f"{fn}: params must be a dict {{'W1': ..., 'b1': ..., ...}}, got {type(params).__name__}")
    n = len(params) // 2
    keys = [(f"W{i}", f"b{i}") for i in range(1, n + 1)]
    if n < 1 or set(params) != {k for pair in keys for k in pair}:
        raise ValueError(f"{fn}: params must have the keys W1, b1, ..., WL, bL, got {sorted(params)}")
    return keys


def L_layer_forward(X, params, activation="relu"):
    """Logits ``(N, D_L)`` and the per-layer caches ``[(A_prev, W, Z), ...]`` (layer 1 first)."""
    keys = layer_keys(params)
    if activation not in ACTIVATIONS:
        raise ValueError(f"L_layer_forward: unknown activation {activation!r}; expected one of {sorted(ACTIVATIONS)}")
    f = ACTIVATIONS[activation][0]
    A, caches = X, []
    for i, (wk, bk) in enumerate(keys):
        Z, _ = dense_forward(A, params[wk], params[bk])
        caches.append((A, params[wk], Z))
        if i == len(keys) - 1:
            return Z, caches
        A = f(Z)


def L_layer_backward(dlogits, caches, activation="relu"):
    """Gradients ``{"W1": ..., "b1": ..., ...}`` from ``dL/dlogits`` and the forward caches,
    last layer first; the hidden layers' ``dZ = dA * f'(Z)``."""
    if not isinstance(caches, (list, tuple)) or not caches:
        raise TypeError("L_layer_backward: caches must be the non-empty list from L_layer_forward")
    if activation not in ACTIVATIONS:
        raise ValueError(f"L_layer_backward: unknown activation {activation!r}; expected one of {sorted(ACTIVATIONS)}")
    f_grad = ACTIVATIONS[activation][1]
    grads, dZ = {}, dlogits
    for i in range(len(caches), 0, -1):
        A_prev, W, _ = caches[i - 1]
        dA_prev, grads[f"W{i}"], grads[f"b{i}"] = dense_backward(dZ, (A_prev, W))
        if i > 1:
            dZ = dA_prev * f_grad(caches[i - 2][2])
    return grads


def l2_penalty(params, lam):
    """``lam / 2 * sum of W**2`` over the weight matrices (keys starting with "W")."""
    if not is_real(lam) or lam < 0:
        raise ValueError(f"l2_penalty: lam must be a number >= 0, got {lam!r}")
    return 0.5 * lam * float(sum(np.sum(p * p) for k, p in params.items() if k.startswith("W")))


def add_weight_decay(loss, grads, params, lam):
    """``(loss + l2_penalty(params, lam), new grads)`` with ``lam * W`` added to each weight's
    gradient (biases unchanged). ``grads`` itself is left as it was."""
    penalty = l2_penalty(params, lam)
    if set(grads) != set(params):
        raise ValueError(f"add_weight_decay: grads must have the keys of params {sorted(params)}, got {sorted(grads)}")
    out = {k: (g + lam * params[k]) if k.startswith("W") else g.copy() for k, g in grads.items()}
    return loss + penalty, out


class DeepNetwork:
    """A model from a forward/backward pair (by default the references above).

    ``forward(X, params) -> (logits, caches)``, ``backward(dlogits, caches) -> grads``; with the
    references, ``activation`` picks the hidden layers' function.
    ``weight_decay``: ``lam`` of an L2 penalty added to the loss and the gradients.
    """

    def __init__(self, params, activation="relu", *, forward=L_layer_forward, backward=L_layer_backward,
                 weight_decay=0.0):
        layer_keys(params, "DeepNetwork")
        self.params, self.activation, self.weight_decay = params, activation, weight_decay
        self.forward_fn = (lambda X, p: L_layer_forward(X, p, activation)) if forward is L_layer_forward else forward
        self.backward_fn = ((lambda d, c: L_layer_backward(d, c, activation)) if backward is L_layer_backward
                            else backward)

    def forward(self, X):
        return self.forward_fn(X, self.params)[0]

    def loss_and_grads(self, X, y, loss="softmax_cross_entropy"):
        if loss not in LOSSES:
            raise ValueError(f"DeepNetwork.loss_and_grads: unknown loss {loss!r}; expected one of {sorted(LOSSES)}")
        logits, caches = self.forward_fn(X, self.params)
        value, dlogits = LOSSES[loss](logits, y)
        grads = self.backward_fn(dlogits, caches)
        if self.weight_decay:
            value, grads = add_weight_decay(value, grads, self.params, self.weight_decay)
        return float(value), grads

    def loss(self, X, y, loss="softmax_cross_entropy"):
        return self.loss_and_grads(X, y, loss)[0]

    def predict(self, X):
        logits = self.forward(X)
        return (logits[:, 0] > 0).astype(np.int64) if logits.shape[1] == 1 else logits.argmax(axis=1)
