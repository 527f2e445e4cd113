"""Plain data across the trust boundary: encode and decode without pickle, with exact type checks.

What crosses: ``None``, ``bool``, ``int``, ``float``, ``str``, numpy scalars and arrays of
bool / integer / float / complex dtype, and tuples, lists and dicts (str or int keys) of
these. Anything else is sent as a *reference* ``{"__ref__": id, "kind", "name"}`` that the
receiver turns into a proxy (a callback, a remote object) -- never into the object itself.

:func:`decode` trusts nothing: the payload's size, nesting depth, number of items, string
lengths, array dtypes and byte counts are all checked, every node's type is checked exactly
(``type(x) is ...``, so no subclass with methods gets through), and every failure is a
:class:`DecodeError` naming what was wrong.
"""
from __future__ import annotations

import base64
import json
import math

__all__ = ["DecodeError", "encode", "decode", "dumps", "loads", "MAX_PAYLOAD", "MAX_DEPTH", "MAX_ITEMS"]

MAX_PAYLOAD = 64 << 20      # characters of one encoded message
MAX_DEPTH = 32
MAX_ITEMS = 100_000         # containers' items + scalars in one message
MAX_STR = 1 << 20
MAX_INT_DIGITS = 400
_KINDS = "biufc"            # numpy dtype kinds that may cross
_TAGS = ("__nd__", "__np__", "__tuple__", "__dict__", "__f__", "__ref__")


class DecodeError(ValueError):
    """The payload is not plain data of the allowed kinds and sizes."""


def _np():
    import numpy
    return numpy


def _float(x: float):
    return x if math.isfinite(x) else {"__f__": repr(x)}


def encode(value, ref=None, _depth=0):
    """-> a JSON-able tree; ``ref(obj) -> (id, kind, name)`` is asked for anything not plain
    (without ``ref`` such a value is a :class:`TypeError`)."""
    if _depth > MAX_DEPTH:
        raise TypeError(f"data nested deeper than {MAX_DEPTH} levels")
    t = type(value)
    if value is None or t in (bool, str) or t is int:
        return value
    if t is float:
        return _float(value)
    if t in (list, tuple):
        items = [encode(v, ref, _depth + 1) for v in value]
        return items if t is list else {"__tuple__": items}
    if t is dict and all(type(k) in (str, int) for k in value):
        return {"__dict__": [[k, encode(v, ref, _depth + 1)] for k, v in value.items()]}
    np = _np() if "numpy" in t.__module__ else None
    if np is not None and t is np.ndarray and value.dtype.kind in _KINDS:
        arr = value if value.flags.c_contiguous else value.copy(order="C")
        return {"__nd__": arr.dtype.str, "shape": list(arr.shape), "b64": base64.b64encode(arr.tobytes()).decode()}
    if np is not None and isinstance(value, np.generic) and value.dtype.kind in _KINDS:
        return {"__np__": value.dtype.str, "b64": base64.b64encode(value.tobytes()).decode()}
    if ref is None:
        raise TypeError(f"{t.__name__} is not plain data")
    rid, kind, name = ref(value)
    return {"__ref__": rid, "kind": kind, "name": str(name)[:100]}


def dumps(value, ref=None) -> str:
    return json.dumps(encode(value, ref), separators=(",", ":"), allow_nan=False)


class _Budget:
    def __init__(self):
        self.items = 0

    def spend(self, n=1):
        self.items += n
        if self.items > MAX_ITEMS:
            raise DecodeError(f"more than {MAX_ITEMS} items")


def _dtype(text):
    np = _np()
    if type(text) is not str or len(text) > 8:
        raise DecodeError(f"bad dtype {text!r}")
    try:
        dt = np.dtype(text)
    except TypeError:
        raise DecodeError(f"bad dtype {text!r}") from None
    if dt.kind not in _KINDS or dt.hasobject or dt.fields is not None or dt.subdtype is not None:
        raise DecodeError(f"dtype {text!r} may not cross (only bool, integer, float, complex)")
    return dt


def _bytes(b64, limit):
    if type(b64) is not str or len(b64) > limit * 4 // 3 + 8:
        raise DecodeError("array data missing or too large")
    try:
        return base64.b64decode(b64, validate=True)
    except ValueError:
        raise DecodeError("array data is not base64") from None


def _array(node, budget):
    np = _np()
    if set(node) != {"__nd__", "shape", "b64"}:
        raise DecodeError(f"bad array keys {sorted(node)}")
    dt, shape = _dtype(node["__nd__"]), node["shape"]
    if type(shape) is not list or len(shape) > 32 or any(type(n) is not int or n < 0 for n in shape):
        raise DecodeError(f"bad array shape {shape!r}")
    count = math.prod(shape)
    if count * dt.itemsize > MAX_PAYLOAD:
        raise DecodeError("array too large")
    raw = _bytes(node["b64"], count * dt.itemsize)
    if len(raw) != count * dt.itemsize:
        raise DecodeError(f"array of shape {shape} {dt} needs {count * dt.itemsize} bytes, got {len(raw)}")
    budget.spend()
    return np.frombuffer(raw, dtype=dt).reshape(shape).copy()


def _scalar(node):
    if set(node) != {"__np__", "b64"}:
        raise DecodeError(f"bad scalar keys {sorted(node)}")
    dt = _dtype(node["__np__"])
    raw = _bytes(node["b64"], dt.itemsize)
    if len(raw) != dt.itemsize:
        raise DecodeError("bad scalar size")
    return _np().frombuffer(raw, dtype=dt)[0]


def _tagged(node, proxy, budget, depth):
    tags = [t for t in _TAGS if t in node]
    if len(tags) != 1:
        raise DecodeError(f"an object must carry exactly one known tag, got keys {sorted(node)[:5]}")
    tag = tags[0]
    if tag == "__nd__":
        return _array(node, budget)
    if tag == "__np__":
        return _scalar(node)
    if tag == "__f__":
        if set(node) != {"__f__"} or node["__f__"] not in ("nan", "inf", "-inf"):
            raise DecodeError(f"bad float {node!r}"[:200])
        return float(node["__f__"])
    if tag == "__tuple__":
        if set(node) != {"__tuple__"} or type(node["__tuple__"]) is not list:
            raise DecodeError("bad tuple")
        return tuple(_decode(v, proxy, budget, depth + 1) for v in node["__tuple__"])
    if tag == "__dict__":
        return _dict(node, proxy, budget, depth)
    return _ref(node, proxy)


def _dict(node, proxy, budget, depth):
    pairs = node["__dict__"]
    if set(node) != {"__dict__"} or type(pairs) is not list:
        raise DecodeError("bad dict")
    out = {}
    for pair in pairs:
        if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in (str, int) or type(pair[0]) is bool:
            raise DecodeError("bad dict item")
        out[pair[0]] = _decode(pair[1], proxy, budget, depth + 1)
    return out


def _ref(node, proxy):
    if set(node) != {"__ref__", "kind", "name"} or type(node["__ref__"]) is not int \
            or node["kind"] not in ("callable", "object") or type(node["name"]) is not str:
        raise DecodeError("bad reference")
    if proxy is None:
        raise DecodeError("a reference where only plain data may come")
    return proxy(node["__ref__"], node["kind"], node["name"][:100])


def _decode(node, proxy, budget, depth):
    if depth > MAX_DEPTH:
        raise DecodeError(f"nested deeper than {MAX_DEPTH} levels")
    budget.spend()
    t = type(node)
    if node is None or t is bool or t is float:
        return node
    if t is int:
        if len(str(abs(node))) > MAX_INT_DIGITS:
            raise DecodeError("integer too large")
        return node
    if t is str:
        if len(node) > MAX_STR:
            raise DecodeError("string too long")
        return node
    if t is list:
        return [_decode(v, proxy, budget, depth + 1) for v in node]
    if t is dict:
        return _tagged(node, proxy, budget, depth)
    raise DecodeError(f"unexpected {t.__name__}")


def decode(tree, proxy=None):
    """A JSON tree -> plain data; ``proxy(id, kind, name)`` makes the proxy for a reference."""
    return _decode(tree, proxy, _Budget(), 0)


def loads(text, proxy=None):
    """Decode one message (``str``) with every bound checked."""
    if type(text) is not str:
        raise DecodeError(f"expected a str message, got {type(text).__name__}")
    if len(text) > MAX_PAYLOAD:
        raise DecodeError(f"message of {len(text)} characters (at most {MAX_PAYLOAD})")
    try:
        tree = json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(DecodeError(f"bare {c}")))
    except RecursionError:
        raise DecodeError("nested too deeply") from None
    except json.JSONDecodeError as e:
        raise DecodeError(f"not JSON ({e.msg} at {e.pos})") from None
    return decode(tree, proxy)
