"""The lesson's own reference implementations, out of reach in the student's kernel.

``install(names)`` replaces, in ``helpers`` and in the ``helpers`` module that defines it,
each reference whose name is one of this lesson's exercises by a stub that says so (other
modules' private imports stay real, so e.g. ``helpers.train`` keeps working). It runs before
any student code, so no real reference can be kept aside. ``release(names)`` brings back the
references of exercises already graded (a later exercise's model answer may use them, as
``minibatch_train`` uses ``helpers.sgd_update``). Earlier lessons' references are untouched.
"""
from __future__ import annotations

import sys

__all__ = ["ReferenceHidden", "install", "release", "stub", "REGISTRY"]

REGISTRY: dict[tuple[str, str], object] = {}     # (module, name) -> the real reference


class ReferenceHidden(RuntimeError):
    """A reference implementation that is not available while its exercise is graded."""


def stub(name: str):
    def hidden(*args, **kwargs):
        raise ReferenceHidden(f"helpers.{name} is the reference for this exercise and is not available "
                              f"while {name} is graded: write your own code")
    hidden.__name__ = hidden.__qualname__ = name
    hidden.__doc__ = f"Not available while {name} is graded."
    return hidden


def _owners(name: str):
    mods = [m for n, m in list(sys.modules.items()) if m is not None and (n == "helpers" or n.startswith("helpers."))]
    for m in mods:
        obj = vars(m).get(name)
        if callable(obj) and (m.__name__ == "helpers" or getattr(obj, "__module__", None) == m.__name__):
            yield m, obj


def install(names) -> list[str]:
    """Stub this lesson's references; -> the dotted names stubbed."""
    import helpers  # noqa: F401 -- the package and its modules must be loaded to be patched
    done = []
    for name in names:
        for mod, obj in list(_owners(name)):
            REGISTRY[(mod.__name__, name)] = obj
            setattr(mod, name, stub(name))
            done.append(f"{mod.__name__}.{name}")
    return done


def release(names) -> None:
    """Bring back the real references of ``names`` (their exercises have been graded)."""
    for (mod, name), obj in REGISTRY.items():
        if name in names and mod in sys.modules:
            setattr(sys.modules[mod], name, obj)
