"""A multi-layer perceptron built from the dense and activation layers.

``MLP([64, 32, 10])`` has layers 64 -> 32 -> 10: every hidden layer computes
``A = f(A_prev @ W.T + b)`` with the chosen activation, and the last layer is
linear (it returns logits; the loss applies softmax/sigmoid itself).
Parameters live in ``model.params = {"W1", "b1", "W2", "b2", ...}`` with
``Wl: (D_l, D_{l-1})`` and ``bl: (D_l,)``; gradients come back keyed the same.

**The model interface** (what ``helpers.train``, ``check_gradients`` and the explorers use; any
object with these members can be trained, as CS231n's ``Solver`` documents what it needs):

- ``params``: dict name -> float array, changed **in place** by the optimisers;
- ``loss_and_grads(X, y, loss="softmax_cross_entropy") -> (float, dict like params)``;
- ``predict(X) -> (N,)`` class labels (for accuracies).

Optional, used when present (``MLP`` has them; they make training loops fast):

- ``loss(X, y, loss=...) -> float`` -- evaluation without gradients;
- ``prepare(X, y, loss=...) -> (X, target)``: the data checked and converted once; the pair (or
  rows of it, see :func:`take_rows`) is then accepted by ``loss_and_grads(..., prepared=True)``
  and ``loss(..., prepared=True)`` without checking again. ``loss_and_grads(..., scale=s)``
  returns ``s`` times the gradients (backprop is linear), and ``out=`` a dict of arrays to write
  the gradients into.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_2d, as_float_array, as_targets
from .activations import ACTIVATIONS
from .layers import _activation, _activation_backward
from .losses import LOSSES, _mse, _sigmoid_bce, _softmax_ce

__all__ = ["MLP", "prepare_targets", "loss_from_logits", "take_rows"]


class MLP:
    """Fully connected network with ``len(layer_sizes) - 1`` dense layers.

    Initialisation (``np.random.default_rng(seed)``): He, ``N(0, 2/D_in)``, for layers followed
    by ReLU; Xavier/Glorot, ``N(0, 2/(D_in + D_out))``, otherwise (tanh, sigmoid, the linear output).
    Biases start at zero. ``dtype`` is float64 (default) or float32.
    """

    def __init__(self, layer_sizes, activation="relu", seed=0, dtype=np.float64):
        sizes = list(layer_sizes) if isinstance(layer_sizes, (list, tuple, np.ndarray)) else None
        if not sizes or len(sizes) < 2 or not all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in sizes
        ):
            raise ValueError(
                f"MLP: layer_sizes must be a list of at least two positive ints such as [64, 32, 10], "
                f"got {layer_sizes!r}"
            )
        if activation not in ACTIVATIONS:
            raise ValueError(f"MLP: unknown activation {activation!r}; expected one of {sorted(ACTIVATIONS)}")
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise TypeError(f"MLP: dtype must be float32 or float64, got {dtype}")
        self.layer_sizes = [int(s) for s in sizes]
        self.activation = activation
        self.dtype = dtype
        self.seed = seed
        rng = np.random.default_rng(seed)
        self.params = {}
        n_layers = len(sizes) - 1
        for i, (d_in, d_out) in enumerate(zip(self.layer_sizes[:-1], self.layer_sizes[1:]), start=1):
            he = activation == "relu" and i < n_layers
            std = np.sqrt(2.0 / d_in) if he else np.sqrt(2.0 / (d_in + d_out))
            self.params[f"W{i}"] = (rng.standard_normal((d_out, d_in)) * std).astype(dtype)
            self.params[f"b{i}"] = np.zeros(d_out, dtype=dtype)
        self._keys = [(f"W{i}", f"b{i}") for i in range(1, n_layers + 1)]

    def __repr__(self):
        return (f"MLP({self.layer_sizes}, activation={self.activation!r}, seed={self.seed}, "
                f"dtype={self.dtype.name})  # {self.num_params} parameters")

    @property
    def num_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    # -- forward -------------------------------------------------------------------------------
    def _check_X(self, X, fn):
        X = as_2d(X, "X", fn, f"(N, {self.layer_sizes[0]})")
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"{fn}: X has {X.shape[1]} features but the network's input layer expects "
                f"{self.layer_sizes[0]} (layer_sizes == {self.layer_sizes})"
            )
        return X.astype(self.dtype, copy=False)

    def _forward(self, X):
        """Unchecked forward pass. Returns logits (N, D_L) and the activations [A0=X, A1, ...]."""
        acts = [X]
        A = X
        last = len(self._keys) - 1
        for i, (wk, bk) in enumerate(self._keys):
            Z = A @ self.params[wk].T  # (N, D_in) @ (D_in, D_out) -> (N, D_out)
            Z += self.params[bk]
            if i == last:
                A = Z
            elif self.activation == "relu":
                A = np.maximum(Z, 0, out=Z)  # in place: Z is not needed again (backward uses A > 0)
            else:
                A = _activation(Z, self.activation)
            acts.append(A)
        return A, acts

    def forward(self, X):
        """Logits for a batch. ``X``: (N, D_0) -> (N, D_L)."""
        return self._forward(self._check_X(X, "MLP.forward"))[0]

    def predict(self, X):
        """Class labels (N,): argmax of the logits, or ``logit > 0`` for a single output unit."""
        logits = self.forward(X)
        if logits.shape[1] == 1:
            return (logits[:, 0] > 0).astype(np.int64)
        return logits.argmax(axis=1)

    # -- backward ------------------------------------------------------------------------------
    def _backward(self, acts, dlogits, out=None):
        """Backpropagate ``dlogits`` (N, D_L) through the cached activations.

        ``out``: optional dict of preallocated gradient arrays to write into.
        """
        grads = {} if out is None else out
        dZ = dlogits
        act = self.activation
        for i in range(len(self._keys) - 1, -1, -1):
            wk, bk = self._keys[i]
            A_prev = acts[i]
            if out is None:
                grads[wk] = np.dot(dZ.T, A_prev)  # (D_out, N) @ (N, D_in) -> (D_out, D_in)
                grads[bk] = dZ.sum(axis=0)         # (D_out,)
            else:
                np.dot(dZ.T, A_prev, out=grads[wk])
                dZ.sum(axis=0, out=grads[bk])
            if i > 0:
                dA = dZ @ self.params[wk]          # (N, D_out) @ (D_out, D_in) -> (N, D_in)
                if act == "relu":
                    np.multiply(dA, A_prev > 0, out=dA)
                    dZ = dA
                else:
                    dZ = _activation_backward(dA, act, None, A_prev)
        return grads

    # -- the public model interface (see the module docstring) ---------------------------------
    def prepare(self, X, y, loss="softmax_cross_entropy", fn="MLP.prepare"):
        """``(X, target)`` checked and converted once for ``loss`` (``prepared=True`` below).

        ``fn``: the caller's name in error messages, or a pair (name for X, name for y)."""
        fn_x, fn_y = (fn, fn) if isinstance(fn, str) else fn
        X = self._check_X(X, fn_x)
        return X, prepare_targets(y, loss, X.shape[0], self.layer_sizes[-1], self.dtype, fn=fn_y)

    def loss_and_grads(self, X, y, loss="softmax_cross_entropy", *, prepared=False, scale=1.0, out=None):
        """Loss of the batch and the gradient of that loss for every parameter.

        ``X``: (N, D_0); ``y``: labels (N,) / one-hot (N, C) for ``softmax_cross_entropy``,
        (N,) or (N, 1) in {0, 1} for ``sigmoid_binary_cross_entropy``, (N, D_L) or (N,) for ``mse``.
        Returns ``(loss: float, grads: dict like .params)``. ``prepared=True``: ``(X, y)`` came
        from :meth:`prepare`; ``scale``: the gradients come back multiplied by it; ``out``: a
        dict of arrays shaped like ``params`` to write the gradients into.
        """
        if not prepared:
            X, y = self.prepare(X, y, loss, fn="MLP.loss_and_grads")
        logits, acts = self._forward(X)
        value, dlogits = loss_from_logits(logits, y, loss)
        if scale != 1.0:
            dlogits *= scale
        return value, self._backward(acts, dlogits, out=out)

    def loss(self, X, y, loss="softmax_cross_entropy", *, prepared=False):
        """The mean loss of the batch (no gradients)."""
        if not prepared:
            X, y = self.prepare(X, y, loss, fn="MLP.loss")
        return loss_from_logits(self._forward(X)[0], y, loss)[0]


def take_rows(target, rows):
    """Rows ``rows`` (an index array or a slice) of a prepared target (an array or a tuple of them)."""
    if isinstance(target, tuple):
        return tuple(None if t is None else t[rows] for t in target)
    return target[rows]


def prepare_targets(y, loss, n, d_out, dtype=np.float64, fn="MLP.loss_and_grads"):
    """Validate ``y`` once for ``loss``; returns a target the unchecked losses accept.

    softmax_cross_entropy -> ``(labels (N,) int or None, onehot (N, C) or None)``;
    sigmoid_binary_cross_entropy and mse -> a float array of the logits' shape (N, D_L).
    ``fn`` names the caller in error messages.
    """
    if loss not in LOSSES:
        raise ValueError(f"{fn}: unknown loss {loss!r}; expected one of {sorted(LOSSES)}")
    if loss == "softmax_cross_entropy":
        if d_out < 2:
            raise ValueError(f"{fn}: softmax_cross_entropy needs at least 2 output units, the network has {d_out}")
        labels, onehot = as_targets(y, n, d_out, fn)
        return labels, (None if onehot is None else onehot.astype(dtype, copy=False))
    y = as_float_array(y, "y", fn)
    if y.ndim == 1 and d_out == 1:
        y = y.reshape(-1, 1)
    if y.shape != (n, d_out):
        raise ValueError(f"{fn}: y must have shape (N, D_out) == {(n, d_out)} for {loss}, got {y.shape}")
    if loss == "sigmoid_binary_cross_entropy" and (y.min() < 0 or y.max() > 1):
        raise ValueError(f"{fn}: y must be in [0, 1] for {loss}, got values in [{y.min()}, {y.max()}]")
    return y.astype(dtype, copy=False)


def loss_from_logits(logits, target, loss):
    """Unchecked ``(loss, dlogits)`` for a target made by :func:`prepare_targets`."""
    if loss == "softmax_cross_entropy":
        return _softmax_ce(logits, *target)
    if loss == "sigmoid_binary_cross_entropy":
        return _sigmoid_bce(logits, target)
    return _mse(logits, target)
