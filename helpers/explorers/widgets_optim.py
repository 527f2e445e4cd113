"""The optimiser explorer (ipywidgets): SGD, momentum, RMSProp and Adam on a valley and on the digits.

``OptimizerExplorer(optimizer="adam", *, momentum=None, adam=None, epochs=5, seed=0)`` is a widget
(a ``VBox``): put it last in a cell. Every change of a control runs
:func:`helpers.explorers.explore_optim.run_optimizer` and redraws a
:class:`helpers.explorers.explore_optim_view.OptimizerFigure`; this module only wires the two together.

- ``momentum=momentum_update`` / ``adam=adam_update``: the "momentum" / "adam" choices drive your
  own update functions (the lesson-6 signatures); if they raise, the explorer says so kindly
  instead of stopping.

For tests and notebooks: ``.controls`` (name -> widget), ``.run`` (the last OptimRun),
``.message``, ``.output`` (an ``ipywidgets.Output`` holding the PNG), ``.png`` and ``.n_renders``.
"""
from __future__ import annotations

import base64
import html
import math

import ipywidgets as widgets

from .._validate import check_in_range
from .explore_optim import DEFAULTS, OPTIMIZER_NAMES, SCHEDULE_NAMES, run_optimizer
from .explore_optim_view import OptimizerFigure

__all__ = ["OptimizerExplorer"]

_FN = "OptimizerExplorer"
_WIDE = {"description_width": "initial"}


class OptimizerExplorer(widgets.VBox):
    """Optimiser, learning rates, betas and schedule driving real runs (see the module docstring)."""

    def __init__(self, optimizer="adam", *, momentum=None, adam=None, epochs=5, seed=0):
        if optimizer not in OPTIMIZER_NAMES:
            raise ValueError(f"{_FN}: optimizer must be one of {OPTIMIZER_NAMES}, got {optimizer!r}")
        for name, fn in (("momentum", momentum), ("adam", adam)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{_FN}: {name} must be a function such as {name}_update, "
                                f"got {type(fn).__name__}")
        self.epochs = check_in_range(epochs, "epochs", _FN, 1, 20, whole=True)
        self.seed = check_in_range(seed, "seed", _FN, 0, 99, whole=True)
        self.momentum_fn, self.adam_fn = momentum, adam
        self.run, self.png, self.n_renders, self._quiet = None, None, 0, False
        self.figure = OptimizerFigure(self.epochs, self.seed)
        common = dict(continuous_update=False, style=_WIDE)
        lr_v, lr_d = DEFAULTS[optimizer]
        self.optimizer_dropdown = widgets.Dropdown(options=list(OPTIMIZER_NAMES), value=optimizer,
                                                   description="optimizer", style=_WIDE)
        self.schedule_dropdown = widgets.Dropdown(options=list(SCHEDULE_NAMES), value="constant",
                                                  description="schedule", style=_WIDE)
        self.lr_valley_slider = widgets.FloatLogSlider(
            value=lr_v, base=10, min=-3, max=0, step=0.05, readout_format=".3g",
            description="learning rate (valley)", **common)
        self.lr_digits_slider = widgets.FloatLogSlider(
            value=lr_d, base=10, min=-4, max=0, step=0.1, readout_format=".3g",
            description="learning rate (digits)", **common)
        self.beta1_slider = widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01,
                                                description="beta1 (momentum)", **common)
        self.beta2_slider = widgets.FloatSlider(value=0.999, min=0.5, max=0.9999, step=0.0005,
                                                readout_format=".4f", description="beta2 (RMS)", **common)
        self.message_html = widgets.HTML()
        self.output = widgets.Output()
        self.controls = {"optimizer": self.optimizer_dropdown, "schedule": self.schedule_dropdown,
                         "learning rate (valley)": self.lr_valley_slider,
                         "learning rate (digits)": self.lr_digits_slider,
                         "beta1 (momentum)": self.beta1_slider, "beta2 (RMS)": self.beta2_slider}
        for w in self.controls.values():
            w.observe(self._on_change, names="value")
        rows = [widgets.HBox([self.optimizer_dropdown, self.schedule_dropdown]),
                widgets.HBox([self.lr_valley_slider, self.lr_digits_slider]),
                widgets.HBox([self.beta1_slider, self.beta2_slider])]
        super().__init__(rows + [self.output, self.message_html])
        self.add_class("optim-explorer")
        self.refresh()

    @property
    def message(self):
        return None if self.run is None else self.run.message

    def settings(self):
        return dict(optimizer=self.optimizer_dropdown.value, schedule=self.schedule_dropdown.value,
                    lr_valley=float(self.lr_valley_slider.value), lr_digits=float(self.lr_digits_slider.value),
                    beta1=float(self.beta1_slider.value), beta2=float(self.beta2_slider.value))

    def refresh(self):
        """Run with the current settings and redraw."""
        self.run = run_optimizer(**self.settings(), epochs=self.epochs, seed=self.seed,
                                 momentum_fn=self.momentum_fn, adam_fn=self.adam_fn)
        self._draw()
        return self.run

    def _draw(self):
        self.figure.update(self.run)
        self.png = self.figure.png()
        self.n_renders += 1
        w, h = self.figure.fig.canvas.get_width_height()
        self.output.outputs = ({
            "output_type": "display_data",
            "data": {"image/png": base64.b64encode(self.png).decode("ascii"),
                     "text/plain": f"<optimizer explorer: {self.run.label}>"},
            "metadata": {"image/png": {"width": w, "height": h}},
        },)
        msg = self.run.message
        self.message_html.value = "" if not msg else (
            f'<div style="color:#D55E00; font-weight:bold">{html.escape(msg)}</div>')

    def _on_change(self, change):
        if self._quiet:
            return
        if change["owner"] is self.optimizer_dropdown:   # each optimiser starts at rates that work
            lr_v, lr_d = DEFAULTS[change["new"]]
            self._quiet = True
            try:
                self.lr_valley_slider.value, self.lr_digits_slider.value = lr_v, lr_d
            finally:
                self._quiet = False
        if math.isfinite(self.lr_valley_slider.value):
            self.refresh()
