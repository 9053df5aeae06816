"""Which findings matter most, and which checks an answer cannot do without.

A finding the person can feel (warning or critical) always leads a milder one, whatever
symptom was chosen: name lookup failing during "it's slow" is news, not a footnote behind
"nothing found". Among the felt ones, and then among the milder ones, the findings that
explain the chosen symptom come first (most severe first, then in the order below);
nothing found is hidden.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop.diagnostics.findings import Finding, Severity
from desktop.diagnostics.model import Symptom

_SLOW = (
    "swapping",
    "memory_exhausted",
    "cpu_saturated",
    "cpu_maintenance",
    "disk_busy",
    "app_cpu_runaway",
    "app_memory_growth",
    "disk_nearly_full",
    "running_hot",
    "battery_low",
    "power_saver",
    "many_instances",
    "restart_pending",
    "uptime_long",
)

# The chain from this computer outwards, in order: the first broken link explains the rest.
_NETWORK = (
    "network_disconnected",
    "gateway_missing",
    "gateway_unreachable",
    "captive_portal",
    "name_lookup_failed",
    "internet_unreachable",
    "vpn_down",
    "it_servers_unreachable",
    "wifi_weak",
    "connection_slow",
)

RELEVANT: dict[Symptom, tuple[str, ...]] = {
    Symptom.SLOW: (*_SLOW, "wifi_weak", "connection_slow"),
    Symptom.INTERNET: _NETWORK,
    Symptom.APP: (
        "app_crashed",
        "app_hung",
        "app_focus",
        "app_cpu_runaway",
        "app_memory_growth",
        "memory_exhausted",
        "swapping",
        "disk_nearly_full",
        "many_instances",
        "restart_pending",
        "uptime_long",
    ),
    Symptom.PRINTING: (
        "print_service_down",
        "no_printer",
        "default_printer_unavailable",
        "print_jobs_stuck",
        "no_default_printer",
        "network_disconnected",
        "gateway_missing",
        "gateway_unreachable",
        "restart_pending",
    ),
    Symptom.OTHER: (
        *_NETWORK,
        *_SLOW,
        "app_crashed",
        "app_hung",
        "app_focus",
        "print_service_down",
        "default_printer_unavailable",
        "print_jobs_stuck",
    ),
}


# Without these checks there is no honest answer to the symptom: when one of them could not
# be made, the answer says so instead of "nothing found".
KEY_CHECKS: dict[Symptom, tuple[str, ...]] = {
    Symptom.SLOW: ("processor", "memory"),
    Symptom.INTERNET: ("connectivity",),
    Symptom.APP: ("app_faults", "focus_app"),
    Symptom.PRINTING: ("printing",),
    Symptom.OTHER: (),
}

# Checks whose absence is worth a sentence in the answer for this symptom.
ALSO_MENTIONED: dict[Symptom, tuple[str, ...]] = {
    Symptom.SLOW: ("disks", "processes"),
    Symptom.INTERNET: ("network",),
    Symptom.APP: ("processes", "memory"),
    Symptom.PRINTING: ("network",),
    Symptom.OTHER: ("connectivity", "processor", "memory", "app_faults", "printing"),
}


def is_relevant(finding: Finding, symptom: Symptom) -> bool:
    return finding.id in RELEVANT[symptom]


def is_felt(finding: Finding) -> bool:
    """Serious enough to lead any answer."""
    return finding.severity.rank >= Severity.WARNING.rank


def order(findings: Sequence[Finding], symptom: Symptom) -> list[Finding]:
    relevant = RELEVANT[symptom]

    def key(f: Finding) -> tuple[int, int, int, int]:
        place = relevant.index(f.id) if f.id in relevant else len(relevant)
        fits = 0 if f.id in relevant else 1
        # What the person can feel first, what explains their symptom first among those.
        return (0 if is_felt(f) else 1, fits, -f.severity.rank, place)

    return sorted(findings, key=key)
