"""Gradient checking with centred finite differences.

``numerical_gradient(f, x)`` estimates ``df/dx`` for a scalar function of an
array by nudging one entry at a time: ``(f(x + h e_i) - f(x - h e_i)) / 2h``,
whose error shrinks like ``h^2`` (a one-sided difference only like ``h``).
``check_gradients(model, X, y)`` compares every parameter's analytic gradient
with that estimate and reports the worst entry of each.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validate import as_float_array

__all__ = ["numerical_gradient", "relative_error", "check_gradients", "GradCheckReport", "ParamCheck"]


def numerical_gradient(f, x, h=1e-5):
    """Centred-difference estimate of the gradient of scalar ``f`` at ``x``.

    ``f``: callable taking ``x`` (the array itself, perturbed in place) and returning a number.
    ``x``: float ndarray of any shape; it is restored exactly afterwards.
    Returns an array of ``x``'s shape: ``grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h)``.
    """
    if not callable(f):
        raise TypeError(f"numerical_gradient: f must be callable, got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or x.dtype not in (np.float32, np.float64):
        got = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(
            f"numerical_gradient: x must be a float32/float64 ndarray (it is nudged in place), got {got}"
        )
    if not h > 0:
        raise ValueError(f"numerical_gradient: h must be positive, got {h}")
    grad = np.zeros(x.shape, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        try:
            x[idx] = old + h
            fp = float(f(x))
            x[idx] = old - h
            fm = float(f(x))
        finally:
            x[idx] = old
        grad[idx] = (fp - fm) / (2 * h)
    return grad.astype(x.dtype, copy=False)


def relative_error(a, b, floor=1e-8):
    """Largest elementwise relative error ``|a - b| / max(|a| + |b|, floor)``.

    Around 1e-7 or below: the gradients agree (float64). Around 1e-2 or above: a bug.
    """
    a = as_float_array(a, "a", "relative_error")
    b = as_float_array(b, "b", "relative_error")
    if a.shape != b.shape:
        raise ValueError(f"relative_error: a has shape {a.shape} but b has shape {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(_rel(a, b, floor)))


def _rel(a, b, floor=1e-8):
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)


@dataclass
class ParamCheck:
    """Result for one parameter: the worst entry's index and both gradient values there."""
    name: str
    max_rel_error: float
    worst_index: tuple
    analytic: float
    numeric: float
    passed: bool


@dataclass
class GradCheckReport:
    """Per-parameter comparison of analytic and numerical gradients (in ``model.params`` order)."""
    checks: list = field(default_factory=list)
    tol: float = 1e-6

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def first_failure(self):
        """The failing :class:`ParamCheck` nearest the output (the last in ``.params`` order), or None.

        Backprop computes the last layer first and an error there spreads to every earlier layer,
        so the failure nearest the output is where to look first.
        """
        return next((c for c in reversed(self.checks) if not c.passed), None)

    def __getitem__(self, name):
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"GradCheckReport: no parameter {name!r}; checked {[c.name for c in self.checks]}")

    def __str__(self):
        lines = [f"{'param':<8}{'max rel. error':>16}  {'worst index':<14}{'analytic':>14}{'numeric':>14}  ok"]
        for c in self.checks:
            lines.append(
                f"{c.name:<8}{c.max_rel_error:>16.2e}  {str(c.worst_index):<14}"
                f"{c.analytic:>14.6g}{c.numeric:>14.6g}  {'yes' if c.passed else 'NO'}"
            )
        first = self.first_failure
        if first is None:
            lines.append(f"all gradients match (tolerance {self.tol:.0e})")
        else:
            lines.append(
                f"first failure: {first.name} at index {first.worst_index} "
                f"(analytic {first.analytic:.6g} vs numeric {first.numeric:.6g})"
            )
        return "\n".join(lines)

    __repr__ = __str__


def check_gradients(model, X, y, loss="softmax_cross_entropy", h=1e-5, tol=1e-6):
    """Compare ``model.loss_and_grads`` with :func:`numerical_gradient` for every parameter.

    ``model``: anything with ``.params`` (dict of float arrays) and ``.loss_and_grads(X, y, loss=...)``.
    Returns a :class:`GradCheckReport`; print it for a table. Use float64 and a small batch.
    """
    if not hasattr(model, "params") or not hasattr(model, "loss_and_grads"):
        raise TypeError("check_gradients: model must have .params and .loss_and_grads(X, y, loss=...)")
    _, grads = model.loss_and_grads(X, y, loss=loss)
    report = GradCheckReport(tol=tol)
    for name, p in model.params.items():
        if name not in grads:
            raise ValueError(f"check_gradients: loss_and_grads returned no gradient for {name!r}")
        num = numerical_gradient(lambda _: model.loss_and_grads(X, y, loss=loss)[0], p, h=h)
        ana = np.asarray(grads[name], dtype=np.float64)
        if ana.shape != p.shape:
            raise ValueError(f"check_gradients: gradient {name} has shape {ana.shape}, parameter has {p.shape}")
        err = _rel(ana, num)
        worst = np.unravel_index(int(np.argmax(err)), err.shape) if err.size else ()
        worst = tuple(int(i) for i in worst)
        mx = float(err[worst]) if err.size else 0.0
        report.checks.append(ParamCheck(name, mx, worst, float(ana[worst]), float(num[worst]), mx <= tol))
    return report
