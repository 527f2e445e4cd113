"""Checks that the lessons' test cells use to give students specific, kind feedback.

Interface: every ``check_*`` returns ``None`` when the answer is right and raises
:class:`CheckFailed` (an ``AssertionError``) with a message that says what is
wrong and how to look for it: a missing ``return``, a wrong or transposed shape,
a constant factor (a missing ``1/N``), a wrong sign, NaN/overflow, probabilities
that do not sum to 1, a gradient that disagrees with the numerical one -- and
only then the first entry that differs. ``call(fn, *args)`` runs a student's
function so that warnings and exceptions become such messages instead of
reaching stderr (a test cell that writes to stderr scores 0 under nbgrader).

Each failure carries a stable diagnosis ``code`` (see :mod:`helpers.feedback.diagnose`) and
``check``, the name of the visible check that failed. ``mistakes={code: value}``
lets a test cell name wrong answers it recognises by value (e.g. ``np.var``
instead of the mean squared error).
"""
from __future__ import annotations

import warnings

import numpy as np

from .diagnose import MESSAGES, explain_exception, explain_factor, explain_warning
from ..gradcheck import _rel, numerical_gradient

__all__ = ["CheckFailed", "call", "check_array", "check_scalar", "check_probabilities",
           "check_gradient", "check_dtype", "passed"]


class CheckFailed(AssertionError):
    """A check found a mistake; ``str()`` is the message for the student.

    ``code``: stable diagnosis code (default ``"mismatch"``); ``check``: which visible check failed;
    ``error``: the exception raised inside the student's function, if that is what failed.
    """

    def __init__(self, message="", *, code="mismatch", check=None, error=None):
        super().__init__(message)
        if check is None:   # a test cell's own "label: message" names its check first
            head = str(message).split(": ", 1)[0]
            check = head if head != str(message) and len(head) <= 80 and "\n" not in head else None
        self.code, self.check, self.error = code, check, error


def _fail(name, msg, code="mismatch", error=None, sep=": "):
    # ``from None``: the student sees our message, not the internal exception it was raised during
    raise CheckFailed(f"{name}{sep}{msg}", code=code, check=name, error=error) from None


def _snapshot(value, where, depth=0):
    """[(where, array, copy)] for every array in ``value``, also inside lists, tuples and dicts."""
    if isinstance(value, np.ndarray):
        return [(where, value, value.copy())]
    if depth >= 4:
        return []
    if isinstance(value, dict):
        items = ((f"{where}[{k!r}]", v) for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        items = ((f"{where}[{i}]", v) for i, v in enumerate(value))
    else:
        return []
    return [snap for w, v in items for snap in _snapshot(v, w, depth + 1)]


def call(fn, *args, name=None, allow_mutation=False, mutable=(), **kwargs):
    """Run ``fn(*args, **kwargs)`` and return its result, turning trouble into :class:`CheckFailed`.

    Warnings (e.g. overflow in ``exp``) and exceptions are reported with a hint naming the input;
    with ``allow_mutation=False`` an array argument changed in place is reported too -- also an array
    inside a list, tuple or dict argument (a ``caches`` list, a ``params`` dict). ``mutable``: the
    positions of the arguments the function is meant to change (e.g. ``(0,)`` for params updated in place).
    """
    name = name or getattr(fn, "__name__", "your function")
    before = None if allow_mutation else [
        snap for i, a in enumerate(args) if i not in mutable
        for snap in _snapshot(a, f"input #{i + 1}" if isinstance(a, np.ndarray) else f"argument #{i + 1}")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = fn(*args, **kwargs)
        except NotImplementedError:
            _fail(name, "not written yet -- replace `raise NotImplementedError()` with your code.", "not_written")
        except CheckFailed:
            raise
        except Exception as e:  # noqa: BLE001 -- every student error becomes feedback
            if caught:  # a warning came first (e.g. an overflow, then NaN downstream): that is the cause
                code, msg = explain_warning(caught[0].category.__name__, str(caught[0].message), args)
                _fail(name, f"{msg} (It then raised {type(e).__name__}: {e})", code, error=e)
            code, msg = explain_exception(e, args)
            _fail(name, msg, code, error=e, sep=" ")
    if caught:
        w = caught[0]
        code, msg = explain_warning(w.category.__name__, str(w.message), args)
        _fail(name, msg, code)
    for where, a, b in before or ():
        if a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
            what = f"its {where.replace('input #', 'input array #')}" if where.startswith("input #") \
                else f"the array {where}"
            _fail(name, f"your function changed {what} in place; compute a new array instead "
                        "(e.g. avoid `x -= ...` or `x *= ...` on an argument or on an array inside one).", "in_place")
    return out


def _as_numeric(got, name, what="an array"):
    if got is None:
        _fail(name, "returned None -- did you forget the `return` statement?", "no_return")
    if isinstance(got, tuple):
        _fail(name, f"returned a tuple of {len(got)} items, but {what} was expected.", "tuple")
    if np.iscomplexobj(got):  # casting would emit a ComplexWarning on stderr
        _fail(name, f"returned complex numbers, but {what} of real numbers was expected.", "complex")
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        _fail(name, f"returned {type(got).__name__}, but {what} of numbers was expected.", "not_numeric")
    return arr


def _known_mistake(got, mistakes, name, rtol, atol):
    for code, wrong in (mistakes or {}).items():
        wrong = np.asarray(wrong, dtype=np.float64)
        if wrong.shape == got.shape and np.allclose(got, wrong, rtol=rtol, atol=atol):
            _fail(name, MESSAGES[code], code)


def _factor(got, expected, name, rtol, atol, batch_size, sizes):
    denom = float(np.vdot(expected, expected))
    if denom > 0:
        c = float(np.vdot(got, expected)) / denom
        if not np.isclose(c, 1) and np.allclose(got, c * expected, rtol=rtol * 10, atol=atol * 10):
            code, msg = explain_factor(c, batch_size, sizes)
            _fail(name, msg, code)


def _shape_mismatch(got, expected, name, rtol, atol):
    if got.ndim == 2 and got.shape == expected.T.shape and np.allclose(got.T, expected, rtol, atol):
        _fail(name, f"your result has shape {got.shape} but should be {expected.shape}: it is the "
                    "transpose of the right answer. Check the order of a matrix product (X @ W.T "
                    "vs W @ X.T) or a missing .T.", "transpose")
    if got.size == expected.size and np.allclose(got.reshape(expected.shape), expected, rtol, atol):
        _fail(name, f"the numbers are right but the shape is {got.shape} instead of {expected.shape}; "
                    "keep the axes as in the docstring (e.g. (N,) vs (N, 1), keepdims).", "shape")
    _fail(name, f"expected an array of shape {expected.shape}, got shape {got.shape}.", "wrong_shape")


def check_array(got, expected, name="your result", *, rtol=1e-5, atol=1e-8, batch_size=None,
                sizes=None, mistakes=None):
    """Compare an array answer with the expected one; explain the first mistake found.

    ``batch_size``: N, to recognise a missing (or extra) ``1/N``; ``sizes``: other named sizes
    ({"D": ..., "C": ...}); ``mistakes``: {diagnosis code: the value that mistake gives}.
    """
    expected = np.asarray(expected, dtype=np.float64)
    got = _as_numeric(got, name)
    if got.shape != expected.shape:
        _known_mistake(got, mistakes, name, rtol, atol)
        _shape_mismatch(got, expected, name, rtol, atol)
    bad = ~np.isfinite(got) & np.isfinite(expected)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        _fail(name, f"contains {got[idx]} at index {idx} where {expected[idx]:.6g} was expected -- "
                    "usually an overflow in np.exp or a log(0): use the numerically stable formula.", "not_finite")
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return
    _known_mistake(got, mistakes, name, rtol, atol)
    if got.ndim == 2 and got.shape[0] == got.shape[1] and np.allclose(got.T, expected, rtol, atol):
        _fail(name, "your result is the transpose of the right answer. Check the order of a matrix "
                    "product (X @ W.T vs W @ X.T) or a missing/extra .T.", "transpose")
    _factor(got, expected, name, rtol, atol, batch_size, sizes)
    diff = got - expected
    if expected.size > 1 and np.allclose(diff, diff.flat[0], rtol=0, atol=max(atol, 1e-6)):
        _fail(name, f"every value is off by the same constant {diff.flat[0]:.4g}: check the bias term "
                    "or a constant you add or subtract.", "offset")
    err = np.abs(diff) - (atol + rtol * np.abs(expected))
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape)) if err.ndim else ()
    n_bad = int((err > 0).sum())
    _fail(name, f"values differ at {n_bad} of {expected.size} entries; the largest difference is at index "
                f"{idx}: expected {expected[idx]:.6g}, got {got[idx]:.6g}.")


def check_scalar(got, expected, name="your result", *, rtol=1e-6, atol=1e-9, batch_size=None,
                 sizes=None, mistakes=None, nonnegative=False, capped=False):
    """Compare a single-number answer (e.g. a loss) with the expected value.

    ``nonnegative``: the value can never be negative (a cross-entropy); ``capped``: the input has
    confident mistakes, so a value below the expected one means the loss was capped.
    """
    arr = _as_numeric(got, name, "a single number")
    if arr.size != 1:
        _fail(name, f"returned an array of shape {arr.shape}, but a single number was expected -- "
                    "did you forget to average (np.mean) over the batch?", "not_scalar")
    value, expected = float(arr.reshape(())), float(expected)
    if not np.isfinite(value):
        _fail(name, f"returned {value} where {expected:.6g} was expected -- an overflow or log(0)? "
                    "Use the numerically stable formula.", "not_finite")
    if np.isclose(value, expected, rtol=rtol, atol=atol):
        return
    _known_mistake(np.asarray(value), mistakes, name, rtol, atol)
    prefix = f"expected {expected:.6g}, got {value:.6g}: "
    if nonnegative and value < 0 and not np.isclose(value, -expected, rtol=1e-4):
        _fail(name, prefix + "a cross-entropy is never negative (-log p >= 0 for p <= 1): check the "
                             "minus sign and that you take the log of probabilities.", "negative_loss")
    if expected != 0 and abs(value) > atol:
        found = explain_factor(value / expected, batch_size, sizes)
        if found and found[0] != "factor":
            _fail(name, prefix + found[1], found[0])
    if capped and value < expected:
        _fail(name, prefix + MESSAGES["clip_capped"], "clip_capped")
    _fail(name, prefix.rstrip(": ") + ".")


def check_probabilities(p, name="your probabilities", *, atol=1e-6):
    """Every row of ``p`` (N, C) must be finite, in [0, 1] and sum to 1."""
    p = _as_numeric(p, name)
    if p.ndim == 0:
        _fail(name, "returned a single number, but one probability per class was expected.", "not_per_class")
    if not np.isfinite(p).all():
        _fail(name, "contains NaN or inf -- np.exp overflowed. Subtract each row's maximum before "
                    "exponentiating (softmax does not change when you shift a row).", "not_finite")
    if p.min() < -atol or p.max() > 1 + atol:
        _fail(name, f"values must lie in [0, 1], got values in [{p.min():.3g}, {p.max():.3g}].", "not_probability")
    sums = p.sum(axis=-1)
    if not np.allclose(sums, 1, atol=atol):
        i = int(np.argmax(np.abs(sums - 1)))
        _fail(name, f"each row should sum to 1, but row {i} sums to {sums.reshape(-1)[i]:.6g} -- did you "
                    "normalise over the right axis (axis=-1, keepdims=True)?", "wrong_axis")


def check_gradient(analytic, f, x, name="your gradient", *, tol=1e-6, h=1e-5):
    """Compare an analytic gradient with the centred-difference gradient of ``f`` at ``x``.

    ``f``: scalar function of the array ``x`` (see ``numerical_gradient``).
    """
    num = numerical_gradient(f, x, h=h)
    analytic = _as_numeric(analytic, name)
    if analytic.shape != num.shape:
        check_array(analytic, num, name)
    if not np.isfinite(analytic).all():  # NaN would compare False with the tolerance and pass
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(analytic))[0])
        _fail(name, f"contains {analytic[idx]} at index {idx} -- usually an overflow in np.exp or a "
                    "log(0): use the numerically stable formula.", "not_finite")
    err = _rel(analytic, num)
    if err.size and err.max() > tol:
        idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape))
        _fail(name, f"fails the numerical gradient check: the worst entry is index {idx}, where your "
                    f"gradient is {analytic[idx]:.6g} but the finite-difference estimate is {num[idx]:.6g} "
                    f"(relative error {err[idx]:.1e}, tolerance {tol:.0e}).", "gradient_check")


def check_dtype(got, dtype, name="your result"):
    """The answer must keep the input's dtype (e.g. float32 in, float32 out)."""
    got_dtype = np.asarray(got).dtype
    if got_dtype != np.dtype(dtype):
        _fail(name, f"for {np.dtype(dtype)} input the result should stay {np.dtype(dtype)}, got {got_dtype} "
                    "(avoid creating float64 constants/arrays on the way, e.g. np.asarray(z, dtype=float) "
                    "or np.zeros(shape) without dtype=).", "dtype")


def passed(name):
    """Print the success line of a visible test cell: what a ✔ means."""
    print(f"\u2714 {name}: every visible check passed \u2014 grading repeats them on new inputs")
