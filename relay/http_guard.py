"""uvicorn's HTTP/1.1 protocol (h11) with the guards a server facing a network needs:
a deadline for each request head, a cap on connections from one address, and no second
request on a connection whose first was framed two ways.

Why: uvicorn waits for an unfinished request head without end, and each such connection
counts against ``[server] max_connections``. An audit opened 1000 connections that each
sent half a head: the relay answered 503 to everyone for as long as they stayed open. nginx
has ``client_header_timeout`` and ``limit_conn`` for this; these are the same two rules.
The cap per address alone is not enough: 11 addresses × 95 heads stay under it (issue 31).
So connections whose request is unfinished (waiting for a head: new ones, and kept-alive
ones between requests; or, head done, for the rest of the body) may hold at most half of
``max_connections``; when another starts waiting, the one that has waited longest is
closed. A client that sends its request at once is never the oldest. A body that arrives
too slowly is refused by the API (``body_timeout_s``), and a whole head followed by a body
that drips, from many addresses, could otherwise hold every connection until then.

A request with both Content-Length and Transfer-Encoding is read by its Transfer-Encoding
(h11 does), and then the connection is closed, as RFC 9112 section 6.1 asks: a proxy in
front that framed it by its Content-Length would otherwise see the rest as another request.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

from relay.config import ServerSettings

log = logging.getLogger("relay.http")


class GuardedH11Protocol(H11Protocol):
    head_timeout_s: ClassVar[float] = 10.0
    max_per_address: ClassVar[int] = 100
    exempt: ClassVar[frozenset[str]] = frozenset()  # a reverse proxy carries everyone
    open_per_address: ClassVar[Counter[str]] = Counter()  # this process's connections
    max_waiting: ClassVar[int] = 500  # connections waiting for a head, at most
    waiting: ClassVar[dict[GuardedH11Protocol, None]] = {}  # oldest first

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_deadline: asyncio.TimerHandle | None = None
        self._address = self.client[0] if self.client else ""
        self._counted = self._address not in self.exempt
        if self._counted:
            self.open_per_address[self._address] += 1
            if self.open_per_address[self._address] > self.max_per_address:
                log.warning(
                    "too many connections from one address; a new one closed",
                    extra={"client": self._address, "limit": self.max_per_address},
                )
                transport.close()
                return
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._counted:
            self._counted = False
            self.open_per_address[self._address] -= 1
            if self.open_per_address[self._address] <= 0:
                del self.open_per_address[self._address]
        super().connection_lost(exc)

    def handle_events(self) -> None:
        before = self.cycle
        super().handle_events()
        cycle = self.cycle
        if cycle is not before and cycle is not None:  # a whole head arrived
            self._cancel_deadline()  # the body has its own limit (body_timeout_s)
            if _framed_twice(self.headers):
                cycle.keep_alive = False  # answered, then the connection closes
        if cycle is not None and not cycle.more_body:  # the whole request is here
            self.waiting.pop(self, None)

    def on_response_complete(self) -> None:
        # The next request on this connection gets a deadline for its head too. Armed
        # first: the call below may take a pipelined request at once (and disarm it).
        if not self.transport.is_closing():
            self._arm()
        super().on_response_complete()

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(self.head_timeout_s, self._head_too_slow)
        self.waiting[self] = None
        while len(self.waiting) > self.max_waiting:
            oldest = next(iter(self.waiting))
            oldest._disarm()
            if not oldest.transport.is_closing():
                log.info(
                    "too many connections waiting for a request head; the oldest closed",
                    extra={"client": oldest._address, "limit": self.max_waiting},
                )
                oldest.transport.close()

    def _disarm(self) -> None:
        self.waiting.pop(self, None)
        self._cancel_deadline()

    def _cancel_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            log.info(
                "a request head did not arrive in time; connection closed",
                extra={"client": self._address, "after_s": self.head_timeout_s},
            )
            self.transport.close()


def _framed_twice(headers: list[tuple[bytes, bytes]]) -> bool:
    names = {name for name, _ in headers}
    return b"content-length" in names and b"transfer-encoding" in names


def guarded_protocol(server: ServerSettings) -> type[Any]:
    """The protocol class for uvicorn's ``http`` setting, with this relay's limits. Its
    own subclass, so that the counts and limits are this server's alone."""
    exempt = frozenset(server.trusted_proxies) if server.behind_proxy else frozenset()
    return type(
        "RelayH11Protocol",
        (GuardedH11Protocol,),
        {
            "head_timeout_s": server.head_timeout_s,
            "max_per_address": server.max_connections_per_address,
            "exempt": exempt,
            "open_per_address": Counter(),
            "max_waiting": max(1, server.max_connections // 2),
            "waiting": {},
        },
    )
