"""Gradient descent: mini-batches and a training loop.

Interface: every optimiser step is ``update(params, grads, lr)`` and changes
``params`` in place; the update rules -- plain SGD ``W <- W - lr * dL/dW`` (``sgd_update``),
momentum, RMSProp and Adam -- are in :mod:`helpers.optimizers`. ``train`` runs
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
from ._validate import check_int, check_lr, is_real
from .network import take_rows
from .optimizers import make_optimizer, sgd_update

__all__ = ["iterate_minibatches", "train", "History", "TrainingDiverged"]


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
    ``lr_per_update``: the scheduled learning rate of every update (with a ``schedule`` only).
    ``best_epoch``/``stopped_early``: early stopping's best epoch (1-based) and whether it stopped.
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
    lr_per_update: list = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False

    @property
    def n_updates(self) -> int:
        return len(self.loss_per_update)


def _check_train_args(n, lr, batch_size, epochs, epoch_loss, weight_decay, patience, schedule, X_val, y_val):
    check_lr(lr, "train")
    check_int(batch_size, "batch_size", "train", 1, n)
    check_int(epochs, "epochs", "train", message="an int >= 1")
    if epoch_loss not in ("full", "running"):
        raise ValueError(f"train: epoch_loss must be 'full' or 'running', got {epoch_loss!r}")
    if not is_real(weight_decay) or weight_decay < 0:
        raise ValueError(f"train: weight_decay must be a number >= 0, got {weight_decay!r}")
    if patience is not None:
        check_int(patience, "patience", "train", message="an int >= 1")
        if X_val is None:
            raise ValueError("train: early stopping (patience=) watches the validation loss; give X_val and y_val")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"train: schedule must be a callable schedule(lr0, t) -> lr, got {type(schedule).__name__}")
    if (X_val is None) != (y_val is None):
        raise ValueError("train: X_val and y_val go together; got only "
                         f"{'X_val' if y_val is None else 'y_val'}")


def _optimizer(update, optimizer, fn="train"):
    if optimizer is None:
        return update
    if update is not sgd_update:
        raise ValueError(f"{fn}: give update= or optimizer=, not both")
    if isinstance(optimizer, str):
        return make_optimizer(optimizer)
    if not callable(optimizer):
        raise TypeError(f"{fn}: optimizer must be a name or a callable update(params, grads, lr), "
                        f"got {type(optimizer).__name__}")
    return optimizer


def train(model, X, y, *, lr, batch_size, epochs, loss="softmax_cross_entropy", seed=0,
          X_val=None, y_val=None, callback=None, update=sgd_update, optimizer=None, schedule=None,
          weight_decay=0.0, patience=None, epoch_loss="full"):
    """Train ``model`` in place with mini-batch gradient descent; returns a :class:`History`.

    ``model``: anything with the model interface of :mod:`helpers.network` (``params``,
    ``loss_and_grads``, ``predict``), e.g. an ``MLP``. ``X``: (N, D_0); ``y``: targets for ``loss``
    (see ``MLP.loss_and_grads``). Each epoch draws one ``np.random.default_rng(seed)``
    permutation, as :func:`iterate_minibatches` does. ``callback(step, loss, model)`` runs after
    every update. Raises :class:`TrainingDiverged` when the loss becomes NaN/inf; no
    floating-point warnings escape.

    - ``update(params, grads, lr)`` / ``optimizer``: the step rule (default :func:`sgd_update`,
      plain SGD); ``optimizer`` is a name ("sgd", "momentum", "rmsprop", "adam") or an object of
      :mod:`helpers.optimizers` (it keeps its state; give at most one of the two).
    - ``schedule(lr0, t) -> lr`` (:mod:`helpers.optimizers`): the learning rate of update
      ``t = 0, 1, ...``; ``History.lr_per_update`` records it.
    - ``weight_decay``: ``lam`` of L2 weight decay, ``lam * W`` added to every weight gradient
      (keys "W..."); the recorded losses stay the data loss (without ``lam/2 ||W||^2``).
    - ``patience``: early stopping -- stop when the validation loss has not improved for
      ``patience`` epochs and restore the parameters of the best epoch (``History.best_epoch``).
    - ``epoch_loss``: ``"full"`` (default) evaluates the whole training set after every epoch (and
      before the first: ``initial_loss``); ``"running"`` records the mean of the epoch's mini-batch
      losses instead, as scikit-learn and Keras report it.
    """
    data = _Data(model, X, y, loss, "train")
    n, full = data.n, epoch_loss == "full"
    _check_train_args(n, lr, batch_size, epochs, epoch_loss, weight_decay, patience, schedule, X_val, y_val)
    step_fn = _optimizer(update, optimizer)
    val = None if X_val is None else (_Data(model, X_val, y_val, loss, "train (X_val)", "train (y_val)"), y_val)
    rng, best = np.random.default_rng(seed), (math.inf, None, 0)
    hist = History(float(lr), int(batch_size), int(epochs), loss, math.ceil(n / batch_size))
    fast = step_fn is sgd_update and schedule is None and not weight_decay and data.prepared
    step = _Step(model, step_fn, lr, schedule, weight_decay, fast, callback)
    with np.errstate(all="ignore"):
        if full:
            hist.initial_loss = data.loss()
        for epoch in range(1, epochs + 1):
            running = step.epoch(data.shuffled(rng.permutation(n)), batch_size, hist)
            hist.loss_per_epoch.append(data.loss() if full else running / n)
            if not math.isfinite(hist.loss_per_epoch[-1]):
                hist.diverged = True
                raise TrainingDiverged(hist.n_updates, lr, hist, hist.loss_per_epoch[-1])
            if val is not None:
                _record_validation(model, hist, val, X_val, loss)
                if patience is not None:
                    best = _early_stopping(model, hist, epoch, best, patience)
                    if hist.stopped_early:
                        break
    return hist


def _record_validation(model, hist, val, X_val, loss) -> None:
    """Append the epoch's validation loss (and accuracy, for classification) to ``hist``."""
    hist.val_loss_per_epoch.append(val[0].loss())
    if loss != "mse":
        hist.val_acc_per_epoch.append(accuracy(model.predict(X_val), _labels(val[1])))


class _Step:
    """One epoch of updates: loss and gradients of each mini-batch, then the step rule."""

    def __init__(self, model, step_fn, lr, schedule, weight_decay, fast, callback):
        self.model, self.step_fn, self.lr, self.schedule = model, step_fn, lr, schedule
        self.weight_decay, self.fast, self.callback = weight_decay, fast, callback
        # the fast path writes the gradients into buffers made once
        self.out = {k: np.empty_like(p) for k, p in model.params.items()} if fast else None

    def epoch(self, shuffled, batch_size, hist):
        """Run the updates of one epoch over ``shuffled``; returns the sum of batch loss * size."""
        model, running = self.model, 0.0
        for start in range(0, shuffled.n, batch_size):
            stop = min(start + batch_size, shuffled.n)
            rate = self.lr if self.schedule is None else self.schedule(self.lr, hist.n_updates)
            # fast: backprop is linear in dlogits, so asking for lr-scaled gradients makes
            # the SGD step p -= lr * dL/dp one subtraction per parameter
            value, grads = shuffled.loss_and_grads(start, stop, scale=rate if self.fast else 1.0, out=self.out)
            hist.loss_per_update.append(value)
            if self.schedule is not None:
                hist.lr_per_update.append(float(rate))
            running += value * (stop - start)
            if not math.isfinite(value):
                hist.diverged = True
                raise TrainingDiverged(hist.n_updates, self.lr, hist)
            if self.fast:
                for k, p in model.params.items():
                    p -= grads[k]
            else:
                if self.weight_decay:
                    grads = {k: g + self.weight_decay * model.params[k] if k.startswith("W") else g
                             for k, g in grads.items()}
                self.step_fn(model.params, grads, rate)
            if self.callback is not None:
                self.callback(hist.n_updates, value, model)
        return running


def _early_stopping(model, hist, epoch, best, patience):
    """Keep a copy of the best parameters; after ``patience`` epochs without a better validation
    loss put them back and mark the history."""
    value = hist.val_loss_per_epoch[-1]
    if value < best[0]:
        return value, {k: p.copy() for k, p in model.params.items()}, epoch
    if epoch - best[2] >= patience:
        for k, p in model.params.items():
            p[...] = best[1][k]
        hist.stopped_early = True
    hist.best_epoch = best[2]
    return best


class _Data:
    """Training data checked once for a model: through its ``prepare`` when it has one (fast,
    no checks per batch), else plain arrays given to ``loss_and_grads`` batch by batch."""

    def __init__(self, model, X, y, loss, fn, fn_y=None, _rows=None):
        self.model, self.loss_name = model, loss
        if _rows is not None:
            self.prepared, self.X, self.y = _rows
        elif callable(getattr(model, "prepare", None)):
            self.prepared = True
            self.X, self.y = model.prepare(X, y, loss, fn=fn if fn_y is None else (fn, fn_y))
        else:
            if not (hasattr(model, "params") and callable(getattr(model, "loss_and_grads", None))):
                raise TypeError(f"{fn}: model must have .params and .loss_and_grads(X, y, loss=...) "
                                f"(the model interface of helpers.network), got {type(model).__name__}")
            self.prepared, self.X, self.y = False, np.asarray(X), np.asarray(y)
        self.n = int(self.X.shape[0])

    def shuffled(self, order):
        return _Data(self.model, None, None, self.loss_name, None, None,
                     _rows=(self.prepared, self.X[order], take_rows(self.y, order)))

    def loss_and_grads(self, start, stop, scale=1.0, out=None):
        sl = slice(start, stop)
        if self.prepared:
            return self.model.loss_and_grads(self.X[sl], take_rows(self.y, sl), self.loss_name,
                                             prepared=True, scale=scale, out=out)
        return self.model.loss_and_grads(self.X[sl], self.y[sl], loss=self.loss_name)

    def loss(self):
        if self.prepared:
            return self.model.loss(self.X, self.y, self.loss_name, prepared=True)
        if callable(getattr(self.model, "loss", None)):
            return float(self.model.loss(self.X, self.y, loss=self.loss_name))
        return float(self.model.loss_and_grads(self.X, self.y, loss=self.loss_name)[0])


def _labels(y):
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return y.reshape(-1).astype(np.int64)
