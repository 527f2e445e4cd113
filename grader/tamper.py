"""Static inspection of a student's cells for tampering with the checks.

Flags, per cell: assigning to (or deleting, ``setattr`` on) attributes of ``numpy``,
``numpy.testing``, ``builtins``, ``helpers`` or ``sys``; installing trace/profile hooks;
touching IPython's input/AST transformers or event callbacks; redefining
``AssertionError``; rebinding a name that the lesson's read-only cells imported (e.g.
``check_array = lambda *a: None``). Separately, ``reference_calls`` finds an answer cell
that merely calls the ``helpers`` reference implementation of its own exercise.
The grader-injected runtime check (:mod:`grader.integrity`) backs this up.
"""
from __future__ import annotations

import ast

from .pyparse import parse

__all__ = ["parse_cell", "import_aliases", "inspect_source", "reference_calls", "PROTECTED"]

PROTECTED = ("numpy", "builtins", "helpers", "sys")
_HOOK_CALLS = {"sys.settrace", "sys.setprofile", "threading.settrace", "threading.setprofile",
               "threading.settrace_all_threads", "threading.setprofile_all_threads", "sys.addaudithook",
               "sys.monitoring.register_callback", "sys.monitoring.use_tool_id", "sys.monitoring.set_events"}
_IPY_ATTRS = {"input_transformers_cleanup", "input_transformers_post", "ast_transformers",
              "input_transformer_manager", "set_custom_exc", "showtraceback", "run_cell", "events"}


BIG_CELL = 2000      # lines: above this, magics are replaced line by line (IPython's own
                     # transformer re-reads the whole cell per escape: 24,000 lines and 330
                     # shell escapes took minutes)


def _escapes_as_calls(source: str) -> str:
    out = []
    for line in source.splitlines():
        body = line.lstrip()
        if body.startswith(("!", "%")):
            line = line[:len(line) - len(body)] + f"get_ipython().system({body[1:]!r})"
        out.append(line)
    return "\n".join(out)


def parse_cell(source: str):
    """Parse a cell as IPython would (magics become calls); ``None`` on a syntax error."""
    source = source or ""
    try:
        if source.count("\n") > BIG_CELL:
            return parse(_escapes_as_calls(source))
        from IPython.core.inputtransformer2 import TransformerManager
        return parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def import_aliases(trees) -> dict[str, str]:
    """``{local name: dotted path}`` for every import in ``trees`` (later imports win)."""
    out = {"__builtins__": "builtins"}
    for tree in trees:
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.Import):
                for a in node.names:
                    out[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


def _path(node, aliases) -> str | None:
    if isinstance(node, ast.Name):
        name = aliases.get(node.id, node.id)
        return name
    if isinstance(node, ast.Attribute):
        base = _path(node.value, aliases)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "get_ipython":
        return "IPython"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "vars" and node.args:
        return _path(node.args[0], aliases)
    return None


def _protected(path: str | None) -> bool:
    return bool(path) and path.split(".")[0] in PROTECTED


def _targets(node):
    if isinstance(node, (ast.Assign,)):
        return node.targets
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        return [node.target]
    if isinstance(node, ast.Delete):
        return node.targets
    return []


def _flatten(targets):
    for t in targets:
        if isinstance(t, (ast.Tuple, ast.List)):
            yield from _flatten(t.elts)
        elif isinstance(t, ast.Starred):
            yield from _flatten([t.value])
        else:
            yield t


def inspect_source(tree, aliases: dict[str, str], locked_names: set[str]) -> list[str]:
    """Reasons this cell tampers with the checks (empty when it does not)."""
    if tree is None:
        return []
    aliases = {**aliases, **import_aliases([tree])}
    found = []
    for node in ast.walk(tree):
        for t in _flatten(_targets(node)):
            if isinstance(t, ast.Attribute) and _protected(_path(t.value, aliases)):
                found.append(f"assigns to {_path(t, aliases)}")
            elif isinstance(t, ast.Subscript):
                base = t.value
                if isinstance(base, ast.Attribute) and base.attr == "__dict__":
                    base = base.value
                if _protected(_path(base, aliases)) and not isinstance(t.value, ast.Name):
                    found.append(f"writes into the namespace of {_path(base, aliases)}")
            elif isinstance(t, ast.Name) and t.id == "AssertionError":
                found.append("redefines AssertionError")
            elif isinstance(t, ast.Name) and t.id in locked_names:
                found.append(f"rebinds `{t.id}`, which the lesson's read-only cells define")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == "AssertionError":
                found.append("redefines AssertionError")
            elif node.name in locked_names:
                found.append(f"redefines `{node.name}`, which the lesson's read-only cells define")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                local = a.asname or a.name.split(".")[0]
                if local == "AssertionError":
                    found.append("redefines AssertionError")
        if isinstance(node, ast.Call):
            fn = _path(node.func, aliases)
            if fn in ("setattr", "delattr", "object.__setattr__", "builtins.setattr", "builtins.delattr") \
                    and node.args and _protected(_path(node.args[0], aliases)):
                found.append(f"calls {fn} on {_path(node.args[0], aliases)}")
            elif fn in _HOOK_CALLS:
                found.append(f"installs a trace hook ({fn})")
        if isinstance(node, ast.Attribute) and node.attr in _IPY_ATTRS:
            base = _path(node.value, aliases)
            if base == "IPython" or (base and base.split(".")[0] in ("IPython", "ip", "shell")) \
                    or node.attr.startswith(("input_transformer", "ast_transformers")):
                found.append(f"changes IPython's {node.attr}")
    return sorted(set(found))


def reference_calls(tree, aliases: dict[str, str], names: set[str]) -> list[str]:
    """Dotted ``helpers`` paths used in an answer cell whose last part is one of ``names``."""
    if tree is None:
        return []
    local = dict(aliases)
    local.update(import_aliases([tree]))
    hits = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.Attribute)) and not isinstance(getattr(node, "ctx", None), ast.Store):
            p = _path(node, local)
            if p and p.startswith("helpers.") and p.split(".")[-1] in names:
                hits.add(p)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "helpers":
            hits.update(f"{node.module}.{a.name}" for a in node.names if a.name in names)
    return sorted(hits)
