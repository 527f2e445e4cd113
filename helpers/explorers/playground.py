"""The live training playground's plain core: data, one update at a time, replay (no widgets).

``Trainer(settings, own=None)`` builds the data set and a fresh network from
:class:`~helpers.explorers.playground_state.Settings` (seeded: the same settings give the same
run) and trains it one mini-batch update per ``step()``:
``t`` (updates so far), ``train_loss`` / ``val_loss`` (one per update), ``health()`` (per layer,
:mod:`.playground_health`), ``set(field, value)`` (a learning rate or optimiser setting takes
effect at the next update and is recorded, so the state string replays it), ``state()`` (the
state string) and ``Trainer.from_state(text)`` (replays it exactly).

``own``: the student's functions, a dict with any of ``"forward"`` (``L_layer_forward(X, params)
-> (logits, caches)``), ``"backward"`` (``L_layer_backward(dlogits, caches) -> grads``),
``"sgd"`` (``sgd_update(params, grads, lr)``), ``"momentum"`` (``momentum_update(params, grads,
velocity, lr, beta)``), ``"adam"`` (``adam_update(params, grads, m, v, t, lr, beta1, beta2)``).
Each is tried once on a small input against the reference; a function that raises or differs is
replaced by the reference, with a note (``notes``). When a function raises or the loss becomes
NaN during training, ``step()`` raises :class:`TrainingPaused` saying where, kindly.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import data as datasets
from ..deep import L_layer_backward, L_layer_forward, add_weight_decay
from ..initializers import init_params
from ..losses import softmax_cross_entropy
from ..optimizers import SGD, Adam, Momentum, RMSProp
from .playground_health import layer_health
from .playground_own import check_own
from .playground_state import HOT, Settings, check_settings, decode_state, encode_state

__all__ = ["TrainingPaused", "make_data", "Trainer", "hidden_activations"]

TWO_D = {"moons": datasets.make_moons, "circles": datasets.make_circles, "xor": datasets.make_xor,
         "spirals": lambda n, noise, seed: datasets.make_spirals(n, 3, noise=noise, seed=seed)}


class TrainingPaused(Exception):
    """Training stopped at an update: a student's function raised, or the loss is not finite."""


@lru_cache(maxsize=8)
def make_data(dataset, noise, n_train, seed):
    """``(X_train, y_train, X_val, y_val, n_classes)``; 2-D sets get ``max(50, n_train // 2)``
    validation points from the same generator; the digits get Gaussian pixel noise of std ``noise``."""
    if dataset in TWO_D:
        n_val = max(50, n_train // 2)
        X, y = TWO_D[dataset](n_train + n_val, noise=noise, seed=seed)
    else:
        X, y = datasets.load_digits()
        X = X + noise * np.random.default_rng(seed).standard_normal(X.shape)
        n_val = 360
    Xtr, ytr, Xva, yva, _, _ = datasets.train_val_test_split(X, y, n_val / len(X), 0.0, seed=seed)
    for a in (Xtr, ytr, Xva, yva):
        a.setflags(write=False)
    return Xtr[:n_train], ytr[:n_train], Xva, yva, int(y.max()) + 1


def hidden_activations(X, params, activation):
    """The hidden layers' activations ``[A_1, ..., A_{L-1}]`` (reference forward pass)."""
    _, caches = L_layer_forward(X, params, activation)
    return [c[0] for c in caches[1:]]


class _FunctionOptimizer:
    """The lesson's update functions, keeping the state dicts they need between calls."""

    def __init__(self, kind, fn, settings):
        self.kind, self.fn, self.state, self.t = kind, fn, None, 0
        self.beta1, self.beta2 = settings.beta1, settings.beta2

    def __call__(self, params, grads, lr):
        if self.state is None:
            self.state = [{k: np.zeros_like(p) for k, p in params.items()} for _ in range(2)]
        self.t += 1
        if self.kind == "sgd":
            return self.fn(params, grads, lr)
        if self.kind == "momentum":
            return self.fn(params, grads, self.state[0], lr, self.beta1)
        return self.fn(params, grads, self.state[0], self.state[1], self.t, lr, self.beta1, self.beta2)


def _reference_optimizer(s):
    if s.optimizer == "sgd":
        return SGD()
    if s.optimizer == "momentum":
        return Momentum(s.beta1)
    if s.optimizer == "rmsprop":
        return RMSProp(s.beta1)
    return Adam(s.beta1, s.beta2)


def _set_betas(opt, s):
    for name, value in (("beta", s.beta1), ("beta1", s.beta1), ("beta2", s.beta2)):
        if hasattr(opt, name):
            setattr(opt, name, value)


class Trainer:
    """One network training on one data set, update by update (see the module docstring)."""

    def __init__(self, settings=Settings(), own=None, *, _checked_own=None):
        self.settings = s = check_settings(settings)
        self.Xtr, self.ytr, self.Xva, self.yva, self.n_classes = make_data(s.dataset, s.noise, s.n_train, s.seed)
        sizes = [self.Xtr.shape[1]] + [s.width] * s.depth + [self.n_classes]
        rng = np.random.default_rng(s.seed)
        self.params = init_params(sizes, s.sigma if s.init == "sigma" else s.init, rng)
        self.batch_rng = np.random.default_rng([s.seed, 1])
        self.own, self.notes = _checked_own if _checked_own is not None else check_own(own or {}, s)
        self.optimizer = (_FunctionOptimizer(s.optimizer, self.own[s.optimizer], s)
                          if s.optimizer in self.own else _reference_optimizer(s))
        self.t, self.changes, self.train_loss, self.val_loss = 0, [], [], []
        self.start_settings = s
        self._order, self._pos, self._last = np.empty(0, np.int64), 0, None

    # -- training ---------------------------------------------------------------------------------
    def _batch(self):
        n, b = len(self.ytr), min(self.settings.batch_size, len(self.ytr))
        if self._pos + b > len(self._order):
            self._order, self._pos = self.batch_rng.permutation(n), 0
        idx = self._order[self._pos:self._pos + b]
        self._pos += b
        return self.Xtr[idx], self.ytr[idx]

    def _call(self, key, name, fn, *args):
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 -- the student's code: report it, never stop
            who = f"your {name}" if key in self.own else f"the reference {name}"
            raise TrainingPaused(f"Paused at update {self.t + 1}: {who} raised {type(exc).__name__}: "
                                 f"{str(exc)[:200]}. Fix it and press reset, or play on with the "
                                 f"references.") from exc

    def step(self):
        """One update on the next mini-batch; returns its training loss. Overflow is not a warning
        here: a loss that is not finite pauses training with a message instead."""
        with np.errstate(all="ignore"):
            return self._step()

    def _step(self):
        s, act = self.settings, self.settings.activation
        Xb, yb = self._batch()
        fwd = self.own.get("forward") or (lambda X, p: L_layer_forward(X, p, act))
        bwd = self.own.get("backward") or (lambda d, c: L_layer_backward(d, c, act))
        logits, caches = self._call("forward", "L_layer_forward", fwd, Xb, self.params)
        logits = np.asarray(logits, dtype=float)
        if not np.all(np.isfinite(logits)):
            raise self._diverged("the logits")
        loss, dlogits = softmax_cross_entropy(logits, yb)
        grads = self._call("backward", "L_layer_backward", bwd, dlogits, caches)
        if s.weight_decay:
            loss, grads = add_weight_decay(loss, grads, self.params, s.weight_decay)
        before = {k: p.copy() for k, p in self.params.items() if k.startswith("W")}
        self._call(s.optimizer, f"{s.optimizer}_update", self.optimizer, self.params, grads, s.lr)
        self.t += 1
        self._last = (Xb, grads, before)
        val_logits = L_layer_forward(self.Xva, self.params, act)[0]
        val = softmax_cross_entropy(val_logits, self.yva)[0] if np.all(np.isfinite(val_logits)) else float("nan")
        self.train_loss.append(float(loss))
        self.val_loss.append(float(val))
        if not (np.isfinite(loss) and all(np.all(np.isfinite(p)) for p in self.params.values())):
            raise self._diverged("the loss")
        return float(loss)

    def _diverged(self, what):
        return TrainingPaused(f"Paused at update {self.t}: {what} became NaN or infinite: training "
                              f"diverged. Try a smaller learning rate, then press reset.")

    def run(self, n):
        for _ in range(n):
            self.step()
        return self

    def set(self, field, value):
        """Change a control from the next update on (``field`` in ``HOT``); returns the new settings."""
        if field not in HOT:
            raise ValueError(f"Trainer.set: only {list(HOT)} change while training; {field!r} needs a reset")
        self.settings = self.settings.with_(**{field: value})
        self.changes = [c for c in self.changes if not (c[0] == self.t and c[1] == field)]
        self.changes.append((self.t, field, getattr(self.settings, field)))
        _set_betas(self.optimizer, self.settings)
        return self.settings

    # -- reading ----------------------------------------------------------------------------------
    def health(self):
        """Per-layer :class:`LayerHealth` of the last update, or None before the first."""
        if self._last is None:
            return None
        Xb, grads, before = self._last
        with np.errstate(all="ignore"):
            hidden = hidden_activations(Xb, self.params, self.settings.activation)
            return layer_health(hidden, grads, before, self.params)

    def accuracy(self, which="val"):
        X, y = (self.Xva, self.yva) if which == "val" else (self.Xtr, self.ytr)
        with np.errstate(all="ignore"):
            return float(np.mean(L_layer_forward(X, self.params, self.settings.activation)[0].argmax(1) == y))

    def state(self):
        """The state string (:func:`encode_state`) of this run: settings at update 0, updates, changes."""
        return encode_state(self.start_settings, self.t, self.changes)

    @classmethod
    def from_state(cls, text, own=None):
        """Replay a state string from its seed: the same parameters, losses and update count."""
        settings, updates, changes = decode_state(text)
        tr = cls(settings, own)
        pending = sorted(changes, key=lambda c: c[0])
        for t in range(updates + 1):
            while pending and pending[0][0] == t:
                _, k, v = pending.pop(0)
                tr.set(k, v)
            if t < updates:
                tr.step()
        return tr
