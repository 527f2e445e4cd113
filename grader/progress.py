"""A progress line for ``grader autograde``: submissions done, failures so far, ETA."""
from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


def _fmt(seconds: float) -> str:
    seconds = int(max(0, seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """Redraws one line on a terminal; prints a line every ~10 % otherwise; silent when ``quiet``."""

    def __init__(self, total: int, quiet: bool = False, stream=None, width: int = 30):
        self.total, self.quiet, self.width = total, quiet, width
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.done = self.failures = 0
        self.t0 = time.monotonic()
        self._last_pct = -1

    def line(self) -> str:
        elapsed = time.monotonic() - self.t0
        eta = elapsed / self.done * (self.total - self.done) if self.done else float("nan")
        filled = int(self.width * self.done / self.total) if self.total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        eta_s = _fmt(eta) if eta == eta else "?"
        return (f"[{bar}] {self.done}/{self.total} graded, {self.failures} with problems, "
                f"elapsed {_fmt(elapsed)}, ETA {eta_s}")

    def update(self, failed: bool) -> None:
        self.done += 1
        self.failures += bool(failed)
        if self.quiet:
            return
        if self.tty:
            self.stream.write("\r" + self.line())
            self.stream.flush()
        else:
            pct = 10 * self.done // max(self.total, 1)          # tenths
            if pct != self._last_pct or self.done == self.total:
                self._last_pct = pct
                self.stream.write(self.line() + "\n")
                self.stream.flush()

    def close(self) -> None:
        if self.tty and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
