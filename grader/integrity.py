"""The grader-injected runtime integrity check (the cells; the code is :mod:`grader.bw_kernel.integrity`).

Four kinds of cells are injected into the notebook being graded (never shown to
students): a *preamble* before everything (imports ``bw_kernel.integrity`` in the kernel and
takes its snapshot), a *record* cell after each read-only instructor cell (remembers the
functions/modules it bound, e.g. ``check_array``), a *check* cell before each test cell,
which prints one marker line ``<MARKER> <nonce> {"ok": ..., "problems": [...]}`` through the
original output stream, and an *after* cell after each test cell that reports the failed
check's diagnosis code and line. A missing or malformed check marker counts as tampering.
"""
from __future__ import annotations

import json

__all__ = ["MARKER", "preamble", "record_cell", "check_cell", "after_cell", "parse_marker", "parse_after"]

MARKER = "__bw_integrity__"


def preamble(nonce: str, skip_names) -> str:
    """Source of the first injected cell; ``skip_names``: names students legitimately define."""
    return ("from bw_kernel.integrity import setup as __bw_setup\n"
            f"__bw_record, __bw_check, __bw_after = __bw_setup({nonce!r}, {sorted(skip_names)!r}, {MARKER!r})\n"
            "del __bw_setup")


def record_cell(refresh: bool) -> str:
    """After a read-only cell; ``refresh``: no student code has run yet, so hooks it installed are legit."""
    return f"__bw_record(globals(), {bool(refresh)})"


def check_cell(exercise: str) -> str:
    return f"__bw_check(globals(), {exercise!r})"


def after_cell(exercise: str) -> str:
    return f"__bw_after({exercise!r})"


def _markers(text: str, nonce: str):
    for line in (text or "").splitlines():
        if line.startswith(f"{MARKER} {nonce} "):
            try:
                data = json.loads(line[len(MARKER) + len(nonce) + 2:])
            except json.JSONDecodeError:
                yield None
                continue
            yield data if isinstance(data, dict) else None


def parse_marker(text: str, nonce: str) -> dict | None:
    """The check's verdict from a cell's stdout text (``None`` when no valid marker)."""
    for data in _markers(text, nonce):
        return data if data is not None and "ok" in data and not data.get("after") else None
    return None


def parse_after(text: str, nonce: str) -> tuple[str | None, int | None]:
    """-> (diagnosis code, line of the test cell) from an *after* cell's stdout (``None``s when absent)."""
    for data in _markers(text, nonce):
        if data is not None and data.get("after"):
            code, line = data.get("diagnosis"), data.get("line")
            return (code if isinstance(code, str) and len(code) <= 64 else None,
                    line if isinstance(line, int) and not isinstance(line, bool) else None)
    return None, None
