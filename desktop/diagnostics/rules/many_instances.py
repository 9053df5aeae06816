"""One application runs as a very large number of copies (hundreds of browser tabs)."""

from __future__ import annotations

from ally_helpdesk.evidence import plain_numbers
from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.model import Symptom

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind(
        "many_instances",
        {Symptom.SLOW: 11, Symptom.APP: 8, Symptom.OTHER: 21},
        words="findings.many_instances",
    ),
)

VARIANTS = {"many_instances": (None,)}


def check(inp: RuleInput) -> list[Finding]:
    t = inp.thresholds
    procs = inp.snapshot.section_data("processes")
    mem = inp.snapshot.section_data("memory")
    if procs is None:
        return []
    tight = mem is not None and mem.used_pct >= t["memory_used_pct"]
    found = []
    for a in procs.most_instances:
        if a.app_id == "os-kernel" or a.process_count < t["app_instances"]:
            continue
        evidence = {
            "app": a.name,
            "process_count": a.process_count,
            "threshold_process_count": t["app_instances"],
            "memory_bytes": a.memory_bytes,
            "memory_used_pct": round(mem.used_pct, 1) if mem else None,
        }
        words = {
            "app": a.name,
            "count": str(a.process_count),
            "size": plain_numbers.size(a.memory_bytes),
        }
        found.append(
            Finding(
                "many_instances",
                Severity.WARNING if tight else Severity.NOTICE,
                evidence,
                (a.name,),
                words,
            )
        )
    return found
