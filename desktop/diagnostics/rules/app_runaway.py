"""One program has kept a whole processor core busy for many minutes on its own."""

from __future__ import annotations

from desktop.diagnostics.findings import Finding, RuleInput, Severity
from desktop.diagnostics.rules import wording

_NOT_AN_APP = {"os-kernel", "ally"}


def check(inp: RuleInput) -> list[Finding]:
    t = inp.thresholds
    entries = list(inp.app_history)
    if len(entries) < 3:
        return []
    end = entries[-1][0]
    span = t["app_runaway_min_s"]
    recent = [e for e in entries if e[0] >= end - span * 1.5]
    if len(recent) < 3 or recent[-1][0] - recent[0][0] < span:
        return []
    proc = inp.snapshot.section_data("processor")
    cores = proc.logical_cores if proc is not None else 1
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
        if app_id in _NOT_AN_APP or background or len(series) < len(recent):
            continue
        if min(series) < t["app_runaway_cores"]:
            continue
        observed = recent[-1][0] - recent[0][0]
        evidence = {
            "app": name,
            "window_s": round(observed),
            "samples": len(series),
            "min_cores": round(min(series), 2),
            "mean_cores": round(sum(series) / len(series), 2),
            "threshold_cores": t["app_runaway_cores"],
            "logical_cores": cores,
        }
        found.append(
            Finding(
                "app_cpu_runaway",
                Severity.WARNING,
                evidence,
                (name,),
                {"app": name, "minutes": wording.duration(observed)},
            )
        )
    return found
