"""The playground's figure, blitted for live redraws, and its text summary (no widgets).

``PlaygroundFigure(dataset)``: three panels — the training and validation loss per update; for
2-D data the decision surface with the training points (for the digits: the validation accuracy
so far is in the summary and this panel shows that accuracy); and what each hidden
unit of the first layers responds to (2-D: the unit's activation over the plane, one tile per unit
of layers 1 and 2; digits: the first layer's weights as 8×8 images). ``update(trainer)`` then
``png()``. ``summary(trainer) -> str``: the same information as text for a screen reader.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib import colormaps
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from ..deep import L_layer_forward
from ._render import BlitFigure
from .playground_health import reading

__all__ = ["PlaygroundFigure", "summary", "unit_mosaic", "GRID"]

GRID = 48          # decision-surface resolution (GRID x GRID points)
TILE = 20          # a unit's picture: TILE x TILE points
COLORS = ["#0072B2", "#E69F00", "#009E73"]


def _limits(X):
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.15 * (hi - lo)
    return lo - pad, hi + pad


def _plane(lo, hi, n):
    xs, ys = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def unit_mosaic(tiles, cols=8):
    """Tiles ``(K, h, w)`` side by side, ``cols`` a row, 1-pixel NaN gaps: ``(rows*(h+1), cols*(w+1))``."""
    k, h, w = tiles.shape
    rows = max(1, math.ceil(k / cols))
    out = np.full((rows * (h + 1), cols * (w + 1)), np.nan)
    for i in range(k):
        r, c = divmod(i, cols)
        t = tiles[i]
        span = np.ptp(t)
        out[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = (t - t.min()) / span if span else 0.5
    return out


class PlaygroundFigure(BlitFigure):
    """The live figure for one data set (see the module docstring)."""

    def __init__(self, dataset, X_train=None, y_train=None, n_classes=2):
        self.dataset, self._bgs, self.two_d = dataset, {}, dataset != "digits"
        self.fig = Figure(figsize=(11.0, 3.4), dpi=72)
        FigureCanvasAgg(self.fig)
        self.ax_loss, self.ax_map, self.ax_units = self.fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.2, 1, 1.2]})
        self.fig.subplots_adjust(left=0.05, right=0.99, bottom=0.14, top=0.86, wspace=0.22)
        self.ax_loss.set(xlabel="update", ylabel="loss")
        self.line_train, = self.ax_loss.plot([], [], color=COLORS[0], lw=1.2, label="training (batch)")
        self.line_val, = self.ax_loss.plot([], [], color=COLORS[1], lw=1.6, label="validation")
        self.ax_loss.legend(loc="upper right", fontsize=8)
        self.ax_loss.grid(alpha=0.3)
        self.title = self.fig.text(0.01, 0.95, "", fontsize=10, weight="bold")
        self.message = self.fig.text(0.5, 0.95, "", fontsize=9, color="#D55E00")
        self.ax_units.set_xticks([]), self.ax_units.set_yticks([])
        self._cmap = colormaps["RdBu_r"].with_extremes(bad="white")
        self.units = self.ax_units.imshow(np.zeros((2, 2, 4), np.uint8), aspect="auto", interpolation="nearest")
        self.ax_units.set_title("what each hidden unit responds to" if self.two_d else
                                "layer-1 weights (8×8 per unit)", fontsize=9)
        self.points = None
        if self.two_d:
            self._setup_plane(X_train, y_train, n_classes)
        else:
            self.ax_map.set_axis_off()
            self.surface = self.ax_map.text(0.0, 0.5, "", fontsize=10, va="center", family="monospace")

    def _setup_plane(self, X, y, n_classes):
        self.lo, self.hi = _limits(X)
        self.grid = _plane(self.lo, self.hi, GRID)
        self.tile_grid = _plane(self.lo, self.hi, TILE)
        ext = (self.lo[0], self.hi[0], self.lo[1], self.hi[1])
        rgb = (np.array([to_rgb(c) for c in COLORS[:n_classes]]) * 0.35 + 0.65) * 255   # pale, pre-blended
        self._palette = np.concatenate([rgb, np.full((n_classes, 1), 255)], axis=1).astype(np.uint8)
        self.surface = self.ax_map.imshow(self._palette[np.zeros((GRID, GRID), int)], origin="lower", extent=ext,
                                          aspect="auto", interpolation="nearest")
        self.points = [self.ax_map.plot(X[y == k, 0], X[y == k, 1], "o", ms=3.2, color=COLORS[k], mec="white",
                                        mew=0.4)[0] for k in range(n_classes)]   # Line2D markers: fast
        self.ax_map.set(xlim=(self.lo[0], self.hi[0]), ylim=(self.lo[1], self.hi[1]))
        self.ax_map.set_title("decision surface and training points", fontsize=9)

    @property
    def _bg_key(self):
        return (self.ax_loss.get_xlim(), self.ax_loss.get_ylim())

    def _dynamic(self):
        arts = [self.surface] + (self.points or [])
        return [(self.ax_loss, [self.line_train, self.line_val]), (self.ax_map, arts),
                (self.ax_units, [self.units])]

    def _set_loss(self, tr):
        n = len(tr.train_loss)
        x = np.arange(1, n + 1)
        ytr = np.asarray(tr.train_loss)
        self.line_train.set_data(x, ytr)
        self.line_val.set_data(x, np.asarray(tr.val_loss))
        xmax = 2 ** max(6, math.ceil(math.log2(max(n, 1))))          # doubles: few new backgrounds
        finite = ytr[np.isfinite(ytr)]
        peak = float(finite.max()) if finite.size else 1.0
        top = 2 ** math.ceil(math.log2(max(peak, 0.25)))              # doubles too
        self.ax_loss.set(xlim=(0, xmax), ylim=(0, top))

    def _set_units(self, tr):
        if not self.two_d:
            W = tr.params["W1"][:32]
            self.units.set_data(self._cmap(unit_mosaic(W.reshape(-1, 8, 8)), bytes=True))
            return
        act = tr.settings.activation
        with np.errstate(all="ignore"):
            _, caches = L_layer_forward(self.tile_grid, tr.params, act)
        layers = [c[0] for c in caches[1:3]]                      # A_1, A_2 on the plane
        tiles = np.concatenate([A.T.reshape(-1, TILE, TILE) for A in layers])
        self.units.set_data(self._cmap(unit_mosaic(tiles, cols=min(16, tr.settings.width)), bytes=True))

    def update(self, tr, message=""):
        """Show trainer ``tr`` as it is now."""
        self._set_loss(tr)
        with np.errstate(all="ignore"):
            if self.two_d:
                logits = L_layer_forward(self.grid, tr.params, tr.settings.activation)[0]
                self.surface.set_data(self._palette[np.nan_to_num(logits).argmax(1).reshape(GRID, GRID)])
            else:
                self.surface.set_text(f"validation accuracy\n{100 * tr.accuracy():.1f} %")
        self._set_units(tr)
        loss = tr.train_loss[-1] if tr.train_loss else float("nan")
        self.title.set_text(f"update {tr.t}   loss {loss:.3g}")
        self.message.set_text(message)
        return self


def summary(tr) -> str:
    """The plots as text: update count, losses, accuracy, loss at start vs ln C, health lines."""
    C = tr.n_classes
    lines = [f"update {tr.t}; " + (f"training loss {tr.train_loss[-1]:.3g}, validation loss {tr.val_loss[-1]:.3g}; "
                                   if tr.t else "not trained yet; ")
             + f"validation accuracy {100 * tr.accuracy():.1f} %."]
    if tr.t:
        lines.append(f"Loss at the first update {tr.train_loss[0]:.3g}; a fresh network that guesses evenly "
                     f"starts near ln {C} = {math.log(C):.3g}.")
    health = tr.health()
    if health:
        for h in health:
            spread = "" if h.act_std is None else f"activation std {h.act_std:.2g}, dead {100 * h.dead:.0f} %, "
            lines.append(f"Layer {h.layer}: {spread}gradient std {h.grad_std:.2g}, update/weight {h.ratio:.1e}. "
                         f"{reading(h, tr.settings.activation).split(': ', 1)[1]}")
    return "\n".join(lines)
