"""The plot step behind the optimiser explorer: one reusable two-panel figure.

``OptimizerFigure(epochs=5)``: left, the valley (contours drawn once) with the run's path and,
faded, plain SGD's; right, the digits network's loss of every update (log scale) for the run and
for plain SGD, plus the validation loss per epoch. ``update(run)`` (a
:class:`helpers.explorers.explore_optim.OptimRun`) changes the data of existing artists; ``png()``
renders only those over a cached background. Pure matplotlib (``Figure`` + Agg, no pyplot).
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

from ._render import BlitFigure
from .explore import get_problem
from .explore_optim import (DIGITS_BATCH, VALLEY_MIN, VALLEY_START, sgd_baseline, valley_loss)
from ..plotting import PALETTE, plot_loss_landscape

__all__ = ["OptimizerFigure", "T1_RANGE", "T2_RANGE"]

T1_RANGE, T2_RANGE = (-4.5, 3.5), (-2.0, 3.5)
_YLIM = (1e-2, 10.0)
_PLAIN = FuncFormatter(lambda v, _: f"{v:g}")


def _clip_path(path):
    path = np.zeros((0, 2)) if path is None else np.asarray(path, dtype=float)
    path = path[np.isfinite(path).all(axis=1)]
    return np.clip(path, -1e4, 1e4)


class OptimizerFigure(BlitFigure):
    """The explorer's figure for runs of ``epochs`` epochs (see the module docstring)."""

    def __init__(self, epochs=5, seed=0, *, figsize=(10.5, 3.9), dpi=80):
        self.epochs, self.seed = int(epochs), int(seed)
        self.fig = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self.fig)
        self.fig.subplots_adjust(left=0.06, right=0.985, bottom=0.14, top=0.78, wspace=0.22)
        self.ax_valley, self.ax_loss = self.fig.add_subplot(1, 2, 1), self.fig.add_subplot(1, 2, 2)
        self.title = self.fig.suptitle("", y=0.985, fontsize=11)
        self.message = self.fig.text(0.5, 0.885, "", ha="center", va="center", fontsize=10,
                                     color=PALETTE[3], fontweight="bold")
        self._bgs = {}
        self._init_valley()
        self._init_loss()

    def _init_valley(self):
        ax = self.ax_valley
        plot_loss_landscape(valley_loss, T1_RANGE, T2_RANGE, ax=ax, resolution=70,
                            levels=np.geomspace(0.02, 120, 18), colorbar=False)
        base_path, _ = sgd_baseline(self.epochs, self.seed)
        ax.plot(base_path[:, 0], base_path[:, 1], "-", color="0.55", linewidth=1.0, label="plain SGD")
        ax.plot(*VALLEY_START, "s", color=PALETTE[6], markeredgecolor="black", markersize=7, zorder=5)
        ax.plot(*VALLEY_MIN, "*", color="white", markeredgecolor="black", markersize=11, zorder=5)
        self.line_path, = ax.plot([], [], "-o", color=PALETTE[3], markersize=2.5, linewidth=1.4, zorder=4)
        ax.set(xlabel=r"$\theta_1$", ylabel=r"$\theta_2$")
        ax.set_title("the valley (condition number 25): 60 steps", fontsize=10)

    def _init_loss(self):
        ax = self.ax_loss
        _, base = sgd_baseline(self.epochs, self.seed)
        total = self.epochs * math.ceil(get_problem("digits").n / DIGITS_BATCH)
        x = np.arange(1, len(base.loss_per_update) + 1)
        ax.plot(x, base.loss_per_update, color="0.6", linewidth=0.9, label="plain SGD (lr 0.1)")
        self.line_loss, = ax.plot([], [], color=PALETTE[0], linewidth=1.3, label="this run", zorder=3)
        self.line_val, = ax.plot([], [], "--s", color=PALETTE[1], markersize=3, label="validation (per epoch)",
                                 zorder=3)
        ax.set_yscale("log")
        ax.set_ylim(*_YLIM)
        ax.set_xlim(0, total + 1)
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(_PLAIN)
        ax.set(xlabel="update", ylabel="loss (log scale)")
        ax.set_title(f"digits network 64-32-10, batch {DIGITS_BATCH}: loss of each update", fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend(handles=[ax.get_lines()[0], self.line_loss, self.line_val], loc="upper right",
                  fontsize="x-small")
        self._per_epoch = total // self.epochs

    def update(self, run):
        """Show ``run`` (an OptimRun of this figure's ``epochs``)."""
        if run.epochs != self.epochs:
            raise ValueError(f"OptimizerFigure.update: this figure shows {self.epochs} epochs, got a run of {run.epochs}")
        path = _clip_path(run.path)
        self.line_path.set_data(path[:, 0], path[:, 1])
        h = run.history
        per_update = [] if h is None else np.clip(np.nan_to_num(h.loss_per_update, nan=1e6), 1e-12, 1e6)
        self.line_loss.set_data(np.arange(1, len(per_update) + 1), per_update)
        val = [] if h is None else h.val_loss_per_epoch
        self.line_val.set_data(np.arange(1, len(val) + 1) * self._per_epoch, np.clip(val, 1e-12, 1e6))
        final = "" if not h or not h.val_acc_per_epoch else f"; validation accuracy {h.val_acc_per_epoch[-1]:.1%}"
        betas = {"sgd": "", "momentum": f", beta {run.beta1:g}", "rmsprop": f", beta {run.beta2:g}",
                 "adam": f", beta1 {run.beta1:g}, beta2 {run.beta2:g}"}[run.optimizer]
        who = " (your code)" if run.yours else ""
        self.title.set_text(f"{run.optimizer}{who}: lr {run.lr_valley:.3g} (valley), {run.lr_digits:.3g} "
                            f"(digits){betas}, {run.schedule} schedule{final}")
        self.message.set_text(run.message or "")

    def _dynamic(self):
        return [(self.ax_valley, [self.line_path]), (self.ax_loss, [self.line_loss, self.line_val])]
