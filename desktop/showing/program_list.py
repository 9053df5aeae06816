"""The programs a person would recognise, for "Which program?" (no Qt here).

From Ally's list of running and recently failing programs (desktop/diagnostics/app_choices)
only those a person knows by name are kept: programs Ally's app catalog knows, and other
programs only when the desktop itself gives them a friendly name (a .desktop file on Linux).
Shells, helpers, background services, pseudo-names such as ``memfd:…``, display servers
and Ally itself are left out. Programs with a window open come first: X11's client list
on Linux, the Alt-Tab list on Windows, the Dock's apps on macOS (desktop/showing/open_windows.py);
only window and process ids are read, never a title. On Windows and macOS a program with
a window is named as it names itself (desktop/showing/program_names.py: the .exe's version
resource, the app bundle's Info.plist), so a program Ally's catalog does not know is
listed under the name the person sees on its window and in the taskbar or Dock.
"""

from __future__ import annotations

import configparser
import fnmatch
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.diagnostics.apps import AppCatalog

log = logging.getLogger(__name__)
XPROP_TIMEOUT_S = 1.0
MAX_WINDOWED = 200  # programs with a window looked at; a desktop has a few dozen
# Never "the program that shows an error" for a person: what runs under everything else.
NOT_A_PROGRAM = (
    "ally", "python*", "bash", "sh", "dash", "zsh", "fish", "ksh", "tcsh", "csh", "cmd",
    "conhost", "powershell", "pwsh", "sleep", "xvfb*", "xorg", "xwayland", "trayer",
    "*helper*", "*crashpad*", "*daemon*", "memfd:*", "dbus*", "systemd*", "at-spi*",
    "gvfs*", "pipewire*", "pulseaudio", "wireplumber", "sshd", "ssh-agent", "gpg-agent",
    "stress*", "*-wrapper", "xdg-*", "ibus*", "fcitx*", "kworker*", "svchost", "runtimebroker",
    "dllhost", "taskhostw", "sihost", "ctfmon", "launchd", "mdworker*", "cfprefsd",
    # Windows' own hosts of other apps' windows and of the shell (they own Alt-Tab windows)
    "applicationframehost", "textinputhost", "shellexperiencehost", "startmenuexperiencehost",
    "searchhost", "searchapp", "lockapp",
)  # fmt: skip
_WINDOW_ID = re.compile(r"0x[0-9a-fA-F]+")


@dataclass(frozen=True)
class Program:
    key: str  # what the check is focused on: an app id from Ally's catalog, or a name
    name: str  # as the person knows it
    has_window: bool
    trouble: bool  # closed by itself or stopped answering recently


def hidden(name: str) -> bool:
    low = name.strip().lower().removesuffix(".exe")
    return not low or any(fnmatch.fnmatchcase(low, p) for p in NOT_A_PROGRAM)


def desktop_names(folders: Iterable[Path] | None = None) -> dict[str, str]:
    """Executable name → the friendly name of its .desktop entry (Linux menus)."""
    if folders is None:
        data = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
        home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local/share")
        folders = [home / "applications"] + [Path(d) / "applications" for d in data.split(":")]
    names: dict[str, str] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.desktop")) if folder.is_dir() else []:
            entry = _entry(path)
            if entry is not None:
                names.setdefault(*entry)
    return names


def _entry(path: Path) -> tuple[str, str] | None:
    parser = configparser.RawConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
        section = parser["Desktop Entry"]
    except (OSError, configparser.Error, KeyError):
        return None
    if section.get("NoDisplay", "").lower() == "true" or section.get("Type") != "Application":
        return None
    command = (section.get("TryExec") or section.get("Exec") or "").split()
    name = section.get("Name", "").strip()
    if not command or not name:
        return None
    return Path(command[0].strip('"')).name.lower(), name


def window_pids(platform: str = sys.platform) -> set[int]:
    """Process ids of the programs with a window open (empty where it cannot tell)."""
    from desktop.showing import open_windows

    if platform.startswith("win"):
        return open_windows.windows_pids()
    if platform == "darwin":
        return open_windows.macos_pids()
    return x11_window_pids()


def x11_window_pids() -> set[int]:
    """Process ids of the windows open on this X display (empty where it cannot tell)."""
    xprop = shutil.which("xprop")
    if not sys.platform.startswith("linux") or not os.environ.get("DISPLAY") or not xprop:
        return set()
    listing = _xprop(xprop, "-root", "_NET_CLIENT_LIST")
    pids: set[int] = set()
    for wid in _WINDOW_ID.findall(listing.partition("#")[2])[:200]:
        answer = _xprop(xprop, "-id", wid, "_NET_WM_PID")
        _, _, value = answer.partition("=")
        if value.strip().isdigit():
            pids.add(int(value.strip()))
    return pids


def _xprop(xprop: str, *args: str) -> str:
    try:
        done = subprocess.run(
            [xprop, *args], capture_output=True, text=True, timeout=XPROP_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("xprop %s: %s", args, exc)
        return ""
    return done.stdout if done.returncode == 0 else ""


def recognisable(
    choices: Iterable[object],
    windowed: set[str] = frozenset(),
    friendly: Mapping[str, str] | None = None,
) -> list[Program]:
    """``choices``: AppChoice rows; ``windowed``: app ids with a window open;
    ``friendly``: executable → name from the desktop's menus."""
    friendly = friendly or {}
    out: list[Program] = []
    seen: set[str] = set()
    for c in choices:
        app_id, name = c.app_id, c.name
        if app_id.startswith("exe:"):
            exe = app_id[4:]
            if exe not in friendly or hidden(exe):
                continue
            name = friendly[exe]
        if hidden(app_id) or hidden(name) or name.lower() in seen:
            continue
        seen.add(name.lower())
        out.append(Program(app_id, name, app_id in windowed, bool(c.crashes or c.hangs)))
    # Trouble first, then windows open; otherwise Ally's order (by memory use) is kept.
    return sorted(out, key=lambda p: (not p.trouble, not p.has_window))


def windowed_programs(
    pids: Iterable[int], catalog: AppCatalog, platform: str = sys.platform
) -> tuple[set[str], dict[str, str]]:
    """(app ids with a window open, executable → the name the program gives itself).
    Names come from each program's own metadata on Windows and macOS, and only for
    programs with a window: a background service's metadata has no place in the list."""
    import psutil

    from desktop.diagnostics.apps import normalise
    from desktop.showing.program_names import metadata_name

    windowed: set[str] = set()
    names: dict[str, str] = {}
    for pid in sorted(pids)[:MAX_WINDOWED]:
        try:
            process = psutil.Process(pid)
            exe_name = process.name()
            identity = catalog.identify(exe_name)
            executable = process.exe() if identity.app_id.startswith("exe:") else None
        except (psutil.Error, OSError):
            continue
        windowed.add(identity.app_id)
        name = metadata_name(executable, platform)
        if name:
            names.setdefault(normalise(exe_name), name)
    return windowed, names


def programs() -> list[Program]:
    """The list for "Which program?" on this computer now (reads processes: a worker)."""
    from desktop.diagnostics.app_choices import app_choices
    from desktop.diagnostics.apps import default_catalog

    catalog = default_catalog()
    windowed, own_names = windowed_programs(window_pids(), catalog)
    friendly = desktop_names() if sys.platform.startswith("linux") else {}
    return recognisable(app_choices(catalog=catalog), windowed, {**own_names, **friendly})
