"""Gradient descent: the update rule, mini-batches and a training loop.

Interface: every optimiser step is ``update(params, grads, lr)`` and changes
``params`` in place (``W <- W - lr * dL/dW`` for plain SGD). ``train`` runs
epochs of mini-batch gradient descent: ``batch_size == N`` is batch gradient
descent (one update per epoch), ``batch_size == 1`` is stochastic gradient
descent (N updates per epoch) and anything between is mini-batch
(``ceil(N / batch_size)`` updates per epoch; the last batch may be smaller).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .metrics import accuracy
from .network import loss_from_logits, prepare_targets

__all__ = ["sgd_update", "iterate_minibatches", "train", "History", "TrainingDiverged"]


def sgd_update(params, grads, lr):
    """Plain gradient descent step, in place: ``params[k] -= lr * grads[k]`` for every key."""
    if not isinstance(params, dict) or not isinstance(grads, dict):
        raise TypeError(f"sgd_update: params and grads must be dicts, got {type(params).__name__} "
                        f"and {type(grads).__name__}")
    if set(params) != set(grads):
        raise ValueError(f"sgd_update: grads must have the keys of params {sorted(params)}, got {sorted(grads)}")
    if not isinstance(lr, (int, float, np.floating)) or isinstance(lr, bool) or not 0 < lr < math.inf:
        raise ValueError(f"sgd_update: lr must be a positive number, got {lr!r}")
    for k, p in params.items():
        g = grads[k]
        if np.shape(g) != p.shape:
            raise ValueError(f"sgd_update: grads[{k!r}] has shape {np.shape(g)}, params[{k!r}] has {p.shape}")
        p -= lr * g
    return params


def iterate_minibatches(n, batch_size, rng=None, shuffle=True):
    """Yield index arrays covering ``range(n)`` once, ``batch_size`` at a time.

    ``rng``: a ``np.random.Generator`` (shuffling draws one ``rng.permutation(n)``); with
    ``shuffle=False`` the order is 0..n-1. Yields ``ceil(n / batch_size)`` arrays.
    """
    if not isinstance(n, (int, np.integer)) or n <= 0:
        raise ValueError(f"iterate_minibatches: n must be a positive int, got {n!r}")
    if not isinstance(batch_size, (int, np.integer)) or not 1 <= batch_size <= n:
        raise ValueError(f"iterate_minibatches: batch_size must be an int in 1..n={n}, got {batch_size!r}")
    if shuffle:
        if not isinstance(rng, np.random.Generator):
            raise TypeError("iterate_minibatches: rng must be a np.random.Generator "
                            f"(np.random.default_rng(seed)) when shuffle=True, got {type(rng).__name__}")
        order = rng.permutation(n)
    else:
        order = np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; ``.step``, ``.lr`` and the partial ``.history`` are kept."""

    def __init__(self, step, lr, history, loss=None):
        self.step, self.lr, self.history = step, lr, history
        loss = history.loss_per_update[-1] if loss is None else loss
        super().__init__(
            f"training diverged at update {step}: the loss became {loss} "
            f"with learning rate {lr:g}; try a smaller learning rate"
        )


@dataclass
class History:
    """What ``train`` saw.

    ``loss_per_update[k]``: loss of the mini-batch used by update k (from its forward pass).
    ``loss_per_epoch[e]``: loss on the whole training set after epoch e (``initial_loss`` before).
    ``val_loss_per_epoch``/``val_acc_per_epoch``: the same on the validation set, when given.
    """
    lr: float
    batch_size: int
    epochs: int
    loss: str
    updates_per_epoch: int
    initial_loss: float = float("nan")
    loss_per_update: list = field(default_factory=list)
    loss_per_epoch: list = field(default_factory=list)
    val_loss_per_epoch: list = field(default_factory=list)
    val_acc_per_epoch: list = field(default_factory=list)
    diverged: bool = False

    @property
    def n_updates(self) -> int:
        return len(self.loss_per_update)


def _check_positive_int(value, name, upper=None):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1 or (
            upper is not None and value > upper):
        rng = f"in 1..{upper}" if upper is not None else ">= 1"
        raise ValueError(f"train: {name} must be an int {rng}, got {value!r}")


def train(model, X, y, *, lr, batch_size, epochs, loss="softmax_cross_entropy", seed=0,
          X_val=None, y_val=None, callback=None, update=sgd_update, epoch_loss="full"):
    """Train ``model`` in place with mini-batch gradient descent; returns a :class:`History`.

    ``X``: (N, D_0); ``y``: targets for ``loss`` (see ``MLP.loss_and_grads``). Each epoch draws
    one ``np.random.default_rng(seed)`` permutation, as :func:`iterate_minibatches` does.
    ``callback(step, loss, model)`` runs after every update; ``update(params, grads, lr)``
    replaces :func:`sgd_update` (e.g. with your own). Raises :class:`TrainingDiverged` when the
    loss becomes NaN/inf. No floating-point warnings escape.
    ``epoch_loss``: ``"full"`` (default) evaluates the whole training set after every epoch (and
    before the first: ``initial_loss``); ``"running"`` records the mean of the epoch's mini-batch
    losses instead, as scikit-learn and Keras report it -- free, but measured while the weights moved.
    """
    X = model._check_X(X, "train")
    n = X.shape[0]
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)) or not (0 < lr < math.inf):
        raise ValueError(f"train: lr must be a positive number, got {lr!r}")
    _check_positive_int(batch_size, "batch_size", n)
    _check_positive_int(epochs, "epochs")
    if epoch_loss not in ("full", "running"):
        raise ValueError(f"train: epoch_loss must be 'full' or 'running', got {epoch_loss!r}")
    full = epoch_loss == "full"
    target = prepare_targets(y, loss, n, model.layer_sizes[-1], model.dtype, fn="train")
    val = None
    if (X_val is None) != (y_val is None):
        raise ValueError("train: X_val and y_val go together; got only "
                         f"{'X_val' if y_val is None else 'y_val'}")
    if X_val is not None:
        Xv = model._check_X(X_val, "train (X_val)")
        val = (Xv, prepare_targets(y_val, loss, Xv.shape[0], model.layer_sizes[-1], model.dtype,
                                   fn="train (y_val)"), y_val)
    rng = np.random.default_rng(seed)
    hist = History(float(lr), int(batch_size), int(epochs), loss, math.ceil(n / batch_size))
    default = update is sgd_update
    buffers = {k: np.empty_like(p) for k, p in model.params.items()}
    with np.errstate(all="ignore"):
        if full:
            hist.initial_loss = _full_loss(model, X, target, loss)
        for _ in range(epochs):
            running = 0.0
            order = rng.permutation(n)
            Xs, ts = X[order], _take(target, order)      # one shuffled copy per epoch, then views
            for start in range(0, n, batch_size):
                stop = start + batch_size
                logits, acts = model._forward(Xs[start:stop])
                value, dlogits = loss_from_logits(logits, _slice(ts, start, stop), loss)
                hist.loss_per_update.append(value)
                running += value * (min(stop, n) - start)
                if not math.isfinite(value):
                    hist.diverged = True
                    raise TrainingDiverged(hist.n_updates, lr, hist)
                if default:
                    # backprop is linear in dlogits, so scaling it by lr scales every gradient by lr:
                    # the SGD step p -= lr * dL/dp is then one subtraction per parameter
                    dlogits *= lr
                    grads = model._backward(acts, dlogits, out=buffers)
                    for k, p in model.params.items():
                        p -= grads[k]
                else:
                    update(model.params, model._backward(acts, dlogits, out=buffers), lr)
                if callback is not None:
                    callback(hist.n_updates, value, model)
            hist.loss_per_epoch.append(_full_loss(model, X, target, loss) if full else running / n)
            if not math.isfinite(hist.loss_per_epoch[-1]):
                hist.diverged = True
                raise TrainingDiverged(hist.n_updates, lr, hist, hist.loss_per_epoch[-1])
            if val is not None:
                hist.val_loss_per_epoch.append(_full_loss(model, val[0], val[1], loss))
                if loss != "mse":
                    hist.val_acc_per_epoch.append(accuracy(model.predict(val[0]), _labels(val[2])))
    return hist


def _full_loss(model, X, target, loss):
    return loss_from_logits(model._forward(X)[0], target, loss)[0]


def _take(target, order):
    if isinstance(target, tuple):
        return tuple(None if t is None else t[order] for t in target)
    return target[order]


def _slice(target, start, stop):
    if isinstance(target, tuple):
        return tuple(None if t is None else t[start:stop] for t in target)
    return target[start:stop]


def _labels(y):
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return y.reshape(-1).astype(np.int64)
