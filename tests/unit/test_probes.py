"""Every probe on this machine: real psutil, real /proc."""

import json
import os
import socket
import subprocess
import time

import psutil
import pytest

from desktop import __version__
from desktop.diagnostics import Sampler, SamplerSettings, Status, collect
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.probes.disks import main_mountpoint, user_volume
from desktop.diagnostics.probes.memory import parse_psi
from desktop.diagnostics.probes.network import interface_kind, usable_address
from desktop.diagnostics.probes.system import linux_pending_restart, local_timezone


@pytest.fixture(scope="module")
def snapshot():
    sampler = Sampler(SamplerSettings(interval_s=0.2, process_interval_s=0.4))
    return collect(Symptom.SLOW, sampler, warm_up_s=1.0)


def test_every_probe_reports_and_serialises(snapshot):
    assert set(snapshot.sections) == {
        "system",
        "processor",
        "memory",
        "disks",
        "processes",
        "os_history",
        "power",
        "network",
        "connectivity",
    }
    for name, section in snapshot.sections.items():
        assert section.status in (Status.OK, Status.UNAVAILABLE), (name, section.reason)
        json.dumps(section.to_dict())
        if section.status is Status.UNAVAILABLE:
            assert section.reason


def test_os_history_reads_what_the_system_keeps():
    """A process started just now is in the record, with its start time and processor
    time; load averages and pressure are the kernel's own."""
    child = subprocess.Popen(["sleep", "30"])
    try:
        time.sleep(0.3)
        snap = collect(Symptom.SLOW, Sampler(), warm_up_s=0.2)
    finally:
        child.kill()
        child.wait()
    h = snap.section_data("os_history")
    life = next(x for x in h.lives if x.pid == child.pid)
    assert life.name == "sleep"
    assert 0.2 <= life.age_s(h.read_at) < 10
    assert 0 <= life.cpu_s < 1
    if hasattr(os, "getloadavg"):
        assert h.load_avg is not None
        assert abs(h.load_avg[2] - os.getloadavg()[2]) < 0.5
    if os.path.exists("/proc/pressure/cpu"):
        assert h.cpu_pressure is not None and h.cpu_pressure.some_avg300 is not None
        assert any("pressure" in s for s in h.sources)


def test_system(snapshot):
    s = snapshot.section_data("system")
    assert s.hostname == socket.gethostname()
    assert s.ally_version == __version__
    assert abs(s.uptime_s - (time.time() - psutil.boot_time())) < 5
    assert s.os_name in ("Linux", "Windows", "macOS")
    assert s.utc_offset[0] in "+-"


def test_processor(snapshot):
    p = snapshot.section_data("processor")
    assert p.logical_cores == psutil.cpu_count()
    assert 0.0 <= p.use_pct <= 100.0
    assert len(p.per_core_pct) == psutil.cpu_count()
    assert p.use_pct_1m is not None


def test_memory(snapshot):
    m = snapshot.section_data("memory")
    assert m.total_bytes == psutil.virtual_memory().total
    assert 0 < m.used_pct < 100
    assert m.swap_in_pps is not None and m.swap_in_pps >= 0
    assert m.top_users and m.top_users[0].memory_bytes >= m.top_users[-1].memory_bytes


def test_disks_include_the_main_volume(snapshot):
    d = snapshot.section_data("disks")
    assert any(v.is_main for v in d.volumes)
    main = next(v for v in d.volumes if v.is_main)
    assert main.total_bytes > 0 and 0 <= main.used_pct <= 100
    assert all(dr.read_bps >= 0 for dr in d.drives)


def test_processes_are_grouped_and_named(snapshot):
    p = snapshot.section_data("processes")
    assert p.process_count >= p.application_count > 0
    assert p.top_memory
    assert any(a.app_id == "ally" for a in p.top_memory + p.top_cpu)


def test_network_basics(snapshot):
    n = snapshot.section_data("network")
    assert all(i.name != "lo" for i in n.interfaces)
    assert n.connected == any(i.is_up and (i.ipv4 or i.ipv6) for i in n.interfaces)


def test_the_network_walk_obeys_the_policy_that_turns_it_off(snapshot):
    section = snapshot.sections["connectivity"]
    assert section.status is Status.UNAVAILABLE
    assert "turned off by IT policy" in section.reason


def test_power_is_ok_or_says_why_not(snapshot):
    section = snapshot.sections["power"]
    if section.status is Status.UNAVAILABLE:
        assert "battery" in section.reason
    else:
        assert section.data.notes is not None


def test_history_window_travels_with_the_snapshot(snapshot):
    h = snapshot.history
    assert h["t_offset_s"] and len(h["cpu_pct"]) == len(h["t_offset_s"])


def test_psi_parser_on_the_kernel_format():
    text = "some avg10=1.50 avg60=12.25 avg300=3.00 total=123\nfull avg10=0.20 avg60=4.00 avg300=1.00 total=45\n"
    p = parse_psi(text)
    assert (p.some_avg10, p.some_avg60, p.full_avg10, p.full_avg60) == (1.5, 12.25, 0.2, 4.0)


def test_pending_restart_flag_file(tmp_path):
    flag = tmp_path / "reboot-required"
    flag.write_text("*** System restart required ***\n")
    (tmp_path / "reboot-required.pkgs").write_text("linux-image-6.1.0-27-amd64\nlibc6\n")
    pending, sources = linux_pending_restart(flag)
    assert pending is True
    assert "2 updated packages" in sources[1]


def test_time_zone_from_tz_variable():
    assert local_timezone({"TZ": ":Europe/Berlin"}) == "Europe/Berlin"


def test_main_volume_is_the_one_holding_home():
    assert main_mountpoint(["/", "/home", "/data"], "/home/alex") == "/home"
    assert main_mountpoint(["/", "/data"], "/home/alex") == "/"
    assert main_mountpoint(["/", "/home2"], "/home/alex") == "/"


def test_read_only_and_system_volumes_are_not_user_volumes():
    from collections import namedtuple

    part = namedtuple("part", "device mountpoint fstype opts")
    assert user_volume(part("/dev/sda2", "/", "ext4", "rw,relatime"))
    assert not user_volume(part("/dev/loop3", "/snap/core/1", "squashfs", "ro,nodev"))
    assert not user_volume(part("/dev/sda1", "/boot/efi", "vfat", "rw"))
    assert not user_volume(part("/dev/sr0", "/media/cd", "iso9660", "ro"))


def test_address_and_interface_kinds(tmp_path):
    assert usable_address("10.0.0.5")
    assert not usable_address("169.254.3.4")
    assert not usable_address("fe80::1%eth0")
    assert not usable_address("127.0.0.1")
    assert interface_kind("wg0") == "vpn"
    net = tmp_path / "net"
    (net / "wlp2s0" / "wireless").mkdir(parents=True)
    (net / "enp3s0" / "device").mkdir(parents=True)
    (net / "docker0").mkdir(parents=True)
    assert interface_kind("wlp2s0", net) == "wireless"
    assert interface_kind("enp3s0", net) == "wired"
    assert interface_kind("docker0", net) == "virtual"
