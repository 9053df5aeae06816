"""What this computer itself knows of its network, read without sending anything.

The network walk (connectivity.py) asks the gateway, the name servers and the internet;
IT may turn that off ([network] active_checks = false), and then "the internet is down"
would get no help at all. This probe reads only what the computer keeps: the links that
are up (wired, Wi-Fi, a VPN) with their addresses, the Wi-Fi signal, the default routes
(where things bound for the internet are sent) and how many name servers are set. Not a
packet leaves the computer, so it runs whatever the policy says.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from desktop.diagnostics.bounded import Pending
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.net import names, routes, wifi
from desktop.diagnostics.probe import Probe, ProbeContext
from desktop.diagnostics.probes.network import check as network_basics

READ_S = 1.5  # Wi-Fi through NetworkManager or netsh can be slow; nothing waits longer


@dataclass(frozen=True)
class Link:
    name: str
    kind: str  # wired, wireless, vpn, virtual, other
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class LocalNetwork:
    connected: bool
    links: tuple[Link, ...]  # up, with a usable address
    wifi: tuple[wifi.WifiLink, ...]
    gateways: tuple[routes.Gateway, ...] | None  # None: this system gives no way to tell
    resolvers_configured: int | None
    vpn_interfaces: tuple[str, ...]
    vpn_required: bool
    vpn_program: str = ""  # IT's name for the secure link's program ([network] vpn_program)

    @property
    def kind(self) -> str:
        """How the computer reaches the network, as the person would say it: by cable,
        by Wi-Fi, or (a VPN, something else) just "the network"."""
        kinds = {link.kind for link in self.links}
        if "wired" in kinds:
            return "wired"
        if "wireless" in kinds or self.wifi:
            return "wireless"
        return "other"


def _read(pending: Pending, deadline: float) -> Any:
    try:
        return pending.result(max(deadline - time.monotonic(), 0.0))
    except Exception:
        return None


def check(ctx: ProbeContext) -> LocalNetwork:
    deadline = time.monotonic() + READ_S  # one limit for the three readers together
    started = (
        Pending(wifi.read_wifi, "ally-local-wifi"),
        Pending(routes.default_gateways, "ally-local-routes"),
        Pending(names.configured_resolvers, "ally-local-resolvers"),
    )
    basics = network_basics(ctx)
    links = tuple(
        Link(i.name, i.kind, i.ipv4 + i.ipv6)
        for i in basics.interfaces
        if i.is_up and (i.ipv4 or i.ipv6)
    )
    found_wifi, gateways, resolvers = (_read(p, deadline) for p in started)
    return LocalNetwork(
        connected=basics.connected,
        links=links,
        wifi=tuple(found_wifi) if isinstance(found_wifi, list) else (),
        gateways=tuple(gateways) if isinstance(gateways, list) else None,
        resolvers_configured=len(resolvers) if isinstance(resolvers, list) else None,
        vpn_interfaces=tuple(i.name for i in basics.interfaces if i.kind == "vpn" and i.is_up),
        vpn_required=ctx.policy.network.vpn_required,
        vpn_program=ctx.policy.network.vpn_program,
    )


def it_summary(data: LocalNetwork) -> str:
    """IT's one line for this section (``ally diagnose`` and the report)."""
    links = ", ".join(f"{x.name} ({x.kind}) {' '.join(x.addresses)}" for x in data.links)
    if data.gateways is None:
        ways = it_says("local_network", "routes_unknown")
    else:
        ways = ", ".join(f"{g.address or g.interface} ({g.family})" for g in data.gateways)
    return it_says(
        "local_network",
        "summary",
        links=links or it_says("local_network", "none"),
        gateways=ways or it_says("local_network", "none"),
        resolvers="?" if data.resolvers_configured is None else data.resolvers_configured,
        wifi=", ".join(
            f"{w.interface} {w.signal_pct:.0f}%" for w in data.wifi if w.signal_pct is not None
        )
        or it_says("local_network", "none"),
    )


PROBE = Probe(
    "local_network",
    check,
    timeout_s=2.0,
    symptoms=frozenset({Symptom.INTERNET, Symptom.OTHER}),
    it_summary=it_summary,
)
