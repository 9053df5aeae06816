"""Building snapshots and histories for rule tests, out of the real dataclasses.

Histories here are constructed on purpose (a spike, a sustained load, a slow leak) with
an explicit clock, so the rules are judged on known minutes without waiting for them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

from ally_helpdesk.evidence.thresholds import Thresholds
from desktop.diagnostics.findings import RuleInput
from desktop.diagnostics.model import Section, Snapshot, Symptom
from desktop.diagnostics.net.http_checks import HttpCheck
from desktop.diagnostics.net.wifi import WifiLink
from desktop.diagnostics.probes.connectivity import ConnectivityInfo
from desktop.diagnostics.probes.disks import DisksInfo, Volume
from desktop.diagnostics.probes.memory import MemoryInfo, MemoryPressure, MemoryUser
from desktop.diagnostics.probes.network import Interface, NetworkBasics
from desktop.diagnostics.probes.processes import ProcessesInfo
from desktop.diagnostics.probes.processor import ProcessorInfo
from desktop.diagnostics.probes.system import SystemInfo
from desktop.diagnostics.sampling.history import AppSample, History
from desktop.diagnostics.sampling.metrics import HISTORY_COLUMNS
from desktop.diagnostics.sampling.process_sample import AppUsage

GB = 1_000_000_000
T0 = 1_800_000_000.0

QUIET_ROW = {
    "cpu_pct": 8.0,
    "load1": 0.3,
    "mem_used_pct": 45.0,
    "mem_available_bytes": 8.8 * GB,
    "swap_used_pct": 0.0,
    "swap_in_pps": 0.0,
    "swap_out_pps": 0.0,
    "disk_read_bps": 20_000.0,
    "disk_write_bps": 50_000.0,
    "disk_busy_pct": 2.0,
    "net_recv_bps": 3_000.0,
    "net_sent_bps": 1_000.0,
}


def history(seconds: float, interval: float = 2.0, **overrides) -> dict[str, list[float]]:
    """A quiet window of ``seconds``; each override is a value or a function of the time
    offset (``lambda s: ...``) for that column."""
    ring = History(int(seconds / interval) + 2)
    n = int(seconds / interval) + 1
    for i in range(n):
        offset = i * interval
        row = dict(QUIET_ROW)
        for key, value in overrides.items():
            row[key] = value(offset) if callable(value) else value
        ring.append(T0 + offset, row)
    window = ring.window()
    assert set(HISTORY_COLUMNS) <= set(window)
    return window


def app(
    name: str,
    app_id: str | None = None,
    cpu=1.0,
    mem=200_000_000,
    count=1,
    background=None,
    read=0.0,
    write=0.0,
    pids=(4242,),
) -> AppUsage:
    return AppUsage(
        app_id=app_id or name.lower().replace(" ", "-"),
        name=name,
        background=background,
        process_count=count,
        cpu_pct=cpu,
        cpu_cores=cpu * 4 / 100,
        memory_bytes=mem,
        read_bps=read,
        write_bps=write,
        started_at=T0 - 3600,
        pids=tuple(pids),
    )


def processes(*apps: AppUsage) -> ProcessesInfo:
    def top(key):
        return tuple(sorted(apps, key=lambda a: getattr(a, key) or 0, reverse=True)[:5])

    return ProcessesInfo(
        process_count=sum(a.process_count for a in apps),
        application_count=len(apps),
        not_readable=0,
        interval_s=2.0,
        top_cpu=top("cpu_pct"),
        top_memory=top("memory_bytes"),
        top_disk=tuple(
            a
            for a in sorted(
                apps, key=lambda a: (a.read_bps or 0) + (a.write_bps or 0), reverse=True
            )
            if (a.read_bps or 0) + (a.write_bps or 0) > 0
        )[:5],
        background_tasks=tuple(a for a in apps if a.background),
        most_instances=tuple(sorted(apps, key=lambda a: a.process_count, reverse=True)[:3]),
    )


def memory(used_pct=45.0, total=16 * GB, psi60=0.0, level=None, top=()) -> MemoryInfo:
    used = int(total * used_pct / 100)
    pressure = (
        MemoryPressure("macos-sysctl", level=level)
        if level
        else MemoryPressure(
            "linux-psi", some_avg10=psi60, some_avg60=psi60, full_avg10=0.0, full_avg60=0.0
        )
    )
    return MemoryInfo(
        total_bytes=total,
        available_bytes=total - used,
        used_bytes=used,
        used_pct=used_pct,
        swap_total_bytes=4 * GB,
        swap_used_bytes=0,
        swap_used_pct=0.0,
        swap_in_pps=0.0,
        swap_out_pps=0.0,
        swap_in_pps_5m=0.0,
        swap_out_pps_5m=0.0,
        swap_out_pps_5m_max=0.0,
        pressure=pressure,
        pressure_note=None,
        top_users=tuple(
            MemoryUser(
                a.app_id, a.name, a.memory_bytes, 100 * a.memory_bytes / total, a.process_count
            )
            for a in top
        ),
    )


def volume(mount="C:\\", free=100 * GB, total=500 * GB, main=True) -> Volume:
    return Volume(
        mount,
        "\\\\?\\Volume{1}" if ":" in mount else "/dev/sda2",
        "NTFS",
        total,
        free,
        100 * (total - free) / total,
        main,
        False,
    )


def disks(*vols: Volume) -> DisksInfo:
    return DisksInfo(vols or (volume(),), (), 2.0, 3.0, 1000.0, 1000.0)


def system(uptime_s=3 * 86400, pending=False, sources=()) -> SystemInfo:
    return SystemInfo(
        "Windows",
        "Windows 11 Pro (build 10.0.22631)",
        "10",
        "AMD64",
        "PC-0042",
        "LENOVO 20NX003GGE",
        "2026-11-19T08:00:00+00:00",
        uptime_s,
        "alex",
        "0.1.0",
        "W. Europe Standard Time",
        "+01:00",
        pending,
        tuple(sources),
    )


def processor(cores=4) -> ProcessorInfo:
    return ProcessorInfo(
        "Intel Core i5",
        cores,
        cores,
        10.0,
        (10.0,) * cores,
        10.0,
        10.0,
        300.0,
        0.5,
        0.5,
        0.5,
        2400.0,
        3600.0,
        2.0,
    )


def network(connected=True) -> NetworkBasics:
    iface = Interface(
        "Wi-Fi",
        "wireless",
        connected,
        ("10.1.2.3",) if connected else (),
        (),
        300,
        1500,
        100.0,
        50.0,
    )
    return NetworkBasics(connected, (iface,), 100.0, 50.0, 100.0, 50.0)


def local_network(
    kind: str = "wired",
    gateways: tuple | None = None,
    signal_pct: float | None = None,
    vpn_required: bool = False,
):
    """What this computer knows of its network (the local_network probe): one link of
    ``kind`` with an address and a default route (``gateways=()``: none)."""
    from desktop.diagnostics.net.routes import Gateway
    from desktop.diagnostics.probes.local_network import Link, LocalNetwork

    name = {"wired": "eth0", "wireless": "Wi-Fi", "vpn": "tun0"}[kind]
    wifi = (
        ()
        if signal_pct is None
        else (WifiLink(name, "Office", signal_pct, None, 72.0, 72.0, "nmcli"),)
    )
    return LocalNetwork(
        connected=True,
        links=(Link(name, kind, ("10.1.2.3",)),),
        wifi=wifi,
        gateways=(Gateway("10.1.2.1", name, "ipv4"),) if gateways is None else gateways,
        resolvers_configured=1,
        vpn_interfaces=("tun0",) if kind == "vpn" else (),
        vpn_required=vpn_required,
    )


def http_failed(url: str, error: str, cause: str | None = None) -> HttpCheck:
    """An HTTP check that got no answer at all: no status, no time, only the reason (and
    its code from desktop/diagnostics/net/causes.py, which the rules match on)."""
    return HttpCheck(url, False, None, None, error, cause=cause)


def connectivity(**kw) -> ConnectivityInfo:
    """A healthy full walk; pass fields to break one link."""
    from desktop.diagnostics.net.names import ResolverAnswer, SystemLookup
    from desktop.diagnostics.net.reach import PathQuality
    from desktop.diagnostics.probes.connectivity import GatewayCheck, NameLookup, ServerCheck, Step

    base = dict(
        mode="full",
        connected=True,
        wifi=(WifiLink("Wi-Fi", "Office", 82.0, None, 866.0, 866.0, "netsh"),),
        gateway=GatewayCheck("10.1.2.1", "Wi-Fi", True, 2.1, "tcp/53: refused (the host answered)"),
        name_lookup=NameLookup(
            "connectivitycheck.gstatic.com",
            (ResolverAnswer("10.1.0.53", True, 4.2, None),),
            SystemLookup("connectivitycheck.gstatic.com", True, ("142.250.74.35",), 5.0, None),
        ),
        captive_check=HttpCheck(
            "http://connectivitycheck.gstatic.com/generate_204", True, 204, 31.0, None
        ),
        internet=(HttpCheck("https://www.gstatic.com/generate_204", True, 204, 58.0, None),),
        vpn_required=False,
        vpn_interfaces=(),
        it_servers=(ServerCheck("file server", "fs.corp.example", 445, True, 6.0, None),),
        quality=PathQuality("10.1.2.1", 53, 5, 5, 0.0, 2.3, 4.0),
        recv_bps_5m_mean=120_000.0,
        sent_bps_5m_mean=30_000.0,
        steps=(
            Step("link", "ok", 0.0, "Wi-Fi (wireless) 10.1.2.3"),
            Step("gateway", "ok", 2.1, "10.1.2.1 via Wi-Fi: tcp/53: refused (the host answered)"),
        ),
        total_ms=640.0,
    )
    base.update(kw)
    return ConnectivityInfo(**base)


def faults(app_id: str, name: str, crashes: int = 0, hangs: int = 0):
    from desktop.diagnostics.probes.app_faults import AppFaults

    times = tuple(f"2026-11-22T0{8 + i}:15:00+00:00" for i in range(crashes + hangs))
    return AppFaults(
        app_id,
        name,
        crashes,
        hangs,
        times[0],
        times[-1],
        ("16.0.17928.20156",),
        ("exception 0xc0000005",) if crashes else (),
        times,
    )


def app_faults(*apps):
    from desktop.diagnostics.probes.app_faults import AppFaultsInfo

    return AppFaultsInfo(
        24.0, "Windows Application event log", tuple(apps), sum(a.count for a in apps), 0
    )


def focus(name: str, app_id: str, faults=None, running: bool = True):
    from desktop.diagnostics.probes.app_faults import FocusApp

    usage = (
        app(name, app_id, cpu=3.0, mem=int(0.6 * GB), count=2, pids=(7720, 7788))
        if running
        else None
    )
    return FocusApp(
        name,
        app_id,
        name,
        running,
        usage,
        ((-60.0, 2.0), (-30.0, 3.0)),
        ((-60.0, int(0.55 * GB)), (-30.0, int(0.6 * GB))),
        faults,
    )


def printer(
    name: str,
    default: bool = True,
    state: str = "ready",
    message: str | None = None,
    problem: str | None = None,
):
    from desktop.diagnostics.readers.print_system import Printer

    return Printer(name, default, state, True, message, 0, None, problem)


def print_system(*printers, running: bool = True, jobs=()):
    """``jobs``: (printer, age in seconds) pairs."""
    from desktop.diagnostics.readers.print_system import PrintJob, PrintSystem

    made = tuple(
        PrintJob(f"{p}-{i + 10}", p, "2026-11-22T08:00:00+00:00", age, 20480)
        for i, (p, age) in enumerate(jobs)
    )
    default = next((p.name for p in printers if p.is_default), None)
    return PrintSystem("CUPS (lpstat)", running, default, tuple(printers), made)


def snapshot(symptom: Symptom = Symptom.SLOW, **data) -> Snapshot:
    defaults = {
        "system": system(),
        "processor": processor(),
        "memory": memory(),
        "disks": disks(),
        "processes": processes(app("Microsoft Outlook", cpu=2.0)),
        "network": network(),
        "connectivity": connectivity(),
    }
    defaults.update(data)
    sections = {
        name: (
            Section.ok(name, value) if value is not None else Section.unavailable(name, "not here")
        )
        for name, value in defaults.items()
    }
    return Snapshot(symptom, datetime.now(timezone.utc), 800.0, sections)


def life(
    name: str, age_s: float, cpu_s: float, now: float, pid: int = 4300, app_id=None, background=None
):
    """A process that started ``age_s`` before ``now`` and has used ``cpu_s`` since."""
    from desktop.diagnostics.sampling.process_sample import ProcessLife

    return ProcessLife(
        pid, app_id or name.lower().replace(" ", "-"), name, background, now - age_s, cpu_s
    )


def os_record(read_at: float, *lives, load=(0.4, 0.3, 0.2), cpu_psi=1.0, io_psi=0.0):
    """What the system kept (os_history probe) at ``read_at``."""
    from desktop.diagnostics.probes.os_history import OsHistory
    from desktop.diagnostics.sampling.os_backfill import Pressure

    return OsHistory(
        read_at=read_at,
        load_avg=load,
        cpu_pressure=Pressure(cpu_psi, cpu_psi, cpu_psi),
        memory_pressure=Pressure(0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
        io_pressure=Pressure(io_psi, io_psi, io_psi, 0.0, 0.0, 0.0),
        lives=tuple(sorted(lives, key=lambda x: x.cpu_s, reverse=True)),
        sources=("processes' start times and processor time", "load averages"),
    )


def rule_input(
    snap: Snapshot | None = None,
    window: Mapping | None = None,
    app_history: Sequence = (),
    overrides: Mapping | None = None,
) -> RuleInput:
    return RuleInput(
        snap or snapshot(),
        window if window is not None else history(600),
        list(app_history),
        Thresholds(overrides),
    )


def app_history(
    seconds: float, interval: float, make: callable
) -> list[tuple[float, tuple[AppSample, ...]]]:
    """Process-history entries every ``interval`` s; ``make(offset)`` gives that moment's apps."""
    out = []
    n = int(seconds / interval) + 1
    for i in range(n):
        out.append((T0 + i * interval, tuple(make(i * interval))))
    return out


@functools.lru_cache(maxsize=1)
def _real_report() -> str:
    """One report from a real (short) check of this machine, made once per test run."""
    from desktop.diagnostics import Sampler, SamplerSettings
    from desktop.diagnostics.diagnosis import diagnose
    from desktop.reporting import report

    d = diagnose("slow", sampler=Sampler(SamplerSettings(interval_s=0.2)), warm_up_s=0.3)
    return json.dumps(report.build(d, note="It froze twice since lunch."))


def report_doc(**changes) -> dict:
    """A real report with a fresh id (each test's own), with ``changes`` applied."""
    import uuid

    doc = json.loads(_real_report())
    doc["id"] = str(uuid.uuid4())
    doc.update(changes)
    return doc
