"""Which findings matter most for what the person said feels wrong.

Findings that explain the symptom come first (most severe first, then in the order
below); others follow, so nothing found is hidden, but the answer leads with what fits.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop.diagnostics.findings import Finding
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


def is_relevant(finding: Finding, symptom: Symptom) -> bool:
    return finding.id in RELEVANT[symptom]


def order(findings: Sequence[Finding], symptom: Symptom) -> list[Finding]:
    relevant = RELEVANT[symptom]

    def key(f: Finding) -> tuple[int, int, int]:
        place = relevant.index(f.id) if f.id in relevant else len(relevant)
        return (0 if f.id in relevant else 1, -f.severity.rank, place)

    return sorted(findings, key=key)
