"""Interactive explorers (ipywidgets): sliders that re-run real training and redraw its plots.

``GradientDescentExplorer(problem="regression" | "moons" | "digits", *, update=None, train_fn=None,
lr=None, batch_size=None, epochs=None, seed=0)`` is a widget (a ``VBox``): put it last in a cell.
Every change of a control trains a fresh network with :func:`helpers.explorers.explore.run_training` and
redraws an :class:`helpers.explorers.explore_view.ExplorerFigure`; this module only wires widgets to those
two plain, testable pieces.

- ``update=my_sgd_update``: the sliders drive your own ``sgd_update(params, grads, lr)``;
  ``train_fn=my_train``: your own training loop (see :func:`helpers.explorers.explore.run_training`).
  If your code raises, the explorer shows the error instead of stopping.
- "keep as reference" keeps the current run as a faded curve to compare with; "clear references"
  removes them.

For tests and notebooks: ``.controls`` (name -> widget), ``.run`` (the last
:class:`helpers.explorers.explore.Run`), ``.history``, ``.message``, ``.references``, ``.output`` (an
``ipywidgets.Output`` holding the plot as a PNG) and ``.png`` (its bytes).
"""
from __future__ import annotations

import base64
import html
import math

import ipywidgets as widgets
import numpy as np

from .._validate import check_in_range
from .explore import PROBLEMS, batch_kind, get_problem, run_training
from .explore_view import ExplorerFigure

__all__ = ["GradientDescentExplorer"]

LR_MIN, LR_MAX = 1e-4, 10.0
MAX_REFERENCES = 5
_WIDE = {"description_width": "initial"}
_FN = "GradientDescentExplorer"


def _settings(problem, update, train_fn, lr, batch_size, epochs, seed):
    """The explorer's checked starting settings: ``(problem, lr, batch_size, epochs)``."""
    if problem not in PROBLEMS:
        raise ValueError(f"GradientDescentExplorer: problem must be one of {PROBLEMS}, got {problem!r}")
    for name, fn in (("update", update), ("train_fn", train_fn)):
        if fn is not None and not callable(fn):
            raise TypeError(f"GradientDescentExplorer: {name} must be a function such as "
                            f"sgd_update, got {type(fn).__name__}")
    if update is not None and train_fn is not None:
        raise ValueError("GradientDescentExplorer: give update= or train_fn=, not both")
    p = get_problem(problem)
    d = p.defaults
    lr = d["lr"] if lr is None else lr
    batch_size = d["batch_size"] if batch_size is None else batch_size
    epochs = d["epochs"] if epochs is None else epochs
    check_in_range(lr, "lr", _FN, LR_MIN, LR_MAX, whole=False)
    check_in_range(batch_size, "batch_size", _FN, 1, p.n, whole=True)
    check_in_range(epochs, "epochs", _FN, 1, p.max_epochs, whole=True)
    check_in_range(seed, "seed", _FN, 0, 99, whole=True)
    return p, lr, batch_size, epochs


class GradientDescentExplorer(widgets.VBox):
    """Learning rate, batch size, epochs, seed and problem sliders driving real training."""

    def __init__(self, problem="regression", *, update=None, train_fn=None, lr=None,
                 batch_size=None, epochs=None, seed=0):
        p, lr, batch_size, epochs = _settings(problem, update, train_fn, lr, batch_size, epochs, seed)
        self.update_fn, self.train_fn = update, train_fn
        self.references, self.run, self.png, self.n_renders = [], None, None, 0
        self._figures, self._quiet = {}, False

        common = dict(continuous_update=False, style=_WIDE)
        self.lr_slider = widgets.FloatLogSlider(
            value=float(lr), base=10, min=math.log10(LR_MIN), max=math.log10(LR_MAX), step=0.1,
            readout_format=".3g", description="learning rate", **common)
        self.batch_slider = widgets.IntSlider(value=int(batch_size), min=1, max=p.n,
                                              description="batch size", **common)
        self.batch_label = widgets.Label(batch_kind(int(batch_size), p.n),
                                         layout=widgets.Layout(width="6.5em", margin="0 1em 0 0"),
                                         style={"font_weight": "bold"})
        self.epochs_slider = widgets.IntSlider(value=int(epochs), min=1, max=p.max_epochs,
                                               description="epochs", **common)
        self.seed_slider = widgets.IntSlider(value=int(seed), min=0, max=99, description="seed",
                                             **common)
        self.problem_dropdown = widgets.Dropdown(options=list(PROBLEMS), value=problem,
                                                 description="problem", style=_WIDE)
        wide = widgets.Layout(width="auto")
        self.keep_button = widgets.Button(description="keep as reference", icon="thumb-tack",
                                          tooltip="keep this run as a faded curve to compare with",
                                          layout=wide)
        self.clear_button = widgets.Button(description="clear references", icon="eraser",
                                           layout=wide)
        self.message_html = widgets.HTML()
        self.output = widgets.Output()
        self.controls = {"learning rate": self.lr_slider, "batch size": self.batch_slider,
                         "epochs": self.epochs_slider, "seed": self.seed_slider,
                         "problem": self.problem_dropdown}

        for w in (self.lr_slider, self.batch_slider, self.epochs_slider, self.seed_slider):
            w.observe(self._on_setting, names="value")
        self.problem_dropdown.observe(self._on_problem, names="value")
        self.keep_button.on_click(lambda _: self.keep_reference())
        self.clear_button.on_click(lambda _: self.clear_references())
        rows = [widgets.HBox([self.problem_dropdown, self.lr_slider]),
                widgets.HBox([self.batch_slider, self.batch_label, self.epochs_slider]),
                widgets.HBox([self.seed_slider, self.keep_button, self.clear_button])]
        super().__init__(rows + [self.output, self.message_html])
        self.add_class("gd-explorer")   # a stable hook for the browser tests and for styling
        self.refresh()

    # -- state for tests and notebooks ----------------------------------------------------------
    @property
    def problem(self):
        return self.problem_dropdown.value

    @property
    def history(self):
        """The :class:`helpers.History` of the last run (partial if it diverged; None if it failed)."""
        return None if self.run is None else self.run.history

    @property
    def message(self):
        """The last divergence / error sentence shown to the student, or None."""
        return None if self.run is None else self.run.message

    def settings(self):
        return dict(lr=float(self.lr_slider.value), batch_size=int(self.batch_slider.value),
                    epochs=int(self.epochs_slider.value), seed=int(self.seed_slider.value))

    # -- actions ---------------------------------------------------------------------------------
    def refresh(self):
        """Train with the current settings and redraw."""
        self.run = run_training(self.problem, update=self.update_fn, train_fn=self.train_fn,
                                **self.settings())
        self._draw()
        return self.run

    def keep_reference(self):
        """Keep the current run as a faded reference curve (the oldest goes beyond 5)."""
        if self.run is not None and self.run.history is not None and not any(
                r is self.run for r in self.references):
            self.references = (self.references + [self.run])[-MAX_REFERENCES:]
            self._draw()

    def clear_references(self):
        """Remove every reference curve."""
        if self.references:
            self.references = []
            self._draw()

    # -- wiring ----------------------------------------------------------------------------------
    def _figure(self):
        if self.problem not in self._figures:
            self._figures[self.problem] = ExplorerFigure(self.problem)
        return self._figures[self.problem]

    def _draw(self):
        fig = self._figure()
        fig.update(self.run, self.references)
        self.png = fig.png()
        self.n_renders += 1
        w, h = fig.fig.canvas.get_width_height()
        self.output.outputs = ({
            "output_type": "display_data",
            "data": {"image/png": base64.b64encode(self.png).decode("ascii"),
                     "text/plain": f"<gradient-descent explorer: {self.run.label}>"},
            "metadata": {"image/png": {"width": w, "height": h}},
        },)
        msg = self.run.message
        self.message_html.value = "" if not msg else (
            f'<div style="color:#D55E00; font-weight:bold">{html.escape(msg)}</div>')

    def _on_setting(self, change):
        self.batch_label.value = batch_kind(int(self.batch_slider.value), get_problem(self.problem).n)
        if not self._quiet:
            self.refresh()

    def _on_problem(self, change):
        """A new problem: its own data size, defaults and figure; references belong to the old one."""
        p = get_problem(change["new"])
        self._quiet = True
        try:
            self.batch_slider.max = p.n            # clamps the value if it was larger
            self.epochs_slider.max = p.max_epochs
            self.lr_slider.value = p.defaults["lr"]
            self.batch_slider.value = p.defaults["batch_size"]
            self.epochs_slider.value = p.defaults["epochs"]
        finally:
            self._quiet = False
        self.batch_label.value = batch_kind(int(self.batch_slider.value), p.n)
        self.references = []
        self.refresh()
