"""The student's functions in the playground: each tried once against the reference (plain).

``check_own(own, settings) -> (functions, notes)``: ``own`` maps ``"forward" | "backward" | "sgd"
| "momentum" | "adam"`` to the student's function (signatures in :mod:`.playground`); a function
that raises, warns or gives other numbers than the reference on a small input is left out (the
reference is used) and ``notes`` says why, kindly. A function that passes is used.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..deep import L_layer_backward, L_layer_forward
from ..initializers import init_params
from ..optimizers import adam_update, momentum_update, sgd_update

__all__ = ["OWN_NAMES", "check_own"]

#: key -> the function's name in the lessons
OWN_NAMES = {"forward": "L_layer_forward", "backward": "L_layer_backward", "sgd": "sgd_update",
             "momentum": "momentum_update", "adam": "adam_update"}


def _probe():
    rng = np.random.default_rng(7)
    params = init_params([2, 4, 3, 3], "he", rng)
    X = rng.normal(size=(5, 2))
    grads = {k: rng.normal(size=p.shape) for k, p in params.items()}
    return params, X, grads


def _copy(d):
    return {k: v.copy() for k, v in d.items()}


def _outputs(key, fn, params, X, grads):
    """What ``fn`` computes on the probe input (params after one update for the optimisers)."""
    if key == "forward":
        return fn(X, _copy(params))[0]
    if key == "backward":
        _, caches = L_layer_forward(X, params)
        grads = fn(np.ones((5, 3)) / 5, caches)
        return [grads[k] for k in sorted(params)]
    p, zeros = _copy(params), {k: np.zeros_like(v) for k, v in params.items()}
    if key == "sgd":
        fn(p, grads, 0.1)
    elif key == "momentum":
        fn(p, grads, _copy(zeros), 0.1, 0.9)
    else:
        fn(p, grads, _copy(zeros), _copy(zeros), 1, 0.1, 0.9, 0.999)
    return [p[k] for k in sorted(p)]


_REFS = {"forward": L_layer_forward, "backward": L_layer_backward, "sgd": sgd_update,
         "momentum": momentum_update, "adam": adam_update}


def _same(a, b):
    return all(np.shape(x) == np.shape(y) and np.allclose(x, y, rtol=1e-6, atol=1e-9) for x, y in zip(a, b)) \
        and len(a) == len(b)


def check_own(own, settings):
    """``(functions that pass, notes)``; see the module docstring."""
    unknown = set(own) - set(OWN_NAMES)
    if unknown:
        raise ValueError(f"playground: own functions must be among {sorted(OWN_NAMES)}, got {sorted(unknown)}")
    params, X, grads = _probe()
    functions, notes = {}, []
    for key, fn in own.items():
        name = OWN_NAMES[key]
        if fn is None:
            continue
        if key in ("forward", "backward") and settings.activation != "relu":
            notes.append(f"your {name} uses ReLU; with {settings.activation} the reference is used")
            continue
        try:
            with warnings.catch_warnings(), np.errstate(all="raise"):
                warnings.simplefilter("error")
                got = _outputs(key, fn, params, X, grads)
                want = _outputs(key, _REFS[key], params, X, grads)
        except NotImplementedError:
            notes.append(f"your {name} is not written yet — using the course's reference")
            continue
        except Exception as exc:  # noqa: BLE001 -- the student's code: any error means the reference
            notes.append(f"your {name} raised {type(exc).__name__} on a small test — using the reference")
            continue
        if not _same(got, want):
            notes.append(f"your {name} gave other numbers than the reference on a small test — using the reference")
            continue
        functions[key] = fn
        notes.append(f"using your {name}")
    return functions, notes
