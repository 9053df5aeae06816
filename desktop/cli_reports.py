"""``ally report``, ``ally outbox``, ``ally credentials`` and ``ally doctor``: the report
path without a screen. Every message a person may read comes from the catalog."""

from __future__ import annotations

import argparse
import getpass
import json
import socket
import sys
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

from desktop.config import Policy
from desktop.diagnostics.explain import load_catalog
from desktop.diagnostics.rules.wording import count
from desktop.paths import AllyPaths
from desktop.reporting import credentials, delivery, redact, report, review
from desktop.reporting.credentials import CredentialsUnavailable
from desktop.reporting.transports.base import STATUS_WORDS, PermanentFailure

EXIT_SENT = 0
EXIT_NOT_SAVED = 1
EXIT_USAGE = 2
EXIT_SAVED_FOR_LATER = 75  # EX_TEMPFAIL: kept in the outbox, Ally will send it later
MAX_SCREENSHOT_BYTES = 4 * 1024 * 1024


def add_commands(commands: argparse._SubParsersAction) -> None:
    rep = commands.add_parser(
        "report", help="check this computer, show what will be sent, and send it to IT"
    )
    rep.add_argument(
        "--symptom", choices=["slow", "internet", "app", "printing", "other"], default="other"
    )
    rep.add_argument("--note", default="", help="what happened, in your own words")
    rep.add_argument("--app", metavar="NAME", help="the program that misbehaves")
    rep.add_argument("--screenshot", metavar="FILE", help="a PNG picture of the screen to include")
    rep.add_argument("--name", help="your name, so IT knows who to call back")
    rep.add_argument("--email", help="your email address")
    rep.add_argument("--phone", help="your phone number")
    rep.add_argument(
        "--leave-out",
        default="",
        metavar="PARTS",
        help="comma-separated parts not to send: note, screenshot, process_list, contact",
    )
    rep.add_argument(
        "--yes", action="store_true", help="send without asking (the preview is still printed)"
    )
    rep.add_argument(
        "--show-json", action="store_true", help="also print the exact document that will be sent"
    )
    rep.add_argument("--warm-up", type=float, default=1.0, metavar="SECONDS")

    box = commands.add_parser(
        "outbox", help="reports waiting to be sent, and receipts of those sent"
    )
    sub = box.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    sub.add_parser("list", help="every waiting report and every receipt")
    show = sub.add_parser("show", help="what a stored report contains")
    show.add_argument("report_id")
    show.add_argument("--json", action="store_true")
    sub.add_parser("send", help="try to send every report that is due now")
    retry = sub.add_parser("retry", help="try a stopped report again (after IT fixed the cause)")
    retry.add_argument("report_id")

    cred = commands.add_parser("credentials", help="store a transport's secret in the OS keyring")
    csub = cred.add_subparsers(dest="credentials_command", metavar="ACTION", required=True)
    cset = csub.add_parser(
        "set", help="store the secret for a transport (read from standard input)"
    )
    cset.add_argument("transport", choices=["webhook", "email", "request-tracker"])
    cimp = csub.add_parser(
        "import", help="take a secret IT left in a file for you, and delete the file"
    )
    cimp.add_argument("transport", choices=["webhook", "email", "request-tracker"])
    cimp.add_argument("--file", required=True, help="a file only you can read (mode 600)")
    cimp.add_argument("--keep", action="store_true", help="do not delete the file afterwards")

    commands.add_parser("doctor", help="check Ally's policy, credentials, transport and outbox")


def run(args: argparse.Namespace) -> int:
    return {"report": _report, "outbox": _outbox, "credentials": _credentials, "doctor": _doctor}[
        args.command
    ](args)


def _say(text: str) -> None:
    sys.stdout.write(text.rstrip("\n") + "\n")


def _report(args: argparse.Namespace) -> int:
    from desktop.diagnostics.diagnosis import diagnose

    catalog = load_catalog()
    policy = Policy.load()
    paths = AllyPaths.from_environment()
    leave_out = [p.strip() for p in args.leave_out.split(",") if p.strip()]
    bad = set(leave_out) - set(redact.PERSON_CHOICES)
    if bad:
        sys.stderr.write(
            f"--leave-out can name: {', '.join(redact.PERSON_CHOICES)} (not {', '.join(sorted(bad))}).\n"
        )
        return EXIT_USAGE
    shot = None
    if args.screenshot:
        try:
            data = Path(args.screenshot).read_bytes()
            if len(data) > MAX_SCREENSHOT_BYTES:
                raise ValueError(f"it is larger than {MAX_SCREENSHOT_BYTES // 1024 // 1024} MB")
            shot = report.Screenshot(data, *review.png_size(data))
        except (OSError, ValueError) as exc:
            sys.stderr.write(
                f"The screenshot {args.screenshot} cannot be used: {exc}. Nothing was sent.\n"
            )
            return EXIT_USAGE
    contact = (
        report.Contact(args.name, args.email, args.phone)
        if (args.name or args.email or args.phone)
        else None
    )
    from desktop.tray_link import borrowed_sampler

    sampler, history_from = borrowed_sampler()  # the tray's minutes, when it runs
    result = diagnose(
        args.symptom,
        sampler=sampler,
        warm_up_s=args.warm_up,
        focus_app=args.app,
        policy=policy,
        history_from=history_from,
    )
    doc = redact.apply(
        report.build(result, args.note, contact, shot), leave_out, delivery.privacy(policy)
    )
    _say(review.preview(doc))
    if args.show_json:
        _say(json.dumps(doc, indent=2, ensure_ascii=False))
    if not args.yes:
        if not sys.stdin.isatty():
            _say("Nothing was sent. To send without being asked, add --yes.")
            return EXIT_USAGE
        if input("Send this to IT? [y/N] ").strip().lower() not in ("y", "yes"):
            _say("Nothing was sent.")
            return EXIT_SENT
    outbox = delivery.outbox(paths)
    try:
        outbox.add(doc)
    except OSError as exc:
        _say(catalog.delivery_message("not_saved", reason=exc.strerror or str(exc)))
        return EXIT_NOT_SAVED
    return _send_one(outbox, doc["id"], policy, paths, catalog)


def _transport_or_explain(policy, paths, catalog):
    """The transport in force, or None after telling the person the report waits."""
    try:
        return delivery.make_transport(policy, paths)
    except (CredentialsUnavailable, PermanentFailure) as exc:
        _say(catalog.delivery_message("settings"))
        _say(f"Details for IT: {exc}")
        return None


def _send_one(outbox, report_id, policy, paths, catalog) -> int:
    transport = _transport_or_explain(policy, paths, catalog)
    if transport is None:
        return EXIT_SAVED_FOR_LATER
    entry = next(e for e in outbox.entries() if e.report_id == report_id)
    outcome = outbox.deliver(entry, transport)
    if outcome.receipt is not None:
        key = "sent_folder" if outcome.receipt.transport == "folder" else "sent"
        _say(catalog.delivery_message(key, reference=outcome.receipt.reference))
        return EXIT_SENT
    _say(catalog.delivery_message(outcome.error.plain_key if outcome.error else "temporary"))
    if outcome.error is not None:
        _say(f"Details for IT: {outcome.error.detail}")
    return EXIT_SAVED_FOR_LATER


def _outbox(args: argparse.Namespace) -> int:
    paths = AllyPaths.from_environment()
    outbox = delivery.outbox(paths)
    if args.outbox_command == "list":
        entries = outbox.entries()
        _say(f"Waiting to be sent: {len(entries)}")
        for e in entries:
            when = datetime.fromtimestamp(e.state.next_attempt_at, timezone.utc).isoformat(
                timespec="seconds"
            )
            status = (
                "stopped until someone acts" if e.state.status == "stopped" else f"next try {when}"
            )
            _say(
                f"  {e.report_id}  {e.report.get('symptom')}  attempts {e.state.attempts}, {status}"
                + (f" — {e.state.last_error}" if e.state.last_error else "")
            )
        receipts = outbox.receipts()
        _say(f"Sent: {len(receipts)}")
        tracker = _status_reader(Policy.load(), paths)
        for r in receipts:
            status = ""
            if tracker is not None and r["transport"] in ("request-tracker", "relay"):
                try:
                    word = tracker.status(r["reference"])
                    status = f"  — {STATUS_WORDS.get(word, word)}"
                except Exception as exc:  # the list must show even when the helpdesk is away
                    status = f"  — status unknown ({type(exc).__name__})"
            _say(f"  {r['reference']}  via {r['transport']}  at {r['delivered_at']}{status}")
        for q in outbox.quarantined:
            _say(f"Set aside (unreadable): {q.name}: {q.reason}")
        return EXIT_SENT
    if args.outbox_command == "show":
        found = next((e for e in outbox.entries() if e.report_id == args.report_id), None)
        sent = outbox.sent_dir / f"{args.report_id}.json"
        doc = (
            found.report
            if found
            else (json.loads(sent.read_text())["report"] if sent.exists() else None)
        )
        if doc is None:
            sys.stderr.write(f"No report {args.report_id} in the outbox.\n")
            return EXIT_USAGE
        sys.stdout.write(
            json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
            if args.json
            else review.preview(doc)
        )
        return EXIT_SENT
    if args.outbox_command == "retry":
        try:
            outbox.retry(args.report_id)
        except KeyError:
            sys.stderr.write(f"No waiting report {args.report_id}.\n")
            return EXIT_USAGE
    transport = _transport_or_explain(Policy.load(), paths, load_catalog())
    if transport is None:
        return EXIT_SAVED_FOR_LATER
    outcomes = outbox.deliver_due(transport)
    sent = [o for o in outcomes if o.receipt]
    _say(f"Sent {len(sent)} of {count(len(outcomes), 'report')} that were due.")
    for o in outcomes:
        if o.error is not None:
            _say(f"  {o.report_id}: {o.error.detail}")
    return EXIT_SENT if len(sent) == len(outcomes) else EXIT_SAVED_FOR_LATER


def _credentials(args: argparse.Namespace) -> int:
    if args.credentials_command == "import":
        try:
            credentials.import_from_file(args.transport, args.file, delete=not args.keep)
        except (CredentialsUnavailable, OSError) as exc:
            sys.stderr.write(f"{exc}\n")
            return EXIT_NOT_SAVED
        _say(
            f"The secret for {args.transport} is stored in this computer's password store"
            + ("." if args.keep else ", and the file is deleted.")
        )
        return EXIT_SENT
    secret = (
        getpass.getpass(f"Secret for {args.transport}: ")
        if sys.stdin.isatty()
        else sys.stdin.readline()
    )
    secret = secret.rstrip("\r\n")
    if not secret:
        sys.stderr.write("No secret was given; nothing was stored.\n")
        return EXIT_USAGE
    try:
        credentials.set_secret(args.transport, secret)
    except CredentialsUnavailable as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_NOT_SAVED
    _say(f"The secret for {args.transport} is stored in this computer's password store.")
    return EXIT_SENT


def _doctor(args: argparse.Namespace) -> int:
    policy = Policy.load()
    paths = AllyPaths.from_environment()
    problems = 0

    def line(ok: bool, what: str, text: str) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        _say(f"{'OK     ' if ok else 'PROBLEM'}  {what}: {text}")

    line(
        not policy.problems,
        "policy",
        f"{policy.source or 'no policy file, defaults in use'}"
        + ("" if not policy.problems else " — " + "; ".join(policy.problems)),
    )
    t = policy.transport
    line(
        True,
        "transport",
        t.kind
        + (f" to {t.url}" if t.url else "")
        + (f" via {t.smtp_host}:{t.smtp_port}" if t.kind == "email" else ""),
    )
    if t.kind == "relay":
        from desktop.reporting.relay_doctor import doctor_lines

        for ok, what, text in doctor_lines(policy):
            line(ok, what, text)
    elif t.kind != "folder":
        try:
            has = credentials.get_secret(t.kind) is not None
            line(
                has,
                "credentials",
                f"stored in {credentials.backend_name()}"
                if has
                else f"none stored for {t.kind}; run: ally credentials set {t.kind}",
            )
        except CredentialsUnavailable as exc:
            line(False, "credentials", str(exc))
    if t.kind == "relay":
        pass  # reachability and enrolment are checked above
    elif t.kind == "folder":
        folder = delivery.reports_folder(policy, paths)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / ".ally-write-test"
            probe.write_bytes(b"ok")
            probe.unlink()
            line(True, "reports folder", f"{folder} is writable")
        except OSError as exc:
            line(False, "reports folder", f"{folder} cannot be written: {exc.strerror or exc}")
    else:
        host, port = _endpoint(t)
        if host:
            try:
                with socket.create_connection((host, port), timeout=3):
                    line(True, "reachable", f"{host}:{port} accepts connections")
            except OSError as exc:
                line(
                    False,
                    "reachable",
                    f"{host}:{port} does not answer ({exc.strerror or exc}); reports wait "
                    "in the outbox until it does",
                )
    outbox = delivery.outbox(paths)
    entries = outbox.entries()
    stopped = [e for e in entries if e.state.status == "stopped"]
    line(
        not stopped and not outbox.quarantined,
        "outbox",
        f"{len(entries)} waiting, {len(stopped)} stopped, {len(outbox.quarantined)} set aside, "
        f"{len(outbox.receipts())} sent",
    )
    return EXIT_SENT if problems == 0 else EXIT_NOT_SAVED


def _status_reader(policy: Policy, paths: AllyPaths):
    """The helpdesk transport that can say how a ticket is doing, if that is the one in use."""
    if policy.transport.kind not in ("request-tracker", "relay"):
        return None
    try:
        return delivery.make_transport(policy, paths)
    except (CredentialsUnavailable, PermanentFailure):
        return None


def _endpoint(t) -> tuple[str | None, int]:
    if t.kind == "email":
        return t.smtp_host, t.smtp_port
    if t.url:
        u = urlparse(t.url)
        return u.hostname, u.port or (443 if u.scheme == "https" else 80)
    return None, 0
