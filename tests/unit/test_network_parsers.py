"""Routes and Wi-Fi parsers on captured output of each OS's own tools (tests/data/SOURCES.md)."""

from pathlib import Path

import pytest

from desktop.diagnostics.net import routes, wifi

DATA = Path(__file__).resolve().parent.parent / "data"


def read(name: str) -> str:
    return (DATA / name).read_bytes().decode("utf-8")


def test_linux_route_table_of_this_machine_and_a_laptop():
    here = routes.parse_proc_net_route(read("linux/proc_net_route_this_machine.txt"))
    assert len(here) == 1 and here[0].family == "ipv4" and here[0].address.count(".") == 3
    laptop = routes.parse_proc_net_route(read("linux/proc_net_route_wlan.txt"))
    assert laptop == [routes.Gateway("192.168.1.1", "wlan0", "ipv4")]
    assert routes.parse_proc_net_route("Iface\tDestination\tGateway\n") == []


def test_linux_ipv6_default_route():
    found = routes.parse_proc_net_ipv6_route(read("linux/proc_net_ipv6_route_this_machine.txt"))
    assert found == [routes.Gateway("fd00::1", "eth0", "ipv6")]


def test_windows_route_print():
    assert routes.parse_windows_route_print(read("windows/route_print_4.txt")) == [
        routes.Gateway("192.168.1.1", "192.168.1.10", "ipv4")
    ]
    two = routes.parse_windows_route_print(read("windows/route_print_two_defaults.txt"))
    assert [g.address for g in two] == ["172.16.0.211", "192.168.9.1"]  # lowest metric first
    vpn = "          0.0.0.0          0.0.0.0         On-link      10.0.0.5     5000\n"
    assert routes.parse_windows_route_print(vpn) == [routes.Gateway(None, "10.0.0.5", "ipv4")]
    assert routes.parse_windows_route_print("No routes") == []


def test_macos_route_get():
    assert routes.parse_macos_route_get(read("macos/route_get_default.txt")) == [
        routes.Gateway("192.168.1.1", "en0", "ipv4")
    ]
    assert routes.parse_macos_route_get(read("macos/route_get_default_vpn.txt")) == [
        routes.Gateway(None, "utun5", "ipv4")
    ]
    assert routes.parse_macos_route_get(read("macos/route_get_default_none.txt")) == []


def test_proc_net_wireless():
    (one,) = wifi.parse_proc_net_wireless(read("linux/proc_net_wireless.txt"))
    assert one.interface == "wlan0" and one.signal_dbm == -56.0 and one.signal_pct == 88.0
    two = wifi.parse_proc_net_wireless(read("linux/proc_net_wireless_two.txt"))
    assert [(w.interface, w.signal_dbm) for w in two] == [("wlan0", -40.0), ("wlp3s0", -62.0)]
    assert two[0].signal_pct == 100.0
    (odd,) = wifi.parse_proc_net_wireless(read("linux/proc_net_wireless_ndiswrapper.txt"))
    assert odd.signal_dbm is None and odd.signal_pct is None  # not dBm: say unknown, not "strong"


def test_netsh_wlan_show_interfaces():
    (atheros,) = wifi.parse_netsh_interfaces(read("windows/netsh_wlan_show_interfaces_atheros.txt"))
    assert atheros == wifi.WifiLink("Wi-Fi", "LUO-PC_Network", 100.0, None, 150.0, 150.0, "netsh")
    (intel,) = wifi.parse_netsh_interfaces(read("windows/netsh_wlan_show_interfaces_eduroam.txt"))
    assert (intel.ssid, intel.signal_pct, intel.signal_dbm, intel.rx_rate_mbps) == (
        "eduroam",
        72.0,
        -70.0,
        344.0,
    )
    disconnected = read("windows/netsh_wlan_show_interfaces_atheros.txt").replace(
        ": connected", ": disconnected"
    )
    assert wifi.parse_netsh_interfaces(disconnected) == []
    assert wifi.parse_netsh_interfaces("") == []


def test_system_profiler_airport():
    (link,) = wifi.parse_system_profiler(read("macos/system_profiler_airport.txt"))
    assert (link.interface, link.ssid, link.signal_dbm, link.tx_rate_mbps) == (
        "en0",
        "TestNet",
        -57.0,
        720.0,
    )
    assert link.signal_pct == 86.0
    assert wifi.parse_system_profiler(read("macos/system_profiler_airport_off.txt")) == []
    redacted = read("macos/system_profiler_airport.txt").replace("TestNet:", "<redacted>:")
    assert wifi.parse_system_profiler(redacted)[0].ssid is None


def test_nmcli_active_network():
    text = "no:Neighbour:40:130 Mbit/s:wlan0\nyes:Office\\:5G:71:540 Mbit/s:wlan0\n"
    assert wifi.parse_nmcli_wifi(text) == {"wlan0": ("Office:5G", 71.0, 540.0)}


@pytest.mark.parametrize(
    ("dbm", "pct"), [(-50, 100.0), (-75, 50.0), (-100, 0.0), (-30, 100.0), (-110, 0.0)]
)
def test_dbm_to_percent(dbm, pct):
    assert wifi.dbm_to_pct(dbm) == pct
