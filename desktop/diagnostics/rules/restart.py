"""A restart is waiting after updates, or the computer has not restarted in a long time."""

from __future__ import annotations

from ally_helpdesk.evidence import plain_numbers
from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.model import Symptom

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind(
        "restart_pending",
        {Symptom.SLOW: 12, Symptom.APP: 9, Symptom.PRINTING: 8, Symptom.OTHER: 22},
        words="findings.restart_pending",
    ),
    FindingKind(
        "uptime_long",
        {Symptom.SLOW: 13, Symptom.APP: 10, Symptom.OTHER: 23},
        words="findings.uptime_long",
    ),
)

VARIANTS = {"restart_pending": (None,), "uptime_long": (None,)}


def pending(inp: RuleInput) -> Finding | None:
    s = inp.snapshot.section_data("system")
    if s is None or not s.pending_restart:
        return None
    evidence = {"sources": list(s.pending_restart_sources), "uptime_s": round(s.uptime_s)}
    return Finding("restart_pending", Severity.NOTICE, evidence)


def overdue(inp: RuleInput) -> Finding | None:
    t = inp.thresholds
    s = inp.snapshot.section_data("system")
    if s is None or s.uptime_s < t["uptime_long_s"]:
        return None
    evidence = {
        "uptime_s": round(s.uptime_s),
        "boot_time": s.boot_time,
        "threshold_s": t["uptime_long_s"],
    }
    return Finding(
        "uptime_long", Severity.NOTICE, evidence, (), {"days": plain_numbers.duration(s.uptime_s)}
    )
