"""The computer is parking working memory on the drive: the strongest cause of "everything is slow".

Judged from Ally's paging rate over the spell up to the click, or from what the system
itself keeps: Linux's memory pressure over the last minute, macOS's pressure level.
"""

from __future__ import annotations

from ally_helpdesk.evidence import plain_numbers
from desktop.base.words import say
from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.rules import culprits, spell

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind(
        "swapping", {Symptom.SLOW: 0, Symptom.APP: 6, Symptom.OTHER: 10}, words="findings.swapping"
    ),
)

VARIANTS = {"swapping": (None, "no_app")}


def check(inp: RuleInput) -> Finding | None:
    t = inp.thresholds
    paging = spell.to_now(inp, ("swap_in_pps", "swap_out_pps"), lambda v: v >= t["swap_pps"])
    mem = inp.snapshot.section_data("memory")
    pressure = mem.pressure if mem is not None else None
    psi = pressure.some_avg60 if pressure is not None else None
    level = pressure.level if pressure is not None else None
    by_rate = paging is not None and spell.long_enough(paging.seconds, inp)
    by_psi = psi is not None and psi >= t["psi_some_avg60_pct"]
    by_level = level in ("warning", "critical")
    if not (by_rate or by_psi or by_level):
        return None
    critical = (
        paging is not None and by_rate and paging.mean >= t["swap_critical_pps"]
    ) or level == "critical"
    who = culprits.top_memory(inp)
    evidence = {
        "spell_s": int(paging.seconds) if paging else 0,
        "history_s": round(inp.observed_s),
        "mean_swap_pps": round(paging.mean, 1) if paging else None,
        "peak_swap_pps": round(paging.peak, 1) if paging else None,
        "share_over_pct": round(100 * paging.share_over) if paging else None,
        "judged_from": _source(by_rate, by_psi, by_level),
        "threshold_swap_pps": t["swap_pps"],
        "psi_some_avg60_pct": psi,
        "threshold_psi_pct": t["psi_some_avg60_pct"],
        "pressure_level": level,
        "swap_used_pct": round(mem.swap_used_pct, 1) if mem else None,
        "memory_used_pct": round(mem.used_pct, 1) if mem else None,
        "app": who.name if who else None,
        "app_memory_bytes": int(who.value) if who else None,
        "app_pids": list(who.pids) if who else [],
    }
    words = {
        "app": who.name if who else say("no_single_program", "finding_words"),
        "app_size": plain_numbers.size(who.value if who else None),
        "minutes": plain_numbers.duration(paging.seconds if by_rate and paging else 60),
    }
    severity = Severity.CRITICAL if critical else Severity.WARNING
    if who is None:
        return Finding("swapping", severity, evidence, (), words, variant="no_app")
    return Finding("swapping", severity, evidence, (who.name,), words)


def _source(by_rate: bool, by_psi: bool, by_level: bool) -> str:
    """What the finding was judged from, each source named in [evidence.judged_from]."""
    keys = [key for key, used in (("own_paging", by_rate), ("psi_memory", by_psi)) if used]
    keys += ["level_macos"] if by_level else []
    said = it_says("judged_from", keys[0])
    for key in keys[1:]:
        said = it_says("judged_from", "both", first=said, second=it_says("judged_from", key))
    return said
