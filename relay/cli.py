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
import sys
import time
from collections.abc import Sequence

from relay import __version__
from relay.config import ConfigError, RelaySettings, load

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ally-relay", description="Ally Relay, IT's receiver.")
    p.add_argument("--config", help="settings file (default /etc/ally-relay/relay.toml)")
    p.add_argument("--version", action="version", version=f"ally-relay {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("serve", help="receive reports and forward them")
    sub.add_parser("migrate", help="bring the database schema up to date")
    sub.add_parser("check", help="check the settings, the database and the helpdesk secret")
    sub.add_parser("health", help="ask the running relay on this machine whether it is well")
    tok = sub.add_parser("token", help="enrolment tokens").add_subparsers(
        dest="action", required=True
    )
    make = tok.add_parser("create")
    make.add_argument("--days", type=float, default=7.0, help="valid this long (0: until revoked)")
    make.add_argument("--uses", type=int, default=None, help="at most this many devices")
    make.add_argument("--note", default="")
    tok.add_parser("list")
    tok.add_parser("revoke").add_argument("id")
    dev = sub.add_parser("device", help="enrolled devices").add_subparsers(
        dest="action", required=True
    )
    dev.add_parser("list")
    dev.add_parser("revoke").add_argument("id")
    usr = sub.add_parser("user", help="IT staff who may sign in").add_subparsers(
        dest="action", required=True
    )
    usr.add_parser("set").add_argument("name")
    usr.add_parser("disable").add_argument("name")
    sub.add_parser("retry", help="forward stopped reports again").add_argument(
        "number", nargs="?", type=int
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load(args.config)
    except ConfigError as exc:
        sys.stderr.write("Ally Relay cannot start; fix these settings first:\n")
        sys.stderr.writelines(f"  {p}\n" for p in exc.problems)
        return EXIT_FAIL
    if args.command == "serve":
        from relay.server import serve

        return serve(settings)
    if args.command == "health":
        from relay.health_probe import probe

        return probe(settings.server)
    from relay.db import upgrade

    if args.command == "migrate" or settings.migrate_on_start:
        upgrade(settings.database)
    if args.command == "migrate":
        print("The database schema is up to date.")
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
            token = store.create_enrolment_token(args.note, args.days or None, args.uses)
            print(token)
            return EXIT_OK
        if args.action == "revoke":
            return _done(store.revoke_enrolment_token(args.id), f"token {args.id}")
        for t in store.enrolment_tokens():
            print(json.dumps({k: v for k, v in t._mapping.items() if k != "token_hash"}))
        return EXIT_OK
    if args.command == "device":
        if args.action == "revoke":
            return _done(store.revoke_device(args.id), f"device {args.id}")
        for d in store.devices():
            print(json.dumps({k: v for k, v in d._mapping.items() if k != "token_hash"}))
        return EXIT_OK
    if args.command == "user":
        if args.action == "disable":
            return _done(store.disable_user(args.name), f"user {args.name}")
        from relay.passwords import hash_password

        password = (
            getpass.getpass(f"Password for {args.name}: ")
            if sys.stdin.isatty()
            else sys.stdin.readline().rstrip("\r\n")
        )
        try:
            store.set_user(args.name, hash_password(password))
        except ValueError as exc:
            sys.stderr.write(f"{exc}\n")
            return EXIT_USAGE
        print(f"{args.name} can sign in.")
        return EXIT_OK
    if args.command == "retry":
        print(f"{store.retry(args.number)} report(s) queued again.")
        return EXIT_OK
    return EXIT_USAGE


def _done(ok: bool, what: str) -> int:
    print(f"{what}: revoked" if ok else f"{what}: not found, or already revoked")
    return EXIT_OK if ok else EXIT_FAIL


def _check(settings: RelaySettings, store) -> int:  # type: ignore[no-untyped-def]
    from relay.helpdesk import make_transport

    started = time.monotonic()
    print(f"settings: {settings.source}")
    print(f"database: {store.engine.dialect.name}, queue {store.queue_stats()}")
    try:
        make_transport(settings)
    except Exception as exc:
        print(f"forwarding: cannot be set up: {exc}")
        return EXIT_FAIL
    has_secret = settings.helpdesk_secret() is not None
    kind = settings.forward.transport.kind
    print(f"forwarding: {kind}, secret {'present' if has_secret else 'none'}")
    print(f"checked in {time.monotonic() - started:.2f} s")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
