"""Working memory has been nearly all used for the recent minutes."""

from __future__ import annotations

from desktop.diagnostics.findings import Finding, RuleInput, Severity
from desktop.diagnostics.rules import culprits, wording
from desktop.diagnostics.rules.sustained import is_sustained, judge


def check(inp: RuleInput) -> Finding | None:
    t = inp.thresholds
    by_pct = judge(inp, "mem_used_pct", lambda v: v >= t["memory_used_pct"])
    by_free = judge(inp, "mem_available_bytes", lambda v: v < t["memory_available_min_bytes"])
    if not (is_sustained(by_pct, inp) or is_sustained(by_free, inp)):
        return None
    basis = by_pct if is_sustained(by_pct, inp) else by_free
    assert basis is not None
    mem = inp.snapshot.section_data("memory")
    who = culprits.top_memory(inp)
    total = mem.total_bytes if mem else None
    evidence = {
        "window_s": round(basis.window_s),
        "mean_used_pct": round(by_pct.mean, 1) if by_pct else None,
        "available_bytes": mem.available_bytes if mem else None,
        "total_bytes": total,
        "threshold_used_pct": t["memory_used_pct"],
        "threshold_available_bytes": t["memory_available_min_bytes"],
        "app": who.name if who else None,
        "app_memory_bytes": int(who.value) if who else None,
        "app_share_pct": round(100 * who.value / total, 1) if who and total else None,
        "app_process_count": who.process_count if who else None,
        "app_pids": list(who.pids) if who else [],
    }
    words = {
        "minutes": wording.duration(basis.window_s),
        "app": who.name if who else "no single program",
        "app_size": wording.size(who.value if who else None),
        "free": wording.size(mem.available_bytes if mem else None),
    }
    if who is None:
        return Finding("memory_exhausted", Severity.WARNING, evidence, (), words, variant="no_app")
    return Finding("memory_exhausted", Severity.WARNING, evidence, (who.name,), words)
