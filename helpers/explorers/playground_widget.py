"""The live training playground as a widget: play, pause, step, reset, and every control.

``Playground(state=None, *, own=None, **settings)`` is a ``VBox`` (put it last in a cell). It is a
thin layer over :class:`helpers.explorers.playground.Trainer` (the training) and
:class:`helpers.explorers.playground_view.PlaygroundFigure` (the drawing). Creating it draws the
untrained network and does not start training. "play" trains in small chunks (about
``CHUNK_S`` of work, then a redraw) driven from the kernel's asyncio event loop, yielding between
chunks so that a click on "pause" or a slider is handled at once.

A change of the learning rate, the betas, the batch size or the weight decay takes effect at
the next update; every other control starts a fresh network and says so. The state string
(every control, the seed, the update count) is shown under the plot: paste one into "load a
state" to reproduce that run exactly. ``own=dict(forward=L_layer_forward, ...)``: train with your
own functions (see :mod:`.playground`).

For tests: ``.controls`` (name -> widget), ``.trainer``, ``.png``, ``.frame()`` (one chunk and a
redraw, what the play loop does), ``.play()`` / ``.pause()`` / ``.step()`` / ``.reset()``,
``.load(text)``.
"""
from __future__ import annotations

import asyncio
import html
import time
from dataclasses import fields

import ipywidgets as widgets

from .playground import Trainer, TrainingPaused
from .playground_health import reading
from .playground_state import ACTIVATIONS, DATASETS, HOT, INITS, OPTIMIZERS, Settings, StateError, decode_state
from .playground_view import PlaygroundFigure, summary

__all__ = ["Playground", "CHUNK_S"]

CHUNK_S = 0.02          # seconds of training between two redraws while playing
_STYLE = {"description_width": "initial"}
_LABELS = {"lr": "learning rate", "batch_size": "batch size", "beta1": "beta1", "beta2": "beta2",
           "weight_decay": "L2 weight decay", "depth": "hidden layers", "width": "units per layer",
           "activation": "activation", "init": "initialisation", "sigma": "σ (init)", "optimizer": "optimiser",
           "dataset": "data set", "noise": "noise", "n_train": "training points", "seed": "seed"}


def _control(name, value):
    common = dict(description=_LABELS[name], style=_STYLE, continuous_update=False)
    choices = {"dataset": DATASETS, "activation": ACTIVATIONS, "init": INITS, "optimizer": OPTIMIZERS}
    if name in choices:
        return widgets.Dropdown(options=list(choices[name]), value=value, description=_LABELS[name], style=_STYLE)
    if name in ("lr", "sigma"):
        lo = -4 if name == "lr" else -3
        return widgets.FloatLogSlider(value=value, base=10, min=lo, max=1, step=0.1, readout_format=".3g", **common)
    ranges = {"batch_size": (1, 512, 1), "depth": (1, 4, 1), "width": (1, 64, 1), "n_train": (20, 1000, 10),
              "seed": (0, 99, 1)}
    if name in ranges:
        lo, hi, st = ranges[name]
        return widgets.IntSlider(value=value, min=lo, max=hi, step=st, **common)
    hi = {"beta1": 0.999, "beta2": 0.9999, "weight_decay": 0.1, "noise": 0.6}[name]
    step = {"beta1": 0.01, "beta2": 0.0001, "weight_decay": 0.001, "noise": 0.01}[name]
    return widgets.FloatSlider(value=value, min=0.0, max=hi, step=step, readout_format=".4g", **common)


class Playground(widgets.VBox):
    """Watch a network train, update by update (see the module docstring)."""

    def __init__(self, state=None, *, own=None, **settings):
        if state is not None:
            start, _, _ = decode_state(state)
        else:
            start = Settings().with_(**settings) if settings else Settings()
        self.own, self.playing, self.png, self.n_frames, self._task, self._quiet = own, False, None, 0, None, False
        self.controls = {f.name: _control(f.name, getattr(start, f.name)) for f in fields(Settings)}
        for name, w in self.controls.items():
            w.observe(lambda change, name=name: self._on_control(name, change["new"]), names="value")
        self.buttons = {k: widgets.Button(description=k, icon=icon, tooltip=tip, layout=widgets.Layout(width="auto"))
                        for k, icon, tip in (("play", "play", "train continuously"), ("pause", "pause", "stop training"),
                                             ("step", "step-forward", "one update"),
                                             ("reset", "undo", "a fresh network with these settings"))}
        for k, b in self.buttons.items():
            b.on_click(lambda _, k=k: getattr(self, k)())
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="800px"))
        self.summary_html, self.health_html, self.note_html = widgets.HTML(), widgets.HTML(), widgets.HTML()
        self.state_text = widgets.Text(description="state (copy)", style=_STYLE, layout=widgets.Layout(width="60%"))
        self.load_text = widgets.Text(description="load a state", placeholder="paste bp1.… and press Enter",
                                      style=_STYLE, layout=widgets.Layout(width="60%"))
        self.load_button = widgets.Button(description="load", icon="upload", tooltip="replay the pasted state")
        self.load_button.on_click(lambda _: self.load(self.load_text.value))
        self.load_text.continuous_update = False
        super().__init__(self._layout())
        self.add_class("playground")
        self._new_trainer(start)
        if state is not None:
            self.load(state)
        self._draw()

    def _layout(self):
        c = self.controls
        rows = [widgets.HBox(list(self.buttons.values()) + [c["dataset"], c["noise"], c["n_train"]]),
                widgets.HBox([c["lr"], c["batch_size"], c["optimizer"], c["beta1"], c["beta2"]]),
                widgets.HBox([c["depth"], c["width"], c["activation"], c["init"], c["sigma"]]),
                widgets.HBox([c["weight_decay"], c["seed"]])]
        return rows + [widgets.HBox([self.image, self.summary_html]), self.health_html, self.note_html,
                       self.state_text, widgets.HBox([self.load_text, self.load_button])]

    # -- actions ------------------------------------------------------------------------------------
    def settings(self):
        return Settings(**{k: w.value for k, w in self.controls.items()})

    def _new_trainer(self, settings, note=""):
        self.trainer = Trainer(settings, self.own)
        self._figure = PlaygroundFigure(settings.dataset, self.trainer.Xtr, self.trainer.ytr, self.trainer.n_classes)
        self._message, self._note = "", note

    def reset(self, note=""):
        """A fresh network with the current settings (the same seed gives the same one)."""
        self._new_trainer(self.settings(), note)
        self._draw()

    def step(self):
        """Exactly one update, then a redraw (pauses first if playing)."""
        self.pause()
        self._train(1)
        self._draw()

    def frame(self, seconds=CHUNK_S):
        """One chunk of updates (at least one, about ``seconds`` of work) and a redraw."""
        t0 = time.perf_counter()
        self._train(1)
        while self.playing and self._message == "" and time.perf_counter() - t0 < seconds:
            self._train(1)
        self._draw()

    def _train(self, n):
        try:
            self.trainer.run(n)
        except TrainingPaused as exc:
            self.playing, self._message = False, str(exc)

    def play(self):
        """Start training on the kernel's event loop (no-op if already playing)."""
        if self.playing:
            return
        self.playing, self._message = True, ""
        self._task = asyncio.get_event_loop().create_task(self._loop())

    def pause(self):
        self.playing = False

    async def _loop(self):
        try:
            while self.playing:
                self.frame()
                await asyncio.sleep(0.001)     # let the kernel handle clicks between chunks
        except Exception as exc:  # noqa: BLE001 -- never let the loop die silently
            self.playing, self._message = False, f"Paused: {type(exc).__name__}: {exc}"
            self._draw()

    def load(self, text):
        """Replay a state string: the same settings, seed and update count, exactly."""
        self.pause()
        try:
            settings, _, _ = decode_state(text)
            trainer = Trainer.from_state(text, self.own)
        except (StateError, TrainingPaused) as exc:
            self._note = str(exc)
            self._draw()
            return
        self._quiet = True
        try:
            for k, w in self.controls.items():
                w.value = getattr(trainer.settings, k)
        finally:
            self._quiet = False
        self.trainer = trainer
        self._figure = PlaygroundFigure(settings.dataset, trainer.Xtr, trainer.ytr, trainer.n_classes)
        self._message, self._note = "", "loaded the state string: the same run, replayed from its seed"
        self._draw()

    def _on_control(self, name, value):
        if self._quiet:
            return
        if name in HOT and self.trainer.t > 0:
            self.trainer.set(name, value)
            self._note = f"{_LABELS[name]} = {value:.4g} from update {self.trainer.t + 1} on"
            self._draw()
        else:
            self.reset(f"{_LABELS[name]} changed: a fresh network starts from update 0")

    # -- drawing ------------------------------------------------------------------------------------
    def _draw(self):
        tr = self.trainer
        self.png = self._figure.update(tr, self._message[:90]).png()
        self.image.value = self.png
        self.n_frames += 1
        text = html.escape(summary(tr)).replace("\n", "<br>")
        self.summary_html.value = (f'<div role="status" aria-label="training summary" class="pg-summary" '
                                   f'style="font-size:12px; max-width:22em">{text}</div>')
        self.health_html.value = self._health_table()
        notes = [self._message] + ([self._note] if self._note else []) + self.trainer.notes
        self.note_html.value = "".join(f'<div class="pg-note" style="color:#D55E00">{html.escape(n)}</div>'
                                       for n in notes if n)
        self.state_text.value = tr.state()

    def _health_table(self):
        health = self.trainer.health()
        if not health:
            return '<div class="pg-health">health: press play or step to see each layer\'s readings</div>'
        rows = "".join(
            f"<tr><td>{h.layer}</td><td>{'' if h.act_std is None else f'{h.act_std:.2g}'}</td>"
            f"<td>{'' if h.dead is None else f'{100 * h.dead:.0f} %'}</td><td>{h.grad_std:.2g}</td>"
            f"<td>{h.ratio:.1e}</td><td>{html.escape(reading(h).split(': ', 1)[1])}</td></tr>" for h in health)
        head = ("<tr><th>layer</th><th>activation std</th><th>dead ReLUs</th><th>gradient std</th>"
                "<th>update/weight (≈1e-3)</th><th>reading</th></tr>")
        return (f'<table class="pg-health" aria-label="health per layer" style="font-size:12px">'
                f"{head}{rows}</table>")
