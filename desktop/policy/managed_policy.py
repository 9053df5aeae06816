"""IT's policy from the system's own management channels, over the policy file.

Windows: Group Policy (the ADMX templates in ``installer/windows/policy/``, or Intune's
ADMX ingestion) writes ``HKLM\\Software\\Policies\\Ally``. macOS: a configuration profile
for the ``org.ally.desktop`` domain (``installer/macos/ally-policy.mobileconfig``, pushed
by Jamf or any MDM) lands in ``/Library/Managed Preferences/org.ally.desktop.plist``. Both
hold the same tables and keys as ``policy.toml`` and override it key by key; the same
checks apply (a wrong type is a problem with the key named, and the safe value applies).

Registry keys become tables; a key whose values (or subkeys) are named 1, 2, 3… is a list
(Group Policy's own way of writing lists). A DWORD of 0 or 1 also stands for false or
true, because ADMX booleans are written as DWORDs.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ally_helpdesk.policy_reader import RegistryNumber, RegistryText

WINDOWS_KEY = r"Software\Policies\Ally"
WINDOWS_SOURCE = "HKLM\\" + WINDOWS_KEY
MACOS_DOMAIN = "org.ally.desktop"
MACOS_MANAGED = Path("/Library/Managed Preferences") / f"{MACOS_DOMAIN}.plist"
MAX_DEPTH = 8  # the policy is three levels deep; a deeper tree is not one
MAX_PLIST_BYTES = 1024 * 1024

REG_SZ, REG_EXPAND_SZ, REG_DWORD, REG_MULTI_SZ, REG_QWORD = 1, 2, 4, 7, 11


def _it(key: str, /, **values: object) -> str:
    """IT's words about Group Policy or a configuration profile ([policy] in the catalog)."""
    from desktop.base.words import say

    return say(key, "policy", **values)


@dataclass
class RegistryKey:
    """One registry key as read: values by name as (type, data), and its subkeys."""

    values: dict[str, tuple[int, Any]] = field(default_factory=dict)
    subkeys: dict[str, RegistryKey] = field(default_factory=dict)


@dataclass(frozen=True)
class ManagedPolicy:
    """What the system's management channel holds for Ally, or why it cannot be used."""

    source: str
    data: Mapping[str, Any]
    problem: str | None = None


def managed_policy(platform: str = sys.platform) -> ManagedPolicy | None:
    """The managed policy of this machine; None where there is none (and on Linux, where
    the policy file is the management channel: Ansible, Puppet, Salt write it)."""
    if platform.startswith("win"):
        return _from_registry()
    if platform == "darwin":
        return read_managed_preferences(MACOS_MANAGED)
    return None


def policy_data_from_registry(key: RegistryKey, depth: int = 0) -> dict[str, Any]:
    """The policy tables and keys a registry key holds."""
    if depth > MAX_DEPTH:
        raise ValueError(_it("managed_too_deep"))
    out: dict[str, Any] = {}
    for name, (kind, data) in key.values.items():
        if name:  # the unnamed (Default) value carries nothing of Ally's
            out[name] = _value(kind, data)
    for name, sub in key.subkeys.items():
        out[name] = _table_or_list(sub, depth + 1)
    return out


def _table_or_list(key: RegistryKey, depth: int) -> Any:
    numbered_values = bool(key.values) and all(n.isdigit() for n in key.values)
    numbered_keys = bool(key.subkeys) and all(n.isdigit() for n in key.subkeys)
    if numbered_values and not key.subkeys:
        return [_value(*key.values[n]) for n in sorted(key.values, key=int)]
    if numbered_keys and not key.values:
        return [
            policy_data_from_registry(key.subkeys[n], depth + 1)
            for n in sorted(key.subkeys, key=int)
        ]
    return policy_data_from_registry(key, depth)


def _value(kind: int, data: Any) -> Any:
    if kind in (REG_DWORD, REG_QWORD) and isinstance(data, int):
        return RegistryNumber(data)
    if kind in (REG_SZ, REG_EXPAND_SZ) and isinstance(data, str):
        return RegistryText(os.path.expandvars(data) if kind == REG_EXPAND_SZ else data)
    if kind == REG_MULTI_SZ and isinstance(data, list):
        return [RegistryText(s) for s in data if isinstance(s, str)]
    return data  # another type: the policy's own check names the key and what it expects


def _from_registry() -> ManagedPolicy | None:
    import winreg

    try:
        root = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, WINDOWS_KEY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return ManagedPolicy(WINDOWS_SOURCE, {}, _it("unreadable", path=WINDOWS_SOURCE, error=exc))
    try:
        with root:
            return ManagedPolicy(WINDOWS_SOURCE, policy_data_from_registry(_read_key(root, 0)))
    except (OSError, ValueError) as exc:
        return ManagedPolicy(WINDOWS_SOURCE, {}, _it("unusable", path=WINDOWS_SOURCE, error=exc))


def _read_key(handle: Any, depth: int) -> RegistryKey:
    import winreg

    if depth > MAX_DEPTH:
        raise ValueError(_it("managed_too_deep"))
    key = RegistryKey()
    subkeys, values, _ = winreg.QueryInfoKey(handle)
    for i in range(values):
        name, data, kind = winreg.EnumValue(handle, i)
        key.values[name] = (kind, data)
    for i in range(subkeys):
        name = winreg.EnumKey(handle, i)
        with winreg.OpenKey(handle, name) as sub:
            key.subkeys[name] = _read_key(sub, depth + 1)
    return key


def read_managed_preferences(path: Path) -> ManagedPolicy | None:
    """The profile's keys for Ally from a managed preferences file (binary or XML plist).
    Only root may have written it: anything else is not IT's."""
    import plistlib  # here: its XML parser costs memory the tray app never needs elsewhere

    source = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return ManagedPolicy(source, {}, _it("unreadable", path=source, error=exc.strerror or exc))
    if info.st_uid != 0 or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return ManagedPolicy(source, {}, _it("managed_untrusted", path=source))
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PLIST_BYTES:
        return ManagedPolicy(source, {}, _it("not_managed_preferences", path=source))
    try:
        data = plistlib.loads(path.read_bytes())
    except (OSError, plistlib.InvalidFileException, ValueError, RecursionError) as exc:
        return ManagedPolicy(source, {}, _it("not_a_plist", path=source, error=exc))
    if not isinstance(data, dict):
        return ManagedPolicy(source, {}, _it("not_a_dictionary", path=source))
    # A profile's own bookkeeping (PayloadUUID…) may be copied in; it is not a setting.
    return ManagedPolicy(source, {k: v for k, v in data.items() if not k.startswith("Payload")})


def merged(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` key by key on top of ``base``: tables merge, anything else is replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out
