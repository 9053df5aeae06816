"""The readable form of a diagnosis for a terminal: the answer first, IT's detail after."""

from __future__ import annotations

import textwrap
from typing import Any

from desktop.diagnostics.diagnosis import Diagnosis
from desktop.diagnostics.model import Status
from desktop.plain_numbers import count, duration, size

WIDTH = 88


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent) + "\n"


def render_text(d: Diagnosis) -> str:
    out = [_wrap(d.summary.headline), _wrap(d.summary.explanation), "\n"]
    problems = [f for f in d.findings if f.severity.value != "info"]
    for f in problems:
        out.append(_wrap(f"• {f.headline}"))
        out.append(_wrap(f.explanation, "  "))
        for tip in f.advice:
            out.append(_wrap(f"- {tip}", "    "))
        out.append("\n")
    out.append("For IT\n------\n")
    out.append(
        _wrap(
            f"Symptom: {d.snapshot.symptom.value}; checked at "
            f"{d.snapshot.collected_at.isoformat(timespec='seconds')} in {d.snapshot.duration_ms:.0f} ms; "
            f"history judged: {d.history_s:.0f} s."
        )
    )
    for f in d.findings:
        out.append(_wrap(f"[{f.severity.value}] {f.id}: {f.it_detail}", ""))
    if not d.findings:
        out.append(_wrap(d.summary.it_detail))
    for name, section in d.snapshot.sections.items():
        if section.status is Status.OK:
            out.append(_wrap(f"{name}: {_safe_line(name, section.data)}"))
        else:
            out.append(_wrap(f"{name}: could not check ({section.status.value}): {section.reason}"))
    for note in d.notes:
        out.append(_wrap(f"Note: {note}"))
    return "".join(out)


def _safe_line(name: str, data: Any) -> str:
    """A section's one-line summary; a summary that cannot be made falls back to the raw
    data rather than stopping the whole answer."""
    try:
        return _section_line(name, data)
    except Exception:  # the summary is a convenience, the data is what matters
        return "read (see the JSON for the figures)"


def _pct(v: float | None) -> str:
    return "?" if v is None else f"{v:.0f}%"


def _section_line(name: str, data: Any) -> str:
    if name == "system":
        restart = {
            True: "restart pending",
            False: "no restart pending",
            None: "restart state unknown",
        }
        return (
            f"{data.os_version} on {data.hostname}"
            f"{' (' + data.model + ')' if data.model else ''}, up {duration(data.uptime_s)}, "
            f"{restart[data.pending_restart]}, user {data.user}, time zone {data.timezone} "
            f"(UTC{data.utc_offset}), Ally {data.ally_version}"
        )
    if name == "processor":
        now = f"{_pct(data.use_pct)} busy now"
        if data.interval_s:
            now += f" (over the last {data.interval_s:.1f} s)"
        recent = (
            f", mean {_pct(data.use_pct_5m)} over the last {duration(data.history_s)} of "
            "Ally's history"
            if data.history_s >= 10 and data.use_pct_5m is not None
            else ""
        )
        loads = ", ".join(
            f"{x:.2f}" for x in (data.load_1m, data.load_5m, data.load_15m) if x is not None
        )
        return f"{now}{recent}; {data.logical_cores} logical cores" + (
            f"; load average (1, 5, 15 min) {loads}" if loads else ""
        )
    if name == "memory":
        top = ", ".join(f"{u.name} {size(u.memory_bytes)}" for u in data.top_users[:3])
        return (
            f"{_pct(data.used_pct)} used of {size(data.total_bytes)}, {size(data.available_bytes)} available, "
            f"swap {_pct(data.swap_used_pct)} used, paging {data.swap_in_pps or 0:.0f} in / "
            f"{data.swap_out_pps or 0:.0f} out pages/s; largest: {top}"
        )
    if name == "disks":
        vols = "; ".join(
            f"{v.mountpoint} {size(v.free_bytes)} free of {size(v.total_bytes)}{' (main)' if v.is_main else ''}"
            if v.problem is None
            else f"{v.mountpoint} unreadable: {v.problem}"
            for v in data.volumes
        )
        busy = ", ".join(f"{d.name} {_pct(d.busy_pct)} busy" for d in data.drives)
        return f"{vols or 'no volumes'}; {busy or 'no drive activity readable'}"
    if name == "processes":
        top = ", ".join(f"{a.name} {a.cpu_pct:.0f}%" for a in data.top_cpu[:3])
        return f"{data.process_count} processes in {data.application_count} applications; busiest: {top}"
    if name == "power":
        parts = []
        if data.has_battery:
            parts.append(
                f"battery {_pct(data.battery_pct)}{', plugged in' if data.plugged_in else ', on battery'}"
            )
        if data.power_mode:
            parts.append(f"power mode {data.power_mode}")
        if data.hottest_c is not None:
            parts.append(f"hottest sensor {data.hottest_c:.0f} °C")
        return ", ".join(parts) or "nothing to report"
    if name == "network":
        up = [i for i in data.interfaces if i.is_up and (i.ipv4 or i.ipv6)]
        ifaces = ", ".join(f"{i.name} ({i.kind}) {', '.join(i.ipv4 + i.ipv6)}" for i in up)
        return f"{'connected' if data.connected else 'NOT connected'}: {ifaces or 'no interface with an address'}"
    if name == "connectivity":
        return (
            "; ".join(f"{s.name} {s.status}: {s.detail}" for s in data.steps)
            + f" ({data.total_ms:.0f} ms)"
        )
    if name == "app_faults":
        apps = ", ".join(
            f"{a.name}: {count(a.crashes, 'crash', 'crashes')}, {count(a.hangs, 'hang')}"
            for a in data.apps[:5]
        )
        return f"last {data.window_hours:.0f} h from {data.source}: {apps or 'none recorded'}"
    if name == "os_history":
        return _os_history_line(data)
    if name == "focus_app":
        state = "running" if data.running else "not running"
        return f"{data.name} ({state})"
    if name == "printing":
        printers = ", ".join(
            f"{p.name}{' (default)' if p.is_default else ''} {p.state}"
            + (f" [{p.message}]" if p.message else "")
            for p in data.printers
        )
        service = {True: "running", False: "NOT running", None: "unknown"}[data.service_running]
        return (
            f"print service {service}; {printers or 'no printers'}; "
            f"{count(len(data.jobs), 'document')} waiting"
        )
    return "read (see the JSON for the figures)"


def _os_history_line(data: Any) -> str:
    parts = []
    if data.load_avg:
        parts.append("load average (1, 5, 15 min) " + ", ".join(f"{x:.2f}" for x in data.load_avg))
    for label, p in (
        ("processor", data.cpu_pressure),
        ("memory", data.memory_pressure),
        ("drive", data.io_pressure),
    ):
        if p is not None and p.some_avg10 is not None:
            parts.append(
                f"waiting for {label} (avg10/60/300) {p.some_avg10:.1f}/{p.some_avg60:.1f}/"
                f"{p.some_avg300:.1f}%"
            )
    busiest = data.life_summary()[:3]
    if busiest:
        parts.append("busiest recent processes: " + "; ".join(busiest))
    return "; ".join(parts) or "nothing kept here"
