"""Only the administrator's policy counts: a policy file someone else could write is not IT's.

Where people may create files next to the machine policy (ProgramData on Windows lets
every user create files unless the installer locked the folder), a person could put a
policy there first and turn off what IT turned on. So the machine policy is used only if
the administrator owns it and no one else may change it; otherwise Ally applies the safe
settings and ``ally doctor`` says why.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

# Windows owners that are the machine's administration: Administrators, SYSTEM.
TRUSTED_SIDS = ("S-1-5-32-544", "S-1-5-18")


def _it(key: str, /, **values: object) -> str:
    """Why a policy file is not IT's to trust ([policy] in the catalog)."""
    from desktop.base.words import say

    return say(key, "policy", **values)


def untrusted_reason(path: Path) -> str | None:
    """Why ``path`` cannot be IT's policy, or None when it can."""
    if sys.platform.startswith("win"):
        owner = _windows_owner_sid(str(path))
        if owner is None:
            return None  # the owner cannot be read here: the installer's folder rights stand
        return None if owner in TRUSTED_SIDS else _it("owner_not_administrators", owner=owner)
    try:
        info = os.stat(path)
        folder = os.stat(path.parent)
    except OSError:
        return None  # reading it will say what is wrong
    if info.st_uid != 0:
        return _it("owner_not_root", uid=info.st_uid)
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return _it("writable_by_others")
    if folder.st_uid != 0 or (folder.st_mode & stat.S_IWOTH and not folder.st_mode & stat.S_ISVTX):
        return _it("folder_writable_by_others", folder=path.parent)
    return None


def _windows_owner_sid(path: str) -> str | None:
    """The owner of a file as a SID string (GetNamedSecurityInfoW); None if unreadable."""
    import ctypes
    from ctypes import wintypes

    se_file_object, owner_security_information = 1, 1
    owner = ctypes.c_void_p()
    descriptor = ctypes.c_void_p()
    try:
        advapi32 = ctypes.windll.advapi32  # type: ignore[attr-defined]
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        err = advapi32.GetNamedSecurityInfoW(
            wintypes.LPCWSTR(path),
            se_file_object,
            owner_security_information,
            ctypes.byref(owner),
            None,
            None,
            None,
            ctypes.byref(descriptor),
        )
        if err != 0:
            return None
        text = wintypes.LPWSTR()
        try:
            if not advapi32.ConvertSidToStringSidW(owner, ctypes.byref(text)):
                return None
            sid = text.value
            kernel32.LocalFree(text)
            return sid
        finally:
            kernel32.LocalFree(descriptor)
    except (AttributeError, OSError):
        return None
