"""Forwarding the queue to IT's helpdesk with Ally's own transports.

Each thread claims the oldest due reports, a few at once (each with a lease), sends each with the report id as the
idempotency key, and records the receipt. Killed between the send and the record, the
lease runs out and the report is sent again with the same id: a webhook receiver keeps
one ticket per key, Request Tracker's transport finds the ticket it opened, email keeps
its Message-ID. The retry rules are the desktop outbox's own (same backoff, same
Retry-After, a permanent failure stops the report until IT acts).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from ally_helpdesk.retry import backoff
from ally_helpdesk.transports.base import PermanentFailure, TemporaryFailure, Transport
from ally_words import say
from relay.report_json import parse_report
from relay.store import Store

log = logging.getLogger("relay.forward")
IDLE_POLL_S = 1.0
BATCH = 4  # reports claimed at once by one forwarding thread
RETENTION_EVERY_S = 3600.0


class Forwarder:
    def __init__(
        self,
        store: Store,
        make_transport: Callable[[], Transport],
        threads: int = 4,
        lease_s: float = 120.0,
        keep_delivered_days: float = 90.0,
    ) -> None:
        self.store = store
        self.make_transport = make_transport
        self.threads = threads
        self.lease_s = lease_s
        self.keep_delivered_days = keep_delivered_days
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self._workers: list[threading.Thread] = []
        self._last_retention = 0.0

    def start(self) -> None:
        for i in range(self.threads):
            t = threading.Thread(target=self._run, name=f"forward-{i}", daemon=True)
            t.start()
            self._workers.append(t)

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        self.wake.set()
        for t in self._workers:
            t.join(timeout)

    def _run(self) -> None:
        transport: Transport | None = None
        failing = False  # the whole story once, then a line per attempt until it works
        while not self.stopping.is_set():
            try:
                if transport is None:
                    transport = self.make_transport()
                worked = self.forward_batch(transport)
                failing = False
            except Exception as exc:  # the database away, a transport's own bug: keep going
                if failing:
                    log.error(
                        "forwarding failed; trying again shortly",
                        extra={"detail": f"{type(exc).__name__}: {exc}"[:300]},
                    )
                else:
                    log.exception("forwarding failed; trying again shortly")
                failing = True
                transport = None
                worked = False
                self.stopping.wait(IDLE_POLL_S)
            if not worked:
                self._maybe_drop_old_bodies()
                self.wake.wait(IDLE_POLL_S)
                self.wake.clear()

    def forward_batch(self, transport: Transport) -> bool:
        """Claim up to BATCH due reports at once and forward them one by one, on one
        database connection; False when none is due. Reports not yet tried when half the
        lease has passed (a slow helpdesk) are given back, so that no claim runs out
        while its report waits in the batch."""
        with self.store.queue_connection() as conn:
            rows = self.store.claim_many(self.lease_s, BATCH, conn)
            claimed = time.monotonic()
            for i, row in enumerate(rows):
                if self.stopping.is_set() or time.monotonic() - claimed > self.lease_s / 2:
                    self.store.release([r.number for r in rows[i:]], conn)
                    break
                self.forward(transport, row, conn)
        return bool(rows)

    def forward_one(self, transport: Transport) -> bool:
        """Forward one due report; False when none is due."""
        row = self.store.claim(self.lease_s)
        if row is None:
            return False
        self.forward(transport, row)
        return True

    def forward(self, transport: Transport, row: Any, conn: Connection | None = None) -> None:
        """Send one claimed report and write down what came of it."""
        if row.body is None:
            self.store.failed(row.number, say("content_dropped", "relay_admin"), None, conn)
            return
        started = time.monotonic()
        try:
            report = parse_report(row.body)
            receipt = transport.send(report, row.body)
        except TemporaryFailure as exc:
            delay = backoff(row.attempts, random.random())
            if exc.retry_after_s is not None:
                delay = max(delay, exc.retry_after_s)
            self.store.failed(row.number, exc.detail, self.store.clock() + delay, conn)
            log.info(
                "not forwarded, will retry",
                extra={"report": row.number, "attempt": row.attempts, "retry_in_s": round(delay)},
            )
            return
        except PermanentFailure as exc:
            self.store.failed(row.number, f"{exc.plain_key}: {exc.detail}", None, conn)
            log.warning(
                "forwarding stopped until IT acts",
                extra={"report": row.number, "reason": exc.plain_key, "detail": exc.detail},
            )
            return
        except Exception as exc:
            delay = backoff(row.attempts, random.random())
            self.store.failed(
                row.number, f"{type(exc).__name__}: {exc}", self.store.clock() + delay, conn
            )
            log.exception("transport failed", extra={"report": row.number})
            return
        self.store.delivered(row.number, receipt.transport, receipt.reference, receipt.url, conn)
        log.info(
            "forwarded",
            extra={
                "report": row.number,
                "reference": receipt.reference,
                "ms": round((time.monotonic() - started) * 1000, 1),
            },
        )

    def _maybe_drop_old_bodies(self) -> None:
        now = time.monotonic()
        if now - self._last_retention < RETENTION_EVERY_S:
            return
        self._last_retention = now
        dropped = self.store.drop_old_bodies(self.keep_delivered_days)
        if dropped:
            log.info("dropped old report contents", extra={"reports": dropped})
