"""Which application is behind a load: Ally's process samples over the spell first, the
processes' own records (the OS's history) second, this moment last."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.diagnostics.findings import RuleInput
from desktop.diagnostics.sampling.os_backfill import NOT_AN_APP, BusySpell
from desktop.words import say


def maintenance_words(kind: str) -> str:
    """Background work described as what it does, in words a person knows
    ([finding_words.maintenance] in the catalog: antivirus, update, indexing, backup, sync)."""
    return say(kind, "finding_words.maintenance")


@dataclass(frozen=True)
class Culprit:
    app_id: str
    name: str
    background: str | None
    value: float  # the figure it was chosen by (mean cpu % of machine, bytes, B/s)
    pids: tuple[int, ...] = ()
    process_count: int = 0


def top_cpu(inp: RuleInput, seconds: float) -> Culprit | None:
    """The application with the highest mean processor use over the last ``seconds``
    (the spell being judged) of Ally's process samples, the click's own sample included."""
    entries = list(inp.app_history)
    if entries:
        end = entries[-1][0]
        entries = [e for e in entries if e[0] >= end - seconds]
    totals: dict[str, list] = {}
    for _, apps in entries:
        for a in apps:
            if a.app_id in NOT_AN_APP:
                continue
            slot = totals.setdefault(a.app_id, [a.name, a.background, 0.0])
            slot[2] += a.cpu_pct
    current = inp.snapshot.section_data("processes")
    now_top = [
        a for a in (current.top_cpu if current is not None else ()) if a.app_id not in NOT_AN_APP
    ]
    pids = {a.app_id: (a.pids, a.process_count) for a in now_top}
    if totals:
        app_id, (name, background, total) = max(totals.items(), key=lambda kv: kv[1][2])
        p, n = pids.get(app_id, ((), 0))
        return Culprit(app_id, name, background, total / len(entries), p, n)
    if now_top:
        a = now_top[0]
        return Culprit(a.app_id, a.name, a.background, a.cpu_pct, a.pids, a.process_count)
    return None


def from_busy_spell(spell: BusySpell, now: float, cores: int) -> Culprit | None:
    """The program that did most of the work in a spell the OS's records tell of."""
    top = spell.top_app(now)
    if top is None:
        return None
    app_id, name, background, app_cores, pids = top
    share = min(100.0, 100.0 * app_cores / max(cores, 1))
    return Culprit(app_id, name, background, share, pids, len(pids))


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
