"""IT staff passwords: Argon2id (argon2-cffi's defaults, RFC 9106's second choice), never
stored or logged in the clear."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ally_words import say

_hasher = PasswordHasher()
_dummy: list[str] = []


def _dummy_hash() -> str:
    """Verifying against this when the user does not exist costs the same time as a real
    check, so the answer's speed does not tell who has an account. Made on first use."""
    if not _dummy:
        _dummy.append(_hasher.hash("no such user"))
    return _dummy[0]


def hash_password(password: str) -> str:
    if len(password) < 12:
        raise ValueError(say("password_too_short", "relay_cli", length=12))
    return _hasher.hash(password)


def verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
