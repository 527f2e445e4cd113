"""Tests for helpers.plotting: each function draws what it says on the axes it returns."""
import math
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.contour import ContourSet

from helpers.data import make_moons, make_regression_1d
from helpers.plotting import (PALETTE, plot_activation, plot_decision_boundary, plot_loss_curves,
                              plot_loss_landscape, plot_regression_fit)

pytestmark = pytest.mark.filterwarnings("error")


def _by_gid(ax, gid):
    return [line for line in ax.get_lines() if line.get_gid() == gid]


def _labelled(ax):
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def _render(ax):
    ax.figure.canvas.draw()                          # surfaces drawing-time warnings


# --------------------------------------------------------------------------- loss curves
def _history(updates=12, epochs=3, val=True):
    return SimpleNamespace(
        loss_per_update=list(np.linspace(2.0, 0.5, updates)),
        loss_per_epoch=list(np.linspace(1.5, 0.6, epochs)),
        val_loss_per_epoch=list(np.linspace(1.6, 0.7, epochs)) if val else [],
        val_acc_per_epoch=[], updates_per_epoch=updates // epochs)


def test_loss_curves_from_history_per_update():
    h = _history()
    ax = plot_loss_curves(h)
    assert isinstance(ax, Axes)
    (train,), (val,) = _by_gid(ax, "loss-train"), _by_gid(ax, "loss-val")
    np.testing.assert_array_equal(train.get_xdata(), np.arange(1, 13))
    np.testing.assert_allclose(train.get_ydata(), h.loss_per_update)
    np.testing.assert_array_equal(val.get_xdata(), [4, 8, 12])    # end of each epoch
    np.testing.assert_allclose(val.get_ydata(), h.val_loss_per_epoch)
    assert val.get_linestyle() == "--"
    assert ax.get_xlabel() == "update"
    _labelled(ax)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "val"]
    _render(ax)


def test_loss_curves_per_epoch_dict_history_and_given_axes():
    h = vars(_history())
    _, given = plt.subplots()
    ax = plot_loss_curves(h, x="epochs", ax=given)
    assert ax is given
    (train,), (val,) = _by_gid(ax, "loss-train"), _by_gid(ax, "loss-val")
    np.testing.assert_allclose(train.get_ydata(), h["loss_per_epoch"])
    np.testing.assert_array_equal(val.get_xdata(), [1, 2, 3])
    assert ax.get_xlabel() == "epoch"


def test_loss_curves_plain_sequences_runs_and_logy():
    ax = plot_loss_curves(train=[1.0, 0.5, 0.25], label="lr=0.1", logy=True)
    plot_loss_curves(train=[2.0, 1.0, 0.8, 0.7], val=[1.5, 0.9], label="lr=0.01", ax=ax)
    lines = _by_gid(ax, "loss-train")
    assert len(lines) == 2 and len(ax.get_lines()) == 3
    assert lines[0].get_color() != lines[1].get_color()
    assert lines[0].get_color() == PALETTE[0]
    np.testing.assert_array_equal(_by_gid(ax, "loss-val")[0].get_xdata(), [2, 4])
    assert ax.get_yscale() == "log"
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["lr=0.1", "lr=0.01 train", "lr=0.01 val"]


def test_loss_curves_style_and_divergence_do_not_warn():
    ax = plot_loss_curves(train=[1.0, 3.0, 1e10, math.inf, math.nan], color="red",
                          linewidth=3)
    (line,) = ax.get_lines()
    assert line.get_color() == "red" and line.get_linewidth() == 3
    assert ax.get_legend() is None                   # one unnamed curve: no legend needed
    _render(ax)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({}, ValueError, "plot_loss_curves: pass history or train=, got neither"),
    ({"history": _history(), "train": [1.0]}, ValueError, "not both"),
    ({"train": [1.0], "x": "steps"}, ValueError, "x must be 'updates' or 'epochs', got 'steps'"),
    ({"train": [1.0, 0.0], "logy": True}, ValueError, "logy=True needs positive losses"),
    ({"train": [[1.0]]}, ValueError, "train must be a 1-D sequence"),
    ({"history": object()}, TypeError, "history must have attribute 'loss_per_update'"),
])
def test_loss_curves_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        plot_loss_curves(**kwargs)


# --------------------------------------------------------------------------- decision boundary
def test_decision_boundary_draws_regions_and_points():
    X, y = make_moons(60)
    calls = []

    def predict(G):
        calls.append(G.shape)
        return (G[:, 1] < 0.25).astype(int)

    ax = plot_decision_boundary(predict, X, y, resolution=50, padding=0.5)
    assert calls == [(2500, 2)]
    contours = [c for c in ax.collections if isinstance(c, ContourSet)]
    assert len(contours) == 1
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 2
    for c, sc in enumerate(scatters):
        np.testing.assert_allclose(sc.get_offsets(), X[y == c])
    assert ax.get_xlim() == pytest.approx((X[:, 0].min() - 0.5, X[:, 0].max() + 0.5))
    _labelled(ax)
    _render(ax)


def test_decision_boundary_accepts_model_and_constant_prediction():
    class Model:
        def predict(self, G):
            return np.zeros(len(G), dtype=np.int64)

    X, y = make_moons(20)
    _, given = plt.subplots()
    ax = plot_decision_boundary(Model(), X, y, ax=given, resolution=10)
    assert ax is given
    _render(ax)
    ax = plot_decision_boundary(lambda G: G[:, 0] > 0.5, X, y, resolution=10)  # bools work
    assert len([c for c in ax.collections if isinstance(c, ContourSet)]) == 1


def test_decision_boundary_errors():
    X, y = make_moons(20)
    with pytest.raises(ValueError, match=r"predict must return \(100,\) class labels .* "
                                         r"got shape \(100, 2\)"):
        plot_decision_boundary(lambda G: np.zeros((len(G), 2)), X, y, resolution=10)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\), got \(20, 3\)"):
        plot_decision_boundary(lambda G: G[:, 0] > 0, np.zeros((20, 3)), y)
    with pytest.raises(TypeError, match="predict must be a callable"):
        plot_decision_boundary(3, X, y)
    with pytest.raises(TypeError, match="y must hold integer labels"):
        plot_decision_boundary(lambda G: G[:, 0] > 0, X, y.astype(float))


# --------------------------------------------------------------------------- regression fit
def test_regression_fit_draws_data_and_model():
    x, y = make_regression_1d(30)
    ax = plot_regression_fit(x, y, lambda g: 2 * g - 1)
    (scatter,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    np.testing.assert_allclose(scatter.get_offsets(), np.column_stack([x, y]))
    (fit,) = _by_gid(ax, "fit")
    xs = fit.get_xdata()
    assert np.all(np.diff(xs) > 0) and xs[0] == x.min() and xs[-1] == x.max()
    np.testing.assert_allclose(fit.get_ydata(), 2 * xs - 1)
    _labelled(ax)

    class Model:                    # like helpers.network.MLP: predict gives class labels
        def forward(self, g):
            return 2 * g - 1

        def predict(self, g):
            return (self.forward(g)[:, 0] > 0).astype(int)

    ax = plot_regression_fit(x[:, 0], y[:, 0], Model())
    np.testing.assert_allclose(_by_gid(ax, "fit")[0].get_ydata(), 2 * xs - 1)
    with pytest.raises(ValueError, match="predict must return 200 values"):
        plot_regression_fit(x, y, lambda g: g[:10])


# --------------------------------------------------------------------------- loss landscape
x_data, y_data = make_regression_1d(40, seed=1)


def mse_vectorised(w, b):
    w, b = np.asarray(w)[..., None], np.asarray(b)[..., None]
    return np.mean((w * x_data[:, 0] + b - y_data[:, 0]) ** 2, axis=-1)


def mse_scalar_only(w, b):
    return sum((float(w) * xi + float(b) - yi) ** 2 for xi, yi in zip(x_data[:, 0],
                                                                      y_data[:, 0])) / 40


def mse_naive(w, b):   # accepts arrays but returns one number for a whole grid: wrong
    return np.mean((w * x_data - y_data + b) ** 2)


def test_loss_landscape_contours_and_path():
    path = np.array([[0.0, 0.0], [1.0, -0.5], [1.8, -0.9], [2.0, -1.0]])
    ax = plot_loss_landscape(mse_vectorised, (-1, 5), (-4, 2), path=path, resolution=40)
    contours = [c for c in ax.collections if isinstance(c, ContourSet)]
    assert len(contours) == 2 and len(contours[0].levels) > 10
    (line,) = _by_gid(ax, "path")
    np.testing.assert_array_equal(line.get_xydata(), path)
    assert line.get_marker() == "o"
    np.testing.assert_array_equal(_by_gid(ax, "start")[0].get_xydata(), path[:1])
    np.testing.assert_array_equal(_by_gid(ax, "end")[0].get_xydata(), path[-1:])
    assert ax.get_xlim() == (-1, 5) and ax.get_ylim() == (-4, 2)
    assert len(ax.figure.axes) == 2                  # the colour bar
    _labelled(ax)
    _render(ax)


@pytest.mark.parametrize("loss_fn", [mse_scalar_only, mse_naive])
def test_loss_landscape_falls_back_to_scalar_calls(loss_fn):
    reference = plot_loss_landscape(mse_vectorised, (-1, 5), (-4, 2), resolution=15,
                                    colorbar=False)
    ax = plot_loss_landscape(loss_fn, (-1, 5), (-4, 2), resolution=15, colorbar=False)
    np.testing.assert_allclose(ax.collections[0].levels, reference.collections[0].levels)
    assert len(ax.figure.axes) == 1 and not _by_gid(ax, "path")


def test_loss_landscape_checks_array_results_against_scalar_calls():
    def inconsistent(w, b):     # right shape for a grid, but np.var(w) is 0 for a scalar
        return mse_vectorised(w, b) + np.var(w)

    reference = plot_loss_landscape(mse_vectorised, (-1, 5), (-4, 2), resolution=15)
    ax = plot_loss_landscape(inconsistent, (-1, 5), (-4, 2), resolution=15)
    np.testing.assert_allclose(ax.collections[0].levels, reference.collections[0].levels)


def test_loss_landscape_calls_a_vectorised_loss_only_a_few_times():
    calls = []

    def loss(w, b):
        calls.append(np.shape(w))
        return mse_vectorised(w, b)

    _, given = plt.subplots()
    assert plot_loss_landscape(loss, (0, 1), (0, 1), ax=given, resolution=30) is given
    assert calls[0] == (30, 30) and len(calls) <= 4


def test_loss_landscape_errors():
    with pytest.raises(ValueError, match=r"w_range must be \(low, high\) with low < high"):
        plot_loss_landscape(mse_vectorised, (1, 1), (0, 1))
    with pytest.raises(ValueError, match=r"path must have shape \(K, 2\)"):
        plot_loss_landscape(mse_vectorised, (0, 1), (0, 1), path=[1, 2, 3])
    with pytest.raises(TypeError, match="loss_fn must be callable"):
        plot_loss_landscape(None, (0, 1), (0, 1))


# --------------------------------------------------------------------------- activation
def test_activation_and_derivative():
    ax = plot_activation(np.tanh, lambda z: 1 - np.tanh(z) ** 2, z_range=(-3, 3))
    (act,), (der,) = _by_gid(ax, "activation"), _by_gid(ax, "derivative")
    z = act.get_xdata()
    assert z[0] == -3 and z[-1] == 3
    np.testing.assert_allclose(act.get_ydata(), np.tanh(z))
    np.testing.assert_allclose(der.get_ydata(), 1 - np.tanh(z) ** 2)
    assert ax.get_title() == "tanh and its derivative"
    _labelled(ax)
    _render(ax)


def test_activation_without_derivative_and_errors():
    _, given = plt.subplots()
    ax = plot_activation(lambda z: np.maximum(z, 0), None, ax=given, name="ReLU")
    assert ax is given and ax.get_title() == "ReLU" and not _by_gid(ax, "derivative")
    with pytest.raises(ValueError, match=r"derivative function must map \(400,\) to \(400,\)"):
        plot_activation(np.tanh, lambda z: 1.0)
    with pytest.raises(TypeError, match="plot_activation: grad_fn must be callable"):
        plot_activation(np.tanh, 3)
    with pytest.raises(ValueError, match="z_range must be"):
        plot_activation(np.tanh, None, z_range=(1, -1))


# --------------------------------------------------------------------------- module hygiene
def test_import_has_no_side_effects():
    code = ("import matplotlib; import matplotlib.pyplot as plt; "
            "before = dict(matplotlib.rcParams); import helpers.plotting; "
            "after = dict(matplotlib.rcParams); "
            "assert before == after, {k for k in before if before[k] != after[k]}; "
            "assert not plt.get_fignums()")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True, cwd=root, env=env)
