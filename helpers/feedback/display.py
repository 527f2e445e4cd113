"""How a failed check looks in the notebook: one short box instead of a traceback through helpers.

Each lesson's setup cell calls :func:`install_feedback`, which registers an IPython custom exception
handler for :class:`helpers.feedback.checks.CheckFailed`. The handler shows the exercise, the message and
which visible check failed (with the test cell's line, ``Cell In[n], line k``), and -- when the
check failed because the student's own function raised -- that exception's frames in the student's
code. The cell still ends in an error output (ename ``CheckFailed``), so nbgrader scores it 0.

Below the box, a failed check whose diagnosis code has hints (:mod:`helpers.feedback.codes`) offers them
one at a time: :func:`hint_html` is nested HTML ``<details>`` -- "Show a hint" opens the first,
"Next hint" inside it the next -- so it works in JupyterLab and in nbconvert/feedback HTML with no
kernel round-trip and no JavaScript, by keyboard too. It is a separate display output: the box's
plain-text traceback is unchanged. Hints come from the table only, never from a hidden test.
"""
from __future__ import annotations

import html
import os
import re
import textwrap
from types import TracebackType

from .checks import CheckFailed
from .codes import hints

__all__ = ["feedback_box", "hint_html", "hint_output", "install_feedback"]

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


def _inline(text: str) -> str:
    """Escaped text with `code` spans as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def hint_html(code: str | None) -> str:
    """The hint ladder of ``code`` as nested ``<details>`` ("Show a hint", then "Next hint"); "" without hints."""
    ladder = hints(code)
    inner = ""
    for k in range(len(ladder), 0, -1):   # innermost (last hint) first
        summary = "Show a hint" if k == 1 else "Next hint"
        inner = (f"<details><summary>{summary}</summary>"
                 f"<p>Hint {k} of {len(ladder)}: {_inline(ladder[k - 1])}</p>{inner}</details>")
    return f'<div class="bw-hints" role="group" aria-label="Hints for this mistake">{inner}</div>' if inner else ""


def hint_output(code: str | None) -> dict | None:
    """The display bundle of :func:`hint_html` (with a plain-text pointer that reveals no hint); None without hints."""
    body = hint_html(code)
    if not body:
        return None
    n = len(hints(code))
    text = f"({n} hints for this mistake: helpers.feedback.codes.hints({code!r}) shows them)"
    return {"text/html": body, "text/plain": text}


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
    bundle = hint_output(getattr(value, "code", None))
    if bundle is not None and getattr(shell, "display_pub", None) is not None:
        shell.display_pub.publish(data=bundle)   # a display output below the box: no stderr, no change to the error
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
