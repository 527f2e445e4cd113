"""The runtime integrity check, as it runs inside the submission's kernel.

``setup(nonce, skip_names, marker)`` snapshots ``numpy``, ``numpy.testing``, ``builtins``,
``sys``, ``helpers``, the trace/profile hooks and IPython's transformers and event callbacks,
and returns ``(record, check, after)``: ``record(ns, refresh)`` after each read-only cell
remembers what it bound; ``check(ns, exercise)`` before each test cell prints one marker line
``<marker> <nonce> {"exercise", "ok", "problems"}``; ``after(exercise)`` after each test cell
prints ``<marker> <nonce> {"exercise", "after": true, "diagnosis", "line"}``: the ``code`` of
the exception the test cell raised (``helpers.feedback.checks.CheckFailed.code``) and the line of the
test cell it came from. The student's code runs in the same process, so all of this is a
*signal* for the instructor, never what a grade rests on.
"""
from __future__ import annotations

import builtins
import json
import sys
import threading
import types

from . import stubs

__all__ = ["setup", "last_failure", "failure_of", "after_reporter"]

_VOLATILE = {"builtins": {"_", "__", "___", "exit", "quit", "get_ipython", "display", "input",
                          "raw_input", "__IPYTHON__", "__IPYTHON__active"},
             "sys": {"last_type", "last_value", "last_traceback", "last_exc", "ps1", "ps2", "ps3",
                     "excepthook"}}
_SHELL_ATTRS = ("run_cell", "run_code", "run_ast_nodes", "showtraceback", "showsyntaxerror",
                "_showtraceback", "system", "ex", "ev")


def _modules():
    return {n: m for n, m in list(sys.modules.items()) if m is not None and
            (n in ("numpy", "numpy.testing", "builtins", "sys", "helpers") or n.startswith("helpers."))}


def _hooks():
    return (sys.gettrace(), sys.getprofile(), getattr(threading, "_trace_hook", None),
            getattr(threading, "_profile_hook", None))


def _transformers(ip):
    tm = ip.input_transformer_manager
    return [list(ip.input_transformers_cleanup), list(ip.input_transformers_post),
            list(ip.ast_transformers), list(tm.cleanup_transforms), list(tm.line_transforms),
            list(tm.token_transformers)] + [list(v) for _, v in sorted(ip.events.callbacks.items())]


def _same_list(a, b):
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def _module_problems(snap) -> list[str]:
    problems = []
    mods = _modules()
    for n, before in snap.items():
        m = mods.get(n)
        if m is None:
            problems.append(f"module {n} was removed from sys.modules")
            continue
        now, skip = vars(m), _VOLATILE.get(n, ())
        for k, v in before.items():
            if k in skip or (n, k) in stubs.REGISTRY:     # stubbed / released by the grader
                continue
            if k not in now:
                problems.append(f"{n}.{k} was deleted")
            elif now[k] is not v:
                problems.append(f"{n}.{k} was replaced")
        for k in now.keys() - before.keys():
            if k not in skip and not isinstance(now[k], types.ModuleType):
                problems.append(f"{n}.{k} was added")
    return problems


def last_failure():
    """-> ``(exception, traceback)`` the previous cell raised, or ``(None, None)``.

    IPython records an exception in ``sys.last_value``, except one that has a custom handler (the
    lessons' feedback box for ``CheckFailed``, ``helpers.feedback.display.install_feedback``): that one only
    reaches ``last_execution_result.error_in_exec``, which still names the previous cell while the
    reporting cell runs.
    """
    exc = getattr(sys, "last_value", None)
    if exc is None:
        try:
            from IPython import get_ipython
            exc = getattr(getattr(get_ipython(), "last_execution_result", None), "error_in_exec", None)
        except ImportError:
            exc = None
    if not isinstance(exc, BaseException):
        return None, None
    return exc, getattr(sys, "last_traceback", None) or exc.__traceback__


def failure_of(exc, tb) -> tuple[str | None, int | None]:
    """-> (``exc.code`` when it is a str, the line of the cell's own code the exception came
    through: the first ``<module>`` frame of the traceback)."""
    code = getattr(exc, "code", None) if exc is not None else None
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "<module>":
            line = tb.tb_lineno
            break
        tb = tb.tb_next
    return (code if isinstance(code, str) else None), line


def setup(nonce: str, skip_names, marker: str):
    """-> ``(record, check, after)``; see the module's docstring."""
    import numpy  # noqa: F401 -- snapshot what the tests rely on, imported
    import numpy.testing  # noqa: F401
    import helpers  # noqa: F401
    import helpers.feedback.checks  # noqa: F401
    ip = get_ipython()  # noqa: F821 -- only ever imported inside an IPython kernel
    skip_names = set(skip_names)
    snap = {n: dict(vars(m)) for n, m in _modules().items()}
    base = {"hooks": _hooks(), "tf": _transformers(ip)}
    base_shell = {a: a in vars(ip) for a in _SHELL_ATTRS}
    bound = {}
    out = sys.stdout

    def emit(data):
        out.write(marker + " " + nonce + " " + json.dumps(data) + "\n")
        out.flush()

    def record(ns, refresh):
        if refresh:     # read-only cells before any student code may register hooks (matplotlib inline)
            base["tf"] = _transformers(ip)
        for k, v in list(ns.items()):
            if k.startswith("_") or k in skip_names:
                continue
            if isinstance(v, types.ModuleType) or \
                    str(getattr(v, "__module__", "")).startswith(("helpers.feedback.checks", "numpy.testing")):
                bound[k] = v

    def check(ns, exercise):
        problems = _module_problems(snap)
        if any(h is not b for h, b in zip(_hooks(), base["hooks"])):
            problems.append("a trace or profile hook was installed")
        now_tf = _transformers(ip)
        if len(now_tf) != len(base["tf"]) or not all(_same_list(a, b) for a, b in zip(now_tf, base["tf"])):
            problems.append("IPython input transformers or event callbacks were changed")
        if any((a in vars(ip)) != was for a, was in base_shell.items()):
            problems.append("IPython's shell methods were replaced")
        problems += [f"`{k}` (defined by a read-only cell) was redefined" for k, v in bound.items()
                     if ns.get(k) is not v]
        if "AssertionError" in ns and ns["AssertionError"] is not builtins.AssertionError:
            problems.append("AssertionError was redefined")
        for attr in ("last_value", "last_traceback"):
            setattr(sys, attr, None)       # `after` then sees only what the test cell raised
        emit({"exercise": exercise, "ok": not problems, "problems": sorted(set(problems))[:20]})

    def after(exercise):
        diagnosis, line = failure_of(*last_failure())
        emit({"exercise": exercise, "after": True, "diagnosis": diagnosis, "line": line})

    return record, check, after


def after_reporter(nonce: str, marker: str):
    """-> ``after(exercise)`` alone (the trusted side, where the test cells run, needs no snapshot)."""
    out = sys.stdout

    def after(exercise):
        diagnosis, line = failure_of(*last_failure())
        out.write(marker + " " + nonce + " " + json.dumps({"exercise": exercise, "after": True,
                                                            "diagnosis": diagnosis, "line": line}) + "\n")
        out.flush()
        for attr in ("last_value", "last_traceback"):
            setattr(sys, attr, None)
    return after
