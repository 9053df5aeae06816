"""One program has kept a whole processor core busy for many minutes on its own.

Judged from Ally's process samples when they span long enough; otherwise from the
program's own record (processor time since it started), which every system keeps.
"""

from __future__ import annotations

from ally_helpdesk.evidence import plain_numbers
from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.sampling import os_backfill

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind(
        "app_cpu_runaway",
        {Symptom.SLOW: 5, Symptom.APP: 3, Symptom.OTHER: 15},
        words="findings.app_cpu_runaway",
    ),
)

VARIANTS = {"app_cpu_runaway": (None,)}


def check(inp: RuleInput) -> list[Finding]:
    found = _from_samples(inp)
    seen = {f.apps[0] for f in found}
    return found + [f for f in _from_lives(inp) if f.apps[0] not in seen]


def _cores(inp: RuleInput) -> int:
    proc = inp.snapshot.section_data("processor")
    return proc.logical_cores if proc is not None else 1


def _finding(name: str, seconds: float, evidence: dict) -> Finding:
    return Finding(
        "app_cpu_runaway",
        Severity.WARNING,
        {"app": name, "window_s": round(seconds), **evidence},
        (name,),
        {"app": name, "minutes": plain_numbers.duration(seconds)},
    )


def _from_samples(inp: RuleInput) -> list[Finding]:
    t = inp.thresholds
    entries = list(inp.app_history)
    if len(entries) < 3:
        return []
    end = entries[-1][0]
    span = t["app_runaway_min_s"]
    recent = [e for e in entries if e[0] >= end - span * 1.5]
    if len(recent) < 3 or recent[-1][0] - recent[0][0] < span:
        return []
    cores = _cores(inp)
    per_app: dict[str, list[float]] = {}
    names: dict[str, tuple[str, str | None]] = {}
    for _, apps in recent:
        for a in apps:
            per_app.setdefault(a.app_id, []).append(a.cpu_pct * cores / 100.0)
            names[a.app_id] = (a.name, a.background)
    found = []
    for app_id, series in per_app.items():
        name, background = names[app_id]
        # Present and busy at every sample of the span; background tasks are maintenance.
        if app_id in os_backfill.NOT_AN_APP or background or len(series) < len(recent):
            continue
        if min(series) < t["app_runaway_cores"]:
            continue
        observed = recent[-1][0] - recent[0][0]
        evidence = {
            "judged_from": it_says("judged_from", "samples", count=len(series)),
            "min_cores": round(min(series), 2),
            "mean_cores": round(sum(series) / len(series), 2),
            "threshold_cores": t["app_runaway_cores"],
            "logical_cores": cores,
        }
        found.append(_finding(name, observed, evidence))
    return found


def _from_lives(inp: RuleInput) -> list[Finding]:
    """A process busy on average for its whole life of 5+ minutes, and busy now."""
    t = inp.thresholds
    hist = inp.snapshot.section_data("os_history")
    procs = inp.snapshot.section_data("processes")
    if hist is None or procs is None:
        return []
    busy_now = {a.app_id for a in procs.top_cpu if a.cpu_cores >= t["app_runaway_cores"]}
    found: dict[str, Finding] = {}
    for life in os_backfill.hard_workers(
        hist.lives, hist.read_at, t["app_runaway_cores"], t["app_runaway_min_s"]
    ):
        if life.app_id not in busy_now or life.background or life.name in found:
            continue
        age = life.age_s(hist.read_at)
        evidence = {
            "judged_from": it_says("judged_from", "life"),
            "min_cores": None,
            "mean_cores": round(life.cores(hist.read_at), 2),
            "threshold_cores": t["app_runaway_cores"],
            "logical_cores": _cores(inp),
            "pid": life.pid,
            "cpu_s": round(life.cpu_s),
        }
        found[life.name] = _finding(life.name, age, evidence)
    return list(found.values())
