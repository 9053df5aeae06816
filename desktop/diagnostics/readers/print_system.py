"""The printing system: printers, which is the default, their state, and waiting jobs.

CUPS (Linux, macOS) is read with ``lpstat`` in the C locale so its words and dates are
the same everywhere; the print server it asks is CUPS's own choice (``CUPS_SERVER``,
the local socket). Windows is read with its own tools: ``sc query Spooler`` for the
print service and PowerShell's CIM classes for printers and jobs.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.readers.tools import run_tool
from desktop.diagnostics.unavailable import Unavailable

# What a CUPS backend says when it cannot reach the device: the printer is "offline".
_OFFLINE_WORDS = (
    "may not exist or is unavailable",
    "unable to connect",
    "not responding",
    "waiting for printer",
    "offline",
    "unreachable",
    "connection refused",
    "not connected",
)


@dataclass(frozen=True)
class Printer:
    name: str
    is_default: bool
    state: str  # ready, printing, paused, offline, error
    accepting: bool | None
    message: str | None  # the print system's own words about it
    jobs: int
    oldest_job_age_s: float | None
    # A known problem, by its key in [finding_words.printer_problems] ("no_paper"): the
    # person reads it in plain words; the system's own message is for IT only.
    problem: str | None = None


@dataclass(frozen=True)
class PrintJob:
    job_id: str
    printer: str
    submitted: str  # ISO 8601 UTC
    age_s: float
    size_bytes: int | None


@dataclass(frozen=True)
class PrintSystem:
    source: str
    service_running: bool | None
    default_printer: str | None
    printers: tuple[Printer, ...]
    jobs: tuple[PrintJob, ...]


# --- CUPS -------------------------------------------------------------------------------

_HEADER = re.compile(r"^printer (?P<name>\S+) (?P<rest>.*)$")
_KEY_LINE = re.compile(r"^\t[A-Z][A-Za-z ]+:")


def parse_lpstat_printers(text: str) -> dict[str, dict]:
    """``lpstat -l -p``: a header per printer, then tab-indented lines; the first
    indented line without 'Key:' is the printer's current message."""
    printers: dict[str, dict] = {}
    current: dict | None = None
    for line in text.splitlines():
        m = _HEADER.match(line)
        if m:
            rest = m.group("rest")
            if rest.startswith("disabled"):
                state = "paused"
            elif rest.startswith("now printing"):
                state = "printing"
            else:
                state = "ready"
            current = {"state": state, "message": None, "alerts": "", "first": True}
            printers[m.group("name")] = current
            continue
        if current is None or not line.startswith("\t"):
            continue
        stripped = line.strip()
        first, current["first"] = current["first"], False
        if stripped.startswith("Alerts:"):
            current["alerts"] = stripped.split(":", 1)[1].strip()
        elif first and stripped and not _KEY_LINE.match(line):
            current["message"] = stripped  # only right under the header: the printer's message
    return printers


def parse_lpstat_default(text: str) -> str | None:
    m = re.search(r"system default destination: (\S+)", text)
    return m.group(1) if m else None


def parse_lpstat_accepting(text: str) -> dict[str, bool]:
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(\S+) (not )?accepting requests", line)
        if m:
            out[m.group(1)] = m.group(2) is None
    return out


_JOB = re.compile(
    r"^(?P<id>(?P<printer>\S+)-\d+)\s+\S+\s+(?P<size>\d+)\s+(?P<date>\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})"
)


def parse_lpstat_jobs(text: str, now: datetime) -> list[PrintJob]:
    """``lpstat -o`` in the C locale: 'Office-12  user  1024  Sun Nov 22 20:50:08 2026'.
    The user name is not kept."""
    jobs = []
    for line in text.splitlines():
        m = _JOB.match(line)
        if not m:
            continue
        try:
            submitted = datetime.strptime(m.group("date"), "%a %b %d %H:%M:%S %Y").astimezone(
                timezone.utc
            )
        except ValueError:
            continue
        jobs.append(
            PrintJob(
                m.group("id"),
                m.group("printer"),
                submitted.isoformat(timespec="seconds"),
                max(0.0, (now - submitted).total_seconds()),
                int(m.group("size")),
            )
        )
    return jobs


def cups_state(info: dict) -> tuple[str, str | None]:
    message = info.get("message")
    low = (message or "").lower() + " " + info.get("alerts", "").lower()
    if any(w in low for w in _OFFLINE_WORDS):
        return "offline", message
    return info["state"], message


def assemble(
    printers: dict[str, dict],
    default: str | None,
    accepting: dict[str, bool],
    jobs: list[PrintJob],
    source: str,
    running: bool | None,
) -> PrintSystem:
    out = []
    for name, info in printers.items():
        state, message = cups_state(info)
        mine = [j for j in jobs if j.printer == name]
        out.append(
            Printer(
                name,
                name == default,
                state,
                accepting.get(name),
                message,
                len(mine),
                max((j.age_s for j in mine), default=None),
            )
        )
    out.sort(key=lambda p: (not p.is_default, p.name))
    return PrintSystem(source, running, default, tuple(out), tuple(jobs))


PRINTCAP = Path("/etc/printcap")


def parse_printcap(text: str) -> list[str]:
    """Printer names from a printcap file ('name|alias:rm=host:' lines). CUPS writes it
    for old programs and leaves it readable by everyone, so it tells which printers are
    set up even while the print service is stopped."""
    names = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name = line.split(":", 1)[0].split("|", 1)[0].strip()
        if name and name not in names:
            names.append(name)
    return names


def _printers_set_up(printcap: Path = PRINTCAP) -> tuple[Printer, ...]:
    try:
        text = printcap.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ()
    stopped = it_says("print_system", "service_stopped")
    return tuple(
        Printer(name, False, "unknown", None, stopped, 0, None)
        for name in parse_printcap(text)[:50]
    )


def read_cups(now: datetime | None = None) -> PrintSystem:
    env = {"LC_ALL": "C", "LANG": "C"}
    status = _lpstat(["-r"], env)
    running = "is running" in status.stdout
    if not running:
        return PrintSystem("CUPS", False, None, _printers_set_up(), ())
    printers = parse_lpstat_printers(_lpstat(["-l", "-p"], env).stdout)
    default = parse_lpstat_default(_lpstat(["-d"], env).stdout)
    accepting = parse_lpstat_accepting(_lpstat(["-a"], env).stdout)
    jobs = parse_lpstat_jobs(_lpstat(["-o"], env).stdout, now or datetime.now(timezone.utc))
    return assemble(printers, default, accepting, jobs, it_says("print_system", "cups"), True)


def _lpstat(args: list[str], env: dict[str, str]):
    full_env = {**os.environ, **env}
    return run_tool(["lpstat", *args], timeout=3.0, env=full_env)


# --- Windows ----------------------------------------------------------------------------

# Win32_Printer.PrinterStatus (Microsoft's documented values).
_WIN_STATUS = {
    1: "ready",
    2: "ready",
    3: "ready",
    4: "printing",
    5: "ready",
    6: "paused",
    7: "offline",
}
# Win32_Printer.DetectedErrorState values that mean the printer needs a person, by their
# key in [evidence.print_system.errors].
_WIN_ERRORS = {
    4: "no_paper",
    5: "low_toner",
    6: "no_toner",
    7: "door_open",
    8: "jammed",
    9: "offline",
    10: "service_requested",
    11: "output_bin_full",
}


def parse_sc_query(text: str) -> bool | None:
    """``sc query Spooler``: 'STATE : 4  RUNNING' (1 = STOPPED)."""
    m = re.search(r"STATE\s*:\s*(\d+)\s+(\w+)", text)
    if not m:
        return None
    return m.group(2).upper() == "RUNNING"


def _json_list(text: str) -> list[dict]:
    text = text.strip()
    if not text:
        return []
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # not PowerShell's JSON: nothing to read
        return []
    items = data if isinstance(data, list) else [data]
    return [i for i in items if isinstance(i, dict)]


def _cim_date(value: object) -> datetime | None:
    """PowerShell 5 writes dates as '/Date(1700000000000)/'; newer ones as ISO text."""
    if not isinstance(value, str):
        return None
    m = re.search(r"/Date\((\d+)", value)
    try:
        if m:
            return datetime.fromtimestamp(int(m.group(1)) / 1000, timezone.utc)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):  # a date no clock has
        return None
    return parsed if parsed.tzinfo else parsed.astimezone(timezone.utc)


def parse_windows(
    printers_json: str, jobs_json: str, spooler: bool | None, now: datetime
) -> PrintSystem:
    jobs = []
    for j in _json_list(jobs_json):
        name = str(j.get("Name", ""))  # "Printer Name, 12"
        printer, _, number = name.rpartition(", ")
        when = _cim_date(j.get("TimeSubmitted"))
        if not printer or when is None:
            continue
        jobs.append(
            PrintJob(
                f"{printer}-{number}",
                printer,
                when.isoformat(timespec="seconds"),
                max(0.0, (now - when).total_seconds()),
                j.get("Size"),
            )
        )
    printers = []
    default = None
    for p in _json_list(printers_json):
        name = p.get("Name")
        if not name:
            continue
        state = _WIN_STATUS.get(p.get("PrinterStatus"), "ready")
        error_key = _WIN_ERRORS.get(p.get("DetectedErrorState"))
        error = it_says("print_system.errors", error_key) if error_key else None
        if p.get("WorkOffline") or error_key == "offline":
            state = "offline"
        elif error_key:
            state = "error"
        if p.get("Default"):
            default = name
        mine = [j for j in jobs if j.printer == name]
        printers.append(
            Printer(
                name,
                bool(p.get("Default")),
                state,
                None,
                error,
                len(mine),
                max((j.age_s for j in mine), default=None),
                error_key,
            )
        )
    printers.sort(key=lambda p: (not p.is_default, p.name))
    return PrintSystem(
        it_says("print_system", "windows"), spooler, default, tuple(printers), tuple(jobs)
    )


_PS_PRINTERS = (
    "Get-CimInstance Win32_Printer | Select-Object Name,Default,WorkOffline,PrinterStatus,"
    "DetectedErrorState | ConvertTo-Json -Compress"
)
_PS_JOBS = "Get-CimInstance Win32_PrintJob | Select-Object Name,TimeSubmitted,Size,Status | ConvertTo-Json -Compress"


def read_windows(now: datetime | None = None) -> PrintSystem:
    spooler = parse_sc_query(run_tool(["sc", "query", "Spooler"], timeout=2.0).stdout)
    if spooler is False:
        return PrintSystem(it_says("print_system", "windows"), False, None, (), ())
    ps = ["powershell", "-NoProfile", "-NonInteractive", "-Command"]
    printers = run_tool([*ps, _PS_PRINTERS], timeout=4.0).stdout
    jobs = run_tool([*ps, _PS_JOBS], timeout=4.0).stdout
    return parse_windows(printers, jobs, spooler, now or datetime.now(timezone.utc))


def read_print_system() -> PrintSystem:
    if sys.platform.startswith("win"):
        return read_windows()
    try:
        return read_cups()
    except Unavailable as exc:
        raise Unavailable(it_says("print_system", "none_installed")) from exc
