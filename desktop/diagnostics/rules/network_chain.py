"""Which link in the chain to the internet is broken — the first one only.

When the gateway does not answer, name lookup and the internet fail too; naming those
would send IT down the wrong path. So the walk is judged in order and stops at the first
broken link. Weak Wi-Fi and a slow or lossy path are reported alongside, since they can
cause the rest.
"""

from __future__ import annotations

from typing import Any

from desktop.diagnostics.findings import Finding, FindingKind, RuleInput, Severity
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.net.causes import TIMEOUT, words

# What this rule can conclude, and where each cause stands in the answer to each symptom.
FINDINGS = (
    FindingKind(
        "gateway_missing",
        {Symptom.INTERNET: 1, Symptom.PRINTING: 6, Symptom.OTHER: 1},
        words="findings.gateway_missing",
    ),
    FindingKind(
        "gateway_unreachable",
        {Symptom.INTERNET: 2, Symptom.PRINTING: 7, Symptom.OTHER: 2},
        words="findings.gateway_unreachable",
    ),
    FindingKind(
        "captive_portal", {Symptom.INTERNET: 3, Symptom.OTHER: 3}, words="findings.captive_portal"
    ),
    FindingKind(
        "name_lookup_failed",
        {Symptom.INTERNET: 4, Symptom.OTHER: 4},
        words="findings.name_lookup_failed",
    ),
    FindingKind(
        "internet_unreachable",
        {Symptom.INTERNET: 5, Symptom.OTHER: 5},
        words="findings.internet_unreachable",
    ),
    FindingKind("vpn_down", {Symptom.INTERNET: 6, Symptom.OTHER: 6}, words="findings.vpn_down"),
    FindingKind(
        "it_servers_unreachable",
        {Symptom.INTERNET: 7, Symptom.OTHER: 7},
        words="findings.it_servers_unreachable",
    ),
    FindingKind(
        "wifi_weak",
        {Symptom.SLOW: 14, Symptom.INTERNET: 8, Symptom.OTHER: 8},
        words="findings.wifi_weak",
    ),
    FindingKind(
        "connection_slow",
        {Symptom.SLOW: 15, Symptom.INTERNET: 9, Symptom.OTHER: 9},
        words="findings.connection_slow",
    ),
)

VARIANTS = {
    "gateway_missing": (None, "local"),  # "local": read on this computer (network_local.py)
    "gateway_unreachable": (None,),
    "captive_portal": (None,),
    "name_lookup_failed": (
        None,  # nobody answered
        "no_such_name",
        "error_reply",
        "system_only",
        "no_resolvers",
    ),
    "internet_unreachable": (None, "errors"),
    "vpn_down": (None, "local"),
    "it_servers_unreachable": (None,),
    "wifi_weak": (None,),
    "connection_slow": (None, "lossy"),
}


def vpn_words(program: str) -> dict[str, str]:
    """The secure link's program by IT's name for it, else in general words."""
    from desktop.base.words import say

    return {"vpn_program": program or say("vpn_program_unnamed", "finding_words")}


def _steps(info) -> dict:
    """Every step of the walk with its result and time, for IT."""
    steps = {
        s.name: f"{s.status}"
        + (words("took", ms=s.duration_ms) if s.duration_ms is not None else "")
        + f": {s.detail}"
        for s in info.steps
    }
    return {**steps, "whole walk": words("walk_took", ms=info.total_ms, mode=info.mode)}


def first_broken_link(inp: RuleInput) -> Finding | None:
    info = inp.snapshot.section_data("connectivity")
    if info is None or not info.connected:
        return None  # "not connected at all" is network_basics.disconnected
    steps = _steps(info)
    if info.gateway is None:
        return Finding("gateway_missing", Severity.CRITICAL, {"steps": steps})
    gw = info.gateway
    if gw.answered is False:
        return Finding(
            "gateway_unreachable",
            Severity.CRITICAL,
            {"gateway": gw.address, "interface": gw.interface, "how": gw.how, "steps": steps},
        )
    if info.captive_check is not None and info.captive_check.looks_like_portal:
        c = info.captive_check
        return Finding(
            "captive_portal",
            Severity.CRITICAL,
            {
                "check_url": c.url,
                "status": c.status,
                "redirect_host": c.redirect_host,
                "steps": steps,
            },
        )
    # On a slow or lossy path, a check that merely ran out of time says nothing about the
    # far end: the path explains it (connection_slow), so it is not named as broken.
    poor = path_is_poor(info, inp.thresholds)
    lookup = info.name_lookup
    lookup_excused = (
        poor
        and lookup is not None
        and lookup.system is not None
        and _timed_out(lookup.system)
        and any(r.answered for r in lookup.resolvers)
    )
    if (
        lookup is not None
        and lookup.system is not None
        and not lookup.system.ok
        and not lookup_excused
    ):
        return _lookup_failed(info, lookup, steps)
    internet = _internet_unreachable(info, poor, steps)
    if internet is not None:
        return internet
    if info.vpn_required and not info.vpn_interfaces:
        evidence = {"vpn_required": True, "steps": steps}
        return Finding("vpn_down", Severity.WARNING, evidence, (), vpn_words(info.vpn_program))
    down = [s for s in info.it_servers if not s.reachable and not (poor and _timed_out(s))]
    if down:
        return Finding(
            "it_servers_unreachable",
            Severity.WARNING,
            {
                "servers": {f"{s.name} ({s.host}:{s.port})": s.error for s in down},
                "reachable": [
                    f"{s.name} ({s.host}:{s.port})" for s in info.it_servers if s.reachable
                ],
                "steps": steps,
            },
            (),
            {"servers": ", ".join(s.name for s in down)},
        )
    return None


def _internet_unreachable(info: Any, poor: bool, steps: dict) -> Finding | None:
    """No internet endpoint answered (and a slow path does not explain the silence)."""
    if (
        info.mode == "full"
        and info.internet
        and not any(c.ok for c in info.internet)
        and not (info.captive_check is not None and info.captive_check.ok)
        and not (poor and all(_timed_out(c) for c in info.internet))
    ):
        answered = [c for c in info.internet if c.status is not None]
        return Finding(
            "internet_unreachable",
            Severity.CRITICAL,
            {
                "endpoints": {
                    c.url: (f"HTTP {c.status}" if c.status else c.error) for c in info.internet
                },
                "endpoints_answered": len(answered),
                "endpoints_tried": len(info.internet),
                "steps": steps,
            },
            # A server that answers with an error did answer: the words must not say "no".
            variant="errors" if answered else None,
        )
    return None


def _lookup_failed(info, lookup, steps: dict) -> Finding:
    """Name lookup failed; the words say how, because the evidence differs: nobody
    answered, the answer was "no such name", the answer was a refusal, or the name
    servers work and only this computer's own lookup fails."""
    kinds = [r.kind for r in lookup.resolvers]
    asked = info.mode == "full"
    variant: str | None
    if "resolved" in kinds:
        variant = "system_only"
    elif "no_such_name" in kinds:
        variant = "no_such_name"
    elif "error_reply" in kinds:
        variant = "error_reply"
    elif kinds:
        variant = None  # nobody answered
    elif asked and not lookup.resolvers_configured:
        variant = "no_resolvers"
    else:  # the resolvers were not asked one by one (light check): the system's answer
        variant = "no_such_name" if lookup.system.no_such_name else None
    if lookup.resolvers:
        resolvers: object = {
            r.server: (
                words("answered_in", ms=r.rtt_ms) + (f" ({r.error})" if r.error else "")
                if r.answered and r.rtt_ms is not None
                else r.error
            )
            for r in lookup.resolvers
        }
    elif asked:
        resolvers = words("no_resolvers")
    else:
        resolvers = words("resolvers_not_asked")
    return Finding(
        "name_lookup_failed",
        Severity.CRITICAL,
        {
            "name": lookup.name,
            "error": lookup.system.error,
            "system_lookup_ms": round(lookup.system.elapsed_ms)
            if lookup.system.elapsed_ms is not None
            else None,
            "resolvers": resolvers,
            # How each resolver answered, in IT's words (the codes are ResolverAnswer.kind).
            "answer_kinds": [it_says("network_walk.answer_kinds", k) for k in kinds],
            "steps": steps,
        },
        variant=variant,
    )


def _timed_out(check: Any) -> bool:
    """The check ran out of time (it failed with a timeout, not another cause)."""
    return check.cause == TIMEOUT


def path_is_poor(info, thresholds) -> bool:
    q = info.quality
    if q is None:
        return False
    slow = q.rtt_ms_median is not None and q.rtt_ms_median >= thresholds["rtt_slow_ms"]
    lossy = q.answered > 0 and q.loss_pct >= thresholds["loss_pct"]
    return slow or lossy


def weak_wifi(inp: RuleInput) -> Finding | None:
    """The Wi-Fi signal, from the walk, else from what this computer reads of it (the walk
    did not run)."""
    info = inp.snapshot.section_data("connectivity") or inp.snapshot.section_data("local_network")
    if info is None:
        return None
    limit = inp.thresholds["wifi_weak_pct"]
    weak = [w for w in info.wifi if w.signal_pct is not None and w.signal_pct < limit]
    if not weak:
        return None
    w = weak[0]
    return Finding(
        "wifi_weak",
        Severity.WARNING,
        {
            "interface": w.interface,
            "signal_pct": w.signal_pct,
            "signal_dbm": w.signal_dbm,
            "rx_rate_mbps": w.rx_rate_mbps,
            "tx_rate_mbps": w.tx_rate_mbps,
            "source": w.source,
            "threshold_pct": limit,
        },
    )


def slow_path(inp: RuleInput) -> Finding | None:
    info = inp.snapshot.section_data("connectivity")
    if info is None or info.quality is None:
        return None
    q = info.quality
    t = inp.thresholds
    slow = q.rtt_ms_median is not None and q.rtt_ms_median >= t["rtt_slow_ms"]
    lossy = q.answered > 0 and q.loss_pct >= t["loss_pct"]
    if not (slow or lossy):
        return None
    timed_out = [c.url for c in info.internet if _timed_out(c)]
    timed_out += [f"{s.name} ({s.host}:{s.port})" for s in info.it_servers if _timed_out(s)]
    return Finding(
        "connection_slow",
        Severity.WARNING,
        {
            "target": f"{q.target}:{q.port}",
            "probes": q.probes,
            "answered": q.answered,
            "loss_pct": round(q.loss_pct, 1),
            "rtt_ms_median": round(q.rtt_ms_median, 1) if q.rtt_ms_median is not None else None,
            "rtt_ms_max": round(q.rtt_ms_max, 1) if q.rtt_ms_max is not None else None,
            "threshold_rtt_ms": t["rtt_slow_ms"],
            "threshold_loss_pct": t["loss_pct"],
            "timed_out_checks": timed_out,
        },
        variant="lossy" if lossy and not slow else None,
    )
