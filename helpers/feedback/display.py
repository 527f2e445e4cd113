"""How a failed check looks in the notebook: one short box instead of a traceback through helpers.

Each lesson's setup cell calls :func:`install_feedback`, which registers an IPython custom exception
handler for :class:`helpers.feedback.checks.CheckFailed`. The handler shows the exercise, the message and
which visible check failed (with the test cell's line, ``Cell In[n], line k``), and -- when the
check failed because the student's own function raised -- that exception's frames in the student's
code. The cell still ends in an error output (ename ``CheckFailed``), so nbgrader scores it 0.
"""
from __future__ import annotations

import os
import re
import textwrap
from types import TracebackType

from .checks import CheckFailed

__all__ = ["feedback_box", "install_feedback"]

_HELPERS = os.path.dirname(os.path.abspath(__file__))
_EXERCISE = re.compile(r"^#\s*Checks\s+([A-Za-z_]\w*)")
WIDTH = 88


def feedback_box(message: str, exercise: str | None = None, check: str | None = None,
                 where: str | None = None, code: str | None = None) -> str:
    """The text of the box: a title line, the wrapped message, the failed check."""
    kind = "a check failed" if os.environ.get("NBGRADER_EXECUTION") else "a visible check failed"  # hidden ones too
    title = f"\u2718 {exercise}: {kind}" if exercise else "\u2718 a check failed"
    lines = [title]
    for para in str(message).splitlines() or [""]:
        lines += textwrap.wrap(para, WIDTH - 4) or [""]
    if check:
        lines.append(f"failed check: {check}" + (f"  ({where})" if where else ""))
    elif where:
        lines.append(f"at {where}")
    if code:
        lines.append(f"diagnosis: {code}")
    inner = max(len(s) for s in lines)
    top, bottom = "\u250c" + "\u2500" * (inner + 2) + "\u2510", "\u2514" + "\u2500" * (inner + 2) + "\u2518"
    return "\n".join([top, *(f"\u2502 {s.ljust(inner)} \u2502" for s in lines), bottom])


def _frames(tb: TracebackType | None):
    while tb is not None:
        yield tb
        tb = tb.tb_next


def _cell_location(shell, tb) -> tuple[str | None, str | None]:
    """(``Cell In[n], line k`` of the innermost frame outside helpers, the cell's exercise name)."""
    where = exercise = None
    for t in _frames(tb):
        filename = t.tb_frame.f_code.co_filename
        if os.path.abspath(filename).startswith(_HELPERS):
            continue
        name = shell.compile.format_code_name(filename) if hasattr(shell, "compile") else None
        where = f"{' '.join(name)}, line {t.tb_lineno}" if name else f"{filename}, line {t.tb_lineno}"
        first = (_cell_source(shell, filename) or "").lstrip().splitlines()[:1]
        m = _EXERCISE.match(first[0]) if first else None
        exercise = m.group(1) if m else exercise
    return where, exercise


def _cell_source(shell, filename) -> str | None:
    import linecache
    lines = linecache.getlines(filename)
    return "".join(lines) if lines else None


def _student_traceback(shell, error: BaseException) -> list[str]:
    """IPython's formatted frames of ``error`` from the first frame outside helpers on."""
    tb = error.__traceback__
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(_HELPERS):
        tb = tb.tb_next
    if tb is None:
        return []
    return shell.InteractiveTB.structured_traceback(type(error), error, tb)


def _handler(shell, etype, value, tb, tb_offset=None):
    where, exercise = _cell_location(shell, tb)
    if exercise is None and getattr(value, "check", None):
        exercise = re.match(r"[A-Za-z_]\w*", value.check or "") and re.match(r"[A-Za-z_]\w*", value.check).group(0)
    box = feedback_box(str(value), exercise, getattr(value, "check", None), where, getattr(value, "code", None))
    stb = [box]
    error = getattr(value, "error", None)
    if error is not None:
        stb = [box, "", "The error was raised in your code:"] + _student_traceback(shell, error)
    shell._showtraceback(etype, value, stb)   # publishes an error output: the cell still fails
    return stb


def install_feedback(shell=None) -> bool:
    """Show failed checks as one short box in this IPython kernel; -> False outside IPython."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((CheckFailed,), _handler)
    return True
