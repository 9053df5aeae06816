"""The default gateway, read from the system (and parsers for each OS's own tool)."""

from __future__ import annotations

import re
import socket
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

from desktop.diagnostics.net.causes import words
from desktop.diagnostics.readers.tools import run_tool
from desktop.diagnostics.unavailable import Unavailable

PROC_ROUTE = Path("/proc/net/route")
PROC_ROUTE6 = Path("/proc/net/ipv6_route")


@dataclass(frozen=True)
class Gateway:
    address: str | None  # None: a point-to-point default route (a VPN tunnel) with no next hop
    interface: str | None
    family: str  # "ipv4" or "ipv6"


def parse_proc_net_route(text: str) -> list[Gateway]:
    """/proc/net/route: destination 00000000 with the gateway flag (0x2) is a default route."""
    out = []
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) < 4 or parts[1] != "00000000":
            continue
        flags = int(parts[3], 16)
        if not flags & 0x2:
            continue
        address = socket.inet_ntoa(struct.pack("<L", int(parts[2], 16)))
        out.append(Gateway(address, parts[0], "ipv4"))
    return out


def parse_proc_net_ipv6_route(text: str) -> list[Gateway]:
    """/proc/net/ipv6_route: destination ::/0 with a next hop that is not all zeros."""
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 10 or parts[0] != "0" * 32 or parts[1] != "00":
            continue
        hop = parts[4]
        if hop == "0" * 32:
            continue
        address = socket.inet_ntop(socket.AF_INET6, bytes.fromhex(hop))
        out.append(Gateway(address, parts[9], "ipv6"))
    return out


_WIN_ROUTE = re.compile(
    r"^\s*0\.0\.0\.0\s+0\.0\.0\.0\s+(\d+\.\d+\.\d+\.\d+|On-link)\s+(\d+\.\d+\.\d+\.\d+)\s+(\d+)",
    re.M,
)


def parse_windows_route_print(text: str) -> list[Gateway]:
    """``route print -4 0.0.0.0``: 'Network Destination  Netmask  Gateway  Interface  Metric',
    best (lowest metric) first; 'On-link' is a tunnel's point-to-point default route."""
    rows = sorted(_WIN_ROUTE.findall(text), key=lambda r: int(r[2]))
    return [
        Gateway(None if gw == "On-link" else gw, iface, "ipv4")
        for gw, iface, _ in rows
        if gw != "0.0.0.0"
    ]


def parse_macos_route_get(text: str) -> list[Gateway]:
    """``route -n get default``: 'gateway: 192.168.1.1' and 'interface: en0' lines."""
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    if "gateway" not in fields:
        # A VPN that takes the default route shows only its tunnel interface.
        return [Gateway(None, fields["interface"], "ipv4")] if "interface" in fields else []
    family = "ipv6" if ":" in fields["gateway"] else "ipv4"
    return [Gateway(fields["gateway"], fields.get("interface"), family)]


def default_gateways() -> list[Gateway]:
    """Every default route's next hop; empty when there is none. Raises Unavailable if
    this system gives no way to tell."""
    if sys.platform.startswith("linux"):
        gateways: list[Gateway] = []
        for path, parser in (
            (PROC_ROUTE, parse_proc_net_route),
            (PROC_ROUTE6, parse_proc_net_ipv6_route),
        ):
            try:
                gateways += parser(path.read_text(encoding="ascii"))
            except OSError:
                continue
        return gateways
    if sys.platform.startswith("win"):
        return parse_windows_route_print(
            run_tool(["route", "print", "-4", "0.0.0.0"], timeout=1.5).stdout
        )
    if sys.platform == "darwin":
        return parse_macos_route_get(
            run_tool(["route", "-n", "get", "default"], timeout=1.5).stdout
        )
    raise Unavailable(words("routes_unsupported", platform=sys.platform))
