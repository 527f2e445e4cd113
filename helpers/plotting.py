"""Plots for the workbook (matplotlib). Each ``plot_*`` draws on ``ax`` (a new
figure and axes when ``ax`` is None) and returns the axes it drew on.

Loss curves, a 2-D decision boundary, a 1-D regression fit, a two-parameter loss
landscape with a descent path, and an activation with its derivative.

``predict`` is a callable mapping an (M, D) array to M predictions, or any
object with a ``.predict`` method. Colours come from ``PALETTE`` (Okabe-Ito,
colourblind-safe); nothing here changes rcParams or global state. Pictures of a
network and of a classifier's results are in ``helpers.diagrams``.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from ._validate import check_int

__all__ = [
    "PALETTE", "plot_loss_curves", "plot_decision_boundary", "plot_regression_fit",
    "plot_loss_landscape", "plot_activation",
]

# Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green,
# vermillion, reddish purple, sky blue, yellow, black.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
           "#F0E442", "#000000")
_MARKERS = ("o", "s", "^", "D", "v")


def _axes(ax):
    return plt.subplots()[1] if ax is None else ax


def _as_predict(func, predict, method="predict"):
    if hasattr(predict, method):
        return getattr(predict, method)
    if hasattr(predict, "predict"):
        return predict.predict
    if callable(predict):
        return predict
    raise TypeError(f"{func}: predict must be a callable or have a .predict method, "
                    f"got {type(predict).__name__}")


def _int_labels(func, name, y, n=None):
    y = np.asarray(y)
    y = y.astype(np.int64) if y.dtype == bool else y
    if y.ndim != 1 or (n is not None and len(y) != n):
        want = "(N,)" if n is None else f"({n},)"
        raise ValueError(f"{func}: {name} must have shape {want}, got {y.shape}")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{func}: {name} must hold integer labels, got dtype {y.dtype}")
    if y.size and y.min() < 0:
        raise ValueError(f"{func}: {name} must be non-negative, got min {y.min()}")
    return y.astype(np.int64)


def _range(func, name, r):
    r = np.asarray(r, dtype=float)
    if r.shape != (2,) or not np.all(np.isfinite(r)) or r[0] >= r[1]:
        raise ValueError(f"{func}: {name} must be (low, high) with low < high, got {r}")
    return r


# --------------------------------------------------------------------------- training
def _series(func, name, values):
    v = np.asarray(values, dtype=float)
    if v.ndim != 1:
        raise ValueError(f"{func}: {name} must be a 1-D sequence of losses, got shape {v.shape}")
    return v


def _loss_series(history, train, val, key, x):
    """``(train, val, updates_per_epoch)`` from ``history`` or from ``train=``/``val=`` (checked)."""
    func = "plot_loss_curves"
    if history is not None and (train is not None or val is not None):
        raise ValueError(f"{func}: pass either history or train=/val=, not both")
    per_epoch = None
    if history is not None:
        def get(k):
            return history.get(k) if isinstance(history, dict) else getattr(history, k, None)
        if get(key) is None:
            raise TypeError(f"{func}: history must have attribute {key!r} for x={x!r}, "
                            f"got {type(history).__name__}")
        train, val, per_epoch = get(key), get("val_loss_per_epoch"), get("updates_per_epoch")
    if train is None:
        raise ValueError(f"{func}: pass history or train=, got neither")
    return train, val, per_epoch


def plot_loss_curves(history=None, *, train=None, val=None, x="updates", ax=None,
                     label=None, logy=False, **style):
    """Plot a training loss curve and, if present, the validation loss.

    Pass either ``history`` (an object or dict with ``loss_per_update``, ``loss_per_epoch`` and
    optionally ``val_loss_per_epoch``) or plain sequences ``train=`` (and optionally ``val=``).
    With ``x="updates"`` the per-update loss is drawn and the validation losses sit at the end of
    each epoch (``history.updates_per_epoch`` if it has one, else ``len(val)`` equal chunks of the
    train curve); with ``x="epochs"`` the per-epoch losses. ``label`` names the run in the legend
    (to compare runs on one axes; each run gets the next palette colour); ``style`` goes to
    ``ax.plot`` (validation is drawn dashed with markers). ``logy=True`` uses a log y axis
    (losses must then be positive).
    """
    func = "plot_loss_curves"
    if x not in ("updates", "epochs"):
        raise ValueError(f"{func}: x must be 'updates' or 'epochs', got {x!r}")
    key = "loss_per_update" if x == "updates" else "loss_per_epoch"
    train, val, per_epoch = _loss_series(history, train, val, key, x)
    tr = _series(func, "train" if history is None else f"history.{key}", train)
    va = _series(func, "val", [] if val is None else val)
    both = np.concatenate([tr, va])
    if logy and np.any(both <= 0):
        raise ValueError(f"{func}: logy=True needs positive losses, got min {np.nanmin(both)}")
    ax = _axes(ax)
    if "color" not in style and "c" not in style:
        runs = sum(line.get_gid() == "loss-train" for line in ax.get_lines())
        style["color"] = PALETTE[runs % len(PALETTE)]
    names = ((label, None) if not len(va) else
             (f"{label} train", f"{label} val") if label else ("train", "val"))
    ax.plot(np.arange(1, len(tr) + 1), tr, label=names[0], gid="loss-train", **style)
    if len(va):
        if x == "epochs":
            per_epoch = 1
        elif not per_epoch:  # spread the validation points evenly over the train curve
            per_epoch = len(tr) / len(va)
        vx = np.arange(1, len(va) + 1) * per_epoch
        plain = {k: v for k, v in style.items() if k not in ("ls", "linestyle", "marker")}
        ax.plot(vx, va, label=names[1], gid="loss-val", linestyle="--",
                marker=style.get("marker", "o"), **plain)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("update" if x == "updates" else "epoch")
    ax.set_ylabel("loss")
    ax.set_title("Loss curves")
    if any(line.get_label() and not line.get_label().startswith("_")
           for line in ax.get_lines()):
        ax.legend()
    return ax


# --------------------------------------------------------------------------- models
def plot_decision_boundary(predict, X, y, ax=None, resolution=200, padding=0.5, *,
                           title="Decision boundary"):
    """Colour the plane by ``predict``'s class and scatter ``X`` (N, 2) by ``y`` (N,).

    ``predict`` maps an (M, 2) array to (M,) integer (or bool) class labels, or
    is a model with ``.predict``; wrap a function returning scores, e.g.
    ``lambda G: scores(G).argmax(axis=1)``.
    """
    func = "plot_decision_boundary"
    predict = _as_predict(func, predict)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"{func}: X must have shape (N, 2), got {X.shape}")
    y = _int_labels(func, "y", y, len(X))
    resolution = check_int(resolution, "resolution", func, 2)
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    z = np.asarray(predict(grid))
    if z.size != len(grid) or (z.ndim == 2 and z.shape[1] != 1):
        raise ValueError(f"{func}: predict must return ({len(grid)},) class labels for an "
                         f"({len(grid)}, 2) input, got shape {z.shape}")
    z = _int_labels(func, "predict(grid)", z.ravel())
    k = int(max(z.max(), y.max() if y.size else 0)) + 1
    colors = [PALETTE[c % len(PALETTE)] for c in range(k)]
    ax = _axes(ax)
    ax.contourf(xx, yy, z.reshape(xx.shape), levels=np.arange(k + 1) - 0.5,
                cmap=ListedColormap(colors), alpha=0.3)
    for c in np.unique(y):
        m = y == c
        ax.scatter(X[m, 0], X[m, 1], s=18, color=colors[c], marker=_MARKERS[c % len(_MARKERS)],
                   edgecolors="black", linewidths=0.5, label=f"class {c}")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_regression_fit(x, y, predict, ax=None, *, title="Regression fit"):
    """Scatter the data ``(x, y)``, each (N,) or (N, 1), and draw ``predict``
    (mapping (M, 1) -> (M,) or (M, 1)) on 200 sorted points spanning ``x``.
    A model's ``.forward`` (raw outputs) is used if it has one, else ``.predict``."""
    func = "plot_regression_fit"
    predict = _as_predict(func, predict, method="forward")
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.size == 0 or x.size != len(x) or y.size != len(y) or len(x) != len(y):
        raise ValueError(f"{func}: x and y must be (N,) or (N, 1) with the same N >= 1, "
                         f"got x.shape={x.shape}, y.shape={y.shape}")
    grid = np.linspace(x.min(), x.max(), 200).reshape(-1, 1)
    fit = np.asarray(predict(grid), dtype=float)
    if fit.size != len(grid):
        raise ValueError(f"{func}: predict must return 200 values for a (200, 1) input, "
                         f"got shape {fit.shape}")
    ax = _axes(ax)
    ax.scatter(x.ravel(), y.ravel(), s=14, color=PALETTE[0], alpha=0.7, label="data")
    ax.plot(grid.ravel(), fit.ravel(), color=PALETTE[3], linewidth=2, label="model",
            gid="fit")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title)
    ax.legend()
    return ax


# --------------------------------------------------------------------------- landscapes
def _grid_loss(loss_fn, W, B):
    """loss_fn on the grid: one vectorised call if it gives the right answer,
    else one call per point."""
    try:
        L = np.asarray(loss_fn(W, B), dtype=float)
        probes = [(0, 0), (W.shape[0] - 1, W.shape[1] - 1), (W.shape[0] // 2, 1)]
        if L.shape == W.shape and all(
                np.isclose(L[p], float(loss_fn(W[p], B[p])), rtol=1e-9, atol=1e-12)
                for p in probes):
            return L
    except (TypeError, ValueError, IndexError):
        pass
    return np.array([[float(loss_fn(w, b)) for w, b in zip(wr, br)] for wr, br in zip(W, B)])


def plot_loss_landscape(loss_fn, w_range, b_range, path=None, ax=None, levels=30,
                        resolution=100, *, colorbar=True, title="Loss landscape"):
    """Contours of a two-parameter loss ``loss_fn(w, b) -> float`` over
    ``w_range x b_range`` (each ``(low, high)``), plus an optional optimiser
    ``path`` (K, 2) of ``(w, b)`` points drawn as a line with markers, its start
    and end marked. ``levels`` is a count or explicit levels (pass e.g.
    ``np.geomspace(lo, hi, 30)`` for a loss spanning orders of magnitude).
    ``loss_fn`` is called once on the whole grid if it accepts arrays (checked
    against scalar calls at a few points), else once per grid point.
    """
    func = "plot_loss_landscape"
    if not callable(loss_fn):
        raise TypeError(f"{func}: loss_fn must be callable, got {type(loss_fn).__name__}")
    w_range, b_range = _range(func, "w_range", w_range), _range(func, "b_range", b_range)
    resolution = check_int(resolution, "resolution", func, 2)
    if path is not None:
        path = np.asarray(path, dtype=float)
        if path.ndim != 2 or path.shape[1] != 2 or len(path) == 0:
            raise ValueError(f"{func}: path must have shape (K, 2) with K >= 1, "
                             f"got {path.shape}")
    W, B = np.meshgrid(np.linspace(*w_range, resolution), np.linspace(*b_range, resolution))
    L = _grid_loss(loss_fn, W, B)
    ax = _axes(ax)
    cs = ax.contourf(W, B, L, levels=levels, cmap="viridis")
    ax.contour(W, B, L, levels=cs.levels, colors="white", linewidths=0.4, alpha=0.6)
    if colorbar:
        ax.figure.colorbar(cs, ax=ax, label="loss")
    if path is not None:
        ax.plot(path[:, 0], path[:, 1], "-o", color=PALETTE[3], markersize=3,
                linewidth=1.5, label="path", gid="path")
        ax.plot(*path[0], "s", color=PALETTE[6], markeredgecolor="black", markersize=8,
                label="start", gid="start")
        ax.plot(*path[-1], "*", color=PALETTE[1], markeredgecolor="black", markersize=13,
                label="end", gid="end")
        ax.legend(loc="best", fontsize="small")
    ax.set_xlim(*w_range)
    ax.set_ylim(*b_range)
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    ax.set_title(title)
    return ax


# --------------------------------------------------------------------------- curves
def plot_activation(fn, grad_fn, z_range=(-5, 5), ax=None, name=None, resolution=400):
    """Plot an activation ``fn(z)`` and its derivative ``grad_fn(z)`` (both
    elementwise: (M,) -> (M,)) over ``z_range``; ``grad_fn`` may be None."""
    func = "plot_activation"
    for arg, f in (("fn", fn), ("grad_fn", grad_fn)):
        if f is not None and not callable(f) or (arg == "fn" and f is None):
            raise TypeError(f"{func}: {arg} must be callable, got {type(f).__name__}")
    z = np.linspace(*_range(func, "z_range", z_range), resolution)
    if name is None:
        name = getattr(fn, "__name__", "")
        name = "" if name.startswith("<") else name
    ax = _axes(ax)
    ax.axhline(0, color="0.8", linewidth=0.8, zorder=0)
    ax.axvline(0, color="0.8", linewidth=0.8, zorder=0)
    sym = name or "φ"
    for f, label, color, ls, gid in ((fn, f"{sym}(z)", PALETTE[0], "-", "activation"),
                                     (grad_fn, f"{sym}'(z)", PALETTE[3], "--", "derivative")):
        if f is None:
            continue
        v = np.asarray(f(z), dtype=float)
        if v.shape != z.shape:
            raise ValueError(f"{func}: {gid} function must map ({len(z)},) to ({len(z)},), "
                             f"got shape {v.shape}")
        ax.plot(z, v, color=color, linestyle=ls, linewidth=2, label=label, gid=gid)
    ax.set_xlabel("z")
    ax.set_ylabel("value")
    ax.set_title(f"{name or 'Activation'} and its derivative" if grad_fn is not None
                 else (name or "Activation"))
    ax.legend()
    return ax
