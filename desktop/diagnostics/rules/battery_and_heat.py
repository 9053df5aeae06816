"""Battery low, power-saving mode on, or running hot."""

from __future__ import annotations

from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.model import Symptom

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind("battery_low", {Symptom.SLOW: 9, Symptom.OTHER: 19}, words="findings.battery_low"),
    FindingKind("power_saver", {Symptom.SLOW: 10, Symptom.OTHER: 20}, words="findings.power_saver"),
    FindingKind("running_hot", {Symptom.SLOW: 8, Symptom.OTHER: 18}, words="findings.running_hot"),
)

VARIANTS = {
    "battery_low": (None,),
    "power_saver": (None, "on_battery"),
    "running_hot": (None,),
}


def battery_low(inp: RuleInput) -> Finding | None:
    t = inp.thresholds
    p = inp.snapshot.section_data("power")
    if p is None or not p.has_battery or p.plugged_in or p.battery_pct is None:
        return None
    if p.battery_pct > t["battery_low_pct"]:
        return None
    critical = p.battery_pct <= t["battery_critical_pct"]
    evidence = {
        "battery_pct": p.battery_pct,
        "plugged_in": p.plugged_in,
        "time_left_s": p.battery_time_left_s,
        "threshold_low_pct": t["battery_low_pct"],
        "threshold_critical_pct": t["battery_critical_pct"],
    }
    return Finding(
        "battery_low",
        Severity.CRITICAL if critical else Severity.WARNING,
        evidence,
        (),
        {"percent": f"{p.battery_pct:.0f}%"},
    )


def power_saver(inp: RuleInput) -> Finding | None:
    p = inp.snapshot.section_data("power")
    if p is None or not p.power_saver:
        return None
    evidence = {
        "power_mode": p.power_mode,
        "source": p.power_mode_source,
        "plugged_in": p.plugged_in,
    }
    return Finding(
        "power_saver",
        Severity.NOTICE,
        evidence,
        (),
        variant="on_battery" if p.has_battery and not p.plugged_in else None,
    )


def running_hot(inp: RuleInput) -> Finding | None:
    t = inp.thresholds
    p = inp.snapshot.section_data("power")
    if p is None or not p.temperatures:
        return None
    hottest = p.temperatures[0]
    if not (p.hottest_over_high or hottest.current_c >= t["temperature_hot_c"]):
        return None
    evidence = {
        "sensor": f"{hottest.sensor}/{hottest.label}",
        "current_c": hottest.current_c,
        "high_c": hottest.high_c,
        "critical_c": hottest.critical_c,
        "threshold_c": t["temperature_hot_c"],
    }
    return Finding("running_hot", Severity.WARNING, evidence)
