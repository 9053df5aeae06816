"""No network connection at all: no interface up with an address."""

from __future__ import annotations

from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.model import Symptom

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind(
        "network_disconnected",
        {Symptom.INTERNET: 0, Symptom.PRINTING: 5, Symptom.OTHER: 0},
        words="findings.network_disconnected",
    ),
)

VARIANTS = {"network_disconnected": (None,)}


def disconnected(inp: RuleInput) -> Finding | None:
    n = inp.snapshot.section_data("network")
    if n is None or n.connected:
        return None
    evidence = {
        "interfaces": [
            {
                "name": i.name,
                "kind": i.kind,
                "up": i.is_up,
                "ipv4": list(i.ipv4),
                "ipv6": list(i.ipv6),
            }
            for i in n.interfaces
        ]
    }
    return Finding("network_disconnected", Severity.CRITICAL, evidence)
