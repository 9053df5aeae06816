"""The quiet background watcher: a cheap reading every few seconds, kept for 15 minutes.

It is what lets a report show the minutes *before* the person clicked. The light sample
(counters) runs every ``interval`` seconds; the costlier walk over all processes runs
every ``process_interval`` seconds. Memory stays fixed: both histories are rings.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from desktop.diagnostics.sampling.counters import CounterReader, Counters, default_reader
from desktop.diagnostics.sampling.history import History, ProcessHistory
from desktop.diagnostics.sampling.process_sample import ProcessSample, ProcessSampler

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 2.0
DEFAULT_PROCESS_INTERVAL_S = 30.0
DEFAULT_WINDOW_S = 15 * 60.0
# The process walk is the costliest thing the idle tray app does. While the computer is
# quiet, who used it matters less and the system keeps each process's own record anyway
# (os_history.py), so Ally walks this many times less often; the first busy sample brings
# a walk at once, and a busy computer is walked at the usual pace.
QUIET_FACTOR = 4
BUSY_CPU_PCT = 50.0  # a light sample this busy is worth knowing who is behind it
BUSY_MEMORY_PCT = 90.0
BUSY_SWAP_PPS = 100.0
BUSY_IO_WAIT_PCT = 30.0  # work waited for a drive this share of the interval
MIN_WALK_GAP_S = 10.0  # a walk brought forward never comes sooner than this after the last


@dataclass(frozen=True)
class SamplerSettings:
    interval_s: float = DEFAULT_INTERVAL_S
    process_interval_s: float = DEFAULT_PROCESS_INTERVAL_S
    window_s: float = DEFAULT_WINDOW_S
    quiet_factor: float = QUIET_FACTOR  # 1 walks at process_interval_s whatever happens

    @property
    def quiet_process_interval_s(self) -> float:
        return self.process_interval_s * max(self.quiet_factor, 1.0)

    @property
    def capacity(self) -> int:
        return max(2, round(self.window_s / self.interval_s) + 1)

    @property
    def process_capacity(self) -> int:
        return max(2, round(self.window_s / self.process_interval_s) + 1)


def rates(prev: Counters, now: Counters) -> dict[str, float | None]:
    """One history row from two readings: the rates over the time between them."""
    dt = now.monotonic - prev.monotonic
    if dt <= 0:
        dt = 1e-9
    d_total = now.cpu_total - prev.cpu_total
    # A share of the processor's time, never more than all of it: the kernel's idle and
    # iowait counters may step back on a core (see proc(5), /proc/stat), which would read
    # as over 100 % busy.
    cpu = (
        min(100.0, max(0.0, 100.0 * (now.cpu_busy - prev.cpu_busy) / d_total))
        if d_total > 0
        else None
    )
    mem_used = (
        100.0 * (now.mem_total - now.mem_available) / now.mem_total if now.mem_total else None
    )
    swap_used = 100.0 * (now.swap_total - now.swap_free) / now.swap_total if now.swap_total else 0.0

    def per_s(a: int | None, b: int | None) -> float | None:
        return None if a is None or b is None else max(b - a, 0) / dt

    read = write = 0.0
    busiest: float | None = None
    slowest: float | None = None  # ms a request waited on the drive that kept them longest
    for name, d in now.disks.items():
        p = prev.disks.get(name)
        if p is None:
            continue
        read += max(d.read_bytes - p.read_bytes, 0)
        write += max(d.write_bytes - p.write_bytes, 0)
        if d.busy_ms is not None and p.busy_ms is not None:
            busy = min(100.0, 100.0 * max(d.busy_ms - p.busy_ms, 0) / (dt * 1000.0))
            busiest = busy if busiest is None else max(busiest, busy)
        if None not in (d.ops, p.ops, d.io_ms, p.io_ms):
            done = d.ops - p.ops  # type: ignore[operator]
            if done > 0:
                each = max(d.io_ms - p.io_ms, 0) / done  # type: ignore[operator]
                slowest = each if slowest is None else max(slowest, each)
    # Linux: the share of the interval in which some work waited for a drive.
    waited = None
    if now.io_some_us is not None and prev.io_some_us is not None:
        waited = min(100.0, max(0.0, 100.0 * (now.io_some_us - prev.io_some_us) / (dt * 1e6)))
    recv = sent = 0.0
    for name, (rx, tx) in now.net.items():
        p = prev.net.get(name)
        if p is not None:
            recv += max(rx - p[0], 0)
            sent += max(tx - p[1], 0)
    return {
        "cpu_pct": cpu,
        "load1": now.load1,
        "mem_used_pct": mem_used,
        "mem_available_bytes": float(now.mem_available),
        "swap_used_pct": swap_used,
        "swap_in_pps": per_s(prev.swap_in_pages, now.swap_in_pages),
        "swap_out_pps": per_s(prev.swap_out_pages, now.swap_out_pages),
        "disk_read_bps": read / dt,
        "disk_write_bps": write / dt,
        "disk_busy_pct": busiest,
        "io_wait_pct": waited,
        "disk_wait_ms": slowest,
        "net_recv_bps": recv / dt,
        "net_sent_bps": sent / dt,
    }


class Sampler:
    """Owns the histories; safe to call from the UI, the CLI and its own thread."""

    def __init__(
        self,
        settings: SamplerSettings | None = None,
        reader: CounterReader | None = None,
        process_sampler: ProcessSampler | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or SamplerSettings()
        self.history = History(self.settings.capacity)
        self.process_history = ProcessHistory(self.settings.process_capacity)
        self._read = reader or default_reader()
        self._processes = process_sampler or ProcessSampler()
        self._sleep = sleep
        self._lock = threading.Lock()
        self._process_lock = threading.Lock()
        self._last: Counters | None = None
        self._previous: Counters | None = None
        self._last_process: ProcessSample | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0  # readings that raised; logged, never fatal
        self.walks = 0  # process walks taken by the background thread

    # --- taking samples ---------------------------------------------------------------

    def sample_now(self) -> tuple[Counters | None, Counters]:
        """Take one light reading, append a history row, return (previous, this) reading."""
        with self._lock:
            now = self._read()
            prev = self._last
            if prev is not None:
                self.history.append(now.wall, rates(prev, now))
            self._previous, self._last = prev, now
            return prev, now

    def sample_processes_now(self) -> ProcessSample:
        with self._process_lock:
            sample = self._processes.sample()
            if sample.interval_s is not None:
                self.process_history.append(sample.taken_at, sample.compact())
            self._last_process = sample
            return sample

    def warm_up(self, seconds: float) -> None:
        """Make sure rates exist: with no history yet, take two readings ``seconds`` apart."""
        if self._last is not None and self._last_process is not None:
            return
        self.sample_now()
        self.sample_processes_now()
        # A longer warm-up samples on the usual schedule so it leaves real history behind.
        interval = self.settings.interval_s
        waited = since_processes = 0.0
        total = max(seconds, 0.05)
        while total - waited > 1e-6:
            step = min(interval, total - waited)
            self._sleep(step)
            waited += step
            since_processes += step
            if total - waited > 1e-6:  # the caller takes the last reading itself
                self.sample_now()
                if since_processes >= self.settings.process_interval_s:
                    self.sample_processes_now()
                    since_processes = 0.0

    @property
    def last_interval_s(self) -> float:
        """The time the newest history row stands for (the interval of its rate)."""
        prev, last = self._previous, self._last
        if prev is None or last is None:
            return self.settings.interval_s
        return max(last.monotonic - prev.monotonic, 1e-3)

    @property
    def last_counters(self) -> Counters | None:
        return self._last

    @property
    def last_process_sample(self) -> ProcessSample | None:
        return self._last_process

    # --- the background thread ---------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="ally-sampler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        interval = self.settings.interval_s
        next_at = time.monotonic()
        last_walk = -1e9
        busy_since_walk = False
        while not self._stop.is_set():
            try:
                _, now = self.sample_now()
                busy = self._busy(self.history.latest())
                since = now.monotonic - last_walk
                due = (
                    self.settings.process_interval_s
                    if busy_since_walk or busy
                    else self.settings.quiet_process_interval_s
                )
                # A load that just began is walked at once (who is behind it?), else on time.
                starting = busy and not busy_since_walk
                if since >= due or (
                    starting and since >= min(MIN_WALK_GAP_S, self.settings.process_interval_s)
                ):
                    self.sample_processes_now()
                    last_walk, busy_since_walk = now.monotonic, False
                    self.walks += 1
                elif busy:
                    busy_since_walk = True
            except Exception:  # one bad reading must not end watching for the day
                self.failures += 1
                log.exception("sampling failed (%d so far)", self.failures)
            next_at += interval
            delay = next_at - time.monotonic()
            if delay < 0:  # the machine was asleep or very busy: don't catch up in a burst
                next_at = time.monotonic()
                delay = interval
            self._stop.wait(delay)

    def loaded_now(self) -> bool:
        """Whether the latest light sample shows a load (the processor, memory or the
        drive): the tray then judges again sooner. Reading it costs nothing."""
        row = self.history.latest()
        if self._busy(row):
            return True
        wait = row.get("io_wait_pct") if row is not None else None
        return wait is not None and not math.isnan(wait) and wait >= BUSY_IO_WAIT_PCT

    @staticmethod
    def _busy(row: dict[str, float] | None) -> bool:
        """Whether the latest light sample shows a load worth a process walk."""
        if row is None:
            return False

        def over(key: str, limit: float) -> bool:
            value = row.get(key)
            return value is not None and not math.isnan(value) and value >= limit

        swap = (row.get("swap_in_pps") or 0.0) + (row.get("swap_out_pps") or 0.0)
        return (
            over("cpu_pct", BUSY_CPU_PCT)
            or over("mem_used_pct", BUSY_MEMORY_PCT)
            or (not math.isnan(swap) and swap >= BUSY_SWAP_PPS)
        )
