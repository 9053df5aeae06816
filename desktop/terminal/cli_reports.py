"""``ally report``, ``ally outbox``, ``ally credentials`` and ``ally doctor``: the report
path without a screen. Every message a person may read comes from the catalog."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import sys
from datetime import datetime, timezone
from typing import Any

from ally_helpdesk.evidence.plain_numbers import count
from ally_helpdesk.text_safety import has_undecodable, visible
from ally_helpdesk.transports.base import STATUS_WORDS, DeliveryError, PermanentFailure
from desktop.base.paths import AllyPaths
from desktop.base.safe_read import NotReadable, read_regular_file
from desktop.base.words import say
from desktop.diagnostics.explain import load_catalog
from desktop.diagnostics.model import Symptom
from desktop.policy.config import Policy
from desktop.reporting import credentials, delivery, redact, report, review, sending
from desktop.reporting.credentials import CredentialsUnavailable
from desktop.reporting.outbox import OutboxBusy, is_report_id

EXIT_SENT = 0
EXIT_NOT_SAVED = 1
EXIT_USAGE = 2
EXIT_SAVED_FOR_LATER = 75  # EX_TEMPFAIL: kept in the outbox, Ally will send it later
MAX_SCREENSHOT_BYTES = 4 * 1024 * 1024
MAX_NOTE_FILE_BYTES = report.MAX_NOTE_CHARS * 4 + 4  # UTF-8: at most 4 bytes a letter
SECRET_NAMES = ["webhook", "email", "request-tracker", delivery.HASH_KEY_NAME]


def _help(key: str) -> str:
    return say(key, "cli_help")


def add_commands(commands: argparse._SubParsersAction) -> None:
    rep = commands.add_parser("report", help=_help("report"))
    rep.add_argument("--symptom", choices=[s.value for s in Symptom], default="other")
    rep.add_argument("--note", default="", help=_help("note"))
    rep.add_argument(
        "--note-file",
        metavar="FILE",
        help=_help("note_file"),
    )
    rep.add_argument("--app", metavar="NAME", help=_help("app"))
    rep.add_argument("--screenshot", metavar="FILE", help=_help("screenshot"))
    rep.add_argument("--name", help=_help("name"))
    rep.add_argument("--email", help=_help("email"))
    rep.add_argument("--phone", help=_help("phone"))
    rep.add_argument(
        "--leave-out",
        default="",
        metavar="PARTS",
        help=_help("leave_out"),
    )
    rep.add_argument("--yes", action="store_true", help=_help("yes"))
    rep.add_argument("--show-json", action="store_true", help=_help("show_json"))
    rep.add_argument("--warm-up", type=float, default=1.0, metavar="SECONDS")

    box = commands.add_parser("outbox", help=_help("outbox"))
    sub = box.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    sub.add_parser("list", help=_help("outbox_list"))
    show = sub.add_parser("show", help=_help("outbox_show"))
    show.add_argument("report_id")
    show.add_argument("--json", action="store_true")
    sub.add_parser("send", help=_help("outbox_send"))
    retry = sub.add_parser("retry", help=_help("outbox_retry"))
    retry.add_argument("report_id")

    cred = commands.add_parser("credentials", help=_help("credentials"))
    csub = cred.add_subparsers(dest="credentials_command", metavar="ACTION", required=True)
    cset = csub.add_parser("set", help=_help("credentials_set"))
    cset.add_argument("transport", choices=SECRET_NAMES)
    cimp = csub.add_parser("import", help=_help("credentials_import"))
    cimp.add_argument("transport", choices=SECRET_NAMES)
    cimp.add_argument("--file", required=True, help=_help("credentials_file"))
    cimp.add_argument("--keep", action="store_true", help=_help("credentials_keep"))

    from desktop.terminal.doctor import add_arguments

    doctor = commands.add_parser("doctor", help=_help("doctor"))
    add_arguments(doctor)


def run(args: argparse.Namespace) -> int:
    return {"report": _report, "outbox": _outbox, "credentials": _credentials, "doctor": _doctor}[
        args.command
    ](args)


def _say(text: str) -> None:
    sys.stdout.write(text.rstrip("\n") + "\n")


def _report(args: argparse.Namespace) -> int:
    from desktop.terminal.session import terminal_session

    given = _given(args)
    if isinstance(given, int):
        return given
    leave_out, note, shot, contact = given
    # The one flow the report window uses too (desktop/reporting/session.py): the answer,
    # the fixes it offers, IT's news at the click, and the report built from them.
    session, history_from = terminal_session()
    session.check(args.symptom, args.app, warm_up_s=args.warm_up, history_from=history_from)
    doc = session.build(note, contact, shot, leave_out)
    _say(review.preview(doc))
    if args.show_json:
        _say(json.dumps(doc, indent=2, ensure_ascii=False))
    if not args.yes:
        if not sys.stdin.isatty():
            _say(say("not_sent_no_terminal", "cli"))
            return EXIT_USAGE
        if input(say("ask_send", "cli")).strip().lower() not in ("y", "yes"):
            _say(say("not_sent", "cli"))
            return EXIT_SENT
    return _told(session.send(doc))


def _told(result: sending.SendResult) -> int:
    """Say what became of a report, and the exit code that goes with it."""
    _say(result.message)
    if result.kept_here is not None:
        _say(say("folder", "kept_here", folder=visible(str(result.kept_here), one_line=True)))
        if result.it_contact:
            _say(say("contact", "kept_here", contact=visible(result.it_contact, one_line=True)))
    if not result.saved:
        return EXIT_NOT_SAVED
    if result.delivered:
        return EXIT_SENT
    if result.detail:
        _say(say("details", "cli_it", detail=result.detail))
    return EXIT_SAVED_FOR_LATER


def _given(args: argparse.Namespace) -> tuple[list[str], str, Any, Any] | int:
    """What the person gave on the command line, checked before anything is stored:
    (leave_out, note, screenshot, contact), or an exit code after a plain line."""
    leave_out = [p.strip() for p in args.leave_out.split(",") if p.strip()]
    bad = set(leave_out) - set(redact.PERSON_CHOICES)
    if bad:
        sys.stderr.write(
            say(
                "leave_out_names",
                "cli",
                choices=", ".join(redact.PERSON_CHOICES),
                given=", ".join(sorted(bad)),
            )
            + "\n"
        )
        return EXIT_USAGE
    for value, what in (
        (args.note, "what_note"),
        (args.app, "what_app"),
        (args.name, "what_name"),
        (args.email, "what_email"),
        (args.phone, "what_phone"),
    ):
        if value and has_undecodable(value):
            sys.stderr.write(say("undecodable", what=say(what, "input_parts")) + "\n")
            return EXIT_USAGE
    note = _note(args)
    if isinstance(note, int):
        return note
    shot = None
    if args.screenshot:
        try:
            data = read_regular_file(args.screenshot, MAX_SCREENSHOT_BYTES)
            shot = report.Screenshot(data, *review.png_size(data))
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            sys.stderr.write(
                say("screenshot_unusable", path=visible(args.screenshot), reason=reason) + "\n"
            )
            return EXIT_USAGE
    contact = (
        report.Contact(args.name, args.email, args.phone)
        if (args.name or args.email or args.phone)
        else None
    )
    return leave_out, note, shot, contact


def _note(args: argparse.Namespace) -> str | int:
    """The person's words from --note or --note-file; an exit code after a plain line
    when they cannot be used. A note over the limit is refused, never silently cut."""
    if args.note_file is not None and args.note:
        sys.stderr.write(say("note_twice") + "\n")
        return EXIT_USAGE
    note = args.note
    if args.note_file is not None:
        try:
            if args.note_file == "-":
                raw = sys.stdin.buffer.read(MAX_NOTE_FILE_BYTES + 1)
                if len(raw) > MAX_NOTE_FILE_BYTES:
                    raise NotReadable(say("too_long_for_ally", "input_parts"))
            else:
                raw = read_regular_file(args.note_file, MAX_NOTE_FILE_BYTES)
            note = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            sys.stderr.write(
                say("undecodable_file", what=say("what_note_file", "input_parts")) + "\n"
            )
            return EXIT_USAGE
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            path = (
                say("standard_input", "input_parts")
                if args.note_file == "-"
                else visible(args.note_file)
            )
            sys.stderr.write(say("file_unusable", path=path, reason=reason) + "\n")
            return EXIT_USAGE
    length = len(note.strip())
    if length > report.MAX_NOTE_CHARS:
        sys.stderr.write(
            say("note_too_long", length=f"{length:,}", limit=f"{report.MAX_NOTE_CHARS:,}") + "\n"
        )
        return EXIT_USAGE
    return note


def _transport_or_explain(policy, paths, catalog):
    """The transport in force, or None after telling the person the reports wait."""
    try:
        return delivery.make_transport(policy, paths)
    except PermanentFailure as exc:
        _say(catalog.delivery_message(exc.plain_key))
        _say(say("details", "cli_it", detail=exc.detail))
        return None
    except CredentialsUnavailable as exc:
        _say(catalog.delivery_message("settings"))
        _say(say("details", "cli_it", detail=str(exc)))
        return None


def _outbox(args: argparse.Namespace) -> int:
    paths = AllyPaths.from_environment()
    policy = Policy.load()
    outbox = delivery.outbox(paths, policy)  # sent reports kept as long as IT's policy says
    report_id = getattr(args, "report_id", None)
    if report_id is not None and not is_report_id(report_id):
        sys.stderr.write(say("not_a_report", value=visible(report_id, one_line=True)) + "\n")
        return EXIT_USAGE
    if args.outbox_command == "list":
        return _list(outbox, paths, policy)
    if args.outbox_command == "show":
        found = outbox.entry(report_id)
        doc = found.report if found else outbox.sent_report(report_id)
        if doc is None:
            sys.stderr.write(say("no_such_report", value=report_id) + "\n")
            return EXIT_USAGE
        sys.stdout.write(
            json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
            if args.json
            else review.preview(doc)
        )
        return EXIT_SENT
    if args.outbox_command == "retry":
        try:
            outbox.retry(report_id)
        except KeyError:
            sys.stderr.write(say("no_such_report", value=report_id) + "\n")
            return EXIT_USAGE
    transport = _transport_or_explain(policy, paths, load_catalog())
    if transport is None:
        return EXIT_SAVED_FOR_LATER
    with contextlib.suppress(DeliveryError):  # then each report's try says why
        delivery.ready_for_round(transport, outbox)
    try:
        outcomes = outbox.deliver_due(transport, wait_s=5.0, say_busy=True)
    except OutboxBusy:
        _say(say("outbox_busy"))
        return EXIT_SAVED_FOR_LATER
    sent = [o for o in outcomes if o.receipt]
    _say(say("sent_of_due", "cli", sent=str(len(sent)), due=count(len(outcomes), "report")))
    for o in outcomes:
        if o.error is not None:
            _say(
                say(
                    "round_error",
                    "cli_it",
                    report=o.report_id,
                    detail=visible(o.error.detail, one_line=True),
                )
            )
    return EXIT_SENT if len(sent) == len(outcomes) else EXIT_SAVED_FOR_LATER


def _list(outbox, paths: AllyPaths, policy: Policy) -> int:
    entries = outbox.entries()
    _say(say("waiting", "cli_it", count=str(len(entries))))
    for e in entries:
        status = (
            say("stopped", "cli_it")
            if e.state.status == "stopped"
            else say("next_try", "cli_it", when=_when(e.state.next_attempt_at))
        )
        error = f" — {visible(e.state.last_error, one_line=True)}" if e.state.last_error else ""
        _say(
            say(
                "waiting_line",
                "cli_it",
                report=e.report_id,
                symptom=visible(str(e.report.get("symptom")), one_line=True),
                attempts=str(e.state.attempts),
                status=status,
                error=error,
            )
        )
    receipts = outbox.receipts()
    _say(say("sent", "cli_it", count=str(len(receipts))))
    tracker = _status_reader(policy, paths)
    for r in receipts:
        status = ""
        if tracker is not None and r["transport"] in ("request-tracker", "relay"):
            try:
                word = tracker.status(r["reference"])
                status = say("ticket_now", "cli_it", status=STATUS_WORDS.get(word, word))
            except Exception as exc:  # the list must show even when the helpdesk is away
                status = say("ticket_unknown", "cli_it", error=type(exc).__name__)
        line = say(
            "sent_line",
            "cli_it",
            reference=str(r["reference"]),
            transport=str(r["transport"]),
            delivered_at=str(r["delivered_at"]),
        )
        _say("  " + visible(line.removeprefix("  "), True) + status)
    for q in outbox.quarantined:
        _say(say("set_aside", "cli_it", name=visible(q.name, True), reason=visible(q.reason, True)))
    kept = outbox.quarantine_count()
    if kept:
        _say(say("set_aside_all", "cli_it", count=str(kept), folder=str(outbox.quarantine_dir)))
    return EXIT_SENT


def _when(epoch: float) -> str:
    try:
        return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return "now"


def _credentials(args: argparse.Namespace) -> int:
    if args.credentials_command == "import":
        try:
            credentials.import_from_file(args.transport, args.file, delete=not args.keep)
        except (CredentialsUnavailable, OSError) as exc:
            sys.stderr.write(f"{exc}\n")
            return EXIT_NOT_SAVED
        _say(
            say(
                "secret_stored" if args.keep else "secret_imported",
                "cli_it",
                transport=args.transport,
            )
        )
        return EXIT_SENT
    try:
        secret = (
            getpass.getpass(say("secret_prompt", "cli_it", transport=args.transport))
            if sys.stdin.isatty()
            else sys.stdin.buffer.readline(64 * 1024).decode("utf-8")
        )
    except UnicodeDecodeError:
        sys.stderr.write(say("undecodable", what=say("what_secret", "input_parts")) + "\n")
        return EXIT_USAGE
    secret = secret.rstrip("\r\n")
    if has_undecodable(secret):
        sys.stderr.write(say("undecodable", what=say("what_secret", "input_parts")) + "\n")
        return EXIT_USAGE
    if not secret:
        sys.stderr.write(say("no_secret", "cli_it") + "\n")
        return EXIT_USAGE
    try:
        credentials.set_secret(args.transport, secret)
    except CredentialsUnavailable as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_NOT_SAVED
    _say(say("secret_stored", "cli_it", transport=args.transport))
    return EXIT_SENT


def _doctor(args: argparse.Namespace) -> int:
    from desktop.terminal.doctor import main

    return main(args)


def _status_reader(policy: Policy, paths: AllyPaths):
    """The helpdesk transport that can say how a ticket is doing, if that is the one in use."""
    if policy.transport.kind not in ("request-tracker", "relay"):
        return None
    try:
        return delivery.make_transport(policy, paths)
    except (CredentialsUnavailable, PermanentFailure):
        return None
