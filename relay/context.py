"""One running relay: its settings, its database, its limits and its forwarder, built
once by the app and handed to every request (``request.app.state.relay``)."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from typing import Any

from starlette.concurrency import run_in_threadpool

from relay import helpdesk
from relay.config import RelaySettings
from relay.db import engine_for
from relay.forwarder import Forwarder
from relay.intake import Intake
from relay.ratelimit import Buckets
from relay.store import Store
from relay.workers import Shared

log = logging.getLogger("relay")
# A revocation from another process (the CLI, another relay) counts within this: each
# process asks the database this often at most whether any device was revoked.
DEVICE_CACHE_S = 2.0
DEVICE_CACHE_MAX = 100_000


class Relay:
    def __init__(self, settings: RelaySettings, shared: Shared | None = None) -> None:
        self.settings = settings
        self.shared = shared or Shared()
        self.store = Store(
            engine_for(settings.database),
            queue_engine=engine_for(settings.database, durable=False),
        )
        self.intake = Intake(self.store)
        # Every worker takes from the same buckets (made before the fork, in Shared).
        lim, tables = settings.limits, self.shared.limits
        self.report_limit = Buckets(
            lim.reports_per_hour / 3600.0, lim.report_burst, table=tables["reports"]
        )
        self.enrol_limit = Buckets(
            lim.enrolments_per_minute / 60.0,
            lim.enrolments_per_minute,
            table=tables["enrolments"],
        )
        self.status_limit = Buckets(
            lim.status_per_minute / 60.0, lim.status_per_minute, table=tables["status"]
        )
        # IT staff sign-in attempts per address
        self.login_limit = Buckets(10 / 60.0, 10, table=tables["sign_in"])
        self.form_secret = self.shared.form_secret  # the same in every worker
        f = settings.forward
        self.forwarder = Forwarder(
            self.store,
            lambda: helpdesk.make_transport(settings),
            f.threads,
            f.lease_s,
            settings.keep_delivered_days,
        )
        self._status_reader: Any = None
        # Devices let in, by token, until a revocation (relay/api.py device_of).
        self._devices: OrderedDict[str, tuple[Any, tuple[bytes, int | None]]] = OrderedDict()
        self._generation: int | None = None  # the database's count of device changes
        self._checked_at = -math.inf  # when the last check of that count began (monotonic)
        self._check_lock = asyncio.Lock()
        self.monotonic = time.monotonic  # a test's own clock can stand in

    def revocation_mark(self) -> tuple[bytes, int | None]:
        """Taken before a device is looked up, and remembered with it: a revocation on
        IT's page in any worker (the shared mark) or one the database's counter shows
        (``check_revocations``) makes the remembered device stale."""
        return self.shared.revocation_mark(), self._generation

    def revocations_due(self) -> bool:
        return self.monotonic() >= self._checked_at + DEVICE_CACHE_S

    async def check_revocations(self) -> None:
        """Ask the database whether any device was revoked since the last time, at most
        once every DEVICE_CACHE_S per process, and forget every remembered device if so.

        Remembered devices are trusted only until DEVICE_CACHE_S after the last check
        *began*: a revocation committed before then is in what the check read, so no
        request is let in on a token revoked longer ago than that. Requests that arrive
        while a check is under way wait for it rather than each asking again."""
        if not self.revocations_due():
            return
        async with self._check_lock:
            if not self.revocations_due():
                return  # another request checked while this one waited
            began = self.monotonic()
            generation = await run_in_threadpool(self.store.device_generation)
            if generation != self._generation:
                self._devices.clear()
                self._generation = generation
            self._checked_at = began

    def device_cached(self, token: str | None) -> Any | None:
        """A device already let in with this very token, without asking the database:
        a busy fleet sends many reports a second. Only while the last revocation check
        is less than DEVICE_CACHE_S old (``check_revocations`` first)."""
        if self.revocations_due():
            return None
        hit = self._devices.get(token or "")
        if hit is None or hit[1] != self.revocation_mark():
            return None
        self._devices.move_to_end(token or "")  # the busiest stay, the idle go first
        return hit[0]

    def remember_device(self, token: str, row: Any, mark: tuple[bytes, int | None]) -> None:
        self._devices[token] = (row, mark)
        while len(self._devices) > DEVICE_CACHE_MAX:
            self._devices.popitem(last=False)

    def forget_devices(self) -> None:
        self._devices.clear()
        self.shared.device_revoked()

    def forwarder_wake(self) -> None:
        self.forwarder.wake.set()

    def ticket_status(self, row: Any) -> str | None:
        """The helpdesk's word for a delivered report's ticket, read with the relay's own
        rights and kept for ``status_cache_s``; None when there is no such thing."""
        if row.state != "delivered" or not row.reference:
            return None
        if not helpdesk.can_read_status(self.settings):
            return None
        fresh = (
            row.status_checked_at is not None
            and time.time() - row.status_checked_at < self.settings.forward.status_cache_s
        )
        if fresh:
            return row.ticket_status
        try:
            if self._status_reader is None:
                self._status_reader = helpdesk.make_transport(self.settings)
            status = self._status_reader.status(row.reference)
        except Exception as exc:  # the helpdesk away: the last word we had
            log.warning(
                "ticket status unavailable", extra={"report": row.number, "detail": str(exc)}
            )
            return row.ticket_status
        self.store.ticket_status(row.number, status)
        return status
