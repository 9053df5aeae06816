"""The computer is parking working memory on the drive: the strongest cause of "everything is slow"."""

from __future__ import annotations

from desktop.diagnostics.findings import Finding, RuleInput, Severity
from desktop.diagnostics.rules import culprits, wording
from desktop.diagnostics.rules.sustained import is_sustained, judge


def check(inp: RuleInput) -> Finding | None:
    t = inp.thresholds
    paging = judge(inp, ("swap_in_pps", "swap_out_pps"), lambda v: v >= t["swap_pps"])
    mem = inp.snapshot.section_data("memory")
    pressure = mem.pressure if mem is not None else None
    psi = pressure.some_avg60 if pressure is not None else None
    level = pressure.level if pressure is not None else None
    by_rate = is_sustained(paging, inp)
    by_psi = psi is not None and psi >= t["psi_some_avg60_pct"]
    by_level = level in ("warning", "critical")
    if not (by_rate or by_psi or by_level):
        return None
    critical = (
        paging is not None and by_rate and paging.mean >= t["swap_critical_pps"]
    ) or level == "critical"
    who = culprits.top_memory(inp)
    evidence = {
        "window_s": round(paging.window_s) if paging else None,
        "mean_swap_pps": round(paging.mean, 1) if paging else None,
        "peak_swap_pps": round(paging.peak, 1) if paging else None,
        "share_over_pct": round(100 * paging.share_over) if paging else None,
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
        "app": who.name if who else "no single program",
        "app_size": wording.size(who.value if who else None),
        "minutes": wording.duration(paging.window_s if paging else 60),
    }
    severity = Severity.CRITICAL if critical else Severity.WARNING
    if who is None:
        return Finding("swapping", severity, evidence, (), words, variant="no_app")
    return Finding("swapping", severity, evidence, (who.name,), words)
