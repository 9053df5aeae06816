"""Raw, cumulative machine counters: the cheap reading the sampler takes every few seconds.

Rates (processor use, swapping, disk and network throughput) are differences between two
readings. On Linux the counters come straight from /proc, read once per file and parsed
for just the fields Ally needs: psutil reads several of these files twice and looks up
every disk's sector size in /sys on each call, which made one sample cost 3.2x reading the
files raw (see benchmarks/RESULTS.md); this reader costs about 1.5x. Elsewhere psutil is
the reader.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import psutil

SECTOR_BYTES = 512  # /proc/diskstats counts 512-byte sectors whatever the device's own size.
# Block devices that are not a physical drive of their own: counting them too would count
# the same reads twice (device mapper, RAID) or count memory as disk (zram, ram).
_VIRTUAL_BLOCK_PREFIXES = ("loop", "ram", "zram", "dm-", "md", "sr", "fd", "nbd")


@dataclass(frozen=True)
class DiskCounters:
    read_bytes: int
    write_bytes: int
    busy_ms: int | None = None  # time the device had I/O in flight (Linux, FreeBSD)
    weighted_ms: int | None = None  # Linux: time x queue depth, gives the average queue
    # Requests completed, and the time they took from being asked to being done: their
    # ratio is how long each request waited for the drive (every system keeps both).
    ops: int | None = None
    io_ms: int | None = None


@dataclass(frozen=True)
class Counters:
    """One reading. ``monotonic`` orders readings; ``wall`` is what history records."""

    monotonic: float
    wall: float
    cpu_busy: float
    cpu_total: float
    per_core: tuple[tuple[float, float], ...]
    mem_total: int
    mem_available: int
    swap_total: int
    swap_free: int
    swap_in_pages: int | None
    swap_out_pages: int | None
    disks: dict[str, DiskCounters]
    net: dict[str, tuple[int, int]]
    load1: float | None
    # Linux: microseconds in which some task waited for a drive (/proc/pressure/io,
    # "some" total); None where the kernel keeps no such record.
    io_some_us: int | None = None


CounterReader = Callable[[], Counters]


def _busy_total(fields: list[int] | tuple[float, ...]) -> tuple[float, float]:
    # user nice system idle iowait irq softirq steal; guest time is already in user.
    total = float(sum(fields[:8]))
    idle = float(fields[3]) + (float(fields[4]) if len(fields) > 4 else 0.0)
    return total - idle, total


class LinuxProcReader:
    """Reads /proc/stat, meminfo, vmstat, diskstats, net/dev, loadavg and pressure/io once each."""

    def __init__(self, proc: str = "/proc", sys_block: str = "/sys/block") -> None:
        self._proc = proc
        self._sys_block = sys_block
        self._disk_names: frozenset[str] = frozenset()
        self._disk_names_read_at = -1e9
        self._fds: dict[str, int] = {}
        self._no_pressure = False

    def _read(self, name: str) -> bytes:
        """The file's whole text. The tray app reads these seven files every two seconds for
        weeks, so each stays open and is read again from its start (the kernel writes a
        /proc file afresh for each read from offset 0): opening and closing them was a
        third of the light sample's cost."""
        fd = self._fds.get(name)
        if fd is None:
            fd = self._fds[name] = os.open(os.path.join(self._proc, name), os.O_RDONLY)
        try:
            return _read_whole(fd)
        except OSError:  # the file went away under us: once more with a fresh handle
            self._fds.pop(name, None)
            with contextlib.suppress(OSError):
                os.close(fd)
            fd = self._fds[name] = os.open(os.path.join(self._proc, name), os.O_RDONLY)
            return _read_whole(fd)

    def close(self) -> None:
        for fd in self._fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds.clear()

    def __del__(self) -> None:
        self.close()

    def _physical_disks(self, now: float) -> frozenset[str]:
        # Drives come and go rarely (a USB stick); looking once a minute is enough.
        if now - self._disk_names_read_at > 60.0:
            try:
                names = os.listdir(self._sys_block)
            except OSError:
                names = []
            self._disk_names = frozenset(
                n for n in names if not n.startswith(_VIRTUAL_BLOCK_PREFIXES)
            )
            self._disk_names_read_at = now
        return self._disk_names

    def __call__(self) -> Counters:
        mono = time.monotonic()
        wall = time.time()

        cpu_busy = cpu_total = 0.0
        cores: list[tuple[float, float]] = []
        for line in self._read("stat").split(b"\n"):
            if not line.startswith(b"cpu"):
                break
            parts = line.split()
            busy, total = _busy_total([int(x) for x in parts[1:9]])
            if parts[0] == b"cpu":
                cpu_busy, cpu_total = busy, total
            else:
                cores.append((busy, total))

        mem: dict[bytes, int] = {}
        wanted = (b"MemTotal:", b"MemAvailable:", b"SwapTotal:", b"SwapFree:")
        for line in self._read("meminfo").split(b"\n"):
            if line.startswith(wanted):
                key, value = line.split()[:2]
                mem[key] = int(value) * 1024

        vmstat = self._read("vmstat")
        swap_in = _vmstat_value(vmstat, b"\npswpin ")
        swap_out = _vmstat_value(vmstat, b"\npswpout ")

        physical = self._physical_disks(mono)
        disks: dict[str, DiskCounters] = {}
        for line in self._read("diskstats").split(b"\n"):
            parts = line.split()
            if len(parts) < 14:
                continue
            name = parts[2].decode()
            if name not in physical:
                continue
            disks[name] = DiskCounters(
                read_bytes=int(parts[5]) * SECTOR_BYTES,
                write_bytes=int(parts[9]) * SECTOR_BYTES,
                busy_ms=int(parts[12]),
                weighted_ms=int(parts[13]),
                ops=int(parts[3]) + int(parts[7]),
                io_ms=int(parts[6]) + int(parts[10]),
            )

        net: dict[str, tuple[int, int]] = {}
        for line in self._read("net/dev").split(b"\n")[2:]:
            name, sep, rest = line.partition(b":")
            if not sep:
                continue
            iface = name.strip().decode()
            if iface == "lo":
                continue
            fields = rest.split()
            net[iface] = (int(fields[0]), int(fields[8]))

        return Counters(
            monotonic=mono,
            wall=wall,
            cpu_busy=cpu_busy,
            cpu_total=cpu_total,
            per_core=tuple(cores),
            mem_total=mem.get(b"MemTotal:", 0),
            mem_available=mem.get(b"MemAvailable:", 0),
            swap_total=mem.get(b"SwapTotal:", 0),
            swap_free=mem.get(b"SwapFree:", 0),
            swap_in_pages=swap_in,
            swap_out_pages=swap_out,
            disks=disks,
            net=net,
            load1=_first_load(self._read("loadavg")),
            io_some_us=self._io_waited_us(),
        )

    def _io_waited_us(self) -> int | None:
        """The "some" total of /proc/pressure/io; None where the kernel has none (before
        4.20, or PSI turned off), asked only once then."""
        if self._no_pressure:
            return None
        try:
            text = self._read("pressure/io")
        except OSError:
            self._no_pressure = True
            return None
        for line in text.split(b"\n"):
            if line.startswith(b"some "):
                total = line.rpartition(b"total=")[2]
                return int(total) if total.isdigit() else None
        return None


def load_averages(proc: str = "/proc") -> tuple[float, float, float] | None:
    """The 1, 5 and 15-minute load averages where the system keeps them (not Windows). On
    Linux from /proc/loadavg, beside the other figures Ally reads there: glibc's
    getloadavg() asks the kernel directly, past a /proc of its own that a container (or a
    test) gives Ally."""
    if sys.platform.startswith("linux"):
        try:
            with open(os.path.join(proc, "loadavg"), "rb") as fh:
                one, five, fifteen = (float(x) for x in fh.read(128).split()[:3])
            return one, five, fifteen
        except (OSError, ValueError):
            pass
    if not hasattr(os, "getloadavg"):
        return None
    try:
        return os.getloadavg()
    except OSError:
        return None


def _first_load(text: bytes) -> float | None:
    try:
        return float(text.split(maxsplit=1)[0])
    except (IndexError, ValueError):
        return None


def _read_whole(fd: int, chunk: int = 65536) -> bytes:
    parts, offset = [], 0
    while True:
        data = os.pread(fd, chunk, offset)
        if not data:
            return b"".join(parts)
        parts.append(data)
        offset += len(data)


def _vmstat_value(text: bytes, key: bytes) -> int | None:
    at = text.find(key)
    if at < 0:
        return None
    end = text.find(b"\n", at + len(key))
    return int(text[at + len(key) : end if end >= 0 else None])


def psutil_reader() -> Counters:
    """The portable reader for Windows and macOS (and any Linux without /proc)."""
    mono = time.monotonic()
    wall = time.time()
    busy, total = _cpu_times_busy_total(psutil.cpu_times())
    cores = tuple(_cpu_times_busy_total(t) for t in psutil.cpu_times(percpu=True))
    vm = psutil.virtual_memory()
    sw = psutil.swap_memory()
    page = mmap.PAGESIZE
    # Windows reports no page-in/out counters (psutil gives 0): say "unknown", not "none".
    swap_known = not sys.platform.startswith("win")
    disks: dict[str, DiskCounters] = {}
    try:
        per_disk = psutil.disk_io_counters(perdisk=True) or {}
    except (OSError, RuntimeError):
        per_disk = {}
    for name, io in per_disk.items():
        disks[name] = DiskCounters(
            read_bytes=io.read_bytes,
            write_bytes=io.write_bytes,
            busy_ms=getattr(io, "busy_time", None),
            ops=io.read_count + io.write_count,
            io_ms=_io_ms(io),
        )
    net = {
        name: (io.bytes_recv, io.bytes_sent)
        for name, io in (psutil.net_io_counters(pernic=True) or {}).items()
        if not name.lower().startswith(("lo", "loopback"))
    }
    loads = load_averages()
    load1 = loads[0] if loads else None
    return Counters(
        monotonic=mono,
        wall=wall,
        cpu_busy=busy,
        cpu_total=total,
        per_core=cores,
        mem_total=vm.total,
        mem_available=vm.available,
        swap_total=sw.total,
        swap_free=sw.free,
        swap_in_pages=sw.sin // page if swap_known else None,
        swap_out_pages=sw.sout // page if swap_known else None,
        disks=disks,
        net=net,
        load1=load1,
    )


def _io_ms(io: object) -> int | None:
    """Time the requests took, where the system says it (Windows, macOS and Linux do)."""
    read, write = getattr(io, "read_time", None), getattr(io, "write_time", None)
    return None if read is None or write is None else int(read + write)


def _cpu_times_busy_total(times: object) -> tuple[float, float]:
    total = float(sum(times))  # type: ignore[arg-type]
    # guest times are already counted in user on Linux; psutil exposes them separately.
    total -= float(getattr(times, "guest", 0.0)) + float(getattr(times, "guest_nice", 0.0))
    idle = float(times.idle) + float(getattr(times, "iowait", 0.0))  # type: ignore[attr-defined]
    return total - idle, total


def default_reader() -> CounterReader:
    if sys.platform.startswith("linux") and os.path.exists("/proc/stat"):
        return LinuxProcReader()
    return psutil_reader
