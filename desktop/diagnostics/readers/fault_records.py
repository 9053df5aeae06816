"""Application crashes and hangs that the operating system itself recorded.

Linux: systemd-coredump (``coredumpctl --json=short``), else the kernel's own lines in
the journal, else in the kernel's ring buffer; and Ubuntu's Apport reports (see
linux_fault_files.py). Windows: the Application event log (Application Error 1000, Application
Hang 1002) through ``wevtutil``. macOS: the reports in ~/Library/Logs/DiagnosticReports,
of which only the one-line header is read.

Only the program's name, version, time and the kind of fault are kept: never paths,
arguments, file contents or window titles.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path, PureWindowsPath

from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Cause
from desktop.diagnostics.readers.tools import run_tool
from desktop.diagnostics.unavailable import Unavailable

TYPE_CHECKING = False
if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

MAX_EVENTS = 500


class NotACrashRecord(ValueError):
    """A record Ally cannot read (a header without its fields, a date it cannot parse).
    The reader counts it as malformed and goes on; its reason is read by no one."""


@dataclass(frozen=True)
class FaultEvent:
    executable: str  # base name only
    version: str | None
    time: datetime  # UTC
    kind: str  # "crash" or "hang"
    detail: str | None  # signal or exception code, never a path


@dataclass(frozen=True)
class ParsedRecords:
    events: list[FaultEvent]
    malformed: int  # records that could not be read and were skipped


def _base(path: str) -> str:
    name = PureWindowsPath(path).name if "\\" in path else Path(path).name
    return name or path


def _signal_name(number: int | None) -> str | None:
    if number is None:
        return None
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# --- Linux ------------------------------------------------------------------------------


def parse_coredumpctl_json(text: str) -> ParsedRecords:
    """``coredumpctl --json=short``: a JSON array of {time (µs), pid, sig, exe, ...}."""
    stripped = text.strip()
    if not stripped or stripped.startswith("No coredumps found"):
        return ParsedRecords([], 0)
    try:
        entries = json.loads(stripped)
    except json.JSONDecodeError:
        return ParsedRecords([], 1)
    if not isinstance(entries, list):
        return ParsedRecords([], 1)
    events, bad = [], 0
    for e in entries:
        try:
            exe = e["exe"]
            when = datetime.fromtimestamp(int(e["time"]) / 1e6, timezone.utc)
            sig = e.get("sig")
            events.append(
                FaultEvent(
                    _base(str(exe)), None, when, "crash", _signal_name(int(sig)) if sig else None
                )
            )
        except (KeyError, TypeError, ValueError, OverflowError):
            bad += 1
    return ParsedRecords(events, bad)


# 'name[pid]: segfault at ...', 'traps: name[pid] general protection fault ...',
# 'name[pid] trap invalid opcode ...'. The name is the kernel's (at most 15 characters)
# and may hold spaces ("Web Content").
KERNEL_FAULT = re.compile(
    r"^(?:traps: )?(?P<comm>.{1,16}?)\[\d+\]:? (?P<what>segfault|general protection|trap)\b"
)
# The kernel's word for a fault, and its key in [evidence.crash_records].
_FAULT_WORDS = {"segfault": "segfault", "general protection": "general_protection"}


def kernel_fault(message: str) -> tuple[str, str] | None:
    """(program, kind of fault) from one kernel line, or None if it is not a fault line."""
    m = KERNEL_FAULT.match(message)
    if not m:
        return None
    what = m.group("what")
    kind = it_says("crash_records", _FAULT_WORDS[what]) if what in _FAULT_WORDS else what
    return m.group("comm"), kind


def parse_journal_kernel(text: str) -> ParsedRecords:
    """``journalctl -k -o json``: the kernel's 'app[pid]: segfault at ...' lines."""
    events, bad = [], 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            message = entry.get("MESSAGE", "")
            if isinstance(message, list):  # journald gives bytes as a list of ints
                message = bytes(message).decode("utf-8", "replace")
            fault = kernel_fault(message)
            if fault is None:
                continue
            when = datetime.fromtimestamp(int(entry["__REALTIME_TIMESTAMP"]) / 1e6, timezone.utc)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError):
            bad += 1  # not a journal entry, or a time no clock has
            continue
        events.append(FaultEvent(fault[0], None, when, "crash", fault[1]))
    return ParsedRecords(events, bad)


# --- Windows ----------------------------------------------------------------------------

_NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
_PROVIDERS = {"Application Error": "crash", "Application Hang": "hang"}


def parse_wevtutil_xml(text: str) -> ParsedRecords:
    """``wevtutil qe Application /f:xml``: <Event> elements one after another. Both the
    named (Windows 11) and the positional (older) <Data> layouts are read."""
    import xml.etree.ElementTree as ET  # Windows only: never loaded by the idle tray elsewhere

    events, bad = [], 0
    for chunk in re.findall(r"<Event[ >].*?</Event>", text, flags=re.S):
        try:
            root = ET.fromstring(chunk)
        except (ET.ParseError, UnicodeError, ValueError):
            bad += 1
            continue
        system = _find(root, "System")
        provider = _find(system, "Provider")
        kind = _PROVIDERS.get(provider.get("Name", "")) if provider is not None else None
        if kind is None:
            continue
        created = _find(system, "TimeCreated")
        data_parent = _find(root, "EventData")
        data = [] if data_parent is None else list(data_parent)
        named = {d.get("Name"): (d.text or "") for d in data if d.get("Name")}
        positional = [(d.text or "") for d in data]
        app = named.get("AppName") or (positional[0] if positional else "")
        try:
            when = _windows_time(created.get("SystemTime") if created is not None else None)
        except ValueError:
            bad += 1
            continue
        if not app or when is None:
            bad += 1
            continue
        version = named.get("AppVersion") or (positional[1] if len(positional) > 1 else None)
        detail = named.get("ExceptionCode") or named.get("HangType")
        if (
            kind == "crash"
            and detail is None
            and len(positional) >= 7
            and re.fullmatch(r"[0-9a-fA-F]{8}", positional[6])
        ):
            detail = positional[6]  # the classic 12-field layout keeps the exception code 7th
        if detail and re.fullmatch(r"[0-9a-fA-F]{8}", detail):
            detail = f"exception 0x{detail.lower()}"
        events.append(FaultEvent(_base(app), version or None, when, kind, detail))
    return ParsedRecords(events, bad)


def _find(parent: ET.Element | None, tag: str) -> ET.Element | None:
    """A child with or without the event namespace. (Elements without children are
    falsy, so ``a or b`` cannot be used to choose between two finds.)"""
    if parent is None:
        return None
    found = parent.find(f"{_NS}{tag}")
    return found if found is not None else parent.find(tag)


def _windows_time(value: str | None) -> datetime | None:
    if not value:
        return None
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z?", value)
    if not m:
        raise ValueError(value)
    return datetime.fromisoformat(m.group(1)).replace(tzinfo=timezone.utc)


# --- macOS ------------------------------------------------------------------------------

_CRASH_BUG_TYPES = {"309", "109"}


def parse_ips_header(first_line: str, filename: str) -> FaultEvent | None:
    """The one-line JSON header of a .ips report; None for reports that are not an
    application's crash or hang."""
    header = json.loads(first_line)
    if not isinstance(header, dict):
        raise NotACrashRecord("header is not an object")
    suffix = Path(filename).suffix.lower()
    if suffix in (".hang", ".spin"):
        kind = "hang"
    elif str(header.get("bug_type")) in _CRASH_BUG_TYPES:
        kind = "crash"
    else:
        return None
    app = header.get("app_name") or header.get("name") or header.get("procName")
    stamp = header.get("timestamp")
    if not app or not stamp:
        raise NotACrashRecord("header lacks app_name or timestamp")
    when = datetime.strptime(
        stamp.replace(".00 ", " ") if ".00 " in stamp else stamp, "%Y-%m-%d %H:%M:%S %z"
    )
    return FaultEvent(
        str(app), header.get("app_version"), when.astimezone(timezone.utc), kind, None
    )


def read_macos_reports(folder: Path, since: datetime) -> ParsedRecords:
    events, bad = [], 0
    try:
        files = sorted(folder.iterdir())
    except FileNotFoundError:
        return ParsedRecords([], 0)
    for path in files:
        if path.suffix.lower() not in (".ips", ".hang", ".spin"):
            continue
        try:
            if datetime.fromtimestamp(path.stat().st_mtime, timezone.utc) < since:
                continue
            with path.open("r", encoding="utf-8", errors="replace") as fh:
                first = fh.readline(65536)  # the header only; the body is never read
            event = parse_ips_header(first, path.name)
        except (OSError, ValueError, json.JSONDecodeError):
            bad += 1
            continue
        if event is not None:
            events.append(event)
    return ParsedRecords(events[-MAX_EVENTS:], bad)


# --- reading on this computer -----------------------------------------------------------


def read_recent(hours: float) -> tuple[ParsedRecords, str]:
    """Fault events of the last ``hours``, and where they were read from."""
    since = datetime.now(timezone.utc) - timedelta(hours=hours)
    if sys.platform.startswith("win"):
        ms = int(hours * 3600 * 1000)
        query = f"*[System[(EventID=1000 or EventID=1002) and TimeCreated[timediff(@SystemTime) <= {ms}]]]"
        result = run_tool(
            [
                "wevtutil",
                "qe",
                "Application",
                f"/q:{query}",
                "/f:xml",
                "/rd:true",
                f"/c:{MAX_EVENTS}",
            ],
            timeout=4.0,
        )
        return parse_wevtutil_xml(result.stdout), it_says("crash_records", "windows_log")
    if sys.platform == "darwin":
        folder = Path.home() / "Library" / "Logs" / "DiagnosticReports"
        return read_macos_reports(folder, since), str(folder)
    return read_linux(hours, since)


NO_JOURNAL = ("No journal files were found", "No journal files were opened")
JOURNAL_DIRS = (Path("/var/log/journal"), Path("/run/log/journal"))


def journal_files_present(folders: tuple[Path, ...] = JOURNAL_DIRS) -> bool:
    """Whether systemd's journal keeps any files here (only their names are looked at)."""
    for folder in folders:
        for _, _, files in os.walk(folder):
            if any(f.endswith((".journal", ".journal~")) for f in files):
                return True
    return False


def _from_journal(seconds: int, problems: list[str]) -> tuple[ParsedRecords | None, str | None]:
    """systemd-coredump, else the kernel's lines in the journal."""
    try:
        result = run_tool(
            ["coredumpctl", "--json=short", "--no-pager", f"--since=-{seconds}s", "list"],
            timeout=4.0,
        )
        output = result.stdout + result.stderr
        if any(n in output for n in NO_JOURNAL):
            problems.append(f"systemd-coredump: {result.stderr.strip()[:200]}")
        elif result.returncode == 0 or "No coredumps found" in output:
            return parse_coredumpctl_json(result.stdout), "systemd-coredump"
    except Unavailable:
        problems.append(it_says("crash_records", "no_coredump"))
    try:
        result = run_tool(
            ["journalctl", "-k", "-o", "json", "--no-pager", f"--since=-{seconds}s"],
            timeout=4.0,
        )
    except Unavailable:
        problems.append(it_says("crash_records", "no_journalctl"))
        return None, None
    if any(n in result.stdout + result.stderr for n in NO_JOURNAL) or result.returncode != 0:
        problems.append(f"journal: {result.stderr.strip()[:200]}")
    else:
        return parse_journal_kernel(result.stdout), it_says("crash_records", "journal_kernel")
    return None, None


def read_linux(hours: float, since: datetime) -> tuple[ParsedRecords, str]:
    """systemd-coredump, else the kernel's lines in the journal, else the kernel's ring
    buffer; and Apport's reports beside whichever of those answered. A source that has
    nothing to read (a journal with no files) is not counted as having found nothing."""
    from desktop.diagnostics.readers import linux_fault_files

    seconds = int(hours * 3600)
    kernel: ParsedRecords | None = None
    source = None
    problems = []
    closed = False  # the ring buffer is closed to this account (kernel.dmesg_restrict)
    if not journal_files_present():
        # journalctl then prints nothing at all (with --since) or "No journal files were
        # found", and coredumpctl "No coredumps found": neither has looked at anything.
        problems.append(it_says("crash_records", "no_journal_files"))
    else:
        kernel, source = _from_journal(seconds, problems)
    if kernel is None:
        try:
            kernel = linux_fault_files.read_kernel_ring(since)
            source = it_says("crash_records", "ring_buffer")
            if problems:
                source = it_says("crash_records", "after", source=source, why="; ".join(problems))
        except PermissionError:
            closed = True
            problems.append(it_says("crash_records", "ring_closed"))
        except OSError as exc:
            problems.append(it_says("crash_records", "ring_error", error=exc.strerror or exc))
    apport = linux_fault_files.read_apport(since)
    if kernel is None and apport is None:
        raise Unavailable(
            it_says("crash_records", "nothing_readable", why="; ".join(problems)),
            Cause.DENIED if closed else Cause.UNSUPPORTED,
        )
    sources = [source] if source else []
    if apport is not None:
        sources.append(it_says("crash_records", "apport"))
    if kernel is None:
        sources.append(it_says("crash_records", "not_read", why="; ".join(problems)))
    events = linux_fault_files.merge(
        kernel.events if kernel else [], apport.events if apport else []
    )
    bad = (kernel.malformed if kernel else 0) + (apport.malformed if apport else 0)
    return ParsedRecords(events[-MAX_EVENTS:], bad), "; ".join(sources)
