"""The two ends in the kernels: :func:`serve` in the student's kernel, :func:`install` on the trusted side.

``serve()`` (student's kernel, run by the grader as one silent execution) answers the
trusted side's calls -- a function the student's cells defined, by name, or an object it
returned earlier -- until told to stop. ``install(ns, names)`` (trusted kernel) binds each
name the student's cells define to a :class:`~relay.RemoteFunction`, so the test cells call
the student's code exactly as before, but only plain data comes back.
"""
from __future__ import annotations

from . import plain
from .relay import Endpoint, RemoteFunction

__all__ = ["serve", "install", "READY"]

READY = '{"op":"ready"}'
_endpoint: list = []


def _kernel():
    return get_ipython()  # noqa: F821 -- only ever run inside an IPython kernel


def serve() -> None:
    """Answer calls until ``stop`` (student's kernel)."""
    ip = _kernel()
    ns = ip.user_ns

    def resolve(name):
        if name not in ns:
            raise NameError(f"name {name!r} is not defined")
        return ns[name]
    if not _endpoint:
        _endpoint.append(Endpoint(ip.kernel.raw_input, resolve))
    ep = _endpoint[0]
    text = ip.kernel.raw_input(READY)
    while True:
        try:
            msg = ep.receive(text)
        except plain.DecodeError as e:
            text = ip.kernel.raw_input(plain.dumps({"op": "raise", "type": "ValueError", "line": None,
                                                    "message": f"bad request: {e}"}))
            continue
        if msg["op"] == "stop":
            return
        if msg["op"] not in ("call", "getattr"):
            text = ip.kernel.raw_input(plain.dumps({"op": "raise", "type": "ValueError", "line": None,
                                                    "message": "expected a call"}))
            continue
        text = ip.kernel.raw_input(ep._dumps(ep.perform(msg)))


def install(ns: dict, names) -> None:
    """Bind every name in ``names`` in ``ns`` to a proxy of the student's function (trusted kernel)."""
    if not _endpoint:
        _endpoint.append(Endpoint(_kernel().kernel.raw_input))
    for name in names:
        ns[name] = RemoteFunction(_endpoint[0], ["name", name], name)
