"""The compute step behind the optimiser explorer (``helpers.explorers.widgets_optim``), usable without widgets.

- The **valley**: an ill-conditioned quadratic ``L(theta) = 1/2 (theta - c)^T H (theta - c)`` with
  curvatures 0.5 and 12.5 along axes turned by 25 degrees (condition number 25):
  :func:`valley_loss` (on grids), :func:`valley_grad`, ``VALLEY_START``, ``VALLEY_MIN``.
- :func:`descent_path` runs any optimiser (the ``update(params, grads, lr)`` interface of
  :mod:`helpers.optimizers`) on the valley; :func:`digits_history` trains a small digits network.
- ``run_optimizer(optimizer, *, lr_valley, lr_digits, beta1, beta2, schedule, ...) -> OptimRun``
  does both, with the reference optimisers or the student's ``momentum_fn`` / ``adam_fn``
  (the lesson-6 signatures), and never raises for what a student can cause: errors and
  divergence come back as ``OptimRun.message``.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .._validate import check_fraction, check_in_range, check_int, check_lr
from .explore import _checked, _student_error_message, get_problem
from ..network import MLP
from ..optim import History, TrainingDiverged, train
from ..optimizers import Adam, Momentum, RMSProp, SGD, constant, cosine_decay, step_decay

__all__ = ["OPTIMIZER_NAMES", "SCHEDULE_NAMES", "DEFAULTS", "VALLEY_START", "VALLEY_MIN",
           "VALLEY_CONDITION", "valley_loss", "valley_grad", "descent_path", "digits_history",
           "make_schedule", "OptimRun", "run_optimizer", "sgd_baseline"]

OPTIMIZER_NAMES = ("sgd", "momentum", "rmsprop", "adam")
SCHEDULE_NAMES = ("constant", "step", "cosine")
#: per optimiser: a learning rate that works on the valley and one for the digits network
DEFAULTS = {"sgd": (0.1, 0.1), "momentum": (0.03, 0.03), "rmsprop": (0.3, 0.003), "adam": (0.5, 0.003)}
VALLEY_START = (-3.5, 2.0)
VALLEY_MIN = (1.5, 0.5)
_ANGLE = math.radians(25)
_U = np.array([[math.cos(_ANGLE), math.sin(_ANGLE)], [-math.sin(_ANGLE), math.cos(_ANGLE)]])
_CURV = np.array([0.5, 12.5])
VALLEY_CONDITION = float(_CURV.max() / _CURV.min())
_H = _U.T @ np.diag(_CURV) @ _U
DIGITS_NET, DIGITS_BATCH = (64, 32, 10), 64


def valley_loss(T1, T2):
    """The valley's loss for arrays ``T1``, ``T2`` of one shape (e.g. a meshgrid)."""
    d1, d2 = np.asarray(T1, dtype=float) - VALLEY_MIN[0], np.asarray(T2, dtype=float) - VALLEY_MIN[1]
    return 0.5 * (_H[0, 0] * d1 * d1 + 2 * _H[0, 1] * d1 * d2 + _H[1, 1] * d2 * d2)


def valley_grad(theta):
    """The gradient ``H (theta - c)`` (2,) at ``theta`` (2,)."""
    return _H @ (np.asarray(theta, dtype=float) - VALLEY_MIN)


def make_schedule(name, total):
    """``"constant"``, ``"step"`` (halve every third of ``total`` updates) or ``"cosine"`` (to 0 at ``total``)."""
    if name not in SCHEDULE_NAMES:
        raise ValueError(f"make_schedule: name must be one of {SCHEDULE_NAMES}, got {name!r}")
    if name == "constant":
        return constant()
    return step_decay(max(1, total // 3), 0.5) if name == "step" else cosine_decay(total)


def descent_path(update, lr, steps=60, schedule="constant", start=VALLEY_START):
    """``(steps + 1, 2)`` positions of ``update(params, grads, lr)`` on the valley from ``start``.

    The path stops early (shorter) once it leaves every sensible range (|theta| > 1e6)."""
    sched = make_schedule(schedule, steps) if isinstance(schedule, str) else schedule
    params = {"theta": np.array(start, dtype=float)}
    path = [params["theta"].copy()]
    for t in range(steps):
        update(params, {"theta": valley_grad(params["theta"])}, sched(lr, t))
        path.append(np.array(params["theta"], dtype=float))
        if not np.all(np.abs(path[-1]) < 1e6):
            break
    return np.array(path)


def digits_history(update, lr, epochs=5, seed=0, schedule="constant"):
    """Train ``MLP([64, 32, 10])`` on the digits with ``update`` (batch 64); returns its History."""
    p = get_problem("digits")
    total = epochs * math.ceil(p.n / DIGITS_BATCH)
    sched = make_schedule(schedule, total) if isinstance(schedule, str) else schedule
    model = MLP(list(DIGITS_NET), seed=seed)
    return train(model, p.X, p.y, lr=lr, batch_size=DIGITS_BATCH, epochs=epochs, seed=seed,
                 optimizer=update, schedule=sched, X_val=p.X_val, y_val=p.y_val, epoch_loss="running")


@lru_cache(maxsize=8)
def sgd_baseline(epochs=5, seed=0):
    """Plain SGD at its default rates on both problems (the comparison curve); cached."""
    lr_v, lr_d = DEFAULTS["sgd"]
    return descent_path(SGD(), lr_v), digits_history(SGD(), lr_d, epochs, seed)


def _left_valley(path) -> bool:
    """True if the path stopped early, is not finite or ends higher than it started (diverging:
    for SGD from the first slider value above 2 / lambda_max = 0.16, where 60 steps grow the
    error by only about 10^5, far from the 1e6 that stops the path)."""
    if len(path) < 61 or not np.isfinite(path).all():
        return True
    return bool(valley_loss(*path[-1]) > valley_loss(*path[0]))


class _StudentMomentum(Momentum):
    def __init__(self, fn, beta):
        super().__init__(beta)
        self.fn, self.__name__ = fn, getattr(fn, "__name__", "momentum_update")

    def __call__(self, params, grads, lr):
        state = self._state(params)
        self.t += 1
        self.fn(params, grads, state["velocity"], lr, self.beta)


class _StudentAdam(Adam):
    def __init__(self, fn, beta1, beta2):
        super().__init__(beta1, beta2)
        self.fn, self.__name__ = fn, getattr(fn, "__name__", "adam_update")

    def __call__(self, params, grads, lr):
        state = self._state(params)
        self.t += 1
        self.fn(params, grads, state["m"], state["v"], self.t, lr, self.beta1, self.beta2, self.eps)


@dataclass(eq=False)
class OptimRun:
    """One explorer run: settings, the valley path, the digits History and a message (or None)."""
    optimizer: str
    lr_valley: float
    lr_digits: float
    beta1: float
    beta2: float
    schedule: str
    epochs: int
    path: np.ndarray | None = None
    history: History | None = None
    message: str | None = None
    yours: bool = False

    @property
    def label(self) -> str:
        who = "your " if self.yours else ""
        return f"{who}{self.optimizer}, lr {self.lr_valley:.3g} / {self.lr_digits:.3g}, {self.schedule}"


def _make(optimizer, beta1, beta2, momentum_fn, adam_fn):
    if optimizer == "momentum" and momentum_fn is not None:
        return _checked(_StudentMomentum(momentum_fn, beta1)), True
    if optimizer == "adam" and adam_fn is not None:
        return _checked(_StudentAdam(adam_fn, beta1, beta2)), True
    return {"sgd": SGD, "momentum": lambda: Momentum(beta1), "rmsprop": lambda: RMSProp(beta2),
            "adam": lambda: Adam(beta1, beta2)}[optimizer](), False


def run_optimizer(optimizer="adam", *, lr_valley=None, lr_digits=None, beta1=0.9, beta2=0.999,
                  schedule="constant", epochs=5, seed=0, momentum_fn=None, adam_fn=None) -> OptimRun:
    """Run ``optimizer`` on the valley (60 steps) and on the digits network (``epochs`` epochs).

    ``beta1``: momentum's beta and Adam's beta1; ``beta2``: RMSProp's beta and Adam's beta2.
    ``momentum_fn`` / ``adam_fn``: the student's ``momentum_update(params, grads, velocity, lr, beta)``
    and ``adam_update(params, grads, m, v, t, lr, beta1, beta2, eps)``, used for those optimisers.
    """
    fn = "run_optimizer"
    if optimizer not in OPTIMIZER_NAMES:
        raise ValueError(f"{fn}: optimizer must be one of {OPTIMIZER_NAMES}, got {optimizer!r}")
    if schedule not in SCHEDULE_NAMES:
        raise ValueError(f"{fn}: schedule must be one of {SCHEDULE_NAMES}, got {schedule!r}")
    for name, f in (("momentum_fn", momentum_fn), ("adam_fn", adam_fn)):
        if f is not None and not callable(f):
            raise TypeError(f"{fn}: {name} must be a function, got {type(f).__name__}")
    d_v, d_d = DEFAULTS[optimizer]
    lr_valley = check_lr(d_v if lr_valley is None else lr_valley, fn, "lr_valley")
    lr_digits = check_lr(d_d if lr_digits is None else lr_digits, fn, "lr_digits")
    beta1, beta2 = check_fraction(beta1, "beta1", fn), check_fraction(beta2, "beta2", fn)
    epochs = check_int(epochs, "epochs", fn, 1, 50)
    check_in_range(seed, "seed", fn, 0, 99, whole=True)
    run = OptimRun(optimizer, lr_valley, lr_digits, beta1, beta2, schedule, epochs)
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        for part in ("path", "history"):
            update, run.yours = _make(optimizer, beta1, beta2, momentum_fn, adam_fn)
            try:
                if part == "path":
                    run.path = descent_path(update, lr_valley, schedule=schedule)
                else:
                    run.history = digits_history(update, lr_digits, epochs, seed, schedule)
            except TrainingDiverged as exc:
                run.history = exc.history
                run.message = (f"the digits network diverged after {exc.step} updates: learning rate "
                               f"{lr_digits:.3g} is too large for {optimizer}")
            except Exception as exc:  # noqa: BLE001 -- the student's code may raise anything
                run.message = _student_error_message(exc, momentum_fn if optimizer == "momentum" else adam_fn)
                break
    if run.message is None and run.path is not None and _left_valley(run.path):
        run.message = (f"the path left the valley: learning rate {lr_valley:.3g} is too large for "
                       f"{optimizer} on this landscape")
    if run.message is None and caught:
        run.message = f"your code caused a warning: {caught[0].category.__name__}: {caught[0].message}"
    return run
