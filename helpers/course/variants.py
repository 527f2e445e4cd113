"""Your own version of a lesson: the numbers each student's notebook draws for itself.

A lesson declares what varies in one setup cell tagged ``variant`` (in ``solutions/``), next to
what it changes::

    from helpers.course.variants import Variant
    V = Variant(None)                                   # the only line the release rewrites
    SEED_DEMO = V.seed("demo", default=0)               # the worked examples' data
    N_T = V.integer("n_t", default=4, low=3, high=7)    # a visible test's batch size
    LR = V.choice("lr", default=0.1, options=[0.05, 0.1, 0.2])

``Variant(None)`` is the *common* version: every draw returns its ``default``, which is what
``lessons/`` and the course's own tests use. ``grader release --roster`` writes
``V = Variant("<fingerprint>")`` into each student's copy (the fingerprint is an HMAC of the
student id and lesson under the course secret, see :mod:`grader.variants`); each draw then
comes from a generator seeded by the fingerprint *and the draw's name*, so a draw does not
depend on the order of the others and the same notebook always gives the same numbers.

Markdown cells tagged ``variant-text`` quote drawn values as ``{{ n_t }}`` (Jinja2); the release
renders them with :meth:`Variant.values`, so the text quotes each student's own numbers.
"""
from __future__ import annotations

import hashlib
import re

import numpy as np

__all__ = ["Variant"]

_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


class Variant:
    """The drawn values of one version of a lesson.

    fingerprint: ``None`` (the common version: every draw is its default) or 64 hex digits.
    """

    def __init__(self, fingerprint: str | None = None):
        if fingerprint is not None and not (isinstance(fingerprint, str) and _FINGERPRINT.fullmatch(fingerprint)):
            raise ValueError(f"Variant: fingerprint must be None or 64 lowercase hex digits, got {fingerprint!r}")
        self.fingerprint = fingerprint
        self._values: dict[str, object] = {}

    @property
    def common(self) -> bool:
        """True for the common version (``lessons/``)."""
        return self.fingerprint is None

    def _rng(self, name: str) -> np.random.Generator:
        if not (isinstance(name, str) and _NAME.fullmatch(name)):
            raise ValueError(f"Variant: a draw's name must be a Python identifier in lowercase "
                             f"(it is quoted in the text as {{{{ name }}}}), got {name!r}")
        if name in self._values:
            raise ValueError(f"Variant: the value {name!r} is drawn twice; give each draw its own name")
        digest = hashlib.sha256(f"{self.fingerprint}\0{name}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "little"))

    def _keep(self, name: str, value):
        self._values[name] = value
        return value

    def seed(self, name: str, default: int) -> int:
        """A seed for ``np.random.default_rng`` (an int in [0, 2**31))."""
        rng = self._rng(name)
        return self._keep(name, int(default) if self.common else int(rng.integers(0, 2**31)))

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        """An int in ``[low, high]`` (both included); ``default`` must be in that range too."""
        if not (isinstance(low, int) and isinstance(high, int) and low <= default <= high):
            raise ValueError(f"Variant.integer({name!r}): expected ints low <= default <= high, "
                             f"got low={low!r}, default={default!r}, high={high!r}")
        rng = self._rng(name)
        return self._keep(name, int(default) if self.common else int(rng.integers(low, high + 1)))

    def choice(self, name: str, default, options):
        """One of ``options`` (a list of numbers or strings); ``default`` must be one of them."""
        options = list(options)
        if default not in options:
            raise ValueError(f"Variant.choice({name!r}): default {default!r} is not among options {options!r}")
        rng = self._rng(name)
        return self._keep(name, default if self.common else options[int(rng.integers(len(options)))])

    def uniform(self, name: str, default: float, low: float, high: float, decimals: int = 2) -> float:
        """A float in ``[low, high]`` rounded to ``decimals`` (so the text can quote it exactly)."""
        if not low <= default <= high:
            raise ValueError(f"Variant.uniform({name!r}): expected low <= default <= high, "
                             f"got low={low!r}, default={default!r}, high={high!r}")
        rng = self._rng(name)
        value = float(default) if self.common else round(float(rng.uniform(low, high)), decimals)
        return self._keep(name, value)

    def values(self) -> dict:
        """Every value drawn so far, by name (what ``variant-text`` cells quote)."""
        return dict(self._values)

    def __repr__(self) -> str:
        which = "common" if self.common else self.fingerprint[:12] + "..."
        return f"Variant({which}: {self._values})"
