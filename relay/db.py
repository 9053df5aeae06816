"""Opening the database and bringing its schema up to date.

SQLite is the embedded default: WAL (readers never wait for the writer), ``synchronous
= FULL`` (a receipt is only sent after the report is on disk), a busy timeout instead of
"database is locked". PostgreSQL is for fleets; the same code runs on both.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0003"  # the newest migration; a test holds this to Alembic's own head


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite database URL; None for another database (or an in-memory one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def folder_owner_other_than_root(url: str) -> str | None:
    """Run as root on a SQLite database whose folder belongs to another account (the
    relay's own, /var/lib/ally-relay): that account's name, else None. A chore run as root
    there would leave root's files (relay.db, its -wal and -shm) that the relay, running as
    its own account, can read but not write."""
    path = sqlite_path(url)
    if path is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    try:
        owner = path.parent.stat().st_uid
    except OSError:
        return None  # not made yet: the chore makes it, as root's, like the folder above
    if owner == 0:
        return None
    import pwd

    try:
        return pwd.getpwuid(owner).pw_name
    except KeyError:
        return str(owner)


def sqlite_not_writable(url: str) -> str | None:
    """The SQLite file (or its folder) this process cannot write, else None: a relay that
    can read its database but not write it takes no report, and must not say it is well."""
    path = sqlite_path(url)
    if path is None:
        return None
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if candidate.exists() and not os.access(candidate, os.W_OK):
            return str(candidate)
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return str(path.parent)
    return None


def engine_for(url: str, durable: bool = True) -> Engine:
    """``durable=False`` is for the forwarding queue's own bookkeeping (claims, receipts
    from the helpdesk): a commit still survives the relay being killed, only a power cut
    may undo the last ones, and then a report is forwarded again under its own id —
    which the helpdesks deduplicate. Taking a report in is always durable."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, not psycopg2
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    # synchronous_commit stays on for taking reports in: the receipt means "on disk".
    # psycopg prepares a statement the fifth time a connection runs it (its default), so
    # the queue's and the intake's few statements are planned once per connection.
    # Pools of 5 (+5 at a peak) per engine: a relay process holds at most 20
    # connections, so 4 workers stay within PostgreSQL's default max_connections (100).
    args = {} if durable else {"options": "-c synchronous_commit=off"}
    return create_engine(parsed, pool_size=5, max_overflow=5, pool_pre_ping=True, connect_args=args)


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url
    return cfg


def current_version(url: str) -> str | None:
    engine = engine_for(url)
    try:
        with engine.connect() as c:
            return c.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # no table yet: a new database
        return None
    finally:
        engine.dispose()


def upgrade(url: str) -> None:
    """Bring the schema to the newest version. A database already there is not handed to
    Alembic at all, so a restart after a crash is quick."""
    if current_version(url) == HEAD:
        return
    from alembic import command

    command.upgrade(alembic_config(url), "head")
