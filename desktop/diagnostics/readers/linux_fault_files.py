"""Crash records on Linux that exist without systemd's journal.

Many machines keep no journal files (no systemd, a volatile journal that was lost, a
container) and a few keep no core dumps; the crashes are still on record:

- the kernel's ring buffer (``/dev/kmsg``, what ``dmesg`` prints) has a line for each
  program that dies of a fault: ``ledger-app[4242]: segfault at 0 ip ...``. It may be
  closed to ordinary accounts (``kernel.dmesg_restrict``); then it is not a source.
- Ubuntu's Apport writes ``/var/crash/<path>.<uid>.crash``, readable by the crashed
  program's owner. Only four header fields are read (ProblemType, Date, ExecutablePath,
  Signal) and only the executable's base name is kept: never the command line, the
  environment, the memory maps or the core dump that the same file holds.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import time
from datetime import datetime, timezone
from pathlib import Path

from desktop.diagnostics.readers.fault_records import (
    FaultEvent,
    NotACrashRecord,
    ParsedRecords,
    kernel_fault,
)

KMSG = "/dev/kmsg"
APPORT_DIR = Path("/var/crash")
MAX_KMSG_RECORDS = 50_000  # the ring buffer holds a few MB at most
MAX_APPORT_FILES = 50  # the newest ones
MAX_APPORT_HEADER_BYTES = 512 * 1024  # the fields Ally reads come before the core dump
_APPORT_KEYS = ("ProblemType", "Date", "ExecutablePath", "Signal")


def parse_kmsg_records(records: list[bytes], boot_wall: float, since: datetime) -> ParsedRecords:
    """Records as /dev/kmsg gives them: 'prio,seq,usec,flags[,...];message' (one each).
    The time is in µs since boot; ``boot_wall`` turns it into a wall time."""
    events, bad = [], 0
    for raw in records:
        head, sep, body = raw.partition(b";")
        if not sep:
            bad += 1
            continue
        try:
            usec = int(head.split(b",")[2])
        except (IndexError, ValueError):
            bad += 1
            continue
        message = body.split(b"\n", 1)[0].decode("utf-8", "replace")
        fault = kernel_fault(message)
        if fault is None:
            continue
        when = datetime.fromtimestamp(boot_wall + usec / 1e6, timezone.utc)
        if when >= since:
            events.append(FaultEvent(fault[0], None, when, "crash", fault[1]))
    return ParsedRecords(events, bad)


def read_kmsg_records(path: str = KMSG) -> list[bytes]:
    """Every record in the kernel's ring buffer, without waiting for new ones.
    PermissionError where the buffer is closed to this account."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    records: list[bytes] = []
    try:
        while len(records) < MAX_KMSG_RECORDS:
            try:
                records.append(os.read(fd, 8192))
            except BlockingIOError:
                break  # the end of what is there
            except OSError as exc:
                if exc.errno == errno.EPIPE:
                    continue  # the record was overwritten while reading: go on with the next
                raise
    finally:
        os.close(fd)
    return records


def read_kernel_ring(since: datetime) -> ParsedRecords:
    # The kernel stamps records with the time since boot, not counting sleep, like
    # time.monotonic() on Linux: so now - monotonic is when the clock started.
    boot_wall = time.time() - time.monotonic()
    return parse_kmsg_records(read_kmsg_records(), boot_wall, since)


# --- Apport -----------------------------------------------------------------------------


def parse_apport_header(lines: list[str], filename: str) -> FaultEvent | None:
    """The few fields Ally keeps from an Apport report; None if it is not a program's
    crash. ValueError if the fields it needs are missing or unreadable."""
    fields: dict[str, str] = {}
    for line in lines:
        if not line or line[0] in " \t":
            continue  # a continuation of a multi-line value (maps, environment, core dump)
        key, sep, value = line.partition(":")
        if sep and key in _APPORT_KEYS:
            fields[key] = value.strip()
    if fields.get("ProblemType") != "Crash":
        return None
    path = fields.get("ExecutablePath") or _path_from_name(filename)
    if not path or "Date" not in fields:
        raise NotACrashRecord("no ExecutablePath or Date")
    when = _apport_date(fields["Date"])
    detail = None
    if fields.get("Signal", "").isdigit():
        number = int(fields["Signal"])
        try:
            detail = signal.Signals(number).name
        except ValueError:
            detail = f"signal {number}"
    return FaultEvent(os.path.basename(path), None, when, "crash", detail)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _apport_date(value: str) -> datetime:
    """'Mon Dec 15 07:35:04 2014' in the machine's local time. Read by hand: strptime's
    %a/%b follow the locale, and the tray app runs in the person's own language."""
    parts = value.split()
    if len(parts) != 5 or parts[1] not in _MONTHS:
        raise NotACrashRecord(f"unreadable date {value!r}")
    hh, mm, ss = (int(x) for x in parts[3].split(":"))
    local = (int(parts[4]), _MONTHS.index(parts[1]) + 1, int(parts[2]), hh, mm, ss, 0, 0, -1)
    return datetime.fromtimestamp(time.mktime(local), timezone.utc)


def _path_from_name(filename: str) -> str | None:
    """'_usr_bin_ledger-app.1000.crash' -> '/usr/bin/ledger-app' (a fallback only: a name
    with underscores of its own cannot be told apart)."""
    stem = filename.removesuffix(".crash")
    stem = stem.rsplit(".", 1)[0] if stem.rsplit(".", 1)[-1].isdigit() else stem
    return stem.replace("_", "/") if stem.startswith("_") else None


def _read_header(path: Path) -> list[str]:
    """The header lines of one report: only a regular file owned by this account or by
    the system (the folder is writable by everyone, so a planted FIFO, link or another
    user's file is passed over), and never past the core dump."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid not in (0, os.getuid()):
            raise NotACrashRecord("not a report file of this account")
        with os.fdopen(os.dup(fd), "rb") as fh:
            lines = []
            size = 0
            for raw in fh:
                size += len(raw)
                if size > MAX_APPORT_HEADER_BYTES or raw.startswith(b"CoreDump:"):
                    break
                key = raw.split(b":", 1)[0].decode("ascii", "replace")
                if key not in _APPORT_KEYS:
                    continue  # command line, environment, maps...: not even kept in memory
                lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                if key == "Signal":
                    break  # the last field Ally reads (keys are written in order)
            return lines
    finally:
        os.close(fd)


def read_apport(since: datetime, folder: Path = APPORT_DIR) -> ParsedRecords | None:
    """Program crashes Apport recorded since ``since``; None where there is no Apport."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(".crash")]
    except OSError:
        return None
    recent = []
    for e in entries:
        try:
            mtime = e.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if mtime >= since.timestamp():
            recent.append((mtime, e.name))
    events, bad = [], 0
    for _, name in sorted(recent, reverse=True)[:MAX_APPORT_FILES]:
        try:
            event = parse_apport_header(_read_header(folder / name), name)
        except (OSError, ValueError, OverflowError):
            bad += 1
            continue
        if event is not None and event.time >= since:
            events.append(event)
    return ParsedRecords(events, bad)


def merge(kernel: list[FaultEvent], apport: list[FaultEvent]) -> list[FaultEvent]:
    """One crash seen by both the kernel and Apport is one crash: Apport's record (it has
    the whole program name and the signal) replaces the kernel's line within 10 s."""
    out = list(apport)
    for k in kernel:
        same = any(
            a.executable[:15] == k.executable[:15] and abs((a.time - k.time).total_seconds()) < 10
            for a in apport
        )
        if not same:
            out.append(k)
    return sorted(out, key=lambda e: e.time)
