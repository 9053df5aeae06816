"""What ``ally`` runs first. The tray app starts at every login and the watchdog lives as
long as it does, so neither loads anything of the command line's (argparse, the
diagnostics, the reporting): ``ally`` alone is the small watchdog (desktop/start/watchdog.py),
``ally --tray-child`` is the tray app the watchdog runs, and everything else is the
command line (desktop/terminal/cli.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

TRAY_CHILD_ARG = "--tray-child"
LOGIN_ARG = "--login"  # started by the system at login (see desktop/start/startup.py)
# The tray app asks its watchdog for a fresh start of the newly installed Ally (after an
# upgrade replaced the files under it) by ending with this code (EX_TEMPFAIL).
EXIT_RESTART = 75
EXIT_NO_DISPLAY = 2  # no graphical session: not a crash, and the person was told why


def no_display_text() -> str:
    """What ``ally`` says on a computer without a screen ([launch] in the catalog). The
    catalog is read only then: a normal start does not pay for it."""
    from desktop.base.words import say

    return say("no_display", "launch") + "\n"


def display_available(
    environ: Mapping[str, str] | None = None, platform: str = sys.platform
) -> bool:
    """Whether a graphical session exists. Windows and macOS always have one when logged in."""
    env = os.environ if environ is None else environ
    if platform.startswith(("win", "darwin")):
        return True
    if env.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal")):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args == [LOGIN_ARG]:
        from desktop.start.watchdog import main as watch

        return watch(login=bool(args))
    if args == ["--version"]:  # what scripts and IT ask first: answered without the CLI's imports
        from desktop import PRODUCT_NAME, __version__

        print(f"{PRODUCT_NAME} {__version__}")
        return 0
    if args and args[0] == TRAY_CHILD_ARG and set(args[1:]) <= {LOGIN_ARG}:
        from desktop.start.app import main as run_app

        return run_app(login=LOGIN_ARG in args)
    from desktop.terminal.cli import main as cli

    return cli(args)
