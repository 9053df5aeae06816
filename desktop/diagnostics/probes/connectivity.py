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
from dataclasses import dataclass, field
from typing import Any

from ally_helpdesk.evidence.stats import window_mean
from desktop.diagnostics.bounded import Pending
from desktop.diagnostics.model import Cause, Symptom
from desktop.diagnostics.net import http_checks, names, reach, routes, wifi
from desktop.diagnostics.net.causes import TIMEOUT, words
from desktop.diagnostics.probe import Probe, ProbeContext, Unavailable
from desktop.diagnostics.probes.network import check as network_basics

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
    cause: str | None = None  # a code of net/causes.py when it was not reached


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
    vpn_program: str = ""  # IT's name for the secure link's program ([network] vpn_program)


def _result(pending: Pending | None, deadline: float) -> object:
    if pending is None:
        return None
    try:
        return pending.result(max(deadline - time.monotonic(), 0.0))
    except TimeoutError:
        return TimeoutError
    except Exception as exc:  # a step's own bug is reported as that step failing
        return exc


@dataclass
class _Started:
    """The steps under way at once, each a :class:`Pending` with its own limit."""

    wifi: Pending
    gateways: Pending
    system: Pending
    configured: list[str] | None = None  # None: resolvers not asked (light check)
    resolvers: list[Pending] = field(default_factory=list)
    captive: Pending | None = None
    internet: list[Pending] = field(default_factory=list)
    servers: list[tuple[Any, Pending]] = field(default_factory=list)


def _start(policy: Any, full: bool) -> _Started:
    """Start every step that does not depend on another; each has its own limit."""
    lookup_timeout = 1.5 if full else 0.6
    started = _Started(
        wifi=Pending(wifi.read_wifi, "ally-net-wifi"),
        gateways=Pending(routes.default_gateways, "ally-net-routes"),
        system=Pending(
            lambda: names.system_lookup(policy.lookup_name, lookup_timeout), "ally-net-lookup"
        ),
    )
    if not full:
        return started
    started.configured = names.configured_resolvers()
    started.resolvers = [
        Pending(
            lambda s=s: names.ask_resolver(s, policy.lookup_name, lookup_timeout), "ally-net-dns"
        )
        for s in started.configured[:4]
    ]
    http_timeout = (1.5, 2.0)
    started.captive = Pending(
        lambda: http_checks.check(
            policy.check_url, policy.check_status, http_timeout, policy.ca_bundle
        ),
        "ally-net-check",
    )
    started.internet = [
        Pending(
            lambda u=u: http_checks.check(u, None, http_timeout, policy.ca_bundle),
            "ally-net-https",
        )
        for u in policy.https_endpoints[:4]
    ]
    started.servers = [
        (s, Pending(lambda s=s: reach.tcp_probe(s.host, s.port, 1.5), "ally-net-it"))
        for s in policy.it_servers[:8]
    ]
    return started


def _gateway_and_quality(
    gateways: object, policy: Any, full: bool, deadline: float
) -> tuple[Any, object, Pending | None]:
    """The default gateway, whether it answers, and the path-quality check that follows
    from it (it needs a target that answers; the gateway is the nearest one)."""
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
    return gateway, gw_answer, quality_p


def check(ctx: ProbeContext) -> ConnectivityInfo:
    policy = ctx.policy.network
    if not policy.active_checks:
        raise Unavailable(words("turned_off"), Cause.POLICY)
    full = ctx.symptom in (Symptom.INTERNET, Symptom.OTHER)
    budget = FULL_BUDGET_S if full else LIGHT_BUDGET_S
    t0 = time.monotonic()
    deadline = t0 + budget

    basics = network_basics(ctx)
    vpn = tuple(i.name for i in basics.interfaces if i.kind == "vpn" and i.is_up)
    started = _start(policy, full)
    gateways = _result(started.gateways, min(deadline, t0 + 0.5))
    gateway, gw_answer, quality_p = _gateway_and_quality(gateways, policy, full, deadline)

    wifi_links = _result(started.wifi, deadline)
    system = _result(started.system, deadline)
    resolvers = [_result(p, deadline) for p in started.resolvers]
    captive = _result(started.captive, deadline)
    internet = [_result(p, deadline) for p in started.internet]
    servers = [(s, _result(p, deadline)) for s, p in started.servers]
    quality = _result(quality_p, deadline)

    steps = [_link_step(basics)]
    gateway_check = _gateway_step(steps, basics, gateways, gateway, gw_answer)
    lookup = NameLookup(
        policy.lookup_name,
        tuple(r for r in resolvers if isinstance(r, names.ResolverAnswer)),
        system if isinstance(system, names.SystemLookup) else None,
        None if started.configured is None else len(started.configured),
    )
    steps.append(_lookup_step(lookup))
    captive_check = captive if isinstance(captive, http_checks.HttpCheck) else None
    internet_checks = tuple(c for c in internet if isinstance(c, http_checks.HttpCheck))
    steps += _internet_steps(full, captive_check, internet_checks)
    server_checks = _server_checks(servers)
    steps += _vpn_and_server_steps(policy.vpn_required, vpn, server_checks)
    q = quality if isinstance(quality, reach.PathQuality) else None
    if q is not None:
        steps.append(_quality_step(q))

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
        vpn_program=policy.vpn_program,
        vpn_interfaces=vpn,
        it_servers=tuple(server_checks),
        quality=q,
        recv_bps_5m_mean=window_mean(window, "net_recv_bps", 300),
        sent_bps_5m_mean=window_mean(window, "net_sent_bps", 300),
        steps=tuple(steps),
        total_ms=(time.monotonic() - t0) * 1000,
    )


def _link_step(basics: Any) -> Step:
    return Step(
        "link",
        "ok" if basics.connected else "failed",
        0.0,
        ", ".join(
            f"{i.name} ({i.kind}) {' '.join(i.ipv4 + i.ipv6)}"
            for i in basics.interfaces
            if i.is_up and (i.ipv4 or i.ipv6)
        )
        or words("no_interface"),
    )


def _gateway_step(
    steps: list[Step], basics: Any, gateways: object, gateway: Any, gw_answer: object
) -> GatewayCheck | None:
    """Add the gateway's step to ``steps`` and return what was found about it."""
    if gateway is None:
        why = (
            words("no_default_route")
            if isinstance(gateways, list)
            else words("routes_not_readable", error=gateways)
        )
        steps.append(Step("gateway", "failed" if basics.connected else "skipped", None, why))
        return None
    if gateway.address is None:
        gateway_check = GatewayCheck(
            None,
            gateway.interface,
            None,
            None,
            words("point_to_point"),
        )
        steps.append(Step("gateway", "ok", None, f"via {gateway.interface}: {gateway_check.how}"))
        return gateway_check
    if isinstance(gw_answer, reach.TcpAnswer):
        how = f"tcp/{gw_answer.port}: " + (
            words("open") if gw_answer.open else gw_answer.error or words("no_answer")
        )
        gateway_check = GatewayCheck(
            gateway.address, gateway.interface, gw_answer.answered, gw_answer.rtt_ms, how
        )
    else:
        gateway_check = GatewayCheck(
            gateway.address, gateway.interface, False, None, words("no_answer_in_time")
        )
    steps.append(
        Step(
            "gateway",
            "ok" if gateway_check.answered else "failed",
            gateway_check.rtt_ms,
            f"{gateway.address} via {gateway.interface}: {gateway_check.how}",
        )
    )
    return gateway_check


def _lookup_step(lookup: NameLookup) -> Step:
    if lookup.system is None:
        return Step("name_lookup", "failed", None, words("lookup_over_budget", name=lookup.name))
    s = lookup.system
    detail = f"{s.name} -> {', '.join(s.addresses) or s.error}; " + "; ".join(
        f"{r.server}: {words('answered') if r.answered else r.error}"
        + (f" in {r.rtt_ms:.0f} ms" if r.rtt_ms else "")
        for r in lookup.resolvers
    )
    return Step("name_lookup", "ok" if s.ok else "failed", s.elapsed_ms, detail.rstrip("; "))


def _internet_steps(
    full: bool,
    captive_check: http_checks.HttpCheck | None,
    internet_checks: tuple[http_checks.HttpCheck, ...],
) -> list[Step]:
    if not full:
        return [
            Step(
                "internet",
                "skipped",
                None,
                words("internet_light"),
            )
        ]
    steps = []
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
            "; ".join(_http_detail(c) for c in internet_checks) or words("no_endpoint"),
        )
    )
    return steps


def _server_checks(servers: list[tuple[Any, object]]) -> list[ServerCheck]:
    checks = []
    for s, r in servers:
        if isinstance(r, reach.TcpAnswer):
            checks.append(ServerCheck(s.name, s.host, s.port, r.open, r.rtt_ms, r.error, r.cause))
        else:
            said = words("over_budget")
            checks.append(ServerCheck(s.name, s.host, s.port, False, None, said, TIMEOUT))
    return checks


def _vpn_and_server_steps(
    vpn_required: bool, vpn: tuple[str, ...], server_checks: list[ServerCheck]
) -> list[Step]:
    steps = []
    if vpn_required or vpn:
        steps.append(
            Step("vpn", "ok" if vpn else "failed", None, ", ".join(vpn) or words("no_vpn"))
        )
    if server_checks:
        steps.append(
            Step(
                "it_servers",
                "ok" if all(s.reachable for s in server_checks) else "failed",
                None,
                "; ".join(
                    f"{s.name} {s.host}:{s.port} "
                    + (words("open") if s.reachable else s.error or "")
                    for s in server_checks
                ),
            )
        )
    return steps


def _quality_step(q: reach.PathQuality) -> Step:
    return Step(
        "quality",
        "ok",
        q.rtt_ms_median,
        words(
            "quality",
            target=f"{q.target}:{q.port}",
            answered=q.answered,
            probes=q.probes,
            loss=q.loss_pct,
            median=_ms(q.rtt_ms_median),
            max=_ms(q.rtt_ms_max),
        ),
    )


def _http_detail(c: http_checks.HttpCheck) -> str:
    text = f"{c.url}: " + (f"HTTP {c.status}" if c.status else c.error or words("step_failed"))
    if c.elapsed_ms is not None:
        text += f" in {c.elapsed_ms:.0f} ms"
    if c.redirect_host:
        text += words("redirected", host=c.redirect_host)
    if c.proxy:
        text += words("via_proxy", proxy=c.proxy)
    if c.status and c.error:
        text += f" ({c.error})"
    return text


def it_summary(data: ConnectivityInfo) -> str:
    """IT's one line for this section: each step of the walk, and how long it took."""
    return (
        "; ".join(f"{s.name} {s.status}: {s.detail}" for s in data.steps)
        + f" ({data.total_ms:.0f} ms)"
    )


PROBE = Probe(
    "connectivity",
    check,
    timeout_s=FULL_BUDGET_S + 0.4,
    it_summary=it_summary,
    key_for={Symptom.INTERNET: 0},
    mentioned_for={Symptom.OTHER: 0},
    leaves_this_computer=True,
)


def _ms(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.1f} ms"
