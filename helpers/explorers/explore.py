"""The compute step behind the gradient-descent explorer (``helpers.explorers.widgets``), usable without widgets.

- ``PROBLEMS``: ``("regression", "moons", "digits")``.
- ``get_problem(name) -> Problem``: the data set, the network and the default settings of a problem.
- ``run_training(problem, *, lr, batch_size, epochs, seed=0, update=None, train_fn=None) -> Run``:
  trains a fresh network with :func:`helpers.train` (or the student's ``update``/``train_fn``) and
  never raises for what a student can cause: divergence and errors in student code come back as
  ``Run.message``, and no warning escapes.
- ``batch_kind(batch_size, n) -> "SGD" | "mini-batch" | "batch GD"``.

The plot step is :class:`helpers.explorers.explore_view.ExplorerFigure`.
"""
from __future__ import annotations

import inspect
import math
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .._validate import check_lr
from ..data import load_digits, make_moons, make_regression_1d, train_val_test_split
from ..metrics import accuracy
from ..network import MLP
from ..optim import History, TrainingDiverged, train
from ..optimizers import sgd_update

__all__ = ["PROBLEMS", "Problem", "Run", "get_problem", "run_training", "batch_kind",
           "regression_loss_grid"]

PROBLEMS = ("regression", "moons", "digits")

#: where the descent on the regression landscape starts (w, b), the same for every run so that
#: paths with different settings can be compared; the minimum is near (2, -1).
REGRESSION_START = (-1.0, 2.0)


@dataclass(frozen=True)
class Problem:
    """A data set, a network and default slider settings.

    ``X`` (N, D) and ``y`` are the training data, ``X_val``/``y_val`` the validation data (or None).
    """
    name: str
    X: np.ndarray
    y: np.ndarray
    X_val: np.ndarray | None
    y_val: np.ndarray | None
    layer_sizes: tuple
    activation: str
    loss: str
    defaults: dict
    max_epochs: int

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    def new_model(self, seed):
        model = MLP(list(self.layer_sizes), activation=self.activation, seed=seed)
        if self.name == "regression":
            model.params["W1"][...] = REGRESSION_START[0]
            model.params["b1"][...] = REGRESSION_START[1]
        return model


@dataclass(eq=False)
class Run:
    """One training run: its settings, its :class:`History` (partial if it diverged) and what to plot.

    ``path`` (K + 1, 2): the (w, b) after every update, starting point first (regression only).
    ``model``: the trained network (None when student code failed before training ended).
    ``message``: a sentence for the student when the run diverged, the loss grew or their code failed.
    """
    problem: str
    lr: float
    batch_size: int
    epochs: int
    seed: int
    history: History | None
    model: MLP | None = None
    path: np.ndarray | None = None
    diverged: bool = False
    error: BaseException | None = None
    message: str | None = None
    warnings: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"lr {self.lr:.3g}, batch {self.batch_size}"


def batch_kind(batch_size, n):
    """Name of the gradient-descent flavour: "SGD" (1), "batch GD" (n) or "mini-batch"."""
    return "SGD" if batch_size == 1 else "batch GD" if batch_size >= n else "mini-batch"


def _readonly(*arrays):
    for a in arrays:
        a.setflags(write=False)
    return arrays


@lru_cache(maxsize=None)
def get_problem(name) -> Problem:
    """The problem called ``name`` (one of :data:`PROBLEMS`); the data are made once and read-only."""
    if name not in PROBLEMS:
        raise ValueError(f"get_problem: problem must be one of {PROBLEMS}, got {name!r}")
    if name == "regression":
        X, y = _readonly(*make_regression_1d(n_samples=100, noise=0.3, seed=0))
        return Problem(name, X, y, None, None, (1, 1), "identity", "mse",
                       dict(lr=0.1, batch_size=10, epochs=10), 100)
    if name == "moons":
        X, y = _readonly(*make_moons(n_samples=200, noise=0.15, seed=0))
        return Problem(name, X, y, None, None, (2, 16, 16, 2), "relu", "softmax_cross_entropy",
                       dict(lr=0.3, batch_size=20, epochs=20), 200)
    X, y = load_digits()
    Xtr, ytr, Xva, yva, _, _ = train_val_test_split(X, y, seed=0)
    Xtr, ytr, Xva, yva = _readonly(Xtr, ytr, Xva, yva)
    return Problem(name, Xtr, ytr, Xva, yva, (64, 32, 10), "relu", "softmax_cross_entropy",
                   dict(lr=0.1, batch_size=32, epochs=5), 30)


def regression_loss_grid(W, B):
    """Mean squared error of the line ``w * x + b`` on the regression data, for arrays ``W``, ``B``
    of one shape (e.g. a meshgrid); closed form from the data's moments, so a 100x100 grid is cheap."""
    p = get_problem("regression")
    x, y = p.X[:, 0], p.y[:, 0]
    W, B = np.asarray(W, dtype=float), np.asarray(B, dtype=float)
    return (np.mean(x * x) * W**2 + B**2 + np.mean(y * y) + 2 * np.mean(x) * W * B
            - 2 * np.mean(x * y) * W - 2 * np.mean(y) * B)


def _diverged_message(steps, lr):
    return (f"diverged after {steps} update{'s' if steps != 1 else ''}: learning rate {lr:.3g} "
            f"is too large for this problem (the loss became infinite or NaN)")


def _grew_message(run):
    h = run.history
    if not h.loss_per_epoch or not math.isfinite(h.initial_loss):
        return None
    final = h.loss_per_epoch[-1]
    if final > 1.5 * h.initial_loss:
        return (f"the loss grew from {h.initial_loss:.3g} to {final:.3g} in {h.n_updates} updates: "
                f"learning rate {run.lr:.3g} is too large for this problem")
    return None


class _NotInPlace(Exception):
    """The student's update returned new arrays instead of changing ``params``."""


def _student_error_message(exc, fn):
    name = getattr(fn, "__name__", "your function")
    if isinstance(exc, _NotInPlace):
        return (f"your {name} did not change params: update each array in place, e.g. "
                f"params[k] -= lr * grads[k] (new arrays leave the network untrained)")
    if isinstance(exc, NotImplementedError):
        return (f"your {name} raised NotImplementedError: finish that exercise first, "
                f"or leave out update=/train_fn= to use the reference implementation")
    return f"your {name} raised {type(exc).__name__}: {exc}"


def _check_run_args(p, lr, batch_size, epochs, seed, update, train_fn) -> None:
    if update is not None and train_fn is not None:
        raise ValueError("run_training: give update= or train_fn=, not both")
    for name, fn in (("update", update), ("train_fn", train_fn)):
        if fn is not None and not callable(fn):
            raise TypeError(f"run_training: {name} must be a function, got {type(fn).__name__}")
    check_lr(lr, "run_training")
    for name, v, hi in (("batch_size", batch_size, p.n), ("epochs", epochs, None), ("seed", seed, None)):
        lo = 0 if name == "seed" else 1
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo or (hi and v > hi):
            raise ValueError(f"run_training: {name} must be an int in {lo}..{hi or 'inf'}, got {v!r}")


def run_training(problem, *, lr, batch_size, epochs, seed=0, update=None, train_fn=None) -> Run:
    """Train a fresh network of ``problem`` (a name or a :class:`Problem`) and return a :class:`Run`.

    ``update(params, grads, lr)``: the student's optimiser step (default :func:`helpers.sgd_update`);
    ``train_fn``: the student's training loop (see :func:`_call_train_fn`); give at most one.
    Settings out of range raise ValueError; anything the student's code raises, divergence and
    floating-point trouble end up in ``Run.message`` instead.
    """
    p = get_problem(problem) if isinstance(problem, str) else problem
    _check_run_args(p, lr, batch_size, epochs, seed, update, train_fn)
    run = Run(p.name, float(lr), int(batch_size), int(epochs), int(seed), None)
    model = p.new_model(seed)
    path = [] if p.name == "regression" else None

    def record(step, loss, m):
        path.append((m.params["W1"][0, 0], m.params["b1"][0]))

    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        try:
            if train_fn is None:
                run.history = train(model, p.X, p.y, lr=lr, batch_size=batch_size, epochs=epochs,
                                    loss=p.loss, seed=seed, X_val=p.X_val, y_val=p.y_val,
                                    callback=record if path is not None else None,
                                    update=sgd_update if update is None else _checked(update))
            else:
                run.history = _call_train_fn(train_fn, p, model, run, record if path is not None else None)
            run.model = model
        except TrainingDiverged as exc:
            run.history, run.diverged, run.model = exc.history, True, model
            run.message = _diverged_message(exc.step, lr)
        except Exception as exc:  # noqa: BLE001 - the student's code may raise anything
            run.error = exc
            run.message = _student_error_message(exc, update or train_fn)
    run.warnings = [f"{w.category.__name__}: {w.message}" for w in caught]
    if path is not None:
        start = np.array([REGRESSION_START], dtype=float)
        run.path = np.concatenate([start, np.array(path, dtype=float).reshape(-1, 2)])
    if run.message is None and run.history is not None:
        run.message = _grew_message(run)
    if run.message is None and run.warnings:
        run.message = f"your code caused a warning: {run.warnings[0]}"
    return run


def _checked(update):
    """Wrap the student's ``update`` to catch the classic slip of returning new arrays
    instead of changing ``params`` in place (which would silently leave the network untrained)."""
    first = [True]

    def checked_update(params, grads, lr):
        before = {k: v.copy() for k, v in params.items()} if first[0] else None
        update(params, grads, lr)
        if first[0]:
            first[0] = False
            moved = any(not np.array_equal(before[k], params[k]) for k in params)
            if not moved and any(np.any(g != 0) for g in grads.values()):
                raise _NotInPlace()
    checked_update.__name__ = getattr(update, "__name__", "update")
    return checked_update


def _call_train_fn(train_fn, p, model, run, record):
    """Call the student's loop ``train_fn(model, X, y, lr=, batch_size=, epochs=, seed=, loss=,
    callback=)`` passing only the keywords it accepts. It may return a :class:`History`, a
    sequence of per-update losses or None; with ``callback(step, loss, model)`` accepted, the
    per-update losses, per-epoch losses and the path are recorded as ``helpers.train`` does.
    A non-finite loss counts as divergence."""
    try:
        sig = inspect.signature(train_fn).parameters
        var_kw = any(q.kind is q.VAR_KEYWORD for q in sig.values())
    except (TypeError, ValueError):
        sig, var_kw = {}, True
    n, bs = p.n, run.batch_size
    hist = History(run.lr, bs, run.epochs, p.loss, math.ceil(n / bs))
    X, target = model.prepare(p.X, p.y, p.loss, fn="train")
    full = lambda: model.loss(X, target, p.loss, prepared=True)  # noqa: E731 -- as helpers.train records it
    hist.initial_loss = full()
    seen = []

    def callback(step, loss, m):
        seen.append(float(loss))
        if record is not None:
            record(step, loss, m)
        if len(seen) % hist.updates_per_epoch == 0:
            hist.loss_per_epoch.append(full())
            if p.X_val is not None:
                hist.val_acc_per_epoch.append(accuracy(m.predict(p.X_val), p.y_val))

    kwargs = dict(lr=run.lr, batch_size=bs, epochs=run.epochs, seed=run.seed, loss=p.loss,
                  callback=callback)
    kwargs = {k: v for k, v in kwargs.items() if var_kw or k in sig}
    out = train_fn(model, p.X, p.y, **kwargs)
    if isinstance(out, History):
        return out
    if out is not None and not seen:
        seen = [float(v) for v in np.asarray(out, dtype=float).ravel()]
    hist.loss_per_update = seen
    if not hist.loss_per_epoch and seen:
        k = hist.updates_per_epoch
        hist.loss_per_epoch = [float(np.mean(seen[i:i + k])) for i in range(0, len(seen), k)]
    bad = [i for i, v in enumerate(seen) if not math.isfinite(v)]
    if bad:
        del hist.loss_per_update[bad[0] + 1:]
        hist.diverged = True
        raise TrainingDiverged(bad[0] + 1, run.lr, hist)
    return hist
