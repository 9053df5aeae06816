"""``ally open report|status|reports|settings``: one of Ally's windows, in front.

What the launcher entry "Tell IT something's wrong" runs (installer/), and what IT can
put on the desktop or the intranet. The running tray app of this person opens the window
(over the single-instance socket, desktop/start/tray_link.py); when Ally is not running it is
started first and asked once it answers. Nothing here loads Qt on Linux and macOS.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from desktop.base.words import say
from desktop.start.own_program import ally_argv

TARGETS = ("report", "status", "reports", "settings")
START_WAIT_S = 30.0  # a first start at a busy login takes a while
ANSWER = b"opened"


def add_commands(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "open",
        help=say("open", "cli_help", targets=", ".join(TARGETS)),
    )
    parser.add_argument("what", nargs="?", default="report", choices=TARGETS)


def request_for(what: str) -> bytes:
    return f"open {what}\n".encode("ascii")


def ask_tray(what: str) -> bool:
    """True when the running Ally of this graphical session said it opened the window (an
    Ally of this account's other session, on another display, is not asked)."""
    request = request_for(what)
    if sys.platform.startswith("win"):
        from desktop.start.tray_link import ask_over_pipe

        answer = ask_over_pipe(request, wait_for_answer=True)
    else:
        from desktop.start.tray_link import ask

        answer = ask(request, timeout=1.5, this_session=True)
    return answer is not None and answer.startswith(ANSWER)


def ally_command() -> list[str]:
    """How to start the tray app: the installed program, else this Python's Ally."""
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable)
        tray = exe.with_name("ally-tray.exe")  # Windows: no console window
        return [str(tray if tray.exists() else exe)]
    return ally_argv()


def start_ally() -> None:
    options: dict = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL}
    options["stderr"] = subprocess.DEVNULL
    if os.name == "posix":
        options["start_new_session"] = True  # lives on after this command ends
    else:
        options["creationflags"] = getattr(subprocess, "DETACHED_PROCESS", 0)
    subprocess.Popen(ally_command(), close_fds=True, **options)


def run(args: argparse.Namespace, wait_s: float = START_WAIT_S) -> int:
    from desktop.start.launch import EXIT_NO_DISPLAY, display_available, no_display_text

    if not display_available():  # a terminal over SSH: no screen to open a window on
        sys.stderr.write(no_display_text())
        return EXIT_NO_DISPLAY
    what = args.what
    if ask_tray(what):
        return 0
    start_ally()
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if ask_tray(what):
            return 0
    sys.stderr.write(say("not_started", "cli_open") + "\n")
    return 1
