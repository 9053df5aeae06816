"""How this Ally starts itself again as a new process: the tray app under its watchdog,
the watchdog after an upgrade, Ally at login and from ``ally open``.

``python -m desktop`` puts the folder it is started from first on Python's import path, so
an Ally started in a folder holding a ``desktop/`` folder (its own checkout, an archive
unpacked in Downloads) would run that folder's code as the person. ``-P`` (Python 3.11)
leaves the current folder off the path: only the installed Ally runs. A bundle (PyInstaller)
is its own program and takes its arguments directly.

Only ``sys`` is imported: the watchdog, which lives as long as the tray app, uses this.
"""

from __future__ import annotations

import sys


def ally_argv(*args: str) -> list[str]:
    """The command line that runs this same Ally (a bundle, a venv or a checkout) with
    ``args``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-P", "-m", "desktop", *args]
