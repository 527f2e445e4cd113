"""The plot step behind the gradient-descent explorer: one figure per explorer, updated in place.

``ExplorerFigure(problem)`` builds a figure with three panels and keeps it:

- left: the descent path on the loss landscape (regression), the decision boundary (moons) or the
  validation accuracy per epoch (digits);
- middle: the loss of every update (its mini-batch's loss);
- right: the loss on the whole training set after every epoch (epoch 0 = before training),
  plus the validation loss for digits.

``update(run, references=())`` redraws it for a :class:`helpers.explorers.explore.Run` (the reference runs
are drawn faded, for comparison) by changing the data of existing artists, and ``png()`` renders
it: reusing the figure is what keeps a slider change fast. Pure matplotlib (``Figure`` + Agg
canvas, no pyplot), so nothing is displayed or leaked.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from ._render import BlitFigure
from .explore import REGRESSION_START, batch_kind, get_problem, regression_loss_grid
from ..plotting import PALETTE, plot_loss_landscape

__all__ = ["ExplorerFigure", "W_RANGE", "B_RANGE"]

W_RANGE, B_RANGE = (-2.5, 5.0), (-4.0, 4.0)   # the (w, b) window of the regression landscape
_REF_COLORS = PALETTE[2:6] + (PALETTE[7],)
_CLIP = 1e8       # path coordinates beyond this are clipped before drawing (Agg dislikes 1e300)
_FLOOR = 1e-12    # losses are drawn on a log axis: a zero loss is drawn at this floor
_CEIL = 1e100     # the loss axes stop here: an exploding loss leaves the plot at the top
_PLAIN = FuncFormatter(lambda v, _: f"{v:g}".replace("e+", "e").replace("e0", "e").replace("e-0", "e-"))


def _finite(x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(y) & np.isfinite(x)
    return x[keep], np.clip(y[keep], _FLOOR, _CEIL ** 2)   # beyond the axis top: off the plot


class ExplorerFigure(BlitFigure):
    """A reusable three-panel figure for one problem (see the module docstring)."""

    def __init__(self, problem, *, figsize=(11.0, 3.6), dpi=80):
        self.problem = get_problem(problem) if isinstance(problem, str) else problem
        self.dpi = dpi
        self.fig = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self.fig)
        self.fig.subplots_adjust(left=0.06, right=0.985, bottom=0.15, top=0.76, wspace=0.32)
        self.ax_view = self.fig.add_subplot(1, 3, 1)
        self.ax_updates = self.fig.add_subplot(1, 3, 2)
        self.ax_epochs = self.fig.add_subplot(1, 3, 3, sharey=self.ax_updates)  # one loss scale
        self.title = self.fig.suptitle("", y=0.985, fontsize=11)
        self.message = self.fig.text(0.5, 0.875, "", ha="center", va="center", fontsize=10,
                                     color=PALETTE[3], fontweight="bold")
        self._refs = {}   # id(run) -> artists of a reference run
        self._view_dynamic = []   # artists of the left panel that change (drawn over a cached background)
        self._bgs = {}            # cached backgrounds (everything that does not change), by axis limits
        style = dict(color=PALETTE[0], linewidth=1.2, zorder=3)
        self.line_updates, = self.ax_updates.plot([], [], label="this run", **style)
        self.line_epochs, = self.ax_epochs.plot([], [], marker="o", markersize=3,
                                                label="train", **style)
        self.line_val, = self.ax_epochs.plot([], [], color=PALETTE[1], linestyle="--", marker="s",
                                             markersize=3, label="validation", zorder=3)
        for ax, xl, t in ((self.ax_updates, "update", "loss of each update's mini-batch"),
                          (self.ax_epochs, "epoch", "training-set loss after each epoch")):
            ax.set_yscale("log")
            ax.yaxis.set_minor_locator(NullLocator())   # few tick labels: faster to draw
            ax.yaxis.set_major_formatter(_PLAIN)        # "0.01" rather than mathtext 10^-2 (slow)
            ax.xaxis.set_major_locator(MaxNLocator(3, integer=True))
            ax.text(0.5, -0.14, xl, transform=ax.transAxes, ha="center", va="top")
            ax.xaxis.set_label_coords(0.5, -0.1)   # no label to place: skip measuring the ticks
            ax.yaxis.set_label_coords(-0.1, 0.5)
            ax.set_title(t, fontsize=10, y=1.0)
            ax.grid(True, which="major", alpha=0.3)
        self.ax_updates.text(-0.2, 0.5, "loss (log scale)", transform=self.ax_updates.transAxes,
                             rotation=90, ha="right", va="center")
        self.ax_epochs.tick_params(labelleft=False)
        getattr(self, f"_init_{self.problem.name}")()

    # -- static parts ---------------------------------------------------------------------------
    def _init_regression(self):
        ax = self.ax_view
        lo = float(regression_loss_grid(2.0, -1.0)) / 2
        plot_loss_landscape(regression_loss_grid, W_RANGE, B_RANGE, ax=ax, resolution=80,
                            levels=np.geomspace(lo, 60, 25), colorbar=False)
        self.line_path, = ax.plot([], [], "-o", color=PALETTE[3], markersize=2.5, linewidth=1.3,
                                  label="path", zorder=4)
        start, = ax.plot(*REGRESSION_START, "s", color=PALETTE[6], markeredgecolor="black",
                         markersize=7, label="start", zorder=5)
        self.point_end, = ax.plot([], [], "*", color=PALETTE[1], markeredgecolor="black",
                                  markersize=12, label="end", zorder=6)
        self._view_dynamic = [self.line_path, start, self.point_end]   # the title says ■ -> ★

    def _init_moons(self):
        ax, p = self.ax_view, self.problem
        lo, hi = p.X.min(axis=0) - 0.4, p.X.max(axis=0) + 0.4
        xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], 96), np.linspace(lo[1], hi[1], 72))
        self._grid = np.column_stack([xx.ravel(), yy.ravel()])
        self._grid_shape = xx.shape
        cmap = ListedColormap([PALETTE[0], PALETTE[1]])
        self.image = ax.imshow(np.zeros(xx.shape), extent=(lo[0], hi[0], lo[1], hi[1]),
                               origin="lower", cmap=cmap, vmin=0, vmax=1, alpha=0.25,
                               interpolation="nearest", aspect="auto", zorder=1)
        self._view_dynamic = [self.image]   # the points lie under the tinted regions: drawn once
        for c, marker in ((0, "o"), (1, "s")):
            m = p.y == c
            ax.scatter(p.X[m, 0], p.X[m, 1], s=12, color=PALETTE[c], marker=marker, edgecolors="black",
                       linewidths=0.4, label=f"class {c}", zorder=0.5)
        ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), xlabel="$x_1$", ylabel="$x_2$")

    def _init_digits(self):
        ax = self.ax_view
        self.line_acc, = ax.plot([], [], marker="o", markersize=3, color=PALETTE[0], zorder=3,
                                 label="this run")
        ax.set(ylim=(0, 1), xlabel="epoch", ylabel="validation accuracy")
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True, min_n_ticks=1))
        ax.grid(True, alpha=0.3)
        self._view_dynamic = [self.line_acc]

    # -- updates ---------------------------------------------------------------------------------
    def update(self, run, references=()):
        """Show ``run`` (a :class:`helpers.explorers.explore.Run`) and the faded ``references`` (Runs)."""
        p = self.problem
        if run.problem != p.name:
            raise ValueError(f"ExplorerFigure.update: this figure shows {p.name!r}, got a run of "
                             f"{run.problem!r}")
        h = run.history
        self._sync_references(references)
        per_update = [] if h is None else h.loss_per_update
        self.line_updates.set_data(*_finite(np.arange(1, len(per_update) + 1), per_update))
        per_epoch = [] if h is None else [h.initial_loss] + list(h.loss_per_epoch)
        self.line_epochs.set_data(*_finite(np.arange(len(per_epoch)), per_epoch))
        val = [] if h is None else h.val_loss_per_epoch
        self.line_val.set_data(*_finite(np.arange(1, len(val) + 1), val))
        getattr(self, f"_update_{p.name}")(run)
        self._set_limits(run)
        lo, hi = self.ax_updates.get_ylim()   # about 4 to 6 labelled ticks, whatever the range
        decades = np.log10(hi / lo) if lo > 0 and hi > lo else 1.0
        subs = (1.0,) if decades > 2.5 else (1.0, 3.0) if decades > 1 else (1.0, 2.0, 5.0)
        self.ax_updates.yaxis.set_major_locator(LogLocator(subs=subs, numticks=6))
        for ax in (self.ax_updates, self.ax_epochs):   # a legend only when there is a choice
            lines = [a for a in ax.get_lines() if len(a.get_xdata()) and
                     not a.get_label().startswith("_")]
            if len(lines) > 1:
                ax.legend(handles=lines, loc="upper right", fontsize="x-small")
            elif ax.get_legend() is not None:
                ax.get_legend().remove()
        n_upd = 0 if h is None else h.n_updates
        self.title.set_text(f"{p.name}: learning rate {run.lr:.3g}, batch {run.batch_size}/{p.n} "
                            f"({batch_kind(run.batch_size, p.n)}), {run.epochs} "
                            f"epoch{'s' if run.epochs != 1 else ''}, seed {run.seed}: {n_upd} "
                            f"update{'s' if n_upd != 1 else ''}")
        self.message.set_text(run.message or "")

    def _set_limits(self, run):
        """x: the planned updates/epochs (a diverged run keeps its axes); y: whole decades around
        every loss shown. Few distinct limits -> few backgrounds to draw."""
        self.ax_updates.set_xlim(0, run.epochs * math.ceil(self.problem.n / run.batch_size) + 1)
        self.ax_epochs.set_xlim(-0.3, run.epochs + 0.3)
        ys = [np.asarray(ln.get_ydata(), dtype=float) for ax in (self.ax_updates, self.ax_epochs)
              for ln in ax.get_lines() if len(ln.get_ydata())] or [np.ones(1)]
        ys = np.concatenate(ys)
        lo = 10.0 ** np.floor(np.log10(max(ys.min(), _FLOOR)))
        self.ax_updates.set_ylim(lo, max(10.0 ** np.ceil(np.log10(min(ys.max(), _CEIL))), lo * 10))

    def _update_regression(self, run):
        ax = self.ax_view
        path = np.zeros((0, 2)) if run.path is None else run.path
        path = path[np.isfinite(path).all(axis=1)]
        shown = np.clip(path, -_CLIP, _CLIP)
        self.line_path.set_data(shown[:, 0], shown[:, 1])
        self.point_end.set_data(shown[-1:, 0], shown[-1:, 1])
        if len(path):
            w, b = path[-1]
            ax.set_title(f"descent path ■ → ★: w={w:.3g}, b={b:.3g}", fontsize=10, y=1.0)

    def _update_moons(self, run):
        p = self.problem
        if run.model is None or run.history is None:
            self.image.set_visible(False)
            self.ax_view.set_title("decision boundary (no model)", fontsize=10, y=1.0)
            return
        with np.errstate(all="ignore"):
            labels = run.model.predict(self._grid)       # the model interface only
            acc = float(np.mean(run.model.predict(p.X) == p.y))
        self.image.set_data(labels.reshape(self._grid_shape))
        self.image.set_visible(True)
        self.ax_view.set_title(f"decision boundary: training accuracy {acc:.0%}", fontsize=10, y=1.0)

    def _update_digits(self, run):
        acc = [] if run.history is None else run.history.val_acc_per_epoch
        self.line_acc.set_data(np.arange(1, len(acc) + 1), acc)
        xlim = (0.5, max(len(acc), run.epochs, 1) + 0.5)
        if self.ax_view.get_xlim() != xlim:    # new ticks: another cached background
            self.ax_view.set_xlim(*xlim)
        self.ax_view.set_title("validation accuracy" + (f": {acc[-1]:.1%}" if acc else ""),
                               fontsize=10, y=1.0)

    def _sync_references(self, references):
        wanted = {id(r): r for r in references}
        for key in [k for k in self._refs if k not in wanted]:
            for artist in self._refs.pop(key):
                artist.remove()
        for i, (key, r) in enumerate(wanted.items()):
            if key in self._refs or r.history is None:
                continue
            h, color = r.history, _REF_COLORS[i % len(_REF_COLORS)]
            style = dict(color=color, alpha=0.5, linewidth=1.0, zorder=2)
            arts = [self.ax_updates.plot(*_finite(np.arange(1, h.n_updates + 1), h.loss_per_update),
                                         label=f"ref: {r.label}", **style)[0],
                    self.ax_epochs.plot(*_finite(np.arange(len(h.loss_per_epoch) + 1),
                                                 [h.initial_loss] + list(h.loss_per_epoch)),
                                        **style)[0]]
            if r.path is not None:
                path = np.clip(r.path[np.isfinite(r.path).all(axis=1)], -_CLIP, _CLIP)
                arts += self.ax_view.plot(path[:, 0], path[:, 1], "-", **style)
            if h.val_acc_per_epoch:
                arts += self.ax_view.plot(np.arange(1, len(h.val_acc_per_epoch) + 1),
                                          h.val_acc_per_epoch, marker=".", **style)
            self._refs[key] = arts

    @property
    def _bg_key(self):
        return tuple(ax.get_xlim() + ax.get_ylim() for ax in (self.ax_view, self.ax_updates, self.ax_epochs))

    @property
    def n_reference_artists(self) -> int:
        """How many faded reference curves are drawn (for tests)."""
        return sum(len(a) for a in self._refs.values())

    # -- rendering -------------------------------------------------------------------------------
    def _dynamic(self):
        """The artists that change between runs, per axes, in drawing order. Everything else
        (the landscape, the data points, titles of the loss panels) is drawn once and cached."""
        view = list(self._view_dynamic) + list(self.ax_view.spines.values())
        view += [a for arts in self._refs.values() for a in arts if a.axes is self.ax_view]
        out = [(self.ax_view, sorted(view, key=lambda a: a.get_zorder()) + [self.ax_view.title])]
        for ax in (self.ax_updates, self.ax_epochs):   # the axes are in the background (by limits)
            arts = list(ax.get_lines())
            arts += [ax.get_legend()] if ax.get_legend() is not None else []
            out.append((ax, sorted(arts, key=lambda a: a.get_zorder())))
        return out

    def close(self):
        self._refs.clear()
        super().close()
