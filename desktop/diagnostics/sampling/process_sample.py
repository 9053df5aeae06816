"""Per-process use, grouped by application.

Taken less often than the light sample because walking every process costs far more.
Processor and disk rates are differences since the previous process sample, so the
first sample after start has no rates yet (the CLI warms up for that reason).

Only the executable name, processor time, resident memory, disk byte counts and start
time are read: never command lines, window titles or file names.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import psutil

from desktop.diagnostics.apps import AppCatalog, default_catalog
from desktop.diagnostics.sampling.history import AppSample
from desktop.diagnostics.sampling.script_names import ALLY, ScriptNames

_ATTRS = ["name", "cpu_times", "memory_info", "create_time", "io_counters"]
# Linux kernel threads have no memory of their own and odd names (kworker/0:1); they are
# grouped as one "operating system" entry so their work is visible without the noise.
KERNEL_THREADS = "kernel threads"
# Windows lists idle time as a process ("System Idle Process", pid 0): it is not work.
_SKIP_PID_ZERO = sys.platform.startswith("win")
MAX_PIDS_SHOWN = 5
# A process's whole life is kept when it is young (all its work then falls in the last
# minutes, so it tells how long a load has lasted) or when it has worked hard all along.
LIFE_RECENT_S = 15 * 60.0
LIFE_BUSY_CORES = 0.5


@dataclass(frozen=True)
class AppUsage:
    app_id: str
    name: str
    background: str | None
    process_count: int
    cpu_pct: float  # share of the whole machine (all cores = 100)
    cpu_cores: float  # the same in cores: 1.0 = one core fully busy
    memory_bytes: int  # resident memory summed over the processes (shared pages count twice)
    read_bps: float | None  # None where the OS does not let Ally read it
    write_bps: float | None
    started_at: float | None  # earliest start of its processes, epoch seconds
    pids: tuple[int, ...]  # the busiest few, for IT


@dataclass(frozen=True)
class ProcessLife:
    """One process's life so far, as the operating system keeps it: when it started and
    how much processor time it has used since. It is history Ally did not have to record:
    a program started 20 s ago that has used 20 s of processor time has kept a core busy
    for those whole 20 s, even if Ally itself started a second ago."""

    pid: int
    app_id: str
    name: str
    background: str | None
    started_at: float  # epoch seconds
    cpu_s: float  # processor time (user + system) since it started

    def age_s(self, now: float) -> float:
        return max(now - self.started_at, 0.0)

    def cores(self, now: float) -> float:
        """Average processor use over its whole life, in cores."""
        age = self.age_s(now)
        return self.cpu_s / age if age > 0 else 0.0


@dataclass(frozen=True)
class ProcessSample:
    taken_at: float
    interval_s: float | None  # time since the previous sample; None for the first one
    process_count: int
    not_readable: int  # processes that vanished or refused to be read
    apps: tuple[AppUsage, ...]
    lives: tuple[ProcessLife, ...] = ()  # young or hard-working processes (see ProcessLife)

    def top(self, key: str, n: int = 5) -> list[AppUsage]:
        return sorted(self.apps, key=lambda a: getattr(a, key) or 0, reverse=True)[:n]

    def compact(self, n: int = 8) -> list[AppSample]:
        """The apps worth keeping in history: top by processor and by memory."""
        chosen: dict[str, AppUsage] = {}
        for key in ("cpu_pct", "memory_bytes"):
            for a in self.top(key, n):
                chosen.setdefault(a.app_id, a)
        return [
            AppSample(
                a.app_id, a.name, round(a.cpu_pct, 1), a.memory_bytes, a.process_count, a.background
            )
            for a in chosen.values()
        ]


@dataclass
class _Acc:
    name: str
    background: str | None
    count: int = 0
    cpu_s: float = 0.0
    rss: int = 0
    read: float = 0.0
    write: float = 0.0
    io_known: bool = False
    started: float | None = None
    pid_cpu: list[tuple[float, int]] | None = None


ProcessLister = Callable[[], "list[psutil.Process]"]


class ProcessSampler:
    def __init__(
        self,
        catalog: AppCatalog | None = None,
        process_iter: Callable[..., object] | None = None,
        clock: Callable[[], float] = time.time,
        cpu_count: int | None = None,
        names: ScriptNames | None = None,
    ) -> None:
        self._catalog = catalog or default_catalog()
        self._names = names or ScriptNames()
        self._process_iter = process_iter or default_process_iter()
        self._clock = clock
        self._cpus = cpu_count or psutil.cpu_count() or 1
        self._prev: dict[tuple[int, float], tuple[float, int | None, int | None]] = {}
        self._prev_at: float | None = None

    def sample(self) -> ProcessSample:
        now = self._clock()
        interval = None if self._prev_at is None else max(now - self._prev_at, 1e-6)
        accs: dict[str, _Acc] = {}
        current: dict[tuple[int, float], tuple[float, int | None, int | None]] = {}
        total = unreadable = 0
        lives: list[ProcessLife] = []
        own_pid = os.getpid()
        for proc in self._process_iter(_ATTRS, ad_value=None):
            total += 1
            try:
                info = proc.info  # type: ignore[attr-defined]
            except Exception:  # a process that vanished between listing and reading
                unreadable += 1
                continue
            name, times, mem, created = (
                info.get("name"),
                info.get("cpu_times"),
                info.get("memory_info"),
                info.get("create_time"),
            )
            if not name or times is None:
                unreadable += 1
                continue
            pid = proc.pid  # type: ignore[attr-defined]
            if pid == 0 and _SKIP_PID_ZERO:
                continue
            if pid == own_pid:
                name = ALLY
            elif _is_kernel_thread(mem):
                name = KERNEL_THREADS
            else:  # an interpreter by what it runs; Ally's other processes as Ally
                name = self._names.name(pid, created, name)
            ident = self._catalog.identify(name, self._names.services)
            acc = accs.get(ident.app_id)
            if acc is None:
                acc = accs[ident.app_id] = _Acc(ident.name, ident.background, pid_cpu=[])
            cpu_s = float(times.user + times.system)
            io = info.get("io_counters")
            rd = getattr(io, "read_bytes", None)
            wr = getattr(io, "write_bytes", None)
            key = (pid, created or 0.0)
            current[key] = (cpu_s, rd, wr)
            if created and (
                now - created <= LIFE_RECENT_S
                or cpu_s >= LIFE_BUSY_CORES * max(now - created, 1e-3)
            ):
                lives.append(
                    ProcessLife(pid, ident.app_id, ident.name, ident.background, created, cpu_s)
                )
            acc.count += 1
            acc.rss += int(getattr(mem, "rss", 0) or 0)
            if created:
                acc.started = created if acc.started is None else min(acc.started, created)
            if interval is None:
                continue
            prev = self._prev.get(key)
            if prev is None:
                # Started since the last sample: everything it used happened in the interval.
                d_cpu, d_rd, d_wr = cpu_s, rd, wr
            else:
                d_cpu = cpu_s - prev[0]
                d_rd = None if rd is None or prev[1] is None else rd - prev[1]
                d_wr = None if wr is None or prev[2] is None else wr - prev[2]
            d_cpu = max(d_cpu, 0.0)
            acc.cpu_s += d_cpu
            acc.pid_cpu.append((d_cpu, pid))  # type: ignore[union-attr]
            if d_rd is not None and d_wr is not None:
                acc.io_known = True
                acc.read += max(d_rd, 0)
                acc.write += max(d_wr, 0)

        self._prev = current
        self._prev_at = now
        self._names.forget_all_but(set(current))
        apps = self._apps(accs, interval)
        return ProcessSample(now, interval, total, unreadable, apps, tuple(lives))

    def _apps(self, accs: dict[str, _Acc], interval: float | None) -> tuple[AppUsage, ...]:
        """Each application's use over the interval, from what its processes added up to."""
        apps = []
        for app_id, acc in accs.items():
            cores = acc.cpu_s / interval if interval else 0.0
            busiest = sorted(acc.pid_cpu or [], reverse=True)[:MAX_PIDS_SHOWN]
            apps.append(
                AppUsage(
                    app_id=app_id,
                    name=acc.name,
                    background=acc.background,
                    process_count=acc.count,
                    cpu_pct=min(100.0, 100.0 * cores / self._cpus),
                    cpu_cores=cores,
                    memory_bytes=acc.rss,
                    read_bps=acc.read / interval if interval and acc.io_known else None,
                    write_bps=acc.write / interval if interval and acc.io_known else None,
                    started_at=acc.started,
                    pids=tuple(pid for _, pid in busiest),
                )
            )
        return tuple(apps)


def _is_kernel_thread(mem: object) -> bool:
    return sys.platform.startswith("linux") and mem is not None and getattr(mem, "vms", 1) == 0


def default_process_iter() -> Callable[..., object]:
    """The cheap /proc walk on Linux (see procfs_walk.py), psutil elsewhere."""
    if sys.platform.startswith("linux") and os.path.isdir("/proc/self"):
        from desktop.diagnostics.sampling import procfs_walk

        return procfs_walk.RememberingWalk()  # one per sampler: it remembers its walks
    return psutil.process_iter
