"""Device and enrolment tokens: ``<kind>.<id>.<secret>``.

The id finds the row without a scan; only the SHA-256 of the secret is stored, compared
in constant time. The secrets are 256 random bits, so a fast hash is enough (a slow
password hash is for what people choose: see ``passwords.py``). A stolen database gives
no usable token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

DEVICE = "allydev"
ENROL = "allyenrol"
_SHAPE = re.compile(r"^(allydev|allyenrol)\.([a-z0-9]{16})\.([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class Token:
    kind: str
    id: str
    secret: str

    def __str__(self) -> str:
        return f"{self.kind}.{self.id}.{self.secret}"


def new(kind: str) -> Token:
    return Token(kind, secrets.token_hex(8), secrets.token_urlsafe(32))


def parse(text: str | None, kind: str) -> Token | None:
    """The token, or None for anything that is not one of ``kind`` (never an error)."""
    if not text or len(text) > 128:
        return None
    m = _SHAPE.match(text.strip())
    if m is None or m.group(1) != kind:
        return None
    return Token(m.group(1), m.group(2), m.group(3))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def matches(token: Token, stored_hash: str) -> bool:
    return hmac.compare_digest(digest(token.secret), stored_hash)
