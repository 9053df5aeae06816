"""The processor has been saturated for the recent minutes, and by whom."""

from __future__ import annotations

from desktop.diagnostics.findings import Finding, RuleInput, Severity
from desktop.diagnostics.rules import culprits, wording
from desktop.diagnostics.rules.sustained import is_sustained, judge


def check(inp: RuleInput) -> Finding | None:
    t = inp.thresholds
    load = judge(inp, "cpu_pct", lambda v: v >= t["cpu_busy_pct"])
    if not is_sustained(load, inp):
        return None
    assert load is not None
    who = culprits.top_cpu(inp)
    severity = Severity.CRITICAL if load.mean >= t["cpu_critical_pct"] else Severity.WARNING
    evidence = {
        "window_s": round(load.window_s),
        "samples": load.samples,
        "mean_cpu_pct": round(load.mean, 1),
        "peak_cpu_pct": round(load.peak, 1),
        "share_over_pct": round(100 * load.share_over),
        "threshold_cpu_pct": t["cpu_busy_pct"],
        "app": who.name if who else None,
        "app_mean_cpu_pct": round(who.value, 1) if who else None,
        "app_pids": list(who.pids) if who else [],
        "background_kind": who.background if who else None,
    }
    words = {"minutes": wording.duration(load.window_s)}
    if who is not None and who.background:
        words |= {"app": who.name, "task": culprits.MAINTENANCE_WORDS[who.background]}
        return Finding(
            "cpu_maintenance",
            Severity.WARNING if severity is Severity.CRITICAL else Severity.NOTICE,
            evidence,
            (who.name,),
            words,
        )
    if who is None:
        return Finding("cpu_saturated", severity, evidence, (), words, variant="no_app")
    return Finding("cpu_saturated", severity, evidence, (who.name,), words | {"app": who.name})
