"""The basics of the connection: which interfaces are up, their addresses, speed and traffic.

The deep checks (gateway, name lookup, internet, VPN, IT's servers) are a probe of their
own; this one costs nothing and runs for every symptom.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from ally_helpdesk.evidence.stats import window_mean
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.probe import Probe, ProbeContext

SYS_NET = Path("/sys/class/net")
_VPN_PREFIXES = (
    "tun",
    "tap",
    "wg",
    "utun",
    "ppp",
    "ipsec",
    "tailscale",
    "zt",
    "nordlynx",
    "proton",
)
# Windows names adapters after the product ("Cisco AnyConnect Secure Mobility Client ...").
_VPN_WORDS = (
    "vpn",
    "anyconnect",
    "globalprotect",
    "pangp",
    "fortinet",
    "forticlient",
    "wireguard",
    "openvpn",
    "tap-windows",
    "zscaler",
    "juniper",
    "pulse secure",
    "checkpoint",
)
_VIRTUAL_PREFIXES = (
    "docker",
    "br-",
    "veth",
    "virbr",
    "vmnet",
    "vboxnet",
    "ifb",
    "awdl",
    "llw",
    "bridge",
    "anpi",
    "gif",
    "stf",
    "ap1",
    "lxc",
    "cni",
    "flannel",
    "dummy",
)
_WIRELESS_WORDS = ("wi-fi", "wifi", "wlan", "wireless", "wl")


@dataclass(frozen=True)
class Interface:
    name: str
    kind: str  # wired, wireless, vpn, virtual, other
    is_up: bool
    ipv4: tuple[str, ...]
    ipv6: tuple[str, ...]  # global addresses only; link-local ones say nothing about reach
    speed_mbps: int | None
    mtu: int | None
    recv_bps: float | None
    sent_bps: float | None


@dataclass(frozen=True)
class NetworkBasics:
    connected: bool  # some interface (not loopback) is up with a usable address
    interfaces: tuple[Interface, ...]
    recv_bps: float | None
    sent_bps: float | None
    recv_bps_5m_mean: float | None
    sent_bps_5m_mean: float | None


def _it(key: str, /, **values: Any) -> str:
    return it_says("network", key, **values)


def interface_kind(name: str, sys_net: Path = SYS_NET) -> str:
    low = name.lower()
    if low.startswith(_VPN_PREFIXES) or any(w in low for w in _VPN_WORDS):
        return "vpn"
    if sys.platform.startswith("linux") and sys_net.exists():
        base = sys_net / name
        if (base / "wireless").exists() or (base / "phy80211").exists():
            return "wireless"
        if (base / "device").exists():
            return "wired"
        return "virtual"
    if low.startswith(_VIRTUAL_PREFIXES):
        return "virtual"
    if any(w in low for w in _WIRELESS_WORDS):
        return "wireless"
    if "ethernet" in low or low.startswith("eth"):
        return "wired"
    return "other"


def usable_address(addr: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified)


def check(ctx: ProbeContext) -> NetworkBasics:
    addrs = psutil.net_if_addrs()
    stats = psutil.net_if_stats()
    prev, now, dt = ctx.previous, ctx.current, ctx.interval_s()
    interfaces = []
    for name in sorted(set(addrs) | set(stats)):
        st = stats.get(name)
        if st is not None and "loopback" in (getattr(st, "flags", "") or ""):
            continue
        if name == "lo" or name.lower().startswith("loopback"):
            continue
        v4 = tuple(
            a.address
            for a in addrs.get(name, [])
            if a.family == socket.AF_INET and usable_address(a.address)
        )
        v6 = tuple(
            a.address.split("%")[0]
            for a in addrs.get(name, [])
            if a.family == socket.AF_INET6 and usable_address(a.address)
        )
        recv = sent = None
        if prev is not None and dt and name in now.net and name in prev.net:
            recv = max(now.net[name][0] - prev.net[name][0], 0) / dt
            sent = max(now.net[name][1] - prev.net[name][1], 0) / dt
        interfaces.append(
            Interface(
                name=name,
                kind=interface_kind(name),
                is_up=bool(st and st.isup),
                ipv4=v4,
                ipv6=v6,
                speed_mbps=(st.speed or None) if st else None,
                mtu=st.mtu if st else None,
                recv_bps=recv,
                sent_bps=sent,
            )
        )
    connected = any(i.is_up and (i.ipv4 or i.ipv6) for i in interfaces)
    known = [i for i in interfaces if i.recv_bps is not None]
    window = ctx.history.window(300)
    return NetworkBasics(
        connected=connected,
        interfaces=tuple(interfaces),
        recv_bps=sum(i.recv_bps or 0 for i in known) if known else None,
        sent_bps=sum(i.sent_bps or 0 for i in known) if known else None,
        recv_bps_5m_mean=window_mean(window, "net_recv_bps", 300),
        sent_bps_5m_mean=window_mean(window, "net_sent_bps", 300),
    )


def it_summary(data: NetworkBasics) -> str:
    """IT's one line for this section (``ally diagnose`` and the report)."""
    up = [i for i in data.interfaces if i.is_up and (i.ipv4 or i.ipv6)]
    ifaces = ", ".join(f"{i.name} ({i.kind}) {', '.join(i.ipv4 + i.ipv6)}" for i in up)
    state = _it("connected" if data.connected else "not_connected")
    return f"{state}: {ifaces or _it('no_interface')}"


PROBE = Probe(
    "network",
    check,
    timeout_s=1.5,
    it_summary=it_summary,
    mentioned_for={Symptom.INTERNET: 0, Symptom.PRINTING: 0},
)
