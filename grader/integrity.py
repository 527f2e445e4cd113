"""The grader-injected runtime integrity check.

Three kinds of cells are injected into the notebook being graded (never shown to
students): a *preamble* before everything (snapshots ``numpy``, ``numpy.testing``,
``builtins``, ``sys``, ``helpers``, the trace/profile hooks and IPython's transformers
and event callbacks), a *record* cell after each read-only instructor cell (remembers
the functions/modules it bound, e.g. ``check_array``), and a *check* cell before each test
cell, which prints one marker line ``<MARKER> <nonce> {"ok": ..., "problems": [...]}``
through the original output stream. A missing or malformed marker counts as tampering.
"""
from __future__ import annotations

import json

__all__ = ["MARKER", "preamble", "record_cell", "check_cell", "parse_marker"]

MARKER = "__bw_integrity__"

_PREAMBLE = r'''
def __bw_integrity_setup(nonce, skip_names, marker):
    import builtins, json, sys, threading, types
    import numpy, numpy.testing, helpers, helpers.checks
    def modules():
        return {n: m for n, m in list(sys.modules.items()) if m is not None and
                (n in ("numpy", "numpy.testing", "builtins", "sys", "helpers") or n.startswith("helpers."))}
    volatile = {"builtins": {"_", "__", "___", "exit", "quit", "get_ipython", "display", "input",
                             "raw_input", "__IPYTHON__", "__IPYTHON__active"},
                "sys": {"last_type", "last_value", "last_traceback", "last_exc", "ps1", "ps2", "ps3",
                        "excepthook"}}
    snap = {n: dict(vars(m)) for n, m in modules().items()}
    ip = get_ipython()
    def hooks():
        return (sys.gettrace(), sys.getprofile(), getattr(threading, "_trace_hook", None),
                getattr(threading, "_profile_hook", None))
    def transformers():
        tm = ip.input_transformer_manager
        return [list(ip.input_transformers_cleanup), list(ip.input_transformers_post),
                list(ip.ast_transformers), list(tm.cleanup_transforms), list(tm.line_transforms),
                list(tm.token_transformers)] + [list(v) for _, v in sorted(ip.events.callbacks.items())]
    base = {"hooks": hooks(), "tf": transformers()}
    shell_attrs = ("run_cell", "run_code", "run_ast_nodes", "showtraceback", "showsyntaxerror",
                   "_showtraceback", "system", "ex", "ev")
    base_shell = {a: a in vars(ip) for a in shell_attrs}
    bound = {}
    out = sys.stdout
    def record(ns, refresh):
        if refresh:     # read-only cells before any student code may register hooks (matplotlib inline)
            base["tf"] = transformers()
        for k, v in list(ns.items()):
            if k.startswith("_") or k in skip_names:
                continue
            if isinstance(v, types.ModuleType) or \
                    str(getattr(v, "__module__", "")).startswith(("helpers.checks", "numpy.testing")):
                bound[k] = v
    def same_list(a, b):
        return len(a) == len(b) and all(x is y for x, y in zip(a, b))
    def check(ns, exercise):
        problems = []
        mods = modules()
        for n, before in snap.items():
            m = mods.get(n)
            if m is None:
                problems.append(f"module {n} was removed from sys.modules")
                continue
            now = vars(m)
            skip = volatile.get(n, ())
            for k, v in before.items():
                if k in skip:
                    continue
                if k not in now:
                    problems.append(f"{n}.{k} was deleted")
                elif now[k] is not v:
                    problems.append(f"{n}.{k} was replaced")
            for k in now.keys() - before.keys():
                if k not in skip and not isinstance(now[k], types.ModuleType):
                    problems.append(f"{n}.{k} was added")
        if any(h is not b for h, b in zip(hooks(), base["hooks"])):
            problems.append("a trace or profile hook was installed")
        now_tf = transformers()
        if len(now_tf) != len(base["tf"]) or not all(same_list(a, b) for a, b in zip(now_tf, base["tf"])):
            problems.append("IPython input transformers or event callbacks were changed")
        if any((a in vars(ip)) != was for a, was in base_shell.items()):
            problems.append("IPython's shell methods were replaced")
        for k, v in bound.items():
            if ns.get(k) is not v:
                problems.append(f"`{k}` (defined by a read-only cell) was redefined")
        if "AssertionError" in ns and ns["AssertionError"] is not AssertionError:
            problems.append("AssertionError was redefined")
        out.write(marker + " " + nonce + " " + json.dumps({"exercise": exercise, "ok": not problems,
                                                          "problems": sorted(set(problems))[:20]}) + "\n")
        out.flush()
    return record, check
__bw_record, __bw_check = __bw_integrity_setup(%r, %r, %r)
del __bw_integrity_setup
'''


def preamble(nonce: str, skip_names) -> str:
    """Source of the first injected cell; ``skip_names``: names students legitimately define."""
    return _PREAMBLE % (nonce, sorted(skip_names), MARKER)


def record_cell(refresh: bool) -> str:
    """After a read-only cell; ``refresh``: no student code has run yet, so hooks it installed are legit."""
    return f"__bw_record(globals(), {bool(refresh)})"


def check_cell(exercise: str) -> str:
    return f"__bw_check(globals(), {exercise!r})"


def parse_marker(text: str, nonce: str) -> dict | None:
    """The check's verdict from a cell's stdout text (``None`` when no valid marker)."""
    for line in (text or "").splitlines():
        if line.startswith(f"{MARKER} {nonce} "):
            try:
                data = json.loads(line[len(MARKER) + len(nonce) + 2:])
            except json.JSONDecodeError:
                return None
            return data if isinstance(data, dict) and "ok" in data else None
    return None
