"""Shared fixtures for the tests of the core of ``helpers``.

(No ``__init__.py`` in this folder on purpose: under pytest's default import mode a package
``tests/helpers`` would shadow the real ``helpers`` package on ``sys.path``.)
"""
import warnings
from contextlib import contextmanager

import numpy as np
import pytest

from helpers import numerical_gradient, relative_error

#: the issue's bar for analytic vs finite-difference gradients in float64
GRAD_TOL = 1e-7


def _assert_grad_close(analytic, f, x, what, tol=GRAD_TOL):
    """``analytic`` must match ``numerical_gradient(f, x)`` to relative error < ``tol``.

    The centred difference carries a rounding error of about ``eps * |f(x)| / h`` (~1e-11 for
    a loss of order 1 and h = 1e-5), so it cannot confirm an entry much smaller than
    ``eps * |f| / (h * tol)`` to a relative 1e-7. ``relative_error``'s ``floor`` is set to that
    noise level: an entry below it is held to ``tol * floor`` in absolute terms instead (a real
    bug, e.g. a wrong factor, still gives errors of 1e-3 or more).
    """
    analytic = np.asarray(analytic)
    h = 1e-5
    fx = abs(float(f(x)))
    floor = max(1e-8, 4 * np.finfo(np.float64).eps * fx / (h * tol))
    num = numerical_gradient(f, x, h=h)
    assert analytic.shape == x.shape, f"{what}: gradient shape {analytic.shape} != input shape {x.shape}"
    err = relative_error(analytic, num, floor=floor)
    if not err < tol:
        rel = np.abs(analytic - num) / np.maximum(np.abs(analytic) + np.abs(num), floor)
        idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(rel)), rel.shape))
        pytest.fail(f"{what}: relative error {err:.2e} >= {tol:.0e} (floor {floor:.1e}); worst at index {idx}: "
                    f"analytic {float(analytic[idx])!r} vs numerical {float(num[idx])!r}")
    return err


@pytest.fixture
def assert_grad_close():
    """``assert_grad_close(analytic, f, x, what)``: gradient check against ``numerical_gradient``."""
    return _assert_grad_close


@contextmanager
def _strict():
    """Every floating-point event raises, and every warning is an error."""
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture
def strict():
    """Context manager: ``np.errstate(all="raise")`` plus warnings as errors."""
    return _strict


@pytest.fixture(autouse=True)
def _close_figures():
    """No test leaves matplotlib figures open (they pile up and warn after 20)."""
    yield
    import matplotlib.pyplot as plt
    plt.close("all")
