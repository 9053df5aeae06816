"""Which processes have a window the person can switch to, on Windows and macOS (no Qt).

Only process ids are read, never a window's title or content.

Windows: ``EnumWindows`` with the test Alt-Tab applies (Raymond Chen, "Which windows
appear in the Alt+Tab list?", The Old New Thing): visible, not cloaked (a window on
another virtual desktop, or a suspended Store app, is cloaked, DWMWA_CLOAKED), not a tool
window, not a window that never activates, and not owned by another window unless it
asks to be shown (WS_EX_APPWINDOW). Then ``GetWindowThreadProcessId`` gives its process.

macOS: ``lsappinfo list``, LaunchServices' list of running applications: those of type
"Foreground" are the apps with a Dock icon and a place in the ⌘-Tab switcher, macOS's
own answer to "the programs the person has open". Only each record's ``pid`` and
``type`` are kept; the name lsappinfo prints for a background process can hold its
command line, so it is never read.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from typing import NamedTuple

log = logging.getLogger(__name__)
LSAPPINFO_TIMEOUT_S = 2.0
MAX_WINDOWS = 2000  # far more than a desktop holds; a bound on a hostile window storm

# winuser.h / dwmapi.h
GWL_EXSTYLE = -20
GW_OWNER = 4
WS_EX_TOOLWINDOW = 0x00000080
WS_EX_APPWINDOW = 0x00040000
WS_EX_NOACTIVATE = 0x08000000
DWMWA_CLOAKED = 14


class TopWindow(NamedTuple):
    visible: bool
    ex_style: int
    owned: bool
    cloaked: bool
    pid: int


def in_alt_tab(w: TopWindow) -> bool:
    """Whether Windows' own switcher would show this top-level window."""
    if not w.visible or w.cloaked or w.pid <= 0:
        return False
    if w.ex_style & WS_EX_APPWINDOW:
        return True
    return not (w.owned or w.ex_style & (WS_EX_TOOLWINDOW | WS_EX_NOACTIVATE))


def alt_tab_pids(windows: Iterable[TopWindow]) -> set[int]:
    return {w.pid for w in windows if in_alt_tab(w)}


def _win32_top_windows() -> Iterator[TopWindow]:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    # Own handles on the DLLs, so that the argument types set here (64-bit window handles
    # must not be cut to a C int) change nothing for other code using ctypes.windll.
    user32, dwmapi = ctypes.WinDLL("user32"), ctypes.WinDLL("dwmapi")
    get_style = getattr(user32, "GetWindowLongPtrW", None) or user32.GetWindowLongW
    get_style.argtypes, get_style.restype = [wintypes.HWND, ctypes.c_int], ctypes.c_ssize_t
    user32.IsWindowVisible.argtypes = [wintypes.HWND]
    user32.GetWindow.argtypes, user32.GetWindow.restype = (
        [wintypes.HWND, wintypes.UINT],
        wintypes.HWND,
    )
    user32.GetWindowThreadProcessId.argtypes = [wintypes.HWND, ctypes.POINTER(wintypes.DWORD)]
    dwmapi.DwmGetWindowAttribute.argtypes = [
        wintypes.HWND, wintypes.DWORD, ctypes.c_void_p, wintypes.DWORD,
    ]  # fmt: skip
    handles: list[int] = []

    @ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)
    def collect(hwnd, _lparam):
        handles.append(hwnd)
        return len(handles) < MAX_WINDOWS

    user32.EnumWindows(collect, 0)
    for hwnd in handles:
        pid, cloaked = wintypes.DWORD(0), ctypes.c_int(0)
        user32.GetWindowThreadProcessId(hwnd, ctypes.byref(pid))
        if dwmapi.DwmGetWindowAttribute(
            hwnd, DWMWA_CLOAKED, ctypes.byref(cloaked), ctypes.sizeof(cloaked)
        ):
            cloaked.value = 0  # no DWM answer (old Windows): not cloaked
        yield TopWindow(
            bool(user32.IsWindowVisible(hwnd)),
            int(get_style(hwnd, GWL_EXSTYLE)) & 0xFFFFFFFF,
            bool(user32.GetWindow(hwnd, GW_OWNER)),
            bool(cloaked.value),
            int(pid.value),
        )


def windows_pids() -> set[int]:
    """Processes with a window in Windows' Alt-Tab list (empty where it cannot tell)."""
    try:
        return alt_tab_pids(_win32_top_windows())
    except (AttributeError, OSError) as exc:
        log.info("EnumWindows: %s", exc)
        return set()


_RECORD = re.compile(r"^\s*\d+\)\s", re.MULTILINE)
_PID_TYPE = re.compile(r"^\s+pid = (\d+)\b.*?\btype=\"([A-Za-z]+)\"", re.MULTILINE)


def foreground_pids(listing: str) -> set[int]:
    """Process ids of the "Foreground" apps in ``lsappinfo list`` output."""
    pids: set[int] = set()
    for record in _RECORD.split(listing)[1:]:
        found = _PID_TYPE.search(record)
        if found and found.group(2) == "Foreground" and 0 < int(found.group(1)) < 2**31:
            pids.add(int(found.group(1)))
    return pids


def macos_pids() -> set[int]:
    """Processes of the apps in the Dock and ⌘-Tab (empty where it cannot tell)."""
    tool = shutil.which("lsappinfo") or "/usr/bin/lsappinfo"
    try:
        done = subprocess.run(
            [tool, "list"],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=LSAPPINFO_TIMEOUT_S,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("lsappinfo: %s", exc)
        return set()
    return foreground_pids(done.stdout) if done.returncode == 0 else set()
