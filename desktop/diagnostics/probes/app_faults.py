"""Recent application crashes and hangs, grouped by application, and the program the
person named (its processor, memory and crash history)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ally_helpdesk.evidence.plain_numbers import count
from desktop.diagnostics.apps import AppCatalog
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.probe import Probe, ProbeContext, Unavailable
from desktop.diagnostics.readers.fault_records import FaultEvent, ParsedRecords
from desktop.diagnostics.sampling.process_sample import AppUsage

MAX_TIMES = 10


@dataclass(frozen=True)
class AppFaults:
    app_id: str
    name: str
    crashes: int
    hangs: int
    first: str  # ISO 8601 UTC
    last: str
    versions: tuple[str, ...]
    details: tuple[str, ...]  # distinct kinds of fault: signal or exception code
    times: tuple[str, ...]  # the most recent ones

    @property
    def count(self) -> int:
        return self.crashes + self.hangs


@dataclass(frozen=True)
class AppFaultsInfo:
    window_hours: float
    source: str
    apps: tuple[AppFaults, ...]  # most faults first
    total: int
    unreadable_records: int  # records skipped because they could not be read


def _it(key: str, /, **values: Any) -> str:
    return it_says("focus_app", key, **values)


def group(records: ParsedRecords, catalog: AppCatalog) -> list[AppFaults]:
    by_app: dict[str, list[FaultEvent]] = defaultdict(list)
    names: dict[str, str] = {}
    for event in records.events:
        ident = catalog.identify(event.executable)
        by_app[ident.app_id].append(event)
        names[ident.app_id] = ident.name
    out = []
    for app_id, events in by_app.items():
        events.sort(key=lambda e: e.time)
        out.append(
            AppFaults(
                app_id=app_id,
                name=names[app_id],
                crashes=sum(1 for e in events if e.kind == "crash"),
                hangs=sum(1 for e in events if e.kind == "hang"),
                first=events[0].time.isoformat(timespec="seconds"),
                last=events[-1].time.isoformat(timespec="seconds"),
                versions=tuple(sorted({e.version for e in events if e.version})),
                details=tuple(sorted({e.detail for e in events if e.detail}))[:5],
                times=tuple(e.time.isoformat(timespec="seconds") for e in events[-MAX_TIMES:]),
            )
        )
    out.sort(key=lambda a: (a.count, a.last), reverse=True)
    return out


def check(ctx: ProbeContext) -> AppFaultsInfo:
    records, source = ctx.faults()
    apps = group(records, ctx.catalog)
    return AppFaultsInfo(
        ctx.policy.fault_window_hours, source, tuple(apps), len(records.events), records.malformed
    )


@dataclass(frozen=True)
class FocusApp:
    asked_for: str
    app_id: str
    name: str
    running: bool
    usage: AppUsage | None
    cpu_history: tuple[tuple[float, float], ...]  # (seconds before now, % of machine)
    memory_history: tuple[tuple[float, int], ...]  # (seconds before now, bytes)
    faults: AppFaults | None


def resolve(query: str, catalog: AppCatalog, apps: list[tuple[str, str]]) -> tuple[str, str]:
    """The application meant by ``query``: an id, a name people know, or an executable."""
    wanted = query.strip().lower()
    for app_id, name in apps:
        if wanted in (app_id.lower(), name.lower()):
            return app_id, name
    ident = catalog.identify(query)
    return ident.app_id, ident.name


def check_focus(ctx: ProbeContext) -> FocusApp:
    if not ctx.focus_app:
        raise Unavailable(_it("none_named"))
    sample = ctx.processes()
    try:
        records, _ = ctx.faults()
        faults = group(records, ctx.catalog)
    except Unavailable:
        faults = []
    known = [(a.app_id, a.name) for a in sample.apps] + [(f.app_id, f.name) for f in faults]
    app_id, name = resolve(ctx.focus_app, ctx.catalog, known)
    usage = next((a for a in sample.apps if a.app_id == app_id), None)
    now = sample.taken_at
    cpu, memory = [], []
    for t, apps in ctx.sampler.process_history.entries():
        for a in apps:
            if a.app_id == app_id:
                cpu.append((round(t - now, 1), a.cpu_pct))
                memory.append((round(t - now, 1), a.memory_bytes))
    return FocusApp(
        asked_for=ctx.focus_app,
        app_id=app_id,
        name=name,
        running=usage is not None,
        usage=usage,
        cpu_history=tuple(cpu),
        memory_history=tuple(memory),
        faults=next((f for f in faults if f.app_id == app_id), None),
    )


def it_summary(data: AppFaultsInfo) -> str:
    """IT's one line for this section (``ally diagnose`` and the report)."""
    apps = ", ".join(
        f"{a.name}: {count(a.crashes, 'crash', 'crashes')}, {count(a.hangs, 'hang')}"
        for a in data.apps[:5]
    )
    return f"last {data.window_hours:.0f} h from {data.source}: {apps or 'none recorded'}"


def focus_it_summary(data: FocusApp) -> str:
    """IT's one line for the program the person named."""
    return _it("running" if data.running else "not_running", name=data.name)


PROBE = Probe(
    "app_faults",
    check,
    timeout_s=4.5,
    symptoms=frozenset({Symptom.APP, Symptom.OTHER}),
    it_summary=it_summary,
    key_for={Symptom.APP: 0},
    mentioned_for={Symptom.OTHER: 3},
)
FOCUS_PROBE = Probe(
    "focus_app",
    check_focus,
    timeout_s=4.5,
    needs_focus_app=True,
    it_summary=focus_it_summary,
    key_for={Symptom.APP: 1},
)
