"""``ally-relay``: run the relay, and IT's chores from a shell (tokens, devices, staff).

ally-relay [--config FILE] serve
ally-relay migrate | check
ally-relay health          (asks the running relay; for container health checks)
ally-relay token create [--days N] [--uses N] [--note TEXT] | token list | token revoke ID
ally-relay device list | device revoke ID
ally-relay user set NAME   (the password is read from standard input)
ally-relay user disable NAME
ally-relay retry [NUMBER]  (a stopped report, or all stopped ones)
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ally_words import say
from relay import __version__
from relay.config import ConfigError, RelaySettings, load

# Where installer/relay/ally-relay.service is installed; its LoadCredential= line says
# which file systemd hands the service as its helpdesk secret.
SYSTEMD_UNIT = Path("/etc/systemd/system/ally-relay.service")

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _w(key: str, /, **values: object) -> str:
    """IT's words in the terminal ([relay_cli] in the catalog)."""
    return say(key, "relay_cli", **values)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ally-relay", description=_w("description"))
    p.add_argument("--config", help=_w("help_config"))
    p.add_argument("--version", action="version", version=f"ally-relay {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("serve", help=_w("help_serve"))
    sub.add_parser("migrate", help=_w("help_migrate"))
    sub.add_parser("check", help=_w("help_check"))
    sub.add_parser("health", help=_w("help_health"))
    tok = sub.add_parser("token", help=_w("help_token")).add_subparsers(
        dest="action", required=True
    )
    make = tok.add_parser("create")
    make.add_argument("--days", type=float, default=7.0, help=_w("help_days"))
    make.add_argument("--uses", type=int, default=None, help=_w("help_uses"))
    make.add_argument("--note", default="")
    tok.add_parser("list")
    tok.add_parser("revoke").add_argument("id")
    dev = sub.add_parser("device", help=_w("help_device")).add_subparsers(
        dest="action", required=True
    )
    dev.add_parser("list")
    dev.add_parser("revoke").add_argument("id")
    usr = sub.add_parser("user", help=_w("help_user")).add_subparsers(dest="action", required=True)
    usr.add_parser("set").add_argument("name")
    usr.add_parser("disable").add_argument("name")
    sub.add_parser("retry", help=_w("help_retry")).add_argument("number", nargs="?", type=int)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load(args.config)
    except ConfigError as exc:
        sys.stderr.write(_w("cannot_start") + "\n")
        sys.stderr.writelines(f"  {p}\n" for p in exc.problems)
        return EXIT_FAIL
    if args.command == "health":
        from relay.health_probe import probe

        return probe(settings.server)
    from relay.db import folder_owner_other_than_root, upgrade

    owner = folder_owner_other_than_root(settings.database)
    if owner is not None:  # root's files there would lock the relay's own account out
        program = sys.argv[0] if sys.argv[0].endswith("ally-relay") else "ally-relay"
        words = " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
        sys.stderr.write(
            _w(
                "run_as_owner",
                database=settings.database,
                account=owner,
                program=program,
                arguments=words,
            )
            + "\n"
        )
        return EXIT_FAIL
    if args.command == "serve":
        from relay.server import serve

        return serve(settings)
    if args.command == "migrate" or settings.migrate_on_start:
        upgrade(settings.database)
    if args.command == "migrate":
        print(_w("schema_up_to_date"))
        return EXIT_OK
    return _chore(args, settings)


def _chore(args: argparse.Namespace, settings: RelaySettings) -> int:
    from relay.db import engine_for
    from relay.store import Store

    store = Store(engine_for(settings.database))
    if args.command == "check":
        return _check(settings, store)
    if args.command == "token":
        if args.action == "create":
            try:
                token = store.create_enrolment_token(args.note, args.days or None, args.uses)
            except ValueError as exc:
                sys.stderr.write(_w("cannot_make_token", why=exc) + "\n")
                return EXIT_USAGE
            print(token)
            return EXIT_OK
        if args.action == "revoke":
            return _done(store.revoke_enrolment_token(args.id), _w("token", id=args.id))
        for t in store.enrolment_tokens():
            print(json.dumps({k: v for k, v in t._mapping.items() if k != "token_hash"}))
        return EXIT_OK
    if args.command == "device":
        if args.action == "revoke":
            return _done(store.revoke_device(args.id), _w("device", id=args.id))
        for d in store.devices():
            print(json.dumps({k: v for k, v in d._mapping.items() if k != "token_hash"}))
        return EXIT_OK
    if args.command == "user":
        if args.action == "disable":
            return _done(store.disable_user(args.name), _w("user", name=args.name))
        from relay.passwords import hash_password

        password = (
            getpass.getpass(_w("password_for", name=args.name) + " ")
            if sys.stdin.isatty()
            else sys.stdin.readline().rstrip("\r\n")
        )
        try:
            store.set_user(args.name, hash_password(password))
        except ValueError as exc:
            sys.stderr.write(f"{exc}\n")
            return EXIT_USAGE
        print(_w("can_sign_in", name=args.name))
        return EXIT_OK
    if args.command == "retry":
        print(_w("queued_again", count=store.retry(args.number)))
        return EXIT_OK
    return EXIT_USAGE


def _done(ok: bool, what: str) -> int:
    print(_w("revoked" if ok else "not_revoked", what=what))
    return EXIT_OK if ok else EXIT_FAIL


def service_credential(unit: Path) -> Path | None:
    """The file the installed systemd unit hands the service as its ``helpdesk``
    credential (``LoadCredential=helpdesk:PATH``), or None without such a unit."""
    try:
        text = unit.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = re.search(r"(?m)^\s*LoadCredential\s*=\s*helpdesk:(\S+)\s*$", text)
    return Path(found.group(1)) if found else None


def _secret_words(settings: RelaySettings) -> tuple[bool, str]:
    """Where the secret the service will use comes from, checked as far as this account
    can: the file itself, or the systemd credential's file (readable by root only; systemd
    reads it when it starts the service, so only its presence and mode are checked)."""
    if settings.helpdesk_secret() is not None:
        return True, _w("secret_present")
    if settings.forward.secret_file is None and not os.environ.get("CREDENTIALS_DIRECTORY"):
        credential = service_credential(SYSTEMD_UNIT)
        if credential is not None:
            try:
                mode = credential.stat().st_mode & 0o777
            except OSError as exc:
                return False, _w(
                    "secret_credential_missing",
                    path=credential,
                    unit=SYSTEMD_UNIT,
                    error=exc.strerror,
                )
            if mode & 0o077:
                return False, _w("secret_credential_open", path=credential, mode=f"{mode:o}")
            return True, _w("secret_credential", path=credential, unit=SYSTEMD_UNIT)
    return False, _w("secret_nowhere", unit=SYSTEMD_UNIT)


def _check(settings: RelaySettings, store) -> int:  # type: ignore[no-untyped-def]
    from relay.helpdesk import make_transport

    started = time.monotonic()
    print(_w("check_settings", source=settings.source))
    print(_w("check_database", dialect=store.engine.dialect.name, queue=store.queue_stats()))
    kind = settings.forward.transport.kind
    asked: list[bool] = []

    def stand_in() -> str:  # for a secret only the service may be able to read
        asked.append(True)
        return "stand-in"

    try:
        make_transport(settings, stand_in)  # every other forwarding setting checked
    except Exception as exc:
        print(_w("check_cannot_forward", error=exc))
        return EXIT_FAIL
    if not asked:  # this helpdesk, so set up, reads no secret (a folder, mail without login)
        has_secret, secret_words = True, _w("secret_not_needed")
    else:
        try:
            has_secret, secret_words = _secret_words(settings)
        except (OSError, UnicodeDecodeError) as exc:  # [forward] secret_file unreadable here
            has_secret, secret_words = False, _w("secret_unreadable_here", error=exc)
    print(_w("check_forwarding", kind=kind, secret=secret_words))
    if not has_secret:
        return EXIT_FAIL
    print(_w("checked_in", seconds=f"{time.monotonic() - started:.2f}"))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
