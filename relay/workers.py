"""Several relay processes on one listening socket (``[server] workers``), for PostgreSQL.

One relay process spends its time in Python, on one core; more processes use more cores.
The queue already lets several relays share one PostgreSQL (claims skip each other's
rows), so the workers are simply relays forked from one parent that holds the socket.

Our own pre-fork rather than uvicorn's ``workers``: the workers must share what is made
once, before they exist — the secret that signs IT's forms (a form one worker made is
posted to another), the mark that tells every worker a device was just revoked, and the
rate limits' buckets (a device's requests land on any worker).
Forked children inherit both; uvicorn's workers are started afresh. Fork is POSIX only,
which is where a relay runs (systemd, a container); the settings refuse more than one
worker elsewhere, and with SQLite (one writer at a time: more processes only wait).
"""

from __future__ import annotations

import contextlib
import logging
import mmap
import os
import secrets
import signal
import socket
import time
from collections.abc import Callable

from relay.ratelimit import BucketTable

log = logging.getLogger("relay")
LIMIT_KINDS = ("reports", "enrolments", "status", "sign_in")
RESTART_PAUSE_S = 1.0  # a worker that dies at once is not restarted in a tight loop


class Shared:
    """Made in the parent before the workers are forked, seen by all of them."""

    def __init__(self) -> None:
        self.form_secret = secrets.token_bytes(32)  # CSRF tokens; new at every start
        self._revocations = mmap.mmap(-1, 8)  # anonymous and shared across fork
        # The rate limits' buckets, one table per kind of limit (relay/ratelimit.py).
        self.limits = {kind: BucketTable() for kind in LIMIT_KINDS}

    def revocation_mark(self) -> bytes:
        """Changes whenever any worker revokes a device."""
        return bytes(self._revocations[:8])

    def device_revoked(self) -> None:
        self._revocations[:8] = secrets.token_bytes(8)


def listen(host: str, port: int) -> socket.socket:
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.create_server(address, family=family, backlog=2048)
    sock.set_inheritable(True)
    return sock


def run(workers: int, serve_one: Callable[[], None]) -> int:
    """Fork ``workers`` children that each run ``serve_one``; start another when one
    dies; on SIGTERM or SIGINT pass it on and wait for all of them to finish."""
    children: dict[int, float] = {}
    stopping: list[int] = []

    def start() -> None:
        pid = os.fork()
        if pid == 0:  # the worker: uvicorn sets its own signal handlers
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 1
            try:
                serve_one()
                code = 0
            except BaseException:
                log.exception("a relay worker failed")
            finally:
                os._exit(code)
        children[pid] = time.monotonic()

    def stop(signum: int, _frame: object) -> None:
        stopping.append(signum)
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(workers):
        start()
    log.info("relay workers started", extra={"workers": workers, "pids": sorted(children)})
    while children:
        pid, status = os.wait()
        started = children.pop(pid, None)
        if started is None or stopping:
            continue
        log.error(
            "a relay worker ended; starting another",
            extra={"pid": pid, "exit": os.waitstatus_to_exitcode(status)},
        )
        if time.monotonic() - started < 5.0:
            time.sleep(RESTART_PAUSE_S)
        start()
    return 0
