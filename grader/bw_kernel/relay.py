"""One side of a call across the trust boundary (the same code runs in both kernels).

The two kernels never talk to each other: each side speaks only to the grader, through the
Jupyter *stdin* channel (``raw_input``: the prompt carries our message, the reply the other
side's), and the grader relays. A message is one :mod:`plain` text:

* ``{"op": "call", "target": [...], "method", "args", "kwargs"}``: run a function or a
  method of an object this side holds, with plain-data arguments (``target`` is
  ``["name", n]`` -- only the student's side resolves names -- or ``["ref", id]``);
* ``{"op": "getattr", "target", "name"}``: an attribute of an object this side holds;
* ``{"op": "return", "value", "args", "kwargs", "out", "err", "warnings"}`` /
  ``{"op": "raise", "type", "message", "line", ...}``: how a call ended, with the state of
  the array arguments after it (in-place updates travel back), what it printed and warned;
* ``{"op": "stop"}``: no more calls.

A call may be answered by another ``call`` first (a callback: the other side calls back a
function or object that was passed to it); :meth:`Endpoint.exchange` serves those until the
answer comes. Objects that are not plain data cross as references and become proxies
(:class:`RemoteFunction`, :class:`RemoteObject`) whose calls return plain data only.
"""
from __future__ import annotations

import contextlib
import io
import sys
import types
import warnings

from . import plain

__all__ = ["Endpoint", "RemoteFunction", "RemoteObject", "RemoteError", "exception_from", "sync"]

MAX_TEXT = 200_000
_BUILTIN_ERRORS = {e.__name__: e for e in (
    ValueError, TypeError, IndexError, KeyError, NotImplementedError, ZeroDivisionError, AssertionError,
    AttributeError, NameError, RuntimeError, FloatingPointError, OverflowError, MemoryError, RecursionError,
    UnboundLocalError, StopIteration, LookupError, ArithmeticError, OSError)}
_DUNDERS = ("__next__", "__iter__", "__len__", "__getitem__", "__call__")
OPAQUE = "\x00bw-not-plain"
_WARNINGS = {w.__name__: w for w in (RuntimeWarning, UserWarning, DeprecationWarning, FutureWarning,
                                     SyntaxWarning, ResourceWarning, PendingDeprecationWarning)}


class RemoteError(Exception):
    """An exception of a type that is not a builtin, raised on the other side."""


def exception_from(msg: dict) -> BaseException:
    """The exception a ``raise`` message describes (a builtin type, or a RemoteError subclass by name)."""
    name = str(msg.get("type", "Exception"))[:60]
    text = str(msg.get("message", ""))[:MAX_TEXT]
    cls = _BUILTIN_ERRORS.get(name)
    if cls is None and name == "LinAlgError":
        import numpy
        cls = numpy.linalg.LinAlgError
    if cls is None:
        cls = type(name if name.isidentifier() else "RemoteError", (RemoteError,), {})
    return cls(text)


def sync(orig, after):
    """Copy the other side's view of an argument back into ``orig`` (arrays in place)."""
    try:
        import numpy
    except ImportError:       # pragma: no cover -- numpy is always there in a kernel
        return
    if type(orig) is numpy.ndarray and type(after) is numpy.ndarray:
        if orig.shape == after.shape and orig.flags.writeable:
            orig[...] = after.astype(orig.dtype, copy=False) if orig.dtype != after.dtype else after
    elif type(orig) is dict and type(after) is dict:
        for k in list(orig):
            if k not in after:
                del orig[k]
        for k, v in after.items():
            if k in orig and type(orig[k]) is numpy.ndarray and type(v) is numpy.ndarray \
                    and orig[k].shape == v.shape and orig[k].dtype == v.dtype:
                sync(orig[k], v)
            elif not (type(v) is str and v == OPAQUE):
                orig[k] = v
    elif type(orig) in (list, tuple) and type(after) is type(orig) and len(orig) == len(after):
        for i, (o, a) in enumerate(zip(orig, after)):
            if type(o) in (numpy.ndarray, dict, list) and type(a) is type(o):
                sync(o, a)
            elif type(orig) is list and not (type(a) is str and a == OPAQUE):
                orig[i] = a


class RemoteFunction:
    """A function that lives on the other side; calling it returns plain data."""

    def __init__(self, endpoint, target, name):
        self._endpoint, self._target = endpoint, target
        self.__name__ = self.__qualname__ = name

    def __call__(self, *args, **kwargs):
        return self._endpoint.call(self._target, None, args, kwargs)

    def __repr__(self):
        return f"<function {self.__name__}>"


class RemoteObject:
    """An object that lives on the other side: public attributes are fetched (plain data, or a
    method proxy); calling a method runs it there."""

    def __init__(self, endpoint, target, name):
        object.__setattr__(self, "_bw", (endpoint, target, name))

    def __getattr__(self, attr):
        if attr.startswith("_"):
            raise AttributeError(attr)
        endpoint, target, _ = object.__getattribute__(self, "_bw")
        return endpoint.getattr(target, attr)

    def __setattr__(self, attr, value):
        raise AttributeError(f"cannot set {attr!r} on an object of the other side")

    def _bw_call(self, method, *args):
        endpoint, target, name = object.__getattribute__(self, "_bw")
        try:
            return endpoint.call(target, method, args, {})
        except AttributeError:       # as Python says it for an object without that special method
            raise TypeError(f"{name!r} object does not support {method}") from None

    def __call__(self, *args, **kwargs):
        endpoint, target, _ = object.__getattribute__(self, "_bw")
        return endpoint.call(target, None, args, kwargs)

    def __iter__(self):
        return self

    def __next__(self):
        return self._bw_call("__next__")

    def __len__(self):
        return self._bw_call("__len__")

    def __getitem__(self, key):
        return self._bw_call("__getitem__", key)

    def __repr__(self):
        return f"<{object.__getattribute__(self, '_bw')[2]} object>"


class Endpoint:
    """This side's end: ``ask(text) -> text`` sends a message and waits for the other side's;
    ``resolve(target)`` finds a local function/object for an incoming call."""

    def __init__(self, ask, resolve_name=None):
        self._ask, self._resolve_name = ask, resolve_name
        self._refs: dict[int, object] = {}
        self._ids: dict[int, int] = {}
        self._fetched: list = []      # mutable attributes fetched from the other side's objects

    # -- references ---------------------------------------------------------------------
    def ref(self, obj):
        if isinstance(obj, (RemoteFunction, RemoteObject)):
            raise TypeError("a proxy of the other side cannot be sent back")
        rid = self._ids.get(id(obj))
        if rid is None:
            rid = len(self._refs) + 1
            self._refs[rid], self._ids[id(obj)] = obj, rid
        fn = isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, types.MethodType))
        return rid, "callable" if fn else "object", getattr(obj, "__name__", type(obj).__name__)

    def proxy(self, rid, kind, name):
        target = ["ref", rid]
        return RemoteFunction(self, target, name) if kind == "callable" else RemoteObject(self, target, name)

    def _local(self, target):
        if type(target) is list and len(target) == 2 and target[0] == "ref" and target[1] in self._refs:
            return self._refs[target[1]]
        if type(target) is list and len(target) == 2 and target[0] == "name" and self._resolve_name:
            return self._resolve_name(str(target[1]))
        raise LookupError(f"no such object here: {str(target)[:80]}")

    # -- outgoing -----------------------------------------------------------------------
    def send(self, msg: dict) -> dict:
        """Send ``msg``; serve the other side's calls until its answer (return/raise/stop)."""
        text = self._dumps(msg)
        while True:
            answer = self.receive(self._ask(text))
            if answer["op"] in ("call", "getattr"):
                text = self._dumps(self.perform(answer))
                continue
            return answer

    def receive(self, text) -> dict:
        """Decode a message of the other side; apply the attribute state it carries."""
        answer = plain.loads(text, proxy=self.proxy)
        if type(answer) is not dict or answer.get("op") not in ("call", "getattr", "return", "raise", "stop"):
            raise plain.DecodeError("bad message from the other side")
        for item in answer.pop("attrs", None) or ():
            try:
                obj = self._local(item[0])
                if type(item[1]) is str and not item[1].startswith("_"):
                    sync(getattr(obj, item[1]), item[2])
            except Exception:  # noqa: BLE001,S112 -- a bad item changes nothing
                continue
        return answer

    def _dumps(self, msg):
        if self._fetched:
            msg = dict(msg, attrs=[[t, n, v] for t, n, v in self._fetched])
            if msg["op"] in ("return", "raise"):
                self._fetched = []
        try:
            return plain.dumps(msg, ref=self.ref)
        except (TypeError, ValueError) as e:
            return plain.dumps({"op": "raise", "type": "TypeError", "message": f"cannot send this: {e}",
                                "line": None})

    def call(self, target, method, args, kwargs):
        """Call a function/method of the other side; re-raise/re-warn/re-print what it did there."""
        answer = self.send({"op": "call", "target": target, "method": method, "args": tuple(args),
                            "kwargs": dict(kwargs)})
        if answer["op"] == "stop":
            raise RuntimeError("the other side stopped")
        sync(tuple(args), answer.get("args"))
        sync(dict(kwargs), answer.get("kwargs"))
        for stream, key in (("stdout", "out"), ("stderr", "err")):
            text = answer.get(key)
            if type(text) is str and text:
                print(text[:MAX_TEXT], end="", file=getattr(sys, stream))
        for item in answer.get("warnings") or ():
            if type(item) in (list, tuple) and len(item) == 2:
                warnings.warn(str(item[1])[:2000], _WARNINGS.get(str(item[0]), UserWarning), stacklevel=3)
        if answer["op"] == "raise":
            raise exception_from(answer)
        return answer.get("value")

    def getattr(self, target, name):
        answer = self.send({"op": "getattr", "target": target, "name": name})
        if answer["op"] == "raise":
            raise exception_from(answer)
        value = answer.get("value")
        if type(value).__name__ in ("dict", "list", "ndarray"):
            self._fetched.append((target, name, value))    # its changes go back with our next message
        return value

    # -- incoming -----------------------------------------------------------------------
    def perform(self, msg: dict) -> dict:
        """Run an incoming call or getattr on a local object -> the answer message."""
        try:
            obj = self._local(msg.get("target"))
            if msg["op"] == "getattr":
                name = msg.get("name")
                if type(name) is not str or name.startswith("_"):
                    raise AttributeError(f"no attribute {str(name)[:40]!r}")
                return {"op": "return", "value": getattr(obj, name)}
        except Exception as e:  # noqa: BLE001 -- becomes the other side's exception
            return {"op": "raise", "type": type(e).__name__, "message": str(e)[:MAX_TEXT], "line": None}
        return self._run(obj, msg)

    def _run(self, obj, msg):
        method, args, kwargs = msg.get("method"), msg.get("args"), msg.get("kwargs")
        out, err = io.StringIO(), io.StringIO()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if method is not None:
                    if type(method) is not str or (method.startswith("_") and method not in _DUNDERS):
                        raise AttributeError(f"no method {str(method)[:40]!r}")
                    obj = getattr(obj, method)
                if type(args) is not tuple or type(kwargs) is not dict:
                    raise TypeError("bad arguments")
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    value = obj(*args, **kwargs)
                answer = {"op": "return", "value": value}
            except KeyboardInterrupt:
                raise
            except BaseException as e:  # noqa: BLE001 -- the other side re-raises it
                answer = {"op": "raise", "type": type(e).__name__, "message": str(e)[:MAX_TEXT],
                          "line": _line(e)}
        answer.update(args=_opaque(args), kwargs=_opaque(kwargs), out=out.getvalue()[:MAX_TEXT],
                      err=err.getvalue()[:MAX_TEXT],
                      warnings=[[w.category.__name__, str(w.message)[:2000]] for w in caught[:20]])
        return answer


def _opaque(value):
    """Arguments as they are after a call, with anything not plain replaced by a marker."""
    try:
        plain.encode(value)
        return value
    except TypeError:
        if type(value) in (list, tuple):
            return type(value)(_opaque(v) for v in value)
        if type(value) is dict:
            return {k: _opaque(v) for k, v in value.items()}
        return OPAQUE


def _line(exc):
    tb = exc.__traceback__
    line = None
    while tb is not None:
        line = tb.tb_lineno
        tb = tb.tb_next
    return line
