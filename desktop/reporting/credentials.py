"""Secrets for the transports, in the OS keyring only (Windows Credential Manager, macOS
Keychain, Secret Service on Linux): never in the policy, a log or a report."""

from __future__ import annotations

import keyring
import keyring.errors

SERVICE = "Ally"


class CredentialsUnavailable(Exception):
    """The keyring cannot be used; the message is a plain sentence for the person or IT."""


def _said(key: str, /, **values: object) -> str:
    """Words about the keyring ([keyring] in the catalog): `ally credentials`, IT's logon
    step and the delivery detail show them."""
    from desktop.base.words import say

    return say(key, "keyring", **values)


def _guard(action):
    try:
        return action()
    except keyring.errors.NoKeyringError as exc:
        raise CredentialsUnavailable(_said("no_store")) from exc
    except keyring.errors.KeyringLocked as exc:
        raise CredentialsUnavailable(_said("locked")) from exc
    except keyring.errors.KeyringError as exc:
        raise CredentialsUnavailable(_said("no_answer", error=exc)) from exc


def get_secret(name: str) -> str | None:
    """The secret stored for ``name`` (a transport kind), or None if none is stored."""
    return _guard(lambda: keyring.get_password(SERVICE, name))


def set_secret(name: str, value: str) -> None:
    _guard(lambda: keyring.set_password(SERVICE, name, value))


def backend_name() -> str:
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def import_from_file(name: str, path, delete: bool = True) -> None:
    """Move a secret that IT's deployment left for this person into their keyring.

    IT's per-user logon step writes the secret into a file only this person can read; Ally
    stores it in the person's keyring and deletes the file, so no readable copy stays
    behind. A file that other people could read is refused: the secret may be exposed.
    """
    import os
    import stat
    from pathlib import Path

    p = Path(path)
    info = p.stat()
    if os.name == "posix":
        if info.st_uid != os.getuid():
            raise CredentialsUnavailable(_said("not_yours", path=p))
        if stat.S_IMODE(info.st_mode) & 0o077:
            raise CredentialsUnavailable(
                _said("readable_by_others", path=p, mode=stat.S_IMODE(info.st_mode))
            )
    from desktop.base.safe_read import NotReadable, read_regular_file

    try:  # a FIFO or a device left in its place must not hang the logon step
        secret = read_regular_file(p, 64 * 1024).decode("utf-8").strip()
    except (NotReadable, UnicodeDecodeError) as exc:
        raise CredentialsUnavailable(_said("unusable", path=p, error=exc)) from exc
    if not secret:
        raise CredentialsUnavailable(_said("empty", path=p))
    set_secret(name, secret)
    if delete:
        p.unlink()
