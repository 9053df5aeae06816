"""Is now a bad moment for a tip? Full screen, presenting, sharing the screen, or the
system's own do-not-disturb — read from what each platform really says (no Qt here).

Linux: a full-screen active window from the X server's ``_NET_WM_STATE_FULLSCREEN``; a
screen being shared, from PipeWire (desktop/showing/screen_cast.py); GNOME's
``org.gnome.desktop.notifications show-banners`` (gsettings); the notification server's
``Inhibited`` property on D-Bus where it has one (KDE Plasma and other freedesktop
servers). Windows: ``SHQueryUserNotificationState`` (full screen, presentation mode, quiet
time), then Focus Assist itself (priority only, alarms only). macOS: an active Focus in
the Do Not Disturb database. Each reading is bounded in time and asked only when a tip is
due; a reading that fails says nothing (tips are not held on a guess, and never crash the
tray).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)
TOOL_TIMEOUT_S = 1.0
FULL_SCREEN, PRESENTING, DO_NOT_DISTURB = "full_screen", "presenting", "do_not_disturb"
SHARING_SCREEN = "sharing_screen"

Runner = Callable[[Sequence[str]], str | None]


def run_tool(args: Sequence[str]) -> str | None:
    """A tool's output, or None if it is missing, fails or takes too long. Bytes that are
    not UTF-8 (a window manager's odd name) become U+FFFD: the answers read are ASCII."""
    if shutil.which(args[0]) is None:
        return None
    try:
        done = subprocess.run(
            list(args),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TOOL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("%s: %s", args[0], exc)
        return None
    return done.stdout if done.returncode == 0 else None


# --- Linux ----------------------------------------------------------------------------


def gnome_banners_off(output: str | None) -> bool:
    """``gsettings get org.gnome.desktop.notifications show-banners`` says ``false``
    when the person switched on Do Not Disturb in GNOME."""
    return output is not None and output.strip() == "false"


def dbus_inhibited(output: str | None) -> bool:
    """``gdbus call … Properties.Get org.freedesktop.Notifications Inhibited`` answers
    ``(<true>,)`` while notifications are held (KDE Plasma's do-not-disturb)."""
    return output is not None and "true" in output.replace(" ", "").lower().split(",")[0]


def x11_full_screen(active: str | None, state: Callable[[str], str | None]) -> bool:
    """``xprop -root _NET_ACTIVE_WINDOW`` gives the active window; its ``_NET_WM_STATE``
    lists ``_NET_WM_STATE_FULLSCREEN`` when it covers the screen."""
    if not active or ("#" not in active and "=" not in active):
        return False
    sep = "#" if "#" in active else "="
    window = active.split(sep, 1)[1].strip().split(",")[0].strip()
    try:
        number = int(window, 0)
    except ValueError:
        return False  # "_NET_ACTIVE_WINDOW:  not found." or no window at all
    return number != 0 and "_NET_WM_STATE_FULLSCREEN" in (state(hex(number)) or "")


def linux(run: Runner = run_tool) -> str | None:
    from desktop.showing import screen_cast

    if os.environ.get("DISPLAY") and x11_full_screen(
        run(["xprop", "-root", "_NET_ACTIVE_WINDOW"]),
        lambda w: run(["xprop", "-id", w, "_NET_WM_STATE"]),
    ):
        return FULL_SCREEN
    pw_dump = screen_cast.pw_dump()  # None, and no process, on a machine without PipeWire
    if pw_dump and screen_cast.sharing(run([pw_dump, "--no-colors"])):
        return SHARING_SCREEN
    if gnome_banners_off(
        run(["gsettings", "get", "org.gnome.desktop.notifications", "show-banners"])
    ):
        return DO_NOT_DISTURB
    inhibited = run(
        [
            "gdbus", "call", "--session", "--timeout", "1",
            "--dest", "org.freedesktop.Notifications",
            "--object-path", "/org/freedesktop/Notifications",
            "--method", "org.freedesktop.DBus.Properties.Get",
            "org.freedesktop.Notifications", "Inhibited",
        ]
    )  # fmt: skip
    return DO_NOT_DISTURB if dbus_inhibited(inhibited) else None


# --- Windows --------------------------------------------------------------------------

# QUERY_USER_NOTIFICATION_STATE (shellapi.h): what each value means for a tip.
WINDOWS_STATES = {
    1: PRESENTING,  # QUNS_NOT_PRESENT: screen saver, locked, switching users
    2: FULL_SCREEN,  # QUNS_BUSY: a full-screen program or presentation settings
    3: FULL_SCREEN,  # QUNS_RUNNING_D3D_FULL_SCREEN: a full-screen game or video
    4: PRESENTING,  # QUNS_PRESENTATION_MODE
    5: None,  # QUNS_ACCEPTS_NOTIFICATIONS
    6: DO_NOT_DISTURB,  # QUNS_QUIET_TIME: the first hour after a new Windows install
    7: FULL_SCREEN,  # QUNS_APP: a full-screen Store app
}


# WNF_SHEL_QUIETHOURS_ACTIVE_PROFILE_CHANGED, the state Windows' shell publishes when Focus
# Assist (Windows 10 1803+) / Do not disturb (Windows 11) changes: the 64-bit state name
# 0x0D83063EA3BF1C75 (Data = {0xA3BF1C75, 0x0D83063E}) and its one-DWORD value 0 off,
# 1 priority only, 2 alarms only. Undocumented by Microsoft; the name is in Google Project
# Zero's list of well-known WNF names (sandbox-attacksurface-analysis-tools,
# NtApiDotNet/NtWnfWellKnownNames.cs) and read the same way by published Focus Assist
# readers in C#, PowerShell, Python and Rust (tests/data/SOURCES.md).
WNF_QUIET_HOURS_PROFILE = 0x0D83063EA3BF1C75
FOCUS_ASSIST = {0: None, 1: DO_NOT_DISTURB, 2: DO_NOT_DISTURB}


def focus_assist(data: bytes | None) -> str | None:
    """Decode the WNF state's data: DO_NOT_DISTURB for priority only or alarms only."""
    if data is None or len(data) < 4:
        return None  # no data (never set on this machine) or a shape we do not know
    return FOCUS_ASSIST.get(int.from_bytes(data[:4], "little"))


def _wnf_quiet_hours() -> bytes | None:  # pragma: no cover - Windows only
    import ctypes

    query = ctypes.WinDLL("ntdll").NtQueryWnfStateData
    name = ctypes.c_uint64(WNF_QUIET_HOURS_PROFILE)
    stamp, buffer = ctypes.c_ulong(0), (ctypes.c_ubyte * 16)()
    size = ctypes.c_ulong(ctypes.sizeof(buffer))
    status = query(ctypes.byref(name), None, None, ctypes.byref(stamp), buffer, ctypes.byref(size))
    return bytes(buffer[: min(size.value, 16)]) if status == 0 else None


def windows() -> str | None:
    import ctypes

    state = ctypes.c_int(0)
    try:
        result = ctypes.windll.shell32.SHQueryUserNotificationState(ctypes.byref(state))
    except (AttributeError, OSError) as exc:
        log.info("SHQueryUserNotificationState: %s", exc)
        result = -1
    reason = WINDOWS_STATES.get(state.value) if result == 0 else None
    if reason is not None:
        return reason
    try:
        return focus_assist(_wnf_quiet_hours())
    except (AttributeError, OSError, ValueError) as exc:  # no such call on this Windows
        log.info("NtQueryWnfStateData: %s", exc)
        return None


# --- macOS ----------------------------------------------------------------------------


def macos_focus(text: str | None) -> bool:
    """``~/Library/DoNotDisturb/DB/Assertions.json`` holds an assertion record while a
    Focus (Do Not Disturb, Work, …) is on; an empty list when none is."""
    if not text:
        return False
    try:
        data = json.loads(text)
    except ValueError:
        return False
    stores = data.get("data") if isinstance(data, dict) else None
    return any(
        isinstance(s, dict) and bool(s.get("storeAssertionRecords"))
        for s in (stores if isinstance(stores, list) else [])
    )


def macos(home: Path | None = None) -> str | None:
    path = (home or Path.home()) / "Library/DoNotDisturb/DB/Assertions.json"
    try:
        text = path.read_text(encoding="utf-8") if path.stat().st_size < 1_000_000 else None
    except OSError:
        return None  # no Focus database, or no permission to read it: nothing known
    return DO_NOT_DISTURB if macos_focus(text) else None


def reason_to_hold() -> str | None:
    """Why a tip should wait now (FULL_SCREEN, PRESENTING, DO_NOT_DISTURB), or None."""
    try:
        if sys.platform.startswith("win"):
            return windows()
        if sys.platform == "darwin":
            return macos()
        return linux()
    except Exception:  # a tip is never worth a crash of the tray
        log.exception("could not tell whether now is a quiet time")
        return None
