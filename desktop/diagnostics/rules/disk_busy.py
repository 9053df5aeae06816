"""A drive has been busy nearly all the time for the recent minutes."""

from __future__ import annotations

from desktop.diagnostics.findings import Finding, RuleInput, Severity
from desktop.diagnostics.rules import culprits, wording
from desktop.diagnostics.rules.sustained import is_sustained, judge


def check(inp: RuleInput) -> Finding | None:
    t = inp.thresholds
    busy = judge(inp, "disk_busy_pct", lambda v: v >= t["disk_busy_pct"])
    if not is_sustained(busy, inp):
        return None
    assert busy is not None
    who = culprits.top_disk(inp)
    evidence = {
        "window_s": round(busy.window_s),
        "mean_busy_pct": round(busy.mean, 1),
        "share_over_pct": round(100 * busy.share_over),
        "threshold_busy_pct": t["disk_busy_pct"],
        "app": who.name if who else None,
        "app_io_bps": round(who.value) if who else None,
        "app_pids": list(who.pids) if who else [],
        "background_kind": who.background if who else None,
    }
    words = {"minutes": wording.duration(busy.window_s)}
    if who is None:
        return Finding("disk_busy", Severity.WARNING, evidence, (), words, variant="no_app")
    if who.background:
        words |= {"app": who.name, "task": culprits.MAINTENANCE_WORDS[who.background]}
        return Finding(
            "disk_busy", Severity.WARNING, evidence, (who.name,), words, variant="maintenance"
        )
    return Finding("disk_busy", Severity.WARNING, evidence, (who.name,), words | {"app": who.name})
