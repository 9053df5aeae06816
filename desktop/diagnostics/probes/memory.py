"""Working memory: how much is free, who uses it, and whether the computer is swapping."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ally_helpdesk.evidence.plain_numbers import size, whole_percent
from ally_helpdesk.evidence.stats import window_max, window_mean
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.probe import Probe, ProbeContext, Unavailable
from desktop.diagnostics.sampling import os_backfill

PSI_MEMORY = Path("/proc/pressure/memory")


@dataclass(frozen=True)
class MemoryPressure:
    source: str  # where it was read: "linux-psi", "macos-sysctl"
    level: str | None = None  # macOS: normal / warning / critical
    some_avg10: float | None = None  # Linux PSI: % of time some task waited for memory
    some_avg60: float | None = None
    full_avg10: float | None = None  # % of time all tasks waited
    full_avg60: float | None = None


@dataclass(frozen=True)
class MemoryUser:
    app_id: str
    name: str
    memory_bytes: int
    share_pct: float  # of total memory
    process_count: int


@dataclass(frozen=True)
class MemoryInfo:
    total_bytes: int
    available_bytes: int
    used_bytes: int
    used_pct: float
    swap_total_bytes: int
    swap_used_bytes: int
    swap_used_pct: float
    swap_in_pps: float | None  # pages per second over the last interval
    swap_out_pps: float | None
    swap_in_pps_5m: float | None  # mean over 5 minutes of history
    swap_out_pps_5m: float | None
    swap_out_pps_5m_max: float | None
    pressure: MemoryPressure | None
    pressure_note: str | None
    top_users: tuple[MemoryUser, ...]


def _it(key: str, /, **values: Any) -> str:
    return it_says("memory", key, **values)


def parse_psi(text: str) -> MemoryPressure:
    """/proc/pressure/memory: 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0' and 'full ...'."""
    p = os_backfill.parse_psi(text)
    return MemoryPressure(
        source="linux-psi",
        some_avg10=p.some_avg10,
        some_avg60=p.some_avg60,
        full_avg10=p.full_avg10,
        full_avg60=p.full_avg60,
    )


def read_pressure() -> tuple[MemoryPressure | None, str | None]:
    try:
        if sys.platform.startswith("linux"):
            try:
                return parse_psi(PSI_MEMORY.read_text(encoding="ascii")), None
            except OSError:
                return None, _it("no_psi")
        if sys.platform == "darwin":
            from desktop.diagnostics.readers import macos_tools

            level = macos_tools.memory_pressure_level()
            return (
                (MemoryPressure("macos-sysctl", level=level), None)
                if level
                else (None, _it("not_reported"))
            )
    except (Unavailable, TimeoutError, OSError) as exc:
        return None, str(exc)
    return None, _it("windows")


def _rate(ctx: ProbeContext, attr: str) -> float | None:
    prev, now = ctx.previous, ctx.current
    a = None if prev is None else getattr(prev, attr)
    b = getattr(now, attr)
    dt = ctx.interval_s()
    if a is None or b is None or not dt:
        return None
    return max(b - a, 0) / dt


def check(ctx: ProbeContext) -> MemoryInfo:
    now = ctx.current
    total = now.mem_total
    available = now.mem_available
    used = max(total - available, 0)
    swap_used = max(now.swap_total - now.swap_free, 0)
    pressure, note = read_pressure()
    window = ctx.history.window(300)
    sample = ctx.processes()
    users = tuple(
        MemoryUser(
            a.app_id,
            a.name,
            a.memory_bytes,
            100.0 * a.memory_bytes / total if total else 0.0,
            a.process_count,
        )
        for a in sample.top("memory_bytes", 5)
    )
    return MemoryInfo(
        total_bytes=total,
        available_bytes=available,
        used_bytes=used,
        used_pct=100.0 * used / total if total else 0.0,
        swap_total_bytes=now.swap_total,
        swap_used_bytes=swap_used,
        swap_used_pct=100.0 * swap_used / now.swap_total if now.swap_total else 0.0,
        swap_in_pps=_rate(ctx, "swap_in_pages"),
        swap_out_pps=_rate(ctx, "swap_out_pages"),
        swap_in_pps_5m=window_mean(window, "swap_in_pps", 300),
        swap_out_pps_5m=window_mean(window, "swap_out_pps", 300),
        swap_out_pps_5m_max=window_max(window, "swap_out_pps", 300),
        pressure=pressure,
        pressure_note=note,
        top_users=users,
    )


def it_summary(data: MemoryInfo) -> str:
    """IT's one line for this section (``ally diagnose`` and the report)."""
    top = ", ".join(f"{u.name} {size(u.memory_bytes)}" for u in data.top_users[:3])
    return _it(
        "summary",
        used=whole_percent(data.used_pct),
        total=size(data.total_bytes),
        available=size(data.available_bytes),
        swap=whole_percent(data.swap_used_pct),
        paging_in=f"{data.swap_in_pps or 0:.0f}",
        paging_out=f"{data.swap_out_pps or 0:.0f}",
        largest=top,
    )


PROBE = Probe(
    "memory",
    check,
    timeout_s=2.0,
    it_summary=it_summary,
    key_for={Symptom.SLOW: 1},
    mentioned_for={Symptom.APP: 1, Symptom.OTHER: 2},
)
