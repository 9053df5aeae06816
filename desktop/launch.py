"""What ``ally`` runs first. The tray app starts at every login and the watchdog lives as
long as it does, so neither loads anything of the command line's (argparse, the
diagnostics, the reporting): ``ally`` alone is the small watchdog (desktop/watchdog.py),
``ally --tray-child`` is the tray app the watchdog runs, and everything else is the
command line (desktop/cli.py).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

TRAY_CHILD_ARG = "--tray-child"


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if not args:
        from desktop.watchdog import main as watch

        return watch()
    if args == [TRAY_CHILD_ARG]:
        from desktop.app import main as run_app

        return run_app()
    from desktop.cli import main as cli

    return cli(args)
