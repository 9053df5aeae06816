"""When the network walk did not run (IT turned the active checks off, or it failed), what
this computer itself knows still answers "the internet is down": no way out to the
internet, a required VPN that is not on, or a connection that is in place here, so the
trouble lies further on. Read by the local_network probe, without sending anything."""

from __future__ import annotations

from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.model import Status, Symptom
from desktop.diagnostics.rules.network_chain import vpn_words

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind(
        "network_local_view",
        {Symptom.INTERNET: 10, Symptom.OTHER: 10},
        words="findings.network_local_view",
    ),
)

# gateway_missing and vpn_down, which this rule may also conclude, are network_chain's;
# their "local" variants are declared there.
VARIANTS = {"network_local_view": (None, "wired", "wireless")}


def check(inp: RuleInput) -> Finding | None:
    walk = inp.snapshot.sections.get("connectivity")
    if walk is None or walk.status is Status.OK:
        return None  # the walk ran, or was not asked for: it says more than this
    local = inp.snapshot.section_data("local_network")
    if local is None or not local.connected:
        return None  # not connected at all: network_basics says so
    evidence = {
        "why": walk.reason or walk.status.value,
        "links": [f"{x.name} ({x.kind}) {' '.join(x.addresses)}" for x in local.links],
        "gateways": None
        if local.gateways is None
        else [f"{g.address or g.interface} ({g.family})" for g in local.gateways],
        "resolvers_configured": local.resolvers_configured,
        "vpn_interfaces": list(local.vpn_interfaces) or None,
        "wifi": [
            f"{w.interface} signal {w.signal_pct:.0f}%"
            for w in local.wifi
            if w.signal_pct is not None
        ]
        or None,
    }
    if local.gateways is not None and not local.gateways:
        return Finding("gateway_missing", Severity.CRITICAL, evidence, variant="local")
    if local.vpn_required and not local.vpn_interfaces:
        words = vpn_words(local.vpn_program)
        return Finding("vpn_down", Severity.WARNING, evidence, (), words, variant="local")
    kind = local.kind
    return Finding(
        "network_local_view",
        Severity.NOTICE,
        evidence,
        variant=kind if kind in ("wired", "wireless") else None,
    )
