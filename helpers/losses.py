"""Loss functions.

Interface: every loss returns a Python ``float`` that is the **mean over the
batch** (``mse`` is the mean over all elements, like ``torch.nn.MSELoss()``).
Classification targets ``y`` may be integer labels ``(N,)`` or one-hot rows
``(N, C)``. The ``*_from_logits`` style losses (``softmax_cross_entropy``,
``sigmoid_binary_cross_entropy``) return ``(loss, dlogits)`` where ``dlogits``
is ``dL/dlogits`` with the logits' shape, computed stably for any logits.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, as_targets
from .activations import _sigmoid

__all__ = [
    "mse", "mse_grad", "cross_entropy", "binary_cross_entropy",
    "softmax_cross_entropy", "sigmoid_binary_cross_entropy", "LOSSES",
]

_EPS = 1e-12  # probabilities are clipped to [_EPS, 1] before log: log(0) would be -inf


def _pair(y_pred, y, fn, name="y_pred"):
    """Validate a prediction (called ``name`` in ``fn``'s signature) and a target of the same shape."""
    y_pred = as_float_array(y_pred, name, fn)
    y = as_float_array(y, "y", fn)
    if y_pred.shape != y.shape:
        raise ValueError(
            f"{fn}: {name} has shape {y_pred.shape} but y has shape {y.shape}; they must match "
            "exactly (a (N,) vs (N, 1) mismatch would silently broadcast to (N, N))"
        )
    if y_pred.size == 0:
        raise ValueError(f"{fn}: {name} is empty; expected at least one prediction")
    return y_pred, y


def mse(y_pred, y) -> float:
    """Mean squared error ``L = mean((y_pred - y)^2)`` over all elements.

    ``y_pred``, ``y``: the same shape, e.g. (N,) or (N, D_out).
    """
    y_pred, y = _pair(y_pred, y, "mse")
    d = y_pred - y
    return float(np.mean(d * d))


def mse_grad(y_pred, y):
    """``dL/dy_pred = 2 (y_pred - y) / y_pred.size`` (shape of ``y_pred``)."""
    y_pred, y = _pair(y_pred, y, "mse_grad")
    return 2.0 * (y_pred - y) / y_pred.size


def _probs_2d(p, fn, name="probs"):
    p = as_float_array(p, name, fn)
    if p.ndim != 2:
        raise ValueError(f"{fn}: {name} must be 2-D (N, C), got shape {p.shape}")
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError(
            f"{fn}: {name} must be probabilities in [0, 1], got values in "
            f"[{p.min():.3g}, {p.max():.3g}]; for raw scores use softmax_cross_entropy(logits, y)"
        )
    return p


def cross_entropy(probs, y) -> float:
    """Categorical cross-entropy ``L = -mean_i sum_k y_ik log p_ik``.

    ``probs``: (N, C) predicted probabilities (rows sum to 1);
    ``y``: labels (N,) or one-hot (N, C). With labels this is ``-mean log p[i, y_i]``.
    """
    probs = _probs_2d(probs, "cross_entropy")
    n, c = probs.shape
    labels, onehot = as_targets(y, n, c, "cross_entropy")
    logp = np.log(np.clip(probs, _EPS, 1.0))
    if labels is not None:
        return float(-np.mean(logp[np.arange(n), labels]))
    return float(-np.sum(onehot * logp) / n)


def binary_cross_entropy(p, y) -> float:
    """Binary cross-entropy ``L = -mean(y log p + (1 - y) log(1 - p))``.

    ``p``: predicted probabilities of class 1, (N,) or (N, 1); ``y``: the same shape, in {0, 1}.
    """
    p, y = _pair(p, y, "binary_cross_entropy", "p")
    if p.min() < 0 or p.max() > 1:
        raise ValueError(
            f"binary_cross_entropy: p must be probabilities in [0, 1], got values in "
            f"[{p.min():.3g}, {p.max():.3g}]; for raw scores use sigmoid_binary_cross_entropy"
        )
    if y.min() < 0 or y.max() > 1:
        raise ValueError(f"binary_cross_entropy: y must be in [0, 1], got values in [{y.min()}, {y.max()}]")
    # in float64: in float32, 1 - 1e-12 rounds to 1 and log1p(-1) = -inf would give NaN
    p = np.clip(p.astype(np.float64), _EPS, 1 - _EPS)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def softmax_cross_entropy(logits, y):
    """Softmax followed by cross-entropy, from logits, stably.

    ``logits``: (N, C); ``y``: labels (N,) or one-hot (N, C).
    ``L = mean_i [logsumexp(z_i) - z_i[y_i]]`` (log-sum-exp trick: subtract the row max).
    ``dL/dz = (softmax(z) - Y) / N`` where ``Y`` is the one-hot target.
    Returns ``(loss: float, dlogits: (N, C))``.
    """
    logits = as_float_array(logits, "logits", "softmax_cross_entropy")
    if logits.ndim != 2:
        raise ValueError(f"softmax_cross_entropy: logits must be 2-D (N, C), got shape {logits.shape}")
    n, c = logits.shape
    labels, onehot = as_targets(y, n, c, "softmax_cross_entropy")
    with np.errstate(under="ignore"):  # exp of very negative logits -> 0 is fine, not an error
        return _softmax_ce(logits, labels, onehot)


def _softmax_ce(logits, labels, onehot):
    """Unchecked core of ``softmax_cross_entropy`` (the training loop calls it directly)."""
    n = logits.shape[0]
    rows = np.arange(n)
    # the row max, picked by argmax: the same value as logits.max(axis=1), several times faster
    # for a short row (numpy's max reduces a C-order (N, 10) array one row at a time)
    shifted = logits - logits[rows, logits.argmax(axis=1)][:, None]  # (N, C), max 0 per row
    e = np.exp(shifted)                                              # (N, C), in (0, 1]
    sums = e.sum(axis=1, keepdims=True)                              # (N, 1), >= 1
    logp = shifted - np.log(sums)                                    # (N, C)
    probs = e / sums                                                 # (N, C)
    if labels is not None:
        loss = -logp[rows, labels].sum() / n                         # the mean, without its overhead
        probs[rows, labels] -= 1.0
    else:
        loss = -(onehot * logp).sum() / n
        probs -= onehot
    probs /= n
    return float(loss), probs


def sigmoid_binary_cross_entropy(logits, y):
    """Sigmoid followed by binary cross-entropy, from logits, stably.

    ``logits``, ``y``: the same shape, (N,) or (N, 1); ``y`` in {0, 1}.
    ``L = mean(max(z, 0) - z y + log(1 + exp(-|z|)))`` (equal to BCE(sigmoid(z), y) but never
    takes ``log(0)`` or ``exp`` of a large number). ``dL/dz = (sigmoid(z) - y) / z.size``.
    Returns ``(loss: float, dlogits)``.
    """
    z, y = _pair(logits, y, "sigmoid_binary_cross_entropy", "logits")
    if y.min() < 0 or y.max() > 1:
        raise ValueError(
            f"sigmoid_binary_cross_entropy: y must be in [0, 1], got values in [{y.min()}, {y.max()}]"
        )
    with np.errstate(under="ignore"):
        return _sigmoid_bce(z, y)


def _sigmoid_bce(z, y):
    loss = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    return float(loss), (_sigmoid(z) - y) / z.size


def _mse(y_pred, y):
    """Unchecked ``(mse, dL/dy_pred)`` for the training hot path."""
    d = y_pred - y
    return float(np.mean(d * d)), (2.0 / d.size) * d


def _mse_with_grad(y_pred, y):
    return _mse(*_pair(y_pred, y, "mse"))


#: losses usable by ``MLP.loss_and_grads``/``train``: name -> (loss, dlogits) from logits
LOSSES = {
    "softmax_cross_entropy": softmax_cross_entropy,
    "sigmoid_binary_cross_entropy": sigmoid_binary_cross_entropy,
    "mse": _mse_with_grad,
}
