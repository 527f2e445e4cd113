"""A small allow-list authenticator for the local trial: one password per roster user.

``grader hub setup`` draws a random password for every user, stores only a salted PBKDF2 hash
in ``passwords.json`` (mode 0600, root) and the passwords themselves in ``passwords.txt`` for
the instructor to hand out. For production use PAM, OAuth or LTI instead (see the README).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from jupyterhub.auth import Authenticator
from traitlets import Unicode

__all__ = ["RosterAuthenticator", "hash_password", "check_password"]

_ITERATIONS = 200_000


def hash_password(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), _ITERATIONS).hex()
    return f"pbkdf2_sha256${_ITERATIONS}${salt}${digest}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        got = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations)).hex()
    except ValueError:
        return False
    return scheme == "pbkdf2_sha256" and hmac.compare_digest(got, digest)


class RosterAuthenticator(Authenticator):
    """Users in ``passwords_file`` log in with their own password; nobody else does."""

    passwords_file = Unicode(help="JSON {username: pbkdf2 hash} written by `grader hub setup`").tag(config=True)

    def _hashes(self) -> dict:
        with open(self.passwords_file, encoding="utf-8") as f:
            return json.load(f)

    async def authenticate(self, handler, data):
        name, password = (data or {}).get("username", ""), (data or {}).get("password", "")
        stored = self._hashes().get(name)
        if stored is None or not check_password(password, stored):
            self.log.warning("failed login for %r", name)
            return None
        return name
