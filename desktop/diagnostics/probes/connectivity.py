"""The network walk: which link in the chain from this computer to the internet is broken.

1. link: an interface up with an address; Wi-Fi signal and rate
2. gateway: a default route, and does the next hop answer
3. name lookup: each configured resolver, and the system's own lookup
4. internet: the connectivity check (and whether a login page is in the way), HTTPS endpoints
5. VPN and IT's own servers
6. path quality: round-trip time and loss, throughput from history

Steps that do not depend on each other run at once, each bounded; the whole walk is
bounded too (4.5 s for the full walk, 0.8 s for the light one inside "slow").
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from desktop.diagnostics.bounded import Pending
from desktop.diagnostics.model import Cause, Symptom
from desktop.diagnostics.net import http_checks, names, reach, routes, wifi
from desktop.diagnostics.probe import Probe, ProbeContext, Unavailable
from desktop.diagnostics.probes.network import check as network_basics
from desktop.diagnostics.stats import window_mean

FULL_BUDGET_S = 4.5
LIGHT_BUDGET_S = 0.8
GATEWAY_PORTS = (53, 80, 443)


@dataclass(frozen=True)
class Step:
    name: str  # link, gateway, name_lookup, internet, captive_portal, vpn, it_servers, quality
    status: str  # ok, failed, skipped, not_checked
    duration_ms: float | None
    detail: str


@dataclass(frozen=True)
class GatewayCheck:
    address: str | None
    interface: str | None
    answered: bool | None
    rtt_ms: float | None
    how: str


@dataclass(frozen=True)
class NameLookup:
    name: str
    resolvers: tuple[names.ResolverAnswer, ...]
    system: names.SystemLookup | None
    resolvers_configured: int | None = None  # None: not looked up (light check)


@dataclass(frozen=True)
class ServerCheck:
    name: str
    host: str
    port: int
    reachable: bool
    rtt_ms: float | None
    error: str | None


@dataclass(frozen=True)
class ConnectivityInfo:
    mode: str  # "full" or "light"
    connected: bool
    wifi: tuple[wifi.WifiLink, ...]
    gateway: GatewayCheck | None
    name_lookup: NameLookup | None
    captive_check: http_checks.HttpCheck | None
    internet: tuple[http_checks.HttpCheck, ...]
    vpn_required: bool
    vpn_interfaces: tuple[str, ...]
    it_servers: tuple[ServerCheck, ...]
    quality: reach.PathQuality | None
    recv_bps_5m_mean: float | None
    sent_bps_5m_mean: float | None
    steps: tuple[Step, ...]
    total_ms: float


def _result(pending: Pending | None, deadline: float) -> object:
    if pending is None:
        return None
    try:
        return pending.result(max(deadline - time.monotonic(), 0.0))
    except TimeoutError:
        return TimeoutError
    except Exception as exc:  # a step's own bug is reported as that step failing
        return exc


def check(ctx: ProbeContext) -> ConnectivityInfo:
    policy = ctx.policy.network
    if not policy.active_checks:
        raise Unavailable(
            "active network checks are turned off by IT policy ([network] active_checks = false)",
            Cause.POLICY,
        )
    full = ctx.symptom in (Symptom.INTERNET, Symptom.OTHER)
    budget = FULL_BUDGET_S if full else LIGHT_BUDGET_S
    t0 = time.monotonic()
    deadline = t0 + budget

    basics = network_basics(ctx)
    vpn = tuple(i.name for i in basics.interfaces if i.kind == "vpn" and i.is_up)

    # Everything below starts at once; each step has its own limit inside the budget.
    wifi_p = Pending(wifi.read_wifi, "ally-net-wifi")
    gateways_p = Pending(routes.default_gateways, "ally-net-routes")
    lookup_timeout = 1.5 if full else 0.6
    system_p = Pending(
        lambda: names.system_lookup(policy.lookup_name, lookup_timeout), "ally-net-lookup"
    )
    resolver_ps = []
    configured: list[str] | None = None
    if full:
        configured = names.configured_resolvers()
        resolver_ps = [
            Pending(lambda s=s: names.ask_resolver(s, policy.lookup_name, 1.2), "ally-net-dns")
            for s in configured[:4]
        ]
    http_timeout = (1.5, 2.0)
    captive_p = internet_ps = None
    server_ps: list[tuple[object, Pending]] = []
    if full:
        captive_p = Pending(
            lambda: http_checks.check(
                policy.check_url, policy.check_status, http_timeout, policy.ca_bundle
            ),
            "ally-net-check",
        )
        internet_ps = [
            Pending(
                lambda u=u: http_checks.check(u, None, http_timeout, policy.ca_bundle),
                "ally-net-https",
            )
            for u in policy.https_endpoints[:4]
        ]
        server_ps = [
            (s, Pending(lambda s=s: reach.tcp_probe(s.host, s.port, 1.5), "ally-net-it"))
            for s in policy.it_servers[:8]
        ]

    gateways = _result(gateways_p, min(deadline, t0 + 0.5))
    gateway = None
    gateway_p = None
    quality_p = None
    if isinstance(gateways, list) and gateways:
        first = next((g for g in gateways if g.family == "ipv4"), gateways[0])
        gateway = first
        gw_timeout = 1.0 if full else 0.5
        if first.address is not None:  # a tunnel's point-to-point route has no next hop to ask
            gateway_p = Pending(
                lambda: reach.first_answer(first.address, GATEWAY_PORTS, gw_timeout), "ally-net-gw"
            )
    # Path quality needs a target that answers; the gateway is the nearest one.
    gw_answer = _result(gateway_p, min(deadline, time.monotonic() + (1.1 if full else 0.55)))
    if isinstance(gw_answer, reach.TcpAnswer) and gw_answer.answered:
        probes, timeout = (5, 0.8) if full else (3, 0.3)
        quality_p = Pending(
            lambda: reach.path_quality(gw_answer.host, gw_answer.port, probes, timeout),
            "ally-net-quality",
        )
    elif full and policy.it_servers:
        s = policy.it_servers[0]
        quality_p = Pending(lambda: reach.path_quality(s.host, s.port, 5, 0.8), "ally-net-quality")

    wifi_links = _result(wifi_p, deadline)
    system = _result(system_p, deadline)
    resolvers = [_result(p, deadline) for p in resolver_ps]
    captive = _result(captive_p, deadline)
    internet = [_result(p, deadline) for p in internet_ps or []]
    servers = [(s, _result(p, deadline)) for s, p in server_ps]
    quality = _result(quality_p, deadline)

    steps = []
    steps.append(
        Step(
            "link",
            "ok" if basics.connected else "failed",
            0.0,
            ", ".join(
                f"{i.name} ({i.kind}) {' '.join(i.ipv4 + i.ipv6)}"
                for i in basics.interfaces
                if i.is_up and (i.ipv4 or i.ipv6)
            )
            or "no interface up with an address",
        )
    )
    gateway_check = None
    if gateway is None:
        why = (
            "no default route"
            if isinstance(gateways, list)
            else f"routes not readable: {gateways!r}"
        )
        steps.append(Step("gateway", "failed" if basics.connected else "skipped", None, why))
    elif gateway.address is None:
        gateway_check = GatewayCheck(
            None,
            gateway.interface,
            None,
            None,
            "point-to-point default route (a tunnel): no next hop to ask",
        )
        steps.append(Step("gateway", "ok", None, f"via {gateway.interface}: {gateway_check.how}"))
    else:
        if isinstance(gw_answer, reach.TcpAnswer):
            how = f"tcp/{gw_answer.port}: {'open' if gw_answer.open else gw_answer.error or 'no answer'}"
            gateway_check = GatewayCheck(
                gateway.address, gateway.interface, gw_answer.answered, gw_answer.rtt_ms, how
            )
        else:
            gateway_check = GatewayCheck(
                gateway.address, gateway.interface, False, None, "no answer in time"
            )
        steps.append(
            Step(
                "gateway",
                "ok" if gateway_check.answered else "failed",
                gateway_check.rtt_ms,
                f"{gateway.address} via {gateway.interface}: {gateway_check.how}",
            )
        )

    lookup = NameLookup(
        policy.lookup_name,
        tuple(r for r in resolvers if isinstance(r, names.ResolverAnswer)),
        system if isinstance(system, names.SystemLookup) else None,
        None if configured is None else len(configured),
    )
    if lookup.system is None:
        steps.append(
            Step(
                "name_lookup", "failed", None, f"{policy.lookup_name}: no answer within the budget"
            )
        )
    else:
        s = lookup.system
        detail = f"{s.name} -> {', '.join(s.addresses) or s.error}; " + "; ".join(
            f"{r.server}: {'answered' if r.answered else r.error}"
            + (f" in {r.rtt_ms:.0f} ms" if r.rtt_ms else "")
            for r in lookup.resolvers
        )
        steps.append(
            Step("name_lookup", "ok" if s.ok else "failed", s.elapsed_ms, detail.rstrip("; "))
        )

    captive_check = captive if isinstance(captive, http_checks.HttpCheck) else None
    internet_checks = tuple(c for c in internet if isinstance(c, http_checks.HttpCheck))
    if full:
        if captive_check is not None:
            steps.append(
                Step(
                    "captive_portal",
                    "failed" if captive_check.looks_like_portal else "ok",
                    captive_check.elapsed_ms,
                    _http_detail(captive_check),
                )
            )
        steps.append(
            Step(
                "internet",
                "ok"
                if any(c.ok for c in internet_checks) or (captive_check and captive_check.ok)
                else "failed",
                min((c.elapsed_ms for c in internet_checks if c.elapsed_ms), default=None),
                "; ".join(_http_detail(c) for c in internet_checks)
                or "no endpoint answered in time",
            )
        )
    else:
        steps.append(
            Step(
                "internet",
                "skipped",
                None,
                "light check for this symptom: internet endpoints not tried",
            )
        )

    server_checks = []
    for s, r in servers:
        if isinstance(r, reach.TcpAnswer):
            server_checks.append(ServerCheck(s.name, s.host, s.port, r.open, r.rtt_ms, r.error))
        else:
            server_checks.append(
                ServerCheck(s.name, s.host, s.port, False, None, "no answer within the budget")
            )
    if policy.vpn_required or vpn:
        steps.append(
            Step(
                "vpn", "ok" if vpn else "failed", None, ", ".join(vpn) or "no VPN connection is up"
            )
        )
    if server_checks:
        steps.append(
            Step(
                "it_servers",
                "ok" if all(s.reachable for s in server_checks) else "failed",
                None,
                "; ".join(
                    f"{s.name} {s.host}:{s.port} " + ("open" if s.reachable else s.error or "")
                    for s in server_checks
                ),
            )
        )
    q = quality if isinstance(quality, reach.PathQuality) else None
    if q is not None:
        steps.append(
            Step(
                "quality",
                "ok",
                q.rtt_ms_median,
                f"{q.target}:{q.port} {q.answered}/{q.probes} answered, loss {q.loss_pct:.0f}%, "
                f"rtt median {_ms(q.rtt_ms_median)}, max {_ms(q.rtt_ms_max)}",
            )
        )

    window = ctx.history.window(300)
    return ConnectivityInfo(
        mode="full" if full else "light",
        connected=basics.connected,
        wifi=tuple(wifi_links) if isinstance(wifi_links, list) else (),
        gateway=gateway_check,
        name_lookup=lookup,
        captive_check=captive_check,
        internet=internet_checks,
        vpn_required=policy.vpn_required,
        vpn_interfaces=vpn,
        it_servers=tuple(server_checks),
        quality=q,
        recv_bps_5m_mean=window_mean(window, "net_recv_bps", 300),
        sent_bps_5m_mean=window_mean(window, "net_sent_bps", 300),
        steps=tuple(steps),
        total_ms=(time.monotonic() - t0) * 1000,
    )


def _http_detail(c: http_checks.HttpCheck) -> str:
    text = f"{c.url}: " + (f"HTTP {c.status}" if c.status else c.error or "failed")
    if c.elapsed_ms is not None:
        text += f" in {c.elapsed_ms:.0f} ms"
    if c.redirect_host:
        text += f", redirected to {c.redirect_host}"
    if c.proxy:
        text += f" (via proxy {c.proxy})"
    if c.status and c.error:
        text += f" ({c.error})"
    return text


PROBE = Probe("connectivity", check, timeout_s=FULL_BUDGET_S + 0.4)


def _ms(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.1f} ms"
