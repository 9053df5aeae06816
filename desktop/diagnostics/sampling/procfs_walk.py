"""A cheap walk over Linux processes, reading /proc/<pid>/stat and /proc/<pid>/io only.

psutil reads three or four files per process (stat, statm, status, io) and builds several
objects for each; on an office PC with 250 processes that made the background process
walk cost more than the whole sampler may (see benchmarks/RESULTS.md). This reader yields
the same fields the process sampler asks psutil for, shaped like psutil's entries, so the
sampler does not care which one it gets.

Only the executable name is read: from the kernel's 15-character ``comm``, and where that
was cut short, from the name of the executable file (``/proc/<pid>/exe``). Never the
command line.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import NamedTuple

PROC = "/proc"
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class CpuTimes(NamedTuple):
    user: float
    system: float


class MemInfo(NamedTuple):
    rss: int
    vms: int


class IoCounters(NamedTuple):
    read_bytes: int
    write_bytes: int


class Entry:
    __slots__ = ("info", "pid")

    def __init__(self, pid: int, info: dict) -> None:
        self.pid = pid
        self.info = info


def _boot_time(proc: str) -> float:
    with open(os.path.join(proc, "stat"), "rb") as fh:
        for line in fh:
            if line.startswith(b"btime "):
                return float(line.split()[1])
    return 0.0


def parse_stat(text: bytes) -> tuple[str, float, float, float, int, int]:
    """(comm, utime_s, stime_s, start_ticks, vsize, rss_pages) from /proc/<pid>/stat.
    The name sits in parentheses and may itself contain spaces or parentheses."""
    open_at = text.index(b"(")
    close_at = text.rindex(b")")
    comm = text[open_at + 1 : close_at].decode("utf-8", "replace")
    fields = text[close_at + 2 :].split()
    return (
        comm,
        int(fields[11]) / CLK_TCK,
        int(fields[12]) / CLK_TCK,
        int(fields[19]),
        int(fields[20]),
        int(fields[21]),
    )


def parse_io(text: bytes) -> IoCounters:
    values = {}
    for line in text.split(b"\n"):
        key, _, value = line.partition(b": ")
        if key in (b"read_bytes", b"write_bytes"):
            values[key] = int(value)
    return IoCounters(values.get(b"read_bytes", 0), values.get(b"write_bytes", 0))


def process_iter(
    attrs: list[str] | None = None, ad_value: object = None, proc: str = PROC
) -> Iterator[Entry]:
    """Like psutil.process_iter(attrs, ad_value) for name, cpu_times, memory_info,
    create_time and io_counters. Processes that end mid-walk are skipped."""
    return RememberingWalk(proc)(attrs, ad_value)


# A process asleep on something other than a drive. One waiting for a drive is "D" (or
# running, "R"): it may read or write a lot with almost no processor time of its own (a
# write to a slow drive costs microseconds of processor and seconds of waiting).
_ASLEEP = (b"S", b"I")


class RememberingWalk:
    """The walk, remembering each process from one walk to the next.

    Most processes on an office PC sleep between two walks. A process asleep (not waiting
    for a drive) whose processor time has not moved cannot have read or written anything
    either (every read costs a system call), so its I/O counters are taken from the last
    walk instead of opening /proc/<pid>/io again; and a name already looked up through /proc/<pid>/exe is not
    looked up again for the same process. That saves two of the three file operations
    for a sleeping process: the walk is what the idle tray app spends most of its time on.
    """

    def __init__(self, proc: str = PROC) -> None:
        self.proc = proc
        # pid -> (start ticks, name, cpu ticks, io counters, the kernel's short name)
        self._known: dict[int, tuple[int, str, float, object, str]] = {}

    def __call__(self, attrs: list[str] | None = None, ad_value: object = None) -> Iterator[Entry]:
        proc = self.proc
        boot = _boot_time(proc)
        want_io = attrs is None or "io_counters" in attrs
        try:
            names = os.listdir(proc)
        except OSError:
            return
        seen: dict[int, tuple[int, str, float, object, str]] = {}
        for name in names:
            if not name.isdigit():
                continue
            pid = int(name)
            base = f"{proc}/{name}"
            try:
                with open(f"{base}/stat", "rb") as fh:
                    raw = fh.read()
                comm, utime, stime, start, vsize, rss = parse_stat(raw)
                state = raw[raw.rindex(b")") + 2 : raw.rindex(b")") + 3]
            except (OSError, ValueError, IndexError):
                continue  # gone, or not readable: nothing to count
            if state == b"Z":  # ended; only its parent has not noticed: nothing to count
                continue
            before = self._known.get(pid)
            short = comm
            # The same process: same start, and the same program (one seen between fork
            # and exec has the same start, and its parent's name until the exec).
            same = before is not None and before[0] == start and before[4] == short
            ticks = utime + stime
            if same:
                comm = before[1]
            elif len(comm) == 15:  # cut short by the kernel; the executable's file has it whole
                with contextlib.suppress(OSError):
                    comm = (
                        os.path.basename(os.readlink(f"{base}/exe")).removesuffix(" (deleted)")
                        or comm
                    )
            io = ad_value
            if want_io:
                if same and before[2] == ticks and state in _ASLEEP and before[3] is not ad_value:
                    io = before[3]  # asleep since the last walk: nothing read or written
                else:
                    try:
                        with open(f"{base}/io", "rb") as fh:
                            io = parse_io(fh.read())
                    except (OSError, ValueError):
                        io = ad_value
            seen[pid] = (start, comm, ticks, io, short)
            yield Entry(
                pid,
                {
                    "name": comm,
                    "cpu_times": CpuTimes(utime, stime),
                    "memory_info": MemInfo(rss * PAGE_SIZE, vsize),
                    "create_time": boot + start / CLK_TCK,
                    "io_counters": io,
                },
            )
        self._known = seen
