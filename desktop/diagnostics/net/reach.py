"""Does a host answer? Measured with a TCP connection attempt.

A refused connection is an answer too: the host (or something on the way that speaks for
it) replied at once. Only silence until the timeout means "no answer". This needs no
special rights, unlike ICMP ping, and works the same on every OS.
"""

from __future__ import annotations

import errno
import socket
import statistics
import threading
import time
from dataclasses import dataclass

from desktop.diagnostics.net.causes import FAILED, REFUSED, TIMEOUT, words

_REFUSED = {errno.ECONNREFUSED, getattr(errno, "WSAECONNREFUSED", 10061)}


@dataclass(frozen=True)
class TcpAnswer:
    host: str
    port: int
    answered: bool
    open: bool  # a service accepted the connection
    rtt_ms: float | None
    error: str | None
    cause: str | None = None  # a code of net/causes.py when there was no good answer


def tcp_probe(host: str, port: int, timeout: float) -> TcpAnswer:
    t0 = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return TcpAnswer(host, port, True, True, (time.perf_counter() - t0) * 1000, None)
    except OSError as exc:
        elapsed = (time.perf_counter() - t0) * 1000
        if exc.errno in _REFUSED:
            return TcpAnswer(host, port, True, False, elapsed, words(REFUSED), REFUSED)
        if isinstance(exc, (socket.timeout, TimeoutError)):
            return TcpAnswer(host, port, False, False, None, _no_answer(timeout), TIMEOUT)
        said = f"{type(exc).__name__}: {exc.strerror or exc}"
        return TcpAnswer(host, port, False, False, None, said, FAILED)


def _no_answer(timeout: float) -> str:
    return words("no_answer_within", seconds=timeout)


def first_answer(host: str, ports: tuple[int, ...], timeout: float) -> TcpAnswer:
    """Try several ports at once; the first that answers (open or refused) wins."""
    results: list[TcpAnswer] = []
    done = threading.Event()
    lock = threading.Lock()

    def attempt(port: int) -> None:
        r = tcp_probe(host, port, timeout)
        with lock:
            results.append(r)
            if r.answered or len(results) == len(ports):
                done.set()

    for port in ports:
        threading.Thread(target=attempt, args=(port,), daemon=True).start()
    done.wait(timeout + 0.2)
    with lock:
        answered = [r for r in results if r.answered]
        if answered:
            return min(answered, key=lambda r: r.rtt_ms or 0)
        if results:
            return results[0]
    return TcpAnswer(host, ports[0], False, False, None, _no_answer(timeout), TIMEOUT)


@dataclass(frozen=True)
class PathQuality:
    target: str
    port: int
    probes: int
    answered: int
    loss_pct: float
    rtt_ms_median: float | None
    rtt_ms_max: float | None


def path_quality(
    host: str, port: int, probes: int, timeout: float, spacing: float = 0.15
) -> PathQuality:
    """Round-trip time and loss over ``probes`` connection attempts, started ``spacing`` apart."""
    results: list[TcpAnswer] = []
    lock = threading.Lock()
    threads = []

    def attempt() -> None:
        r = tcp_probe(host, port, timeout)
        with lock:
            results.append(r)

    for i in range(probes):
        t = threading.Thread(target=attempt, daemon=True)
        t.start()
        threads.append(t)
        if i < probes - 1:
            time.sleep(spacing)
    for t in threads:
        t.join(timeout + 0.3)
    with lock:
        rtts = [r.rtt_ms for r in results if r.answered and r.rtt_ms is not None]
    answered = len(rtts)
    return PathQuality(
        target=host,
        port=port,
        probes=probes,
        answered=answered,
        loss_pct=100.0 * (probes - answered) / probes,
        rtt_ms_median=round(statistics.median(rtts), 1) if rtts else None,
        rtt_ms_max=round(max(rtts), 1) if rtts else None,
    )
