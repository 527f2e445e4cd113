"""The progress bar of ``grader autograde`` (tqdm): submissions finished, how many with problems, ETA.

On a terminal it is a live ``tqdm`` bar; without one (CI logs, a file) a progress line is
printed every 10 %; ``quiet`` prints nothing. It counts finished submissions (finished
futures on a Dask cluster), whatever executor graded them.
"""
from __future__ import annotations

import sys
import time

from tqdm import tqdm

__all__ = ["Progress"]


class Progress:
    """``update(failed)`` once per finished submission; ``close()`` at the end."""

    def __init__(self, total: int, quiet: bool = False, stream=None):
        self.total, self.quiet = total, quiet
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.done = self.failures = 0
        self.t0 = time.monotonic()
        self._last_tenth = -1
        self.bar = tqdm(total=total, file=self.stream, unit="submission", dynamic_ncols=True,
                        disable=quiet or not self.tty)

    def _postfix(self) -> str:
        return f"{self.failures} with problems"

    def line(self) -> str:
        """The progress as one line of text (what a non-terminal gets)."""
        return tqdm.format_meter(self.done, self.total, time.monotonic() - self.t0, unit="submission",
                                 postfix=self._postfix(), ncols=100, ascii=True)

    def update(self, failed: bool) -> None:
        self.done += 1
        self.failures += bool(failed)
        if self.quiet:
            return
        if self.tty:
            self.bar.set_postfix_str(self._postfix(), refresh=False)
            self.bar.update(1)
            return
        tenth = 10 * self.done // max(self.total, 1)
        if tenth != self._last_tenth or self.done == self.total:
            self._last_tenth = tenth
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def close(self) -> None:
        self.bar.close()
