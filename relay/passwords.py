"""IT staff passwords: Argon2id (argon2-cffi's defaults, RFC 9106's second choice), never
stored or logged in the clear."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verifying against this when the user does not exist costs the same time as a real
# check, so the answer's speed does not tell who has an account.
_DUMMY = _hasher.hash("no such user")


def hash_password(password: str) -> str:
    if len(password) < 12:
        raise ValueError("a password for IT's relay needs at least 12 characters")
    return _hasher.hash(password)


def verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
