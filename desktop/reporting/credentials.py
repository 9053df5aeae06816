"""Secrets for the transports, in the OS keyring only (Windows Credential Manager, macOS
Keychain, Secret Service on Linux): never in the policy, a log or a report."""

from __future__ import annotations

import keyring
import keyring.errors

SERVICE = "Ally"


class CredentialsUnavailable(Exception):
    """The keyring cannot be used; the message is a plain sentence for the person or IT."""


def _guard(action):
    try:
        return action()
    except keyring.errors.NoKeyringError as exc:
        raise CredentialsUnavailable(
            "This computer has no password store Ally can use, so Ally cannot keep the "
            "helpdesk password safely. IT can set one up (for example the GNOME or KDE "
            "keyring on Linux)."
        ) from exc
    except keyring.errors.KeyringLocked as exc:
        raise CredentialsUnavailable(
            "The password store on this computer is locked. Unlock it and try again."
        ) from exc
    except keyring.errors.KeyringError as exc:
        raise CredentialsUnavailable(
            f"The password store on this computer did not answer: {exc}"
        ) from exc


def get_secret(name: str) -> str | None:
    """The secret stored for ``name`` (a transport kind), or None if none is stored."""
    return _guard(lambda: keyring.get_password(SERVICE, name))


def set_secret(name: str, value: str) -> None:
    _guard(lambda: keyring.set_password(SERVICE, name, value))


def backend_name() -> str:
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"
