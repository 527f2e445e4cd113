"""Optimisers beyond plain gradient descent, and learning-rate schedules.

**The optimiser interface** (stated once, used everywhere): an optimiser is a callable
``update(params, grads, lr)`` that changes every array ``params[k]`` **in place** using
``grads[k]`` (same keys and shapes) and the learning rate ``lr`` of this step, and returns
``params``. :func:`helpers.sgd_update` is the stateless one; :class:`SGD`, :class:`Momentum`,
:class:`RMSProp` and :class:`Adam` are objects that keep their state (velocities, running
averages, the step count) between calls, created as zeros like ``params`` on the first call;
``reset()`` forgets it. Pass one to ``helpers.train(..., optimizer=Adam())``.

The update rules (``g`` the gradient, ``t = 1, 2, ...`` the step count), as functions on state
dicts that the caller keeps (the form the lesson's exercises use):

- :func:`momentum_update` (heavy ball, as ``torch.optim.SGD(momentum=beta)``):
  ``v <- beta v + g;  p <- p - lr v``
- :func:`rmsprop_update`: ``s <- beta s + (1 - beta) g^2;  p <- p - lr g / (sqrt(s) + eps)``
- :func:`adam_update`: ``m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
  m_hat = m / (1 - b1^t);  v_hat = v / (1 - b2^t);  p <- p - lr m_hat / (sqrt(v_hat) + eps)``

**Schedules** are callables ``schedule(lr0, t) -> lr`` giving the learning rate of update
``t = 0, 1, 2, ...`` from the base rate ``lr0``: :func:`constant`, :func:`step_decay`,
:func:`cosine_decay`.
"""
from __future__ import annotations

import math

import numpy as np

from ._validate import check_fraction, check_int, check_lr, is_real

__all__ = ["sgd_update", "momentum_update", "rmsprop_update", "adam_update", "SGD", "Momentum", "RMSProp", "Adam",
           "OPTIMIZERS", "make_optimizer", "constant", "step_decay", "cosine_decay"]


def sgd_update(params, grads, lr):
    """Plain gradient descent step, in place: ``params[k] -= lr * grads[k]`` for every key."""
    if not isinstance(params, dict) or not isinstance(grads, dict):
        raise TypeError(f"sgd_update: params and grads must be dicts, got {type(params).__name__} "
                        f"and {type(grads).__name__}")
    if set(params) != set(grads):
        raise ValueError(f"sgd_update: grads must have the keys of params {sorted(params)}, got {sorted(grads)}")
    check_lr(lr, "sgd_update")
    for k, p in params.items():
        g = grads[k]
        if np.shape(g) != p.shape:
            raise ValueError(f"sgd_update: grads[{k!r}] has shape {np.shape(g)}, params[{k!r}] has {p.shape}")
        p -= lr * g
    return params


def _check(fn, params, grads, lr, **state):
    if not isinstance(params, dict) or not isinstance(grads, dict):
        raise TypeError(f"{fn}: params and grads must be dicts, got {type(params).__name__} "
                        f"and {type(grads).__name__}")
    check_lr(lr, fn)
    for sname, s in (("grads", grads),) + tuple(state.items()):
        if not isinstance(s, dict):
            raise TypeError(f"{fn}: {sname} must be a dict like params, got {type(s).__name__}")
        if set(s) != set(params):
            raise ValueError(f"{fn}: {sname} must have the keys of params {sorted(params)}, got {sorted(s)}")
        for k, p in params.items():
            if np.shape(s[k]) != p.shape:
                raise ValueError(f"{fn}: {sname}[{k!r}] has shape {np.shape(s[k])}, params[{k!r}] has {p.shape}")


def momentum_update(params, grads, velocity, lr, beta=0.9):
    """Heavy-ball momentum, in place: ``velocity[k] = beta * velocity[k] + grads[k]``, then
    ``params[k] -= lr * velocity[k]``. ``velocity``: dict like params (zeros before the first step)."""
    _check("momentum_update", params, grads, lr, velocity=velocity)
    check_fraction(beta, "beta", "momentum_update")
    for k, p in params.items():
        v = velocity[k]
        v *= beta
        v += grads[k]
        p -= lr * v
    return params


def rmsprop_update(params, grads, sq_avg, lr, beta=0.9, eps=1e-8):
    """RMSProp, in place: ``sq_avg[k] = beta sq_avg[k] + (1 - beta) g^2``;
    ``params[k] -= lr * g / (sqrt(sq_avg[k]) + eps)``."""
    _check("rmsprop_update", params, grads, lr, sq_avg=sq_avg)
    check_fraction(beta, "beta", "rmsprop_update")
    if not is_real(eps) or eps < 0:
        raise ValueError(f"rmsprop_update: eps must be a number >= 0, got {eps!r}")
    for k, p in params.items():
        g, s = grads[k], sq_avg[k]
        s *= beta
        s += (1 - beta) * g * g
        p -= lr * g / (np.sqrt(s) + eps)
    return params


def adam_update(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam with bias correction, in place; ``t`` is this step's number (1 for the first step).

    ``m``, ``v``: dicts like params (zeros before step 1) of the running means of ``g`` and ``g^2``.
    """
    _check("adam_update", params, grads, lr, m=m, v=v)
    check_int(t, "t", "adam_update", 1, message="the step number, an int >= 1")
    check_fraction(beta1, "beta1", "adam_update")
    check_fraction(beta2, "beta2", "adam_update")
    if not is_real(eps) or eps < 0:
        raise ValueError(f"adam_update: eps must be a number >= 0, got {eps!r}")
    c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
    for k, p in params.items():
        g, mk, vk = grads[k], m[k], v[k]
        mk *= beta1
        mk += (1 - beta1) * g
        vk *= beta2
        vk += (1 - beta2) * g * g
        p -= lr * (mk / c1) / (np.sqrt(vk / c2) + eps)
    return params


class _Stateful:
    """Shared bookkeeping: the state dicts, made as zeros like params on the first call."""
    names: tuple = ()

    def __init__(self):
        self.state, self.t = {}, 0

    def reset(self):
        self.state, self.t = {}, 0

    def _state(self, params, grads=None, lr=None):
        """The state dicts; on the first call (or new params) they are made and the arguments
        checked once, after that only the learning rate (the objects are the fast path)."""
        if not self.state or set(self.state[self.names[0]]) != set(params):
            if grads is not None:
                _check(type(self).__name__, params, grads, lr)
            self.state = {n: {k: np.zeros_like(p) for k, p in params.items()} for n in self.names}
            self._buf = {k: np.empty_like(p) for k, p in params.items()}
            self.t = 0
        elif lr is not None:
            check_lr(lr, type(self).__name__)
        return self.state

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k not in ("state", "t"))
        return f"{type(self).__name__}({args})"


class SGD(_Stateful):
    """Plain gradient descent as an object (no state): ``p -= lr * g``."""

    def __call__(self, params, grads, lr):
        return sgd_update(params, grads, lr)


class Momentum(_Stateful):
    """Heavy-ball momentum (:func:`momentum_update`) keeping its velocity between calls."""
    names = ("velocity",)

    def __init__(self, beta=0.9):
        super().__init__()
        self.beta = check_fraction(beta, "beta", "Momentum")

    def __call__(self, params, grads, lr):
        vel = self._state(params, grads, lr)["velocity"]
        self.t += 1
        for k, p in params.items():       # momentum_update, in place into a buffer
            v, buf = vel[k], self._buf[k]
            v *= self.beta
            v += grads[k]
            np.multiply(v, lr, out=buf)
            p -= buf
        return params


class RMSProp(_Stateful):
    """RMSProp (:func:`rmsprop_update`) keeping its running mean of squared gradients."""
    names = ("sq_avg",)

    def __init__(self, beta=0.9, eps=1e-8):
        super().__init__()
        self.beta, self.eps = check_fraction(beta, "beta", "RMSProp"), float(eps)

    def __call__(self, params, grads, lr):
        state = self._state(params, grads, lr)
        self.t += 1
        return rmsprop_update(params, grads, state["sq_avg"], lr, self.beta, self.eps)


class Adam(_Stateful):
    """Adam with bias correction (:func:`adam_update`), counting its own steps from 1."""
    names = ("m", "v")

    def __init__(self, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__()
        self.beta1 = check_fraction(beta1, "beta1", "Adam")
        self.beta2 = check_fraction(beta2, "beta2", "Adam")
        self.eps = float(eps)

    def __call__(self, params, grads, lr):
        state = self._state(params, grads, lr)
        self.t += 1
        b1, b2, t = self.beta1, self.beta2, self.t
        step, root_c2 = lr / (1 - b1 ** t), math.sqrt(1 - b2 ** t)
        for k, p in params.items():       # adam_update, in place: sqrt(v_hat) = sqrt(v) / sqrt(c2)
            g, mk, vk, buf = grads[k], state["m"][k], state["v"][k], self._buf[k]
            mk *= b1
            np.multiply(g, 1 - b1, out=buf)
            mk += buf
            vk *= b2
            np.multiply(g, g, out=buf)
            buf *= 1 - b2
            vk += buf
            np.sqrt(vk, out=buf)
            buf /= root_c2
            buf += self.eps
            np.divide(mk, buf, out=buf)
            buf *= step
            p -= buf
        return params


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "rmsprop": RMSProp, "adam": Adam}


def make_optimizer(name, **settings):
    """A fresh optimiser by name (``"sgd" | "momentum" | "rmsprop" | "adam"``) with its settings."""
    if name not in OPTIMIZERS:
        raise ValueError(f"make_optimizer: name must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name](**settings)


# -- learning-rate schedules: schedule(lr0, t) -> the learning rate of update t = 0, 1, ... --------
def constant():
    """The same learning rate for every update."""
    def schedule(lr0, t):
        return lr0
    schedule.__name__ = schedule.__qualname__ = "constant"
    return schedule


def step_decay(every, factor=0.5):
    """Multiply the rate by ``factor`` every ``every`` updates: ``lr0 * factor ** (t // every)``."""
    every = check_int(every, "every", "step_decay")
    if not is_real(factor) or not 0 < factor <= 1:
        raise ValueError(f"step_decay: factor must be a number in (0, 1], got {factor!r}")

    def schedule(lr0, t):
        return lr0 * factor ** (t // every)
    schedule.__name__ = schedule.__qualname__ = f"step_decay(every={every}, factor={factor:g})"
    return schedule


def cosine_decay(total, lr_min=0.0):
    """Half a cosine from ``lr0`` down to ``lr_min`` over ``total`` updates, then ``lr_min``:
    ``lr_min + (lr0 - lr_min) (1 + cos(pi t / total)) / 2``."""
    total = check_int(total, "total", "cosine_decay")
    if not is_real(lr_min) or lr_min < 0:
        raise ValueError(f"cosine_decay: lr_min must be a number >= 0, got {lr_min!r}")

    def schedule(lr0, t):
        frac = min(t, total) / total
        return lr_min + (lr0 - lr_min) * 0.5 * (1 + math.cos(math.pi * frac))
    schedule.__name__ = schedule.__qualname__ = f"cosine_decay(total={total})"
    return schedule
