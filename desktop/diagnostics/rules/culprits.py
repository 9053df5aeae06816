"""Which application is behind a load: the history of the window first, this moment second."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.diagnostics.findings import RuleInput

# Background work is described as what it does, in words a person knows.
MAINTENANCE_WORDS = {
    "antivirus": "checking for viruses",
    "update": "installing updates",
    "indexing": "sorting files so that search is quick",
    "backup": "making a backup copy of files",
    "sync": "copying files to and from the cloud",
}


@dataclass(frozen=True)
class Culprit:
    app_id: str
    name: str
    background: str | None
    value: float  # the figure it was chosen by (mean cpu % of machine, bytes, B/s)
    pids: tuple[int, ...] = ()
    process_count: int = 0


def top_cpu(inp: RuleInput) -> Culprit | None:
    """The application with the highest mean processor use over the recent window."""
    window_s = inp.thresholds["recent_window_s"]
    entries = list(inp.app_history)
    if entries:
        end = entries[-1][0]
        entries = [e for e in entries if e[0] >= end - window_s]
    totals: dict[str, list] = {}
    for _, apps in entries:
        for a in apps:
            slot = totals.setdefault(a.app_id, [a.name, a.background, 0.0])
            slot[2] += a.cpu_pct
    current = inp.snapshot.section_data("processes")
    now_top = current.top_cpu if current is not None else ()
    pids = {a.app_id: (a.pids, a.process_count) for a in now_top}
    if totals:
        app_id, (name, background, total) = max(totals.items(), key=lambda kv: kv[1][2])
        p, n = pids.get(app_id, ((), 0))
        return Culprit(app_id, name, background, total / len(entries), p, n)
    if now_top:
        a = now_top[0]
        return Culprit(a.app_id, a.name, a.background, a.cpu_pct, a.pids, a.process_count)
    return None


def top_memory(inp: RuleInput) -> Culprit | None:
    current = inp.snapshot.section_data("processes")
    if current is None or not current.top_memory:
        return None
    a = current.top_memory[0]
    return Culprit(a.app_id, a.name, a.background, float(a.memory_bytes), a.pids, a.process_count)


def top_disk(inp: RuleInput) -> Culprit | None:
    current = inp.snapshot.section_data("processes")
    if current is None or not current.top_disk:
        return None
    a = current.top_disk[0]
    return Culprit(
        a.app_id,
        a.name,
        a.background,
        (a.read_bps or 0) + (a.write_bps or 0),
        a.pids,
        a.process_count,
    )
