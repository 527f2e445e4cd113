"""Diagrams of a network and of a classifier's results (matplotlib).

Same interface as ``helpers.plotting``: each function draws on ``ax`` (new axes
when None) and returns what it drew on; colours come from ``plotting.PALETTE``.

- ``plot_network(layer_sizes, ax=None, max_neurons=8)``: an MLP diagram.
- ``plot_confusion_matrix(y_true (N,), y_pred (N,), num_classes=None, ax=None)``
- ``plot_digit_grid(images (M, 8, 8) or (M, 64), labels=None (M,), preds=None (M,),
  n=None, ncols=8, axes=None) -> 2-D array of axes``
"""
from numbers import Integral

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Circle

from .metrics import confusion_matrix
from ._validate import check_int
from .plotting import PALETTE, _axes, _int_labels

__all__ = ["plot_network", "plot_confusion_matrix", "plot_digit_grid"]


# --------------------------------------------------------------------------- diagrams
def plot_network(layer_sizes, ax=None, max_neurons=8):
    """Draw an MLP with ``layer_sizes`` (e.g. ``[2, 16, 3]``): a circle per
    neuron, a line per weight, layer names and sizes underneath. Layers wider
    than ``max_neurons`` show ``max_neurons - 1`` neurons and a vertical ellipsis."""
    func = "plot_network"
    sizes = list(layer_sizes) if np.ndim(layer_sizes) == 1 else None
    if not sizes or len(sizes) < 2 or any(
            isinstance(s, bool) or not isinstance(s, Integral) or s < 1 for s in sizes):
        raise ValueError(f"{func}: layer_sizes must be a sequence of >= 2 positive ints, "
                         f"got {layer_sizes!r}")
    max_neurons = check_int(max_neurons, "max_neurons", func, 3)
    ax = _axes(ax)
    columns = []                       # per layer: y of each drawn neuron, y of the ellipsis
    for s in sizes:
        slots = min(s, max_neurons)
        ys = (slots - 1) / 2 - np.arange(slots, dtype=float)
        gap = None
        if s > max_neurons:
            gap = ys[slots // 2]
            ys = np.delete(ys, slots // 2)
        columns.append((ys, gap))
    dx = 2.0                           # horizontal distance between layers
    for i in range(len(sizes) - 1):
        segs = [((i * dx, a), ((i + 1) * dx, b))
                for a in columns[i][0] for b in columns[i + 1][0]]
        ax.add_collection(LineCollection(segs, colors="0.6", linewidths=0.6, alpha=0.6,
                                         zorder=1, gid="weights"))
    bottom = -(min(max(sizes), max_neurons) - 1) / 2 - 0.8
    names = ["input"] + [f"hidden {i}" for i in range(1, len(sizes) - 1)] + ["output"]
    for i, ((ys, gap), name) in enumerate(zip(columns, names)):
        color = PALETTE[0] if i == 0 else PALETTE[2] if i == len(sizes) - 1 else PALETTE[1]
        for yv in ys:
            ax.add_patch(Circle((i * dx, yv), 0.25, facecolor=color, edgecolor="black",
                                zorder=2))
        if gap is not None:
            ax.plot([i * dx] * 3, gap + np.array([-0.25, 0.0, 0.25]), ".", color="black",
                    markersize=4, gid="ellipsis")
        ax.text(i * dx, bottom, f"{name}\n({sizes[i]})", ha="center", va="top")
    n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    ax.set_title(f"MLP {' → '.join(map(str, sizes))} ({n_params:,} parameters)")
    ax.set_xlim(-0.9, (len(sizes) - 1) * dx + 0.9)
    ax.set_ylim(bottom - 0.9, -bottom - 0.4)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


# --------------------------------------------------------------------------- evaluation
def plot_confusion_matrix(y_true, y_pred, num_classes=None, ax=None):
    """Counts of (true class, predicted class) pairs, ``y_true`` and ``y_pred``
    (N,) int labels, as an annotated heat map: rows are true classes, columns
    predictions (``helpers.metrics.confusion_matrix``). The title shows the accuracy."""
    func = "plot_confusion_matrix"
    t = _int_labels(func, "y_true", y_true)
    p = _int_labels(func, "y_pred", y_pred, len(t))
    if t.size == 0:
        raise ValueError(f"{func}: y_true must not be empty, got shape {t.shape}")
    if num_classes is not None:
        lo = int(max(t.max(), p.max())) + 1
        check_int(num_classes, "num_classes (largest label + 1 at least)", func, lo, message=f"an int >= {lo}")
    cm = confusion_matrix(t, p, num_classes)
    k = len(cm)
    ax = _axes(ax)
    ax.imshow(cm, cmap="Blues", vmin=0)
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize="small",
                    color="white" if cm[i, j] > cm.max() / 2 else "black")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(f"Confusion matrix (accuracy {np.trace(cm) / cm.sum():.1%})")
    return ax


def plot_digit_grid(images, labels=None, preds=None, n=None, ncols=8, axes=None):
    """Show the first ``n`` (default all, at most 64) of ``images`` (M, 8, 8) or
    (M, 64) in a grid, titled with the label and, if given, the prediction
    (mistakes in vermillion). Returns the 2-D array of axes (``axes`` if given)."""
    func = "plot_digit_grid"
    imgs = np.asarray(images, dtype=float)
    if imgs.ndim == 2 and imgs.shape[1] == 64:
        imgs = imgs.reshape(-1, 8, 8)
    if imgs.ndim != 3:
        raise ValueError(f"{func}: images must have shape (M, 8, 8) or (M, 64), got "
                         f"{np.shape(images)}")
    m = len(imgs)
    labels = None if labels is None else _int_labels(func, "labels", labels, m)
    preds = None if preds is None else _int_labels(func, "preds", preds, m)
    n = min(m, 64) if n is None else check_int(n, "n", func, 1, message="an int >= 1")
    if n > m:
        raise ValueError(f"{func}: n must be at most the number of images {m}, got {n}")
    if axes is None:
        ncols = min(ncols, n)
        nrows = -(-n // ncols)
        _, axes = plt.subplots(nrows, ncols, figsize=(1.2 * ncols, 1.4 * nrows),
                               squeeze=False)
    axes = np.asarray(axes, dtype=object)
    if axes.size < n:
        raise ValueError(f"{func}: axes must hold at least n={n} axes, got {axes.size}")
    for i, a in enumerate(axes.ravel()):
        a.axis("off")
        if i >= n:
            continue
        a.imshow(imgs[i], cmap="gray_r", interpolation="nearest")
        parts = [] if labels is None else [f"y={labels[i]}"]
        parts += [] if preds is None else [f"pred={preds[i]}"]
        wrong = labels is not None and preds is not None and labels[i] != preds[i]
        a.set_title(" ".join(parts), fontsize="small", color=PALETTE[3] if wrong else "black")
    return axes
