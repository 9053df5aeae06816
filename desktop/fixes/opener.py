"""Opening a web page or a folder the way the person's desktop does it.

Linux asks ``xdg-open`` (the freedesktop.org opener every desktop provides), macOS
``open``, Windows ``os.startfile`` (ShellExecute, which opens the default browser or
File Explorer). Only http(s) addresses and existing folders are opened, and never a
target that could be read as an option. Ally does not wait for the browser: the opener
is started on its own and only an immediate failure is reported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlparse

EARLY_FAILURE_S = 1.0  # an opener that cannot open anything says so at once


@dataclass(frozen=True)
class Opened:
    ok: bool
    detail: str  # for IT: the command, or why it did not work


def safe_target(target: str) -> bool:
    """An http(s) address or an existing, absolute folder; never something an opener could
    take for an option or a program to run."""
    if target.startswith("-"):
        return False
    parsed = urlparse(target)
    if parsed.scheme in ("http", "https"):
        return bool(parsed.netloc)
    return os.path.isabs(target) and os.path.isdir(target)


def _it(key: str, /, **values: object) -> str:
    """IT's words about opening a page or a folder ([fix_it.opener] in the catalog)."""
    from desktop.base.words import say

    return say(key, "fix_it.opener", **values)


def command_for(target: str, platform: str = sys.platform) -> list[str] | None:
    """The opener's command line; None on Windows, where the shell API opens it."""
    if platform.startswith("win"):
        return None
    if platform == "darwin":
        return ["open", target]
    return ["xdg-open", target]


def open_target(target: str, platform: str = sys.platform) -> Opened:
    if not safe_target(target):
        return Opened(False, _it("refused", target=target))
    command = command_for(target, platform)
    if command is None:
        try:
            os.startfile(target)  # type: ignore[attr-defined]  # Windows only
        except OSError as exc:
            return Opened(False, f"os.startfile({target!r}) failed: {exc}")
        return Opened(True, f"os.startfile({target!r})")
    if shutil.which(command[0]) is None:
        return Opened(False, _it("no_tool", tool=command[0]))
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        return Opened(False, _it("not_started", command=" ".join(command), error=exc))
    deadline = time.monotonic() + EARLY_FAILURE_S
    while time.monotonic() < deadline:
        code = proc.poll()
        if code is not None:
            if code != 0:
                return Opened(False, _it("failed", command=" ".join(command), code=code))
            return Opened(True, " ".join(command))
        time.sleep(0.05)
    return Opened(True, " ".join(command) + _it("still_running"))
