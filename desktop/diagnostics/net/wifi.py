"""Wi-Fi signal strength and link rate, from each system's own source.

Linux: /proc/net/wireless (signal level in dBm), with NetworkManager's ``nmcli`` for the
network name and rate where it is installed. Windows: ``netsh wlan show interfaces``.
macOS: ``system_profiler SPAirPortDataType``. Parsers are tested on captured output.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from desktop.diagnostics.readers.tools import run_tool
from desktop.diagnostics.unavailable import Unavailable

PROC_WIRELESS = Path("/proc/net/wireless")


@dataclass(frozen=True)
class WifiLink:
    interface: str
    ssid: str | None
    signal_pct: float | None
    signal_dbm: float | None
    rx_rate_mbps: float | None
    tx_rate_mbps: float | None
    source: str


def dbm_to_pct(dbm: float) -> float:
    """The usual mapping (also Windows'): -100 dBm = 0 %, -50 dBm and above = 100 %."""
    return max(0.0, min(100.0, 2.0 * (dbm + 100.0)))


def parse_proc_net_wireless(text: str) -> list[WifiLink]:
    links = []
    for line in text.splitlines()[2:]:
        name, sep, rest = line.partition(":")
        if not sep:
            continue
        parts = rest.split()
        if len(parts) < 3:
            continue
        level = parts[2]
        dbm = None
        # A trailing dot marks an updated value; values above 0 are not dBm (driver-specific).
        try:
            value = float(level.rstrip("."))
            dbm = value if value < 0 else None
        except ValueError:
            pass
        links.append(
            WifiLink(
                name.strip(),
                None,
                dbm_to_pct(dbm) if dbm is not None else None,
                dbm,
                None,
                None,
                "/proc/net/wireless",
            )
        )
    return links


def parse_nmcli_wifi(text: str) -> dict[str, tuple[str, float | None, float | None]]:
    """``nmcli -t -f ACTIVE,SSID,SIGNAL,RATE,DEVICE dev wifi``: active network per device."""
    out = {}
    for line in text.splitlines():
        fields = re.split(r"(?<!\\):", line)
        if len(fields) < 5 or fields[0] != "yes":
            continue
        ssid = fields[1].replace("\\:", ":")
        signal = float(fields[2]) if fields[2].isdigit() else None
        rate = re.match(r"(\d+(?:\.\d+)?)", fields[3])
        out[fields[4]] = (ssid, signal, float(rate.group(1)) if rate else None)
    return out


_NETSH_FIELD = re.compile(r"^\s{2,}([^:]+?)\s*:\s(.*)$")


def parse_netsh_interfaces(text: str) -> list[WifiLink]:
    """English ``netsh wlan show interfaces``; one block per adapter, 'Name' starts one."""
    blocks: list[dict[str, str]] = []
    for line in text.splitlines():
        m = _NETSH_FIELD.match(line)
        if not m:
            continue
        key, value = m.group(1).strip(), m.group(2).strip()
        if key == "Name":
            blocks.append({})
        if blocks:
            blocks[-1][key] = value
    links = []
    for b in blocks:
        if b.get("State", "").lower() != "connected":
            continue
        pct = b.get("Signal", "").rstrip("%").strip()
        rssi = b.get("Rssi")
        links.append(
            WifiLink(
                interface=b.get("Name", "Wi-Fi"),
                ssid=b.get("SSID"),
                signal_pct=float(pct) if pct.isdigit() else None,
                signal_dbm=float(rssi) if rssi and re.fullmatch(r"-?\d+", rssi) else None,
                rx_rate_mbps=_number(b.get("Receive rate (Mbps)")),
                tx_rate_mbps=_number(b.get("Transmit rate (Mbps)")),
                source="netsh",
            )
        )
    return links


def parse_system_profiler(text: str) -> list[WifiLink]:
    """``system_profiler SPAirPortDataType``: the block under 'Current Network Information:'."""
    links = []
    interface = None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if re.fullmatch(r"en\d+:", stripped):
            interface = stripped[:-1]
        if stripped != "Current Network Information:":
            continue
        ssid = lines[i + 1].strip().rstrip(":") if i + 1 < len(lines) else None
        fields: dict[str, str] = {}
        for follow in lines[i + 2 :]:
            s = follow.strip()
            if not s or (s.endswith(":") and ":" not in s[:-1]):
                break
            key, _, value = s.partition(":")
            fields[key.strip()] = value.strip()
        dbm = None
        m = re.match(r"(-?\d+)\s*dBm", fields.get("Signal / Noise", ""))
        if m:
            dbm = float(m.group(1))
        links.append(
            WifiLink(
                interface=interface or "en0",
                ssid=None if ssid in (None, "<redacted>") else ssid,
                signal_pct=dbm_to_pct(dbm) if dbm is not None else None,
                signal_dbm=dbm,
                rx_rate_mbps=None,
                tx_rate_mbps=_number(fields.get("Transmit Rate")),
                source="system_profiler",
            )
        )
    return links


def _number(text: str | None) -> float | None:
    if not text:
        return None
    m = re.match(r"\d+(?:\.\d+)?", text.strip())
    return float(m.group(0)) if m else None


def read_wifi() -> list[WifiLink]:
    """The Wi-Fi links this computer is using now (empty on a wired-only computer)."""
    if sys.platform.startswith("win"):
        result = run_tool(["netsh", "wlan", "show", "interfaces"], timeout=2.0)
        return parse_netsh_interfaces(result.stdout)
    if sys.platform == "darwin":
        return parse_system_profiler(
            run_tool(["system_profiler", "SPAirPortDataType"], timeout=3.0).stdout
        )
    try:
        links = parse_proc_net_wireless(PROC_WIRELESS.read_text(encoding="ascii", errors="replace"))
    except OSError:
        return []
    if not links:
        return []
    try:
        nm = parse_nmcli_wifi(
            run_tool(
                ["nmcli", "-t", "-f", "ACTIVE,SSID,SIGNAL,RATE,DEVICE", "dev", "wifi"], timeout=1.5
            ).stdout
        )
    except (Unavailable, TimeoutError):
        nm = {}
    out = []
    for link in links:
        ssid, signal, rate = nm.get(link.interface, (None, None, None))
        out.append(
            WifiLink(
                link.interface,
                ssid,
                link.signal_pct if link.signal_pct is not None else signal,
                link.signal_dbm,
                rate,
                rate,
                link.source + (" + nmcli" if link.interface in nm else ""),
            )
        )
    return out
