"""``ally``: the tray app without arguments, and the same core without a screen.

``ally diagnose`` must run on any machine, over SSH, with no display and no
configuration, so nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence

from ally_helpdesk.text_safety import VisibleWriter, has_undecodable
from desktop import PRODUCT_NAME, __version__
from desktop.diagnostics.model import Symptom

EXIT_OK = 0
EXIT_USAGE = 2


def _help(key: str, **values: str) -> str:
    from desktop.base.words import say

    return say(key, "cli_help", **values)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ally", description=_help("ally", product=PRODUCT_NAME))
    parser.add_argument("--version", action="version", version=f"{PRODUCT_NAME} {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help=_help("verbose"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    diag = commands.add_parser("diagnose", help=_help("diagnose"))
    diag.add_argument(
        "--symptom",
        choices=[s.value for s in Symptom],
        default=Symptom.SLOW.value,
        help=_help("symptom"),
    )
    diag.add_argument("--json", action="store_true", help=_help("diagnose_json"))
    diag.add_argument("--app", metavar="NAME", help=_help("diagnose_app"))
    diag.add_argument(
        "--warm-up", type=float, default=1.0, metavar="SECONDS", help=_help("warm_up")
    )
    from desktop.terminal.cli_reports import add_commands

    add_commands(commands)
    from desktop.terminal import cli_fixes, cli_news

    cli_fixes.add_commands(commands)
    cli_news.add_commands(commands)
    from desktop.terminal import cli_open

    cli_open.add_commands(commands)
    apps = commands.add_parser("apps", help=_help("apps"))
    apps.add_argument("--json", action="store_true", help=_help("apps_json"))
    commands.add_parser("restart-trays", help=_help("restart_trays"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Everything Ally prints may carry text from outside (program names, server replies,
    # notes, policy text, even the arguments argparse repeats): control characters are
    # shown, never sent to the terminal as they are.
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = VisibleWriter(sys.stdout), VisibleWriter(sys.stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = saved


def _main(argv: Sequence[str] | None) -> int:
    from desktop.base.paths import AllyPaths
    from desktop.start.logs import WithoutTraceback, log_to_file

    parser = build_parser()
    args = parser.parse_args(argv)
    log_file = log_to_file(AllyPaths.from_environment().log_dir)
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.INFO if args.verbose else logging.ERROR)
    terminal.setFormatter(WithoutTraceback("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(terminal)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    try:
        code = _run(parser, args)
        sys.stdout.flush()  # here, where a closed pipe is caught, not at the exit
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Whoever read Ally's output has gone (`ally outbox list | head`): stop quietly,
        # as every terminal tool does, with the exit status a SIGPIPE gives them. What is
        # still buffered goes nowhere, so Python's flush at exit cannot fail again. The
        # log keeps it, should the broken pipe have been one of Ally's own.
        logging.getLogger("ally").info("output closed early", exc_info=True)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13
    except Exception as exc:  # never a traceback in a person's face: it goes to the log
        from desktop.base.words import say

        logging.getLogger("ally").error("ally %s failed", args.command, exc_info=True)
        no_log = say("no_log_file", "cli_it")
        sys.stderr.write(say("crashed", log=log_file or no_log) + "\n")
        detail = f"{type(exc).__name__}: {exc}"
        sys.stderr.write(say("details", "cli_it", detail=detail) + "\n")
        return 3
    finally:
        root.removeHandler(terminal)


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command is None:
        from desktop.start.watchdog import main as watch

        return watch()
    if args.command == "diagnose":
        return _diagnose(args)
    if args.command == "apps":
        return _apps(args)
    if args.command == "restart-trays":
        from desktop.base.words import say
        from desktop.start.tray_link import restart_all

        restarted = restart_all()
        sys.stdout.write(say("restarting", "cli", count=len(restarted)) + "\n")
        return EXIT_OK
    if args.command == "fix":
        from desktop.terminal.cli_fixes import run as run_fix

        return run_fix(args)
    if args.command == "open":
        from desktop.terminal.cli_open import run as run_open

        return run_open(args)
    if args.command == "news":
        from desktop.terminal.cli_news import run as run_news

        return run_news(args)
    if args.command in ("report", "outbox", "credentials", "doctor"):
        from desktop.terminal.cli_reports import run

        return run(args)
    parser.print_help()
    return EXIT_USAGE


def _diagnose(args: argparse.Namespace) -> int:
    from desktop.base.words import say
    from desktop.diagnostics.explain import load_catalog
    from desktop.terminal.cli_output import for_it_heading, render_text

    if not 0 <= args.warm_up <= 900:  # NaN fails this too
        sys.stderr.write(say("warm_up_range") + "\n")
        return EXIT_USAGE
    if args.app and has_undecodable(args.app):
        sys.stderr.write(say("undecodable", what=say("what_app", "input_parts")) + "\n")
        return EXIT_USAGE
    from desktop.terminal import cli_fixes
    from desktop.terminal.session import terminal_session

    # The one flow the report window uses too: the answer, what Ally could try for what it
    # found, and what IT already knows (read while the computer is checked).
    session, history_from = terminal_session()
    result = session.check(
        args.symptom, args.app, warm_up_s=args.warm_up, history_from=history_from
    )
    offers, news_line = session.offers, session.news_line
    if args.json:
        doc = result.to_dict()
        doc["fixes"] = offers.to_dict()
        doc["news_line"] = news_line
        json.dump(doc, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        text = render_text(result)
        marker = for_it_heading()
        text = text.replace(marker, cli_fixes.render_offers(offers, load_catalog()) + marker, 1)
        if news_line:
            text = news_line + "\n\n" + text
        sys.stdout.write(text + cli_fixes.render_for_it(offers))
    return EXIT_OK


def _apps(args: argparse.Namespace) -> int:
    from desktop.base.words import say
    from desktop.diagnostics.app_choices import app_choices

    choices = app_choices()
    if args.json:
        json.dump([c.to_dict() for c in choices], sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    for c in choices:
        state = [say("app_running" if c.running else "app_not_running", "cli")]
        if c.crashes or c.hangs:
            state.append(say("app_faults", "cli", crashes=c.crashes, hangs=c.hangs))
        sys.stdout.write(say("app_line", "cli", name=c.name, state=", ".join(state)) + "\n")
    return EXIT_OK
