"""``ally fix``: the safe fixes from a terminal, with the same words, questions and
re-checks as the report window. ``ally diagnose`` lists the ones it could try.

Every sentence a person reads comes from the catalog's [fixes] tables; IT's detail is
printed after it, as everywhere in the CLI.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

from desktop.base.paths import AllyPaths
from desktop.base.words import say
from desktop.diagnostics.explain import Catalog, load_catalog
from desktop.fixes.base import FixContext, Outcome, Result
from desktop.fixes.registry import FIXES, Offers, attempt, by_id, offers_for
from desktop.fixes.words import FixWords
from desktop.policy.config import Policy

EXIT_OK = 0
EXIT_NOT_FIXED = 1
EXIT_USAGE = 2
WIDTH = 88
GOOD = (Outcome.FIXED, Outcome.DONE, Outcome.NOTHING_TO_DO)


def add_commands(commands: argparse._SubParsersAction) -> None:
    fix = commands.add_parser("fix", help=say("fix", "cli_help"))
    fix.add_argument("fix_id", nargs="?", metavar="ID", help=say("fix_id", "cli_help"))
    fix.add_argument("--yes", action="store_true", help=say("fix_yes", "cli_help"))
    fix.add_argument("--force", action="store_true", help=say("fix_force", "cli_help"))
    fix.add_argument("--app", metavar="NAME", help=say("fix_app", "cli_help"))
    fix.add_argument("--warm-up", type=float, default=1.0, metavar="SECONDS")


def _say(text: str, indent: str = "") -> None:
    sys.stdout.write(
        textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent) + "\n"
    )


def render_offers(offers: Offers, catalog: Catalog) -> str:
    """The part of ``ally diagnose`` that says what Ally could try, and for IT why not."""
    words = FixWords(catalog)
    out = []
    if offers.offered:
        out.append(words.common("cli_heading") + "\n")
        for o in offers.offered:
            out.append(textwrap.fill(f"• {words.button(o)}: {words.before(o)}", WIDTH) + "\n")
            out.append(f"  {words.common('cli_how', id=o.fix_id)}\n")
        out.append("\n")
    return "".join(out)


def render_for_it(offers: Offers) -> str:
    lines = [
        say("fix_offered", "cli_it", fix=o.fix_id, finding=o.finding_id, detail=o.it_detail)
        for o in offers.offered
    ]
    lines += [
        say("fix_not_offered", "cli_it", fix=n.fix_id, finding=n.finding_id, reason=n.reason)
        for n in offers.not_offered
    ]
    return "".join(textwrap.fill(line, WIDTH) + "\n" for line in lines)


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    words = FixWords(catalog)
    policy = Policy.load()
    if not args.fix_id:
        return _list(policy)
    fix = by_id(args.fix_id)
    if fix is None:
        _say(words.common("unknown"))
        return EXIT_USAGE
    if args.warm_up < 0 or args.warm_up > 900:
        sys.stderr.write(say("warm_up_range") + "\n")
        return EXIT_USAGE
    from desktop.diagnostics.diagnosis import diagnose
    from desktop.start.tray_link import borrowed_sampler

    sampler, history_from = borrowed_sampler()
    result = diagnose(
        fix.symptom,
        sampler=sampler,
        warm_up_s=args.warm_up,
        policy=policy,
        history_from=history_from,
    )
    findings = [f for f in result.findings if f.id in fix.answers]
    ctx = FixContext(policy, AllyPaths.from_environment(), sampler)
    offers = offers_for(findings, ctx)
    mine = [
        o
        for o in offers.offered
        if o.fix_id == fix.id and (not args.app or o.words.get("app") == args.app)
    ]
    if not mine:
        why = [
            n.reason
            for n in offers.not_offered
            if n.fix_id == fix.id and (not args.app or args.app in n.reason)
        ]
        _say(words.common("cli_not_here") if why else words.common("cli_none"))
        for reason in why:
            _say(say("details", "cli_it", detail=reason))
        return EXIT_NOT_FIXED if why else EXIT_OK
    offer = mine[0]
    _say(offer.headline)
    _say(words.before(offer))
    if not _agreed(args.yes, words.common("cli_ask"), words):
        return EXIT_USAGE if not sys.stdin.isatty() and not args.yes else EXIT_OK
    outcome = _show(attempt(offer, ctx), offer, words, offered=offer.it_detail)
    if outcome.outcome is Outcome.NEEDS_FORCE:
        _say(words.step(offer, "force_before"))
        # Declined after a first ask to close: some windows may already be closed.
        declined = words.step(offer, "cli_force_declined")
        if args.force or _agreed(
            False, words.common("cli_force_ask"), words, quiet=True, declined=declined
        ):
            outcome = _show(attempt(offer, ctx, "force"), offer, words)
    elif outcome.check_again and sys.stdin.isatty():
        _say(words.common("cli_check_again_ask"))
        try:
            input()
        except EOFError:
            return EXIT_OK
        outcome = _show(attempt(offer, ctx, "check_again"), offer, words)
    return EXIT_OK if outcome.outcome in GOOD else EXIT_NOT_FIXED


def _agreed(
    yes: bool, question: str, words: FixWords, quiet: bool = False, declined: str = ""
) -> bool:
    """The person's yes; on a no, ``declined`` (else "Nothing was changed.") is said."""
    if yes:
        return True
    if not sys.stdin.isatty():
        if not quiet:
            _say(words.common("cli_add_yes") + " " + words.common("cli_nothing_changed"))
        return False
    try:
        answer = input(question).strip().lower()
    except EOFError:
        answer = ""
    if answer in ("y", "yes"):
        return True
    _say(declined or words.common("cli_nothing_changed"))
    return False


def _show(result: Result, offer: Any, words: FixWords, offered: str = "") -> Result:
    _say(words.result(offer, result))
    for line in result.lines:
        _say(f"- {line}", "  ")
    recheck = result.recheck
    detail = say(
        "fix_result",
        "cli_it",
        fix=offer.fix_id,
        outcome=result.outcome.value,
        offered=say("fix_result_offered", "cli_it", offered=offered) if offered else "",
        did=result.did,
        recheck=say("fix_result_recheck", "cli_it", recheck=recheck) if recheck else "",
    )
    _say(say("details", "cli_it", detail=detail))
    return result


def _list(policy: Policy) -> int:
    for fix in FIXES:
        if not policy.fixes.allows(fix.id):
            state = say("fix_turned_off", "cli")
        elif not fix.runs_on(sys.platform):
            state = say("fix_not_on", "cli", platform=sys.platform)
        else:
            state = say("fix_available", "cli")
        answers = ", ".join(fix.answers)
        sys.stdout.write(say("fix_line", "cli", id=fix.id, state=state, answers=answers) + "\n")
        sys.stdout.write(f"    {say(fix.rights, 'fix_it.rights')}\n")
    return EXIT_OK
