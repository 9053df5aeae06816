"""Friendly names from a program's own metadata, for "Which program?" (no Qt here).

Windows: the version resource of the .exe (desktop/showing/exe_version.py), as Task Manager
shows it. macOS: the app bundle's ``Info.plist`` — ``CFBundleDisplayName``, then
``CFBundleName``, as Finder and the Dock do — found by walking up from the executable to
the nearest ``*.app``. Linux has its menus' .desktop files (desktop/showing/program_list.py).

Metadata is written by whoever made the program, so it is read as hostile: a bounded
read, and a name is kept only when it is short, valid text without control or
direction-changing characters. Otherwise the caller keeps the catalog's or the process's
own name.
"""

from __future__ import annotations

import logging
import plistlib
import sys
import unicodedata
from pathlib import Path

log = logging.getLogger(__name__)
MAX_NAME_CHARS = 80
MAX_PLIST_BYTES = 1_000_000  # a large app's Info.plist is about 50 KB
MAX_BUNDLE_DEPTH = 8  # X.app/Contents/MacOS/X is 2 levels; helpers sit a few deeper
PLIST_KEYS = ("CFBundleDisplayName", "CFBundleName")


def plain_name(value: object) -> str | None:
    """``value`` as a name a person may read, or None: text of 1 to 80 characters with no
    control, format (bidi overrides, zero-width) or unpaired surrogate characters."""
    if not isinstance(value, str):
        return None
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in value):
        return None  # checked before anything is tidied: a line break is refused, not joined
    name = " ".join(part for part in value.split(" ") if part)
    return name if 0 < len(name) <= MAX_NAME_CHARS else None


def bundle_of(executable: Path) -> Path | None:
    """The nearest ``*.app`` folder holding ``executable`` (within a few levels)."""
    for parent in list(executable.parents)[:MAX_BUNDLE_DEPTH]:
        if parent.suffix.lower() == ".app":
            return parent
    return None


def bundle_name(executable: Path) -> str | None:
    """The app's own display name from its bundle's Info.plist, or None."""
    bundle = bundle_of(executable)
    if bundle is None:
        return None
    path = bundle / "Contents" / "Info.plist"
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_PLIST_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_PLIST_BYTES:
        log.info("%s: larger than %d bytes, not read", path, MAX_PLIST_BYTES)
        return None
    try:
        info = plistlib.loads(data)
    except Exception as exc:  # any flaw in a stranger's file means "no name"
        log.info("%s: not a property list (%s)", path, type(exc).__name__)
        return None
    if not isinstance(info, dict):
        return None
    return next((n for n in (plain_name(info.get(k)) for k in PLIST_KEYS) if n), None)


def metadata_name(executable: str | Path | None, platform: str = sys.platform) -> str | None:
    """The program's own name for itself on this platform, or None."""
    if not executable:
        return None
    path = Path(executable)
    if platform.startswith("win"):
        from desktop.showing.exe_version import version_name

        return version_name(path)
    if platform == "darwin":
        return bundle_name(path)
    return None
