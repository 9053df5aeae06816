"""The composition root for the tray app (``ally`` with no arguments).

It decides whether a desktop is there at all before Qt is imported: on a machine without
a display the person (or IT over SSH) gets a plain sentence and the command that works
without a screen, never a Qt platform-plugin error.
"""

from __future__ import annotations

import os
import sys

NO_DISPLAY = (
    "Ally lives in the system tray, but this computer has no screen Ally can use right now "
    "(no desktop session was found).\n"
    "You can still check this computer: run  ally diagnose\n"
)
TRAY_NOT_BUILT = (
    "The Ally tray icon is not part of this version yet.\n"
    "You can check this computer now: run  ally diagnose\n"
)


def display_available(environ: dict[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Whether a graphical session exists. Windows and macOS always have one when logged in."""
    env = os.environ if environ is None else environ
    if platform.startswith(("win", "darwin")):
        return True
    if env.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal")):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    if not display_available():
        sys.stderr.write(NO_DISPLAY)
        return 2
    sys.stderr.write(TRAY_NOT_BUILT)
    return 2
