"""The course secret that per-student variants are keyed by (see :mod:`grader.variants`).

A variant is fully determined by (course secret, student id, lesson): the fingerprint in a
student's notebook is an HMAC under this secret, so only whoever holds it can tell which
student a variant belongs to, or make a fingerprint that is not forged. The secret is a file
of 64 hex digits (32 random bytes), created on first use with mode 0600 at
``<course>/.variant-secret`` (ignored by git; outside ``solutions/`` and outside every released
file), or wherever ``--secret-file`` says. It is never written into a notebook or a result.
"""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

__all__ = ["DEFAULT_NAME", "MIN_BYTES", "default_path", "load_secret", "ensure_secret", "SecretError"]

DEFAULT_NAME = ".variant-secret"
MIN_BYTES = 16


class SecretError(ValueError):
    """The secret file is missing, unsafe or malformed (the message names the file and the fix)."""


def default_path(root: Path) -> Path:
    """Where the course secret lives by default: ``<course root>/.variant-secret``."""
    return Path(root) / DEFAULT_NAME


def load_secret(path: Path) -> bytes:
    """The secret in ``path``: a regular file, not readable by group or others, >= 16 bytes."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise SecretError(f"--secret-file: {path} does not exist (`grader release --roster` creates it; "
                          f"grade with the secret the variants were released with)") from None
    if not stat.S_ISREG(st.st_mode):
        raise SecretError(f"--secret-file: {path} must be a regular file (not a link or a folder)")
    if st.st_mode & 0o077:
        raise SecretError(f"--secret-file: {path} is readable by others (mode {stat.S_IMODE(st.st_mode):04o}); "
                          f"run `chmod 600 {path}`")
    value = path.read_bytes().strip()
    if len(value) < MIN_BYTES:
        raise SecretError(f"--secret-file: {path} holds {len(value)} bytes; a course secret needs at least "
                          f"{MIN_BYTES} (delete the file to have a new one made, before any release)")
    return value


def ensure_secret(path: Path) -> tuple[bytes, bool]:
    """-> (the secret in ``path``, whether it was created now: 64 random hex digits, mode 0600)."""
    path = Path(path)
    if not os.path.lexists(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:            # made by a concurrent run: use that one
            return load_secret(path), False
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
        return load_secret(path), True
    return load_secret(path), False
