"""The playground's settings and the state string that shares a run (plain, no widgets).

``Settings`` holds every control; ``encode_state(settings, updates, changes) -> str`` and
``decode_state(text) -> (settings, updates, changes)`` turn the whole state into one short,
URL-safe string ``"bp1." + base64url(compact JSON)`` and back. ``changes`` lists the controls
changed *while training* (``(update, field, value)``: from update ``update`` on, ``field`` had
``value``), so replaying from the seed for ``updates`` steps reproduces the run exactly.
Decoding validates every field and names the one that is wrong.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass, fields, replace

__all__ = ["DATASETS", "ACTIVATIONS", "INITS", "OPTIMIZERS", "HOT", "Settings", "check_settings",
           "encode_state", "decode_state", "StateError"]

DATASETS = ("moons", "circles", "spirals", "xor", "digits")
ACTIVATIONS = ("relu", "tanh", "sigmoid")
INITS = ("he", "xavier", "zeros", "sigma")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
#: controls that take effect at the next update while playing; every other control resets
HOT = ("lr", "beta1", "beta2", "weight_decay", "batch_size")
PREFIX = "bp1."
MAX_UPDATES = 10_000_000

# field -> (kind, low, high) or (choices,)
_RULES = {
    "dataset": (DATASETS,), "activation": (ACTIVATIONS,), "init": (INITS,), "optimizer": (OPTIMIZERS,),
    "noise": ("float", 0.0, 1.0), "n_train": ("int", 10, 1200), "depth": ("int", 1, 4),
    "width": ("int", 1, 64), "sigma": ("float", 0.0, 10.0), "lr": ("float", 1e-5, 10.0),
    "beta1": ("float", 0.0, 0.9999), "beta2": ("float", 0.0, 0.99999), "batch_size": ("int", 1, 1200),
    "weight_decay": ("float", 0.0, 1.0), "seed": ("int", 0, 2**31 - 1),
}


class StateError(ValueError):
    """A state string (or a setting) that cannot be used; the message names the field."""


@dataclass(frozen=True)
class Settings:
    """Every control of the playground. ``beta1`` is momentum's / RMSProp's beta and Adam's beta1;
    ``sigma`` is the weights' standard deviation when ``init == "sigma"``."""
    dataset: str = "moons"
    noise: float = 0.2
    n_train: int = 200
    depth: int = 2
    width: int = 16
    activation: str = "relu"
    init: str = "he"
    sigma: float = 0.1
    optimizer: str = "sgd"
    lr: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.999
    batch_size: int = 32
    weight_decay: float = 0.0
    seed: int = 0

    def with_(self, **changes) -> "Settings":
        return check_settings(replace(self, **changes))


def _check_field(name, value):
    rule = _RULES[name]
    if len(rule) == 1:
        if value not in rule[0]:
            raise StateError(f"playground: {name} must be one of {list(rule[0])}, got {value!r}")
        return value
    kind, lo, hi = rule
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StateError(f"playground: {name} must be a number in [{lo}, {hi}], got {value!r}")
    if kind == "int" and float(value) != int(value):
        raise StateError(f"playground: {name} must be a whole number in [{lo}, {hi}], got {value!r}")
    if not math.isfinite(value) or not lo <= value <= hi:
        raise StateError(f"playground: {name} must be in [{lo}, {hi}], got {value!r}")
    return int(value) if kind == "int" else float(value)


def check_settings(settings: Settings) -> Settings:
    """``settings`` with every field checked (StateError naming the field) and normalised."""
    if not isinstance(settings, Settings):
        raise TypeError(f"playground: settings must be a Settings, got {type(settings).__name__}")
    return Settings(**{f.name: _check_field(f.name, getattr(settings, f.name)) for f in fields(Settings)})


def encode_state(settings: Settings, updates: int = 0, changes=()) -> str:
    """The whole state as one short URL-safe string (see the module docstring)."""
    s = check_settings(settings)
    data = {"s": [getattr(s, f.name) for f in fields(Settings)], "u": int(updates),
            "c": [[int(t), k, v] for t, k, v in changes]}
    raw = json.dumps(data, separators=(",", ":")).encode()
    return PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _payload(text):
    if not isinstance(text, str) or not text.strip().startswith(PREFIX):
        raise StateError(f"playground: a state string starts with {PREFIX!r}, got {str(text)[:20]!r}")
    body = text.strip()[len(PREFIX):]
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise StateError("playground: the state string is damaged (copy all of it, from 'bp1.' "
                         "to the end)") from None
    if not isinstance(data, dict) or set(data) != {"s", "u", "c"}:
        raise StateError("playground: the state string is damaged (its fields are not s, u, c)")
    return data


def decode_state(text: str):
    """``(settings, updates, changes)`` from :func:`encode_state`'s string, every field checked."""
    data = _payload(text)
    names = [f.name for f in fields(Settings)]
    values = data["s"]
    if not isinstance(values, list) or len(values) != len(names):
        raise StateError(f"playground: the state string holds {len(values) if isinstance(values, list) else '?'} "
                         f"settings, expected {len(names)} ({', '.join(names)})")
    settings = check_settings(Settings(**dict(zip(names, values))))
    updates = data["u"]
    if isinstance(updates, bool) or not isinstance(updates, int) or not 0 <= updates <= MAX_UPDATES:
        raise StateError(f"playground: updates must be a whole number in [0, {MAX_UPDATES}], got {updates!r}")
    changes = []
    for item in data["c"] if isinstance(data["c"], list) else [None]:
        if not (isinstance(item, list) and len(item) == 3 and item[1] in HOT and isinstance(item[0], int)
                and 0 <= item[0] <= updates):
            raise StateError(f"playground: changes must be [update, field, value] with field one of "
                             f"{list(HOT)} and update <= {updates}, got {item!r}")
        changes.append((item[0], item[1], _check_field(item[1], item[2])))
    return settings, updates, changes
