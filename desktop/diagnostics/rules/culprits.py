"""Which application is behind a load: Ally's process samples over the spell first, the
processes' own records (the OS's history) second, this moment last.

A program is named only when it holds the load: when it did at least ``culprit_share_pct``
(thresholds.py) of the work over the spell. Below that, several programs together are the
cause, and the busiest three are said by name, never one of them as if it were to blame.
Ally's own processes and the operating system are counted, never named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from desktop.base.words import say
from desktop.diagnostics.findings import RuleInput
from desktop.diagnostics.sampling.os_backfill import NOT_AN_APP, BusySpell


def maintenance_words(kind: str) -> str:
    """Background work described as what it does, in words a person knows
    ([finding_words.maintenance] in the catalog: antivirus, update, indexing, backup, sync)."""
    return say(kind, "finding_words.maintenance")


UNNAMED = "exe:"  # desktop/diagnostics/apps.py: the app id of a process with a blank name


@dataclass(frozen=True)
class Culprit:
    app_id: str
    name: str
    background: str | None
    value: float  # the figure it was chosen by (mean cpu % of machine, bytes, B/s)
    pids: tuple[int, ...] = ()
    process_count: int = 0


@dataclass(frozen=True)
class Blame:
    """Who holds a load. A program is ``named`` only when it did at least
    ``culprit_share_pct`` of the work over the spell; otherwise ``several`` programs shared
    it (the busiest three), and naming one of them would be a guess."""

    named: Culprit | None
    several: tuple[Culprit, ...]
    top_share_pct: float | None  # the busiest program's share of the load

    @property
    def top(self) -> Culprit | None:
        return self.named or (self.several[0] if self.several else None)


def blame(ranked: list[Culprit], load: float | None, inp: RuleInput) -> Blame | None:
    """The share rule over ``ranked`` (busiest first, each with its part of ``load`` in
    the same unit: % of the machine's processor, bytes per second). None when no program
    did any of the work."""
    ranked = [c for c in ranked if c.value > 0]
    if not ranked:
        return None
    top = ranked[0]
    share = min(100.0, 100.0 * top.value / load) if load and load > 0 else None
    # A program with no name ("(no name)") is never named: nothing a person can act on.
    # When it is the busiest, no other is named in its place either.
    if top.app_id == UNNAMED:
        return None
    if share is None or share >= inp.thresholds["culprit_share_pct"] or len(ranked) == 1:
        return Blame(top, (), share)
    return Blame(None, tuple(c for c in ranked if c.app_id != UNNAMED)[:3], share)


def cpu_blame(inp: RuleInput, seconds: float, machine_pct: float) -> Blame | None:
    """Who kept the processor busy over the last ``seconds`` (the spell being judged),
    from Ally's process samples (the click's own sample included), else this moment:
    each application's mean share of the machine, against the machine's mean
    ``machine_pct`` over the same spell."""
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
        ranked = [
            Culprit(app_id, name, background, total / len(entries), *pids.get(app_id, ((), 0)))
            for app_id, (name, background, total) in totals.items()
        ]
    else:
        ranked = [
            Culprit(a.app_id, a.name, a.background, a.cpu_pct, a.pids, a.process_count)
            for a in now_top
        ]
    ranked.sort(key=lambda c: c.value, reverse=True)
    return blame(ranked, machine_pct, inp)


def cpu_blame_from_spell(spell: BusySpell, cores: int, inp: RuleInput) -> Blame | None:
    """Who did the work in a spell the OS's records tell of, by the same share rule."""
    ranked = [
        Culprit(app_id, name, background, min(100.0, 100.0 * used / max(cores, 1)), pids, len(pids))
        for app_id, name, background, used, pids in spell.apps_ranked()
    ]
    return blame(ranked, spell.mean_pct, inp)


def top_memory(inp: RuleInput) -> Culprit | None:
    current = inp.snapshot.section_data("processes")
    if current is None or not current.top_memory:
        return None
    a = current.top_memory[0]
    return Culprit(a.app_id, a.name, a.background, float(a.memory_bytes), a.pids, a.process_count)


def disk_blame(inp: RuleInput) -> Blame | None:
    """Who is reading and writing now, by the share rule over everything read and
    written: each application's bytes per second against the drives' (or, where the
    drives' figure is missing, against what the applications together do)."""
    current = inp.snapshot.section_data("processes")
    if current is None or not current.top_disk:
        return None
    ranked = [
        Culprit(
            a.app_id,
            a.name,
            a.background,
            (a.read_bps or 0) + (a.write_bps or 0),
            a.pids,
            a.process_count,
        )
        for a in current.top_disk
        if a.app_id not in NOT_AN_APP
    ]
    ranked.sort(key=lambda c: c.value, reverse=True)
    latest = {k: v[-1] for k, v in inp.window.items() if v}
    drives = (latest.get("disk_read_bps") or 0.0) + (latest.get("disk_write_bps") or 0.0)
    together = sum(c.value for c in ranked)
    return blame(ranked, max(drives, together) if not math.isnan(drives) else together, inp)
