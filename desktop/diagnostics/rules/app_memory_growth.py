"""One program's memory has grown steadily for many minutes: most likely a leak in it."""

from __future__ import annotations

import statistics

from ally_helpdesk.evidence import plain_numbers
from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.model import Symptom

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind(
        "app_memory_growth",
        {Symptom.SLOW: 6, Symptom.APP: 4, Symptom.OTHER: 16},
        words="findings.app_memory_growth",
    ),
)

VARIANTS = {"app_memory_growth": (None,)}

MIN_CORRELATION = 0.9  # steady growth, not a one-off jump or a sawtooth


def check(inp: RuleInput) -> list[Finding]:
    t = inp.thresholds
    series: dict[str, list[tuple[float, float]]] = {}
    names: dict[str, str] = {}
    for ts, apps in inp.app_history:
        for a in apps:
            series.setdefault(a.app_id, []).append((ts, float(a.memory_bytes)))
            names[a.app_id] = a.name
    found = []
    for app_id, points in series.items():
        if len(points) < 4 or app_id in ("os-kernel",):
            continue
        span = points[-1][0] - points[0][0]
        if span < t["app_growth_min_s"]:
            continue
        start, end = points[0][1], points[-1][1]
        growth = end - start
        if (
            growth < t["app_growth_min_bytes"]
            or start <= 0
            or growth / start < t["app_growth_min_ratio"]
        ):
            continue
        times = [p[0] for p in points]
        values = [p[1] for p in points]
        try:
            r = statistics.correlation(times, values)
        except statistics.StatisticsError:
            continue
        if r < MIN_CORRELATION:
            continue
        name = names[app_id]
        evidence = {
            "app": name,
            "window_s": round(span),
            "samples": len(points),
            "start_bytes": int(start),
            "end_bytes": int(end),
            "growth_bytes": int(growth),
            "growth_per_min_bytes": int(growth / (span / 60.0)),
            "correlation": round(r, 3),
            "threshold_growth_bytes": t["app_growth_min_bytes"],
            "threshold_growth_ratio": t["app_growth_min_ratio"],
        }
        words = {
            "app": name,
            "start": plain_numbers.size(start),
            "end": plain_numbers.size(end),
            "minutes": plain_numbers.duration(span),
        }
        found.append(Finding("app_memory_growth", Severity.WARNING, evidence, (name,), words))
    return found
