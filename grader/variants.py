"""Per-student variants of a lesson: fingerprints, and writing a student's own version.

A lesson declares what varies in its one code cell tagged ``variant`` (see
:mod:`helpers.course.variants`); that cell assigns ``V = Variant(None)`` after its imports. Markdown
cells tagged ``variant-text`` quote the drawn values as Jinja2 ``{{ name }}``.

* :func:`fingerprint` -- HMAC-SHA256 of (student id, lesson) under the course secret: which
  variant a notebook is, checkable only by whoever holds the secret.
* :func:`personalise_spec` -- the same for the grader's spec of a lesson (:mod:`grader.spec`): the
  setup cells both kernels run, and the read-only sources the integrity checks compare against.
* :func:`personalise` -- a lesson notebook made into one variant: the ``variant`` cell's
  ``V = Variant(None)`` becomes ``V = Variant("<fingerprint>")``, the ``variant-text`` cells quote that
  variant's values, and the notebook's metadata carries the fingerprint. With
  ``fingerprint=None`` it is the common version (what ``lessons/`` holds).
"""
from __future__ import annotations

import ast
import copy
import hashlib
import hmac

from .pyparse import parse

__all__ = ["VARIANT_TAG", "TEXT_TAG", "METADATA_KEY", "fingerprint", "variant_cell", "variant_values",
           "personalise", "personalise_spec", "notebook_fingerprint", "variant_role"]

VARIANT_TAG = "variant"
TEXT_TAG = "variant-text"
METADATA_KEY = "backprop_workbook"


def fingerprint(secret: bytes, student: str, lesson: str) -> str:
    """64 hex digits: HMAC-SHA256 of ``student`` and ``lesson`` under ``secret``."""
    if not isinstance(secret, bytes) or len(secret) < 16:
        raise ValueError(f"fingerprint: the course secret must be at least 16 bytes, got "
                         f"{len(secret) if isinstance(secret, bytes) else type(secret).__name__}")
    return hmac.new(secret, f"{student}\0{lesson}".encode(), hashlib.sha256).hexdigest()


def _tags(cell) -> list:
    return list(cell.get("metadata", {}).get("tags", []))


def _first_statement(source: str, where: str) -> ast.Assign:
    """The cell's ``V = Variant(...)`` statement: the first top-level statement that assigns ``V``."""
    tree = parse(source)
    first = next((s for s in tree.body if isinstance(s, ast.Assign)
                  and any(isinstance(t, ast.Name) and t.id == "V" for t in s.targets)), None)
    ok = (first is not None and len(first.targets) == 1 and isinstance(first.value, ast.Call)
          and isinstance(first.value.func, ast.Name) and first.value.func.id == "Variant"
          and len(first.value.args) == 1 and not first.value.keywords)
    if not ok:
        raise ValueError(f"{where}: the cell tagged {VARIANT_TAG!r} must assign `V = Variant(None)` "
                         f"(after its imports) before it draws")
    return first


def variant_cell(nb, where: str = "notebook") -> int | None:
    """Index of the code cell tagged ``variant`` (checked), or ``None`` for a lesson without one."""
    found = [i for i, c in enumerate(nb["cells"]) if VARIANT_TAG in _tags(c)]
    if len(found) > 1:
        raise ValueError(f"{where}: {len(found)} cells are tagged {VARIANT_TAG!r} (cells {found}); expected one")
    if not found:
        return None
    cell = nb["cells"][found[0]]
    if cell["cell_type"] != "code":
        raise ValueError(f"{where}: the cell tagged {VARIANT_TAG!r} (cell {found[0]}) must be a code cell")
    _first_statement(_source(cell), where)
    return found[0]


def _source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def _with_fingerprint(source: str, fp: str | None, where: str) -> str:
    first = _first_statement(source, where)
    lines = source.splitlines(keepends=True)
    end = lines[first.end_lineno - 1]
    rest = end[first.end_col_offset:]
    new = f"V = Variant({fp!r})" + rest
    return "".join(lines[:first.lineno - 1] + [new] + lines[first.end_lineno:])


def variant_values(source: str, where: str = "variant cell") -> dict:
    """The values a ``variant`` cell's source draws (it runs here: instructor's code only)."""
    namespace: dict = {"__name__": "__variant__"}
    exec(compile(source, f"<{where}>", "exec"), namespace)   # noqa: S102 -- the course's own source
    v = namespace.get("V")
    if v is None or not hasattr(v, "values"):
        raise ValueError(f"{where}: the cell must leave a Variant in V")
    return v.values()


def _render(template: str, values: dict, where: str) -> str:
    from jinja2 import Environment, StrictUndefined
    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    try:
        return env.from_string(template).render(**values)
    except Exception as e:  # noqa: BLE001 -- an instructor's template error, named exactly
        raise ValueError(f"{where} (tagged {TEXT_TAG!r}) cannot be rendered: {type(e).__name__}: {e}") from None


def variant_role(cell) -> str | None:
    """``"cell"`` for the cell tagged ``variant``, ``"text"`` for one tagged ``variant-text``, else ``None``."""
    tags = _tags(cell)
    return "cell" if VARIANT_TAG in tags else "text" if TEXT_TAG in tags else None


def personalise(nb, fp: str | None, where: str = "notebook"):
    """A copy of ``nb`` made into the variant ``fp`` (``None``: the common version)."""
    out = copy.deepcopy(nb)
    k = variant_cell(out, where)
    if k is None:
        return out
    cell = out["cells"][k]
    cell["source"] = _with_fingerprint(_source(cell), fp, where)
    values = variant_values(cell["source"], where)
    for i, c in enumerate(out["cells"]):
        if TEXT_TAG in _tags(c):
            c["source"] = _render(_source(c), values, f"{where}: cell {i}")
    if fp is not None:
        out.setdefault("metadata", {}).setdefault(METADATA_KEY, {})["variant"] = fp
    return out


def notebook_fingerprint(nb) -> tuple[str | None, str | None]:
    """(the fingerprint in the metadata, the one in the ``variant`` cell); either may be missing."""
    meta = nb.get("metadata", {}).get(METADATA_KEY, {})
    in_meta = meta.get("variant") if isinstance(meta, dict) else None
    in_cell = None
    try:
        k = variant_cell(nb)
        if k is not None:
            arg = _first_statement(_source(nb["cells"][k]), "notebook").value.args[0]
            in_cell = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
    except (ValueError, SyntaxError):
        pass
    return (in_meta if isinstance(in_meta, str) else None), in_cell


def personalise_spec(spec: dict, fp: str | None) -> dict:
    """A copy of the grader's ``spec`` of a lesson made into the variant ``fp`` (``None``: common).

    The cell with ``variant == "cell"`` (a read-only setup cell: both kernels run it) gets
    ``V = Variant(fp)`` in its ``source`` and ``release_source``; the cells with ``variant == "text"``
    are rendered from their ``template`` with that variant's values. A spec without a variant
    cell is returned unchanged (as a copy).
    """
    out = copy.deepcopy(spec)
    where = f"lesson {spec.get('lesson')}"
    cells = [c for c in out["cells"] if c.get("variant") == "cell"]
    if not cells:
        return out
    cell = cells[0]
    cell["source"] = _with_fingerprint(cell["source"], fp, where)
    cell["release_source"] = _with_fingerprint(cell["release_source"], fp, where)
    values = variant_values(cell["source"], where)
    for i, c in enumerate(out["cells"]):
        if c.get("variant") == "text":
            c["source"] = c["release_source"] = _render(c["template"], values, f"{where}: cell {i}")
    return out
