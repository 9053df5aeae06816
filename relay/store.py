"""Every read and write of the relay's database, as single statements where it matters.

A claim on the forwarding queue is one ``UPDATE … WHERE number IN (SELECT … LIMIT n)``
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so two forwarders — threads or relays sharing
one PostgreSQL — never hold the same report. Taking a report is one ``INSERT … ON
CONFLICT DO NOTHING``: the report id is the idempotency key. Using up an enrolment token
is one guarded ``UPDATE``, so a single-use token enrols one device, however many ask at
once.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row

from ally_words import say
from relay import tokens
from relay.schema import (
    admin_sessions,
    admin_users,
    device_changes,
    devices,
    enrolment_tokens,
    reports,
)

MAX_TOKEN_DAYS = 3650  # ten years: longer is "until revoked" (0 days)
MAX_TOKEN_USES = 2**31 - 1  # the column is a 32-bit integer on PostgreSQL


def web_link(url: str | None) -> str | None:
    """A helpdesk's link to its ticket, kept only when it is a web address: IT's page
    shows it as a link, and "javascript:" or "data:" would run in IT's browser."""
    from urllib.parse import urlsplit

    text = (url or "").strip()[:1000]
    if any(c.isspace() or not c.isprintable() for c in text):
        return None  # a line break or a control inside is not a link
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else None


TOUCH_EVERY_S = 60.0  # last_seen_at is written at most once a minute per device


class Refused(Exception):
    """A request the relay will not honour; ``reason`` is a short code for logs and
    the desktop (``unknown``, ``revoked``, ``expired``, ``used_up``, ``conflict``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Accepted:
    number: int
    report_id: str
    new: bool  # False: the same report was already here (a retry after a lost receipt)


class Store:
    def __init__(self, engine: Engine, clock=time.time, queue_engine: Engine | None = None) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.queue_engine = queue_engine or engine  # see db.engine_for(durable=False)
        self.clock = clock
        self.postgres = engine.dialect.name == "postgresql"

    # --- enrolment ------------------------------------------------------------------

    def create_enrolment_token(
        self, note: str = "", days: float | None = 7.0, max_uses: int | None = None
    ) -> tokens.Token:
        """A new enrolment token, valid ``days`` (None: until revoked) for ``max_uses``
        devices (None: any number). ValueError for days that are not a number of days up
        to MAX_TOKEN_DAYS (1e300 days broke every page that shows the date; nan never
        expired) or uses below one."""
        number = isinstance(days, (int, float)) and not isinstance(days, bool)
        if days is not None and not (number and 0 < days <= MAX_TOKEN_DAYS):
            raise ValueError(say("bad_days", "relay_cli", most=MAX_TOKEN_DAYS))
        if max_uses is not None and not 1 <= max_uses <= MAX_TOKEN_USES:
            raise ValueError(say("bad_uses", "relay_cli", most=MAX_TOKEN_USES))
        token = tokens.new(tokens.ENROL)
        now = self.clock()
        with self.engine.begin() as c:
            c.execute(
                enrolment_tokens.insert().values(
                    id=token.id,
                    token_hash=tokens.digest(token.secret),
                    note=note[:200],
                    created_at=now,
                    expires_at=now + days * 86400 if days else None,
                    max_uses=max_uses,
                    uses=0,
                )
            )
        return token

    def enrol(self, text: str, name: str, version: str, client: str) -> tokens.Token:
        token = tokens.parse(text, tokens.ENROL)
        if token is None:
            raise Refused("unknown")
        now = self.clock()
        device = tokens.new(tokens.DEVICE)
        with self.engine.begin() as c:
            row = c.execute(
                select(enrolment_tokens).where(enrolment_tokens.c.id == token.id)
            ).first()
            if row is None or not tokens.matches(token, row.token_hash):
                raise Refused("unknown")
            if row.revoked_at is not None:
                raise Refused("revoked")
            # "not later than now", so a nan stored by an older relay counts as expired
            if row.expires_at is not None and not row.expires_at > now:
                raise Refused("expired")
            t = enrolment_tokens.c
            used = c.execute(
                update(enrolment_tokens)
                .where(
                    t.id == token.id,
                    or_(t.max_uses.is_(None), t.uses < t.max_uses),
                )
                .values(uses=t.uses + 1)
            )
            if used.rowcount != 1:
                raise Refused("used_up")
            c.execute(
                devices.insert().values(
                    id=device.id,
                    token_hash=tokens.digest(device.secret),
                    name=name[:255],
                    ally_version=version[:40],
                    enrolled_at=now,
                    enrolled_with=token.id,
                    enrolled_from=client[:64],
                    last_seen_at=now,
                )
            )
        return device

    def device(self, text: str | None) -> Row[Any]:
        """The device a token belongs to; Refused('unknown'|'revoked') otherwise."""
        token = tokens.parse(text, tokens.DEVICE)
        if token is None:
            raise Refused("unknown")
        with self.engine.connect() as c:
            row = c.execute(select(devices).where(devices.c.id == token.id)).first()
        if row is None or not tokens.matches(token, row.token_hash):
            raise Refused("unknown")
        if row.revoked_at is not None:
            raise Refused("revoked")
        return row

    def device_generation(self) -> int | None:
        """The count of changes to devices' tokens (revoked, deleted, replaced), kept by
        the database's own triggers: a relay process that saw it move forgets the
        devices it remembered. One row read by its key, cheap to ask every 2 s."""
        with self.engine.connect() as c:
            return c.execute(
                select(device_changes.c.generation).where(device_changes.c.id == 1)
            ).scalar()

    def revoke_device(self, device_id: str) -> bool:
        with self.engine.begin() as c:
            done = c.execute(
                update(devices)
                .where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
                .values(revoked_at=self.clock())
            )
        return done.rowcount == 1

    def revoke_enrolment_token(self, token_id: str) -> bool:
        with self.engine.begin() as c:
            done = c.execute(
                update(enrolment_tokens)
                .where(enrolment_tokens.c.id == token_id, enrolment_tokens.c.revoked_at.is_(None))
                .values(revoked_at=self.clock())
            )
        return done.rowcount == 1

    def devices(self, limit: int = 1000) -> list[Row[Any]]:
        count = (
            select(func.count())
            .where(reports.c.device_id == devices.c.id)
            .scalar_subquery()
            .label("reports")
        )
        with self.engine.connect() as c:
            return list(
                c.execute(
                    select(devices, count)
                    .order_by(devices.c.last_seen_at.desc().nulls_last())
                    .limit(limit)
                )
            )

    def enrolment_tokens(self) -> list[Row[Any]]:
        with self.engine.connect() as c:
            return list(
                c.execute(select(enrolment_tokens).order_by(enrolment_tokens.c.created_at.desc()))
            )

    # --- taking reports ---------------------------------------------------------------

    def accept(self, device_id: str, report: dict[str, Any], body: bytes) -> Accepted:
        (result,) = self.accept_many([(device_id, report, body)])
        if isinstance(result, Refused):
            raise result
        return result

    def accept_many(
        self, items: list[tuple[str, dict[str, Any], bytes]]
    ) -> list[Accepted | Refused]:
        """Store reports in one transaction (one wait for the disk for all of them).

        Each is Accepted (new, or the very same bytes again) or Refused('conflict'): a
        different report under a known id is never replaced. The batch is one multi-row
        ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (SQLAlchemy's "insertmanyvalues")
        and, only when some id was already known, one ``SELECT`` for those: a round trip
        and a statement per report cost PostgreSQL more than the inserts themselves.
        """
        now = self.clock()
        rows: dict[str, dict[str, Any]] = {}  # the first of each id in the batch
        for device_id, report, body in items:
            if report["id"] not in rows:
                rows[report["id"]] = _report_row(device_id, report, body, now)
        dialect = postgresql if self.postgres else sqlite
        stmt = (
            dialect.insert(reports)
            .on_conflict_do_nothing(index_elements=["report_id"])
            .returning(reports.c.report_id, reports.c.number)
        )
        with self.engine.begin() as c:
            # Rows come back for the ids inserted now, in no promised order: by id.
            inserted = dict(c.execute(stmt, list(rows.values())).all())
            known = [rid for rid in rows if rid not in inserted]
            before = {}
            if known:
                r = reports.c
                found = c.execute(
                    select(r.report_id, r.number, r.body_sha256).where(r.report_id.in_(known))
                )
                before = {row.report_id: (row.number, row.body_sha256) for row in found}
            self._touch_devices(c, {device_id for device_id, _, _ in items}, now)
        out: list[Accepted | Refused] = []
        firsts = set(inserted)
        for _, report, body in items:
            rid = report["id"]
            if rid in firsts:
                firsts.discard(rid)  # the one that made the row; any later copy is a retry
                out.append(Accepted(inserted[rid], rid, True))
                continue
            number, digest = (
                (inserted[rid], rows[rid]["body_sha256"]) if rid in inserted else before[rid]
            )
            # The very same bytes: a retry whose receipt was lost, also from the same
            # computer after it enrolled again (a new token from IT). Only the report's
            # own sender holds its bytes, so the receipt gives nothing away; the status
            # stays with the device that sent it first.
            same = hashlib.sha256(body).hexdigest() == digest
            out.append(Accepted(number, rid, False) if same else Refused("conflict"))
        return out

    @staticmethod
    def _touch_devices(c: Connection, seen: set[str], now: float) -> None:
        """last_seen_at, written at most once a minute per device."""
        c.execute(
            update(devices)
            .where(
                devices.c.id.in_(seen),
                or_(
                    devices.c.last_seen_at.is_(None),
                    devices.c.last_seen_at < now - TOUCH_EVERY_S,
                ),
            )
            .values(last_seen_at=now)
        )

    def touch(self, device_id: str, version: str) -> None:
        now = self.clock()
        with self.engine.begin() as c:
            c.execute(
                update(devices)
                .where(devices.c.id == device_id)
                .values(last_seen_at=now, ally_version=version[:40])
            )

    def report_of(self, device_id: str, key: str) -> Row[Any] | None:
        """A report of this device only, by its number or its id; None for any other."""
        where = reports.c.number == int(key) if key.isdigit() else reports.c.report_id == key
        with self.engine.connect() as c:
            return c.execute(select(reports).where(where, reports.c.device_id == device_id)).first()

    def report(self, number: int) -> Row[Any] | None:
        with self.engine.connect() as c:
            return c.execute(select(reports).where(reports.c.number == number)).first()

    def recent_reports(self, limit: int = 200) -> list[Row[Any]]:
        cols = [c for c in reports.c if c.name != "body"]
        with self.engine.connect() as c:
            return list(
                c.execute(
                    select(*cols, devices.c.name.label("device_name"))
                    .join(devices, devices.c.id == reports.c.device_id)
                    .order_by(reports.c.number.desc())
                    .limit(limit)
                )
            )

    # --- the forwarding queue -----------------------------------------------------------

    def claim(self, lease_s: float) -> Row[Any] | None:
        """Take the oldest due report for ``lease_s`` seconds, or None."""
        rows = self.claim_many(lease_s, 1)
        return rows[0] if rows else None

    def claim_many(
        self, lease_s: float, limit: int, conn: Connection | None = None
    ) -> list[Row[Any]]:
        """Take up to ``limit`` due reports, oldest first, for ``lease_s`` seconds: one
        statement for all of them, where a claim per report cost a round trip each."""
        now = self.clock()
        r = reports.c
        due = (
            select(r.number)
            .where(
                r.state == "queued",
                r.next_attempt_at <= now,
                or_(r.lease_until.is_(None), r.lease_until < now),
            )
            .order_by(r.next_attempt_at, r.number)  # new ones oldest first, then due retries
            .limit(limit)
        )
        if self.postgres:
            due = due.with_for_update(skip_locked=True)
        stmt = (
            update(reports)
            .where(r.number.in_(due.scalar_subquery()))
            .values(lease_until=now + lease_s, attempts=r.attempts + 1)
            .returning(*reports.c)
        )
        with self._queue(conn) as c:
            rows = list(c.execute(stmt))
        return sorted(rows, key=lambda row: (row.next_attempt_at, row.number))

    def release(self, numbers: list[int], conn: Connection | None = None) -> None:
        """Give back claimed reports not tried yet (their claim did not count as a try)."""
        if not numbers:
            return
        with self._queue(conn) as c:
            c.execute(
                update(reports)
                .where(reports.c.number.in_(numbers))
                .values(lease_until=None, attempts=reports.c.attempts - 1)
            )

    @contextlib.contextmanager
    def _queue(self, conn: Connection | None) -> Iterator[Connection]:
        """A transaction of the forwarding queue: on the forwarder's own connection when
        it holds one for a batch (one check-out, one ping, for the whole batch)."""
        if conn is None:
            with self.queue_engine.begin() as c:
                yield c
        else:
            with conn.begin():
                yield conn

    def queue_connection(self) -> Connection:
        return self.queue_engine.connect()

    def delivered(
        self,
        number: int,
        transport: str,
        reference: str,
        url: str | None,
        conn: Connection | None = None,
    ) -> None:
        with self._queue(conn) as c:
            c.execute(
                update(reports)
                .where(reports.c.number == number)
                .values(
                    state="delivered",
                    transport=transport,
                    reference=reference[:255],
                    ticket_url=web_link(url),
                    delivered_at=self.clock(),
                    lease_until=None,
                    last_error=None,
                )
            )

    def failed(
        self, number: int, detail: str, retry_at: float | None, conn: Connection | None = None
    ) -> None:
        """Try again at ``retry_at``; None stops the report until IT acts."""
        values: dict[str, Any] = {"lease_until": None, "last_error": detail[:4000]}
        if retry_at is None:
            values["state"] = "stopped"
        else:
            values["next_attempt_at"] = retry_at
        with self._queue(conn) as c:
            c.execute(update(reports).where(reports.c.number == number).values(**values))

    def retry(self, number: int | None = None) -> int:
        """Put one stopped or waiting report (or every stopped one) back in the queue now."""
        where = [reports.c.state.in_(("queued", "stopped"))]
        if number is not None:
            where.append(reports.c.number == number)
        else:
            where.append(reports.c.state == "stopped")
        with self.engine.begin() as c:
            done = c.execute(
                update(reports)
                .where(and_(*where))
                .values(state="queued", next_attempt_at=0.0, lease_until=None)
            )
        return done.rowcount

    def ticket_status(self, number: int, status: str) -> None:
        with self.queue_engine.begin() as c:
            c.execute(
                update(reports)
                .where(reports.c.number == number)
                .values(ticket_status=status[:40], status_checked_at=self.clock())
            )

    def queue_stats(self) -> dict[str, Any]:
        with self.engine.connect() as c:
            rows = c.execute(
                select(reports.c.state, func.count(), func.min(reports.c.received_at)).group_by(
                    reports.c.state
                )
            ).all()
        out: dict[str, Any] = {"queued": 0, "delivered": 0, "stopped": 0, "oldest_queued_s": None}
        for state, n, oldest in rows:
            out[state] = n
            if state == "queued" and oldest is not None:
                out["oldest_queued_s"] = round(self.clock() - oldest, 1)
        return out

    def drop_old_bodies(self, keep_days: float) -> int:
        """Delivered reports older than ``keep_days`` keep their row, not their content."""
        cutoff = self.clock() - keep_days * 86400
        with self.engine.begin() as c:
            done = c.execute(
                update(reports)
                .where(
                    reports.c.state == "delivered",
                    reports.c.delivered_at < cutoff,
                    reports.c.body.is_not(None),
                )
                .values(body=None)
            )
        return done.rowcount

    # --- IT staff -------------------------------------------------------------------------

    def set_user(self, name: str, password_hash: str) -> None:
        """A new account, or a new password for one; a new password ends the account's
        sign-in sessions (one made with the old password must not go on)."""
        with self.engine.begin() as c:
            if c.execute(select(admin_users.c.name).where(admin_users.c.name == name)).first():
                c.execute(
                    update(admin_users)
                    .where(admin_users.c.name == name)
                    .values(password_hash=password_hash, disabled_at=None)
                )
                c.execute(delete(admin_sessions).where(admin_sessions.c.user_name == name))
            else:
                c.execute(
                    admin_users.insert().values(
                        name=name, password_hash=password_hash, created_at=self.clock()
                    )
                )

    def user_hash(self, name: str) -> str | None:
        with self.engine.connect() as c:
            row = c.execute(
                select(admin_users.c.password_hash).where(
                    admin_users.c.name == name, admin_users.c.disabled_at.is_(None)
                )
            ).first()
        return row.password_hash if row else None

    def disable_user(self, name: str) -> bool:
        """The account may no longer sign in, and its sessions end now."""
        with self.engine.begin() as c:
            done = c.execute(
                update(admin_users)
                .where(admin_users.c.name == name)
                .values(disabled_at=self.clock())
            )
            c.execute(delete(admin_sessions).where(admin_sessions.c.user_name == name))
        return done.rowcount == 1


def _report_row(device_id: str, report: dict[str, Any], body: bytes, now: float) -> dict[str, Any]:
    """A new report's row: the body as sent, its digest, and what IT's list shows."""
    summary = (report.get("diagnosis") or {}).get("summary") or {}
    machine = report.get("machine") or {}
    return {
        "report_id": report["id"],
        "device_id": device_id,
        "received_at": now,
        "body": body,
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "size": len(body),
        "symptom": str(report.get("symptom") or "")[:20],
        "hostname": str(machine.get("hostname") or "")[:255],
        "headline": str(summary.get("headline") or "")[:500],
        "state": "queued",
        "attempts": 0,
        "next_attempt_at": 0.0,
    }
