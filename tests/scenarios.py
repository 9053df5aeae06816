"""Constructed situations, each a realistic moment on an office computer.

Shared by the rule tests (does the right rule fire?) and the wording tests (do the
words read well with these real-looking values?).
"""

from __future__ import annotations

import math

from desktop.diagnostics.model import Symptom
from desktop.diagnostics.net.causes import ERROR_REPLY, NO_SUCH_NAME, TIMEOUT
from desktop.diagnostics.net.http_checks import HttpCheck
from desktop.diagnostics.net.names import ResolverAnswer, SystemLookup
from desktop.diagnostics.net.reach import PathQuality
from desktop.diagnostics.net.wifi import WifiLink
from desktop.diagnostics.probes.connectivity import GatewayCheck, NameLookup, ServerCheck
from desktop.diagnostics.probes.power import PowerInfo, Temperature
from desktop.diagnostics.sampling.history import AppSample
from tests import builders as b

GB = b.GB


def chrome_busy(offset: float) -> list[AppSample]:
    cpu = 71.0 if offset >= 400 else 5.0
    return [
        AppSample("chrome", "Google Chrome", cpu, int(2.1 * GB), 38),
        AppSample("outlook", "Microsoft Outlook", 4.0, int(0.4 * GB), 1),
    ]


def checks_off(local):
    """'The internet is down' with IT's active network checks off: the walk did not run,
    and the computer's own view of its network is all there is."""
    from desktop.diagnostics.model import Cause, Section

    snap = b.snapshot(Symptom.INTERNET, connectivity=None, local_network=local)
    snap.sections["connectivity"] = Section.unavailable(
        "connectivity", "active network checks are turned off by IT policy", cause=Cause.POLICY
    )
    return b.rule_input(snap)


def four_share_after(start: float):
    """From ``start`` on, four programs each keep a quarter of the machine busy."""

    def make(offset: float) -> list[AppSample]:
        cpu = 24.0 if offset >= start else 2.0
        return [
            AppSample(f"exe:render-{n}", f"render-{n}", cpu - n / 10, int(0.2 * GB), 1)
            for n in range(4)
        ]

    return make


def share_in_use_only(used_pct: float) -> dict:
    """Ten minutes of history with the share of working memory in use, and nothing of
    how much is left (as the system gives it on some machines)."""
    window = b.history(600, mem_used_pct=used_pct)
    return {k: v for k, v in window.items() if k != "mem_available_bytes"}


def service_busy(offset: float) -> list[AppSample]:
    """A Windows service host (the Task Scheduler's) holding the processor."""
    cpu = 71.0 if offset >= 400 else 5.0
    return [
        AppSample("service:schedule", "Task Scheduler", cpu, int(0.1 * GB), 1),
        AppSample("outlook", "Microsoft Outlook", 4.0, int(0.4 * GB), 1),
    ]


def chrome_busy_after(start: float):
    def make(offset: float) -> list[AppSample]:
        cpu = 97.0 if offset > start else 3.0
        return [
            AppSample("chrome", "Google Chrome", cpu, int(2.1 * GB), 38),
            AppSample("outlook", "Microsoft Outlook", 2.0, int(0.4 * GB), 1),
        ]

    return make


def defender_busy(offset: float) -> list[AppSample]:
    return [
        AppSample("defender", "Microsoft Defender", 80.0, int(0.3 * GB), 2, "antivirus"),
        AppSample("outlook", "Microsoft Outlook", 3.0, int(0.4 * GB), 1),
    ]


def teams_leaking(offset: float) -> list[AppSample]:
    mem = 0.4 * GB + offset * (1.2 * GB / 720) + 20_000_000 * math.sin(offset / 50)
    return [AppSample("teams", "Microsoft Teams", 5.0, int(mem), 6)]


def teams_sawtooth(offset: float) -> list[AppSample]:
    mem = 0.4 * GB + (offset % 120) * (1.0 * GB / 120)  # grows and gives back every 2 minutes
    return [AppSample("teams", "Microsoft Teams", 5.0, int(mem), 6)]


def excel_stuck(offset: float) -> list[AppSample]:
    return [
        AppSample("excel", "Microsoft Excel", 25.5, int(0.9 * GB), 1),
        AppSample("chrome", "Google Chrome", 2.0, int(1.1 * GB), 30),
    ]


def power(**kw) -> PowerInfo:
    base = dict(
        has_battery=True,
        battery_pct=80.0,
        plugged_in=True,
        battery_time_left_s=None,
        power_saver=False,
        power_mode="Balanced",
        power_mode_source="powercfg",
        temperatures=(),
        hottest_c=None,
        hottest_over_high=False,
        notes=(),
    )
    base.update(kw)
    return PowerInfo(**base)


def scenarios() -> dict:
    chrome = b.app(
        "Google Chrome", "chrome", cpu=71.0, mem=int(2.1 * GB), count=38, pids=(5120, 5188, 6004)
    )
    teams = b.app("Microsoft Teams", "teams", cpu=3.0, mem=int(1.6 * GB), count=6)
    defender = b.app(
        "Microsoft Defender", "defender", cpu=80.0, background="antivirus", read=40e6, pids=(3312,)
    )
    onedrive = b.app(
        "Microsoft OneDrive",
        "onedrive",
        cpu=6.0,
        background="sync",
        read=2e6,
        write=60e6,
        pids=(7001,),
    )
    outlook = b.app(
        "Microsoft Outlook",
        "outlook",
        cpu=2.0,
        mem=int(0.4 * GB),
        read=15e6,
        write=25e6,
        pids=(8800,),
    )
    many = b.app("Google Chrome", "chrome", cpu=20.0, mem=int(5.5 * GB), count=240)
    return {
        "quiet": dict(inp=b.rule_input(), fires=set()),
        "cpu_spike": dict(
            inp=b.rule_input(
                window=b.history(600, cpu_pct=lambda s: 100.0 if 300 <= s < 302 else 9.0),
                app_history=b.app_history(600, 30, teams_sawtooth),
            ),
            fires=set(),
        ),
        # Judged back from the click: what the person lived through.
        "cpu_busy_only_10s_and_nothing_older_known": dict(
            inp=b.rule_input(window=b.history(10, cpu_pct=99.0)), fires=set()
        ),
        "cpu_freeze_40s_after_a_quiet_minute": dict(
            inp=b.rule_input(
                b.snapshot(processes=b.processes(chrome, outlook)),
                window=b.history(100, cpu_pct=lambda s: 99.0 if s > 60 else 9.0),
                app_history=b.app_history(100, 30, chrome_busy_after(60)),
            ),
            fires={"cpu_saturated"},
        ),
        "cpu_freeze_with_a_short_letup": dict(
            inp=b.rule_input(
                b.snapshot(processes=b.processes(chrome, outlook)),
                window=b.history(
                    100, cpu_pct=lambda s: 40.0 if s in (80, 82) else (99.0 if s > 60 else 9.0)
                ),
                app_history=b.app_history(100, 30, chrome_busy_after(60)),
            ),
            fires={"cpu_saturated"},
        ),
        "cpu_spike_5s_right_before_the_click": dict(
            inp=b.rule_input(window=b.history(100, cpu_pct=lambda s: 100.0 if s > 95 else 9.0)),
            fires=set(),
        ),
        "cpu_freeze_ended_10s_before_the_click": dict(
            inp=b.rule_input(
                window=b.history(100, cpu_pct=lambda s: 99.0 if 50 < s <= 90 else 9.0)
            ),
            fires=set(),
        ),
        "cpu_cold_start_under_load": dict(
            # Ally watched 2 s; Acrobat's two workers started 22 s ago and used a core each.
            inp=b.rule_input(
                b.snapshot(
                    processor=b.processor(cores=2),
                    processes=b.processes(
                        b.app("Adobe Acrobat", "acrobat", cpu=99.5, count=2, pids=(901, 902))
                    ),
                    os_history=b.os_record(
                        b.T0 + 2,
                        b.life("Adobe Acrobat", 22.0, 21.9, b.T0 + 2, pid=901, app_id="acrobat"),
                        b.life("Adobe Acrobat", 22.0, 21.8, b.T0 + 2, pid=902, app_id="acrobat"),
                        b.life("Adobe Acrobat", 22.1, 0.01, b.T0 + 2, pid=900, app_id="acrobat"),
                        b.life("bash", 3000.0, 0.4, b.T0 + 2, pid=100),
                        load=(0.63, 0.2, 0.07),
                    ),
                ),
                window=b.history(2, cpu_pct=99.6),
            ),
            fires={"cpu_saturated"},
        ),
        "cpu_cold_start_idle_old_program_busy_now": dict(
            # Busy now, but the only busy program is old: its record cannot say since when.
            inp=b.rule_input(
                b.snapshot(
                    os_history=b.os_record(
                        b.T0 + 2, b.life("Google Chrome", 7200.0, 300.0, b.T0 + 2, pid=5120)
                    )
                ),
                window=b.history(2, cpu_pct=99.6),
            ),
            fires=set(),
        ),
        "cpu_sustained": dict(
            inp=b.rule_input(
                b.snapshot(processes=b.processes(chrome, outlook)),
                window=b.history(600, cpu_pct=lambda s: 98.0 if s >= 400 else 12.0),
                app_history=b.app_history(600, 30, chrome_busy),
            ),
            fires={"cpu_saturated"},
        ),
        "cpu_sustained_by_a_windows_service": dict(
            inp=b.rule_input(
                b.snapshot(processes=b.processes(outlook)),
                window=b.history(600, cpu_pct=lambda s: 98.0 if s >= 400 else 12.0),
                app_history=b.app_history(600, 30, service_busy),
            ),
            fires={"cpu_saturated"},
        ),
        "cpu_sustained_several": dict(
            # Four programs share the load, none near half of it: they are named together.
            inp=b.rule_input(
                b.snapshot(processes=b.processes(chrome, outlook)),
                window=b.history(600, cpu_pct=lambda s: 98.0 if s >= 400 else 12.0),
                app_history=b.app_history(600, 30, four_share_after(400)),
            ),
            fires={"cpu_saturated"},
        ),
        "cpu_sustained_no_app": dict(
            inp=b.rule_input(b.snapshot(processes=None), window=b.history(300, cpu_pct=90.0)),
            fires={"cpu_saturated"},
        ),
        "cpu_maintenance": dict(
            inp=b.rule_input(
                b.snapshot(processes=b.processes(defender, outlook)),
                window=b.history(600, cpu_pct=lambda s: 92.0 if s >= 300 else 10.0),
                app_history=b.app_history(600, 30, defender_busy),
            ),
            fires={"cpu_maintenance"},
        ),
        "memory_exhausted": dict(
            inp=b.rule_input(
                b.snapshot(
                    memory=b.memory(used_pct=94.0, top=(chrome, teams)),
                    processes=b.processes(chrome, teams),
                ),
                window=b.history(600, mem_used_pct=94.0, mem_available_bytes=0.9 * GB),
            ),
            fires={"memory_exhausted"},
        ),
        "memory_exhausted_no_app": dict(
            inp=b.rule_input(
                b.snapshot(memory=b.memory(used_pct=95.0), processes=None),
                window=b.history(600, mem_used_pct=95.0),
            ),
            fires={"memory_exhausted"},
        ),
        # The memory check did not answer; the history has only the share in use.
        "memory_exhausted_share_only": dict(
            inp=b.rule_input(
                b.snapshot(memory=None, processes=None),
                window=share_in_use_only(96.0),
            ),
            fires={"memory_exhausted"},
        ),
        "memory_exhausted_share_only_named": dict(
            inp=b.rule_input(
                b.snapshot(memory=None, processes=b.processes(chrome, teams)),
                window=share_in_use_only(96.0),
            ),
            fires={"memory_exhausted"},
        ),
        "swap_storm": dict(
            inp=b.rule_input(
                b.snapshot(
                    memory=b.memory(used_pct=97.0, psi60=35.0, top=(chrome,)),
                    processes=b.processes(chrome, teams),
                ),
                window=b.history(
                    600,
                    mem_used_pct=97.0,
                    mem_available_bytes=0.3 * GB,
                    swap_in_pps=lambda s: 1800.0 if s >= 360 else 0.0,
                    swap_out_pps=lambda s: 1500.0 if s >= 360 else 0.0,
                ),
            ),
            fires={"swapping", "memory_exhausted"},
        ),
        "swap_by_psi_only_no_app": dict(
            inp=b.rule_input(
                b.snapshot(memory=b.memory(used_pct=80.0, psi60=18.0), processes=None)
            ),
            fires={"swapping"},
        ),
        "macos_pressure_critical": dict(
            inp=b.rule_input(b.snapshot(memory=b.memory(used_pct=85.0, level="critical"))),
            fires={"swapping"},
        ),
        "disk_almost_full_small_drive": dict(
            inp=b.rule_input(
                b.snapshot(disks=b.disks(b.volume(free=int(1.5 * GB), total=128 * GB)))
            ),
            fires={"disk_nearly_full"},
        ),
        "disk_low_share_and_amount": dict(
            inp=b.rule_input(b.snapshot(disks=b.disks(b.volume(free=12 * GB, total=128 * GB)))),
            fires={"disk_nearly_full"},
        ),
        "disk_large_drive_low_share_is_fine": dict(
            inp=b.rule_input(b.snapshot(disks=b.disks(b.volume(free=60 * GB, total=1000 * GB)))),
            fires=set(),
        ),
        "disk_second_drive_full": dict(
            inp=b.rule_input(
                b.snapshot(
                    disks=b.disks(
                        b.volume(), b.volume("D:\\", free=int(0.8 * GB), total=256 * GB, main=False)
                    )
                )
            ),
            fires={"disk_nearly_full"},
        ),
        "disk_busy": dict(
            inp=b.rule_input(
                b.snapshot(processes=b.processes(outlook, teams)),
                window=b.history(600, disk_busy_pct=lambda s: 99.0 if s >= 200 else 5.0),
            ),
            fires={"disk_busy"},
        ),
        "disk_busy_sync": dict(
            inp=b.rule_input(
                b.snapshot(processes=b.processes(onedrive, teams)),
                window=b.history(600, disk_busy_pct=97.0),
            ),
            fires={"disk_busy"},
        ),
        # What the person feels is waiting: judged by it where the computer keeps it.
        "drive_waiting_while_not_busy": dict(
            # A throttled or remote disk: work waits 80 % of the time, the device is calm.
            inp=b.rule_input(
                b.snapshot(processes=b.processes(outlook, teams)),
                window=b.history(
                    600, io_wait_pct=lambda s: 80.0 if s >= 200 else 1.0, disk_busy_pct=20.0
                ),
            ),
            fires={"disk_busy"},
        ),
        "drive_busy_but_nothing_waits": dict(
            # An SSD answering many requests at once: "busy" all the time, nobody waits.
            inp=b.rule_input(
                b.snapshot(processes=b.processes(outlook, teams)),
                window=b.history(600, io_wait_pct=2.0, disk_busy_pct=99.0),
            ),
            fires=set(),
        ),
        "drive_slow_per_request": dict(
            # Windows or macOS: no record of waiting, but each request took 150 ms.
            inp=b.rule_input(
                b.snapshot(processes=b.processes(outlook, teams)),
                window=b.history(600, disk_wait_ms=lambda s: 150.0 if s >= 200 else 2.0),
            ),
            fires={"disk_busy"},
        ),
        "drive_waiting_several": dict(
            inp=b.rule_input(
                b.snapshot(
                    processes=b.processes(
                        b.app("Photos", "photos", write=30e6, pids=(41,)),
                        b.app("Backup tool", "backup-tool", write=28e6, pids=(42,)),
                        b.app("Outlook", "outlook", read=25e6, pids=(43,)),
                    )
                ),
                window=b.history(600, io_wait_pct=90.0),
            ),
            fires={"disk_busy"},
        ),
        "disk_busy_no_app": dict(
            inp=b.rule_input(b.snapshot(processes=None), window=b.history(600, disk_busy_pct=97.0)),
            fires={"disk_busy"},
        ),
        "memory_leak": dict(
            inp=b.rule_input(app_history=b.app_history(720, 30, teams_leaking)),
            fires={"app_memory_growth"},
        ),
        "memory_sawtooth": dict(
            inp=b.rule_input(app_history=b.app_history(720, 30, teams_sawtooth)), fires=set()
        ),
        "memory_leak_too_short": dict(
            inp=b.rule_input(app_history=b.app_history(180, 30, teams_leaking)), fires=set()
        ),
        "app_runaway": dict(
            inp=b.rule_input(app_history=b.app_history(420, 30, excel_stuck)),
            fires={"app_cpu_runaway"},
        ),
        "maintenance_is_not_runaway": dict(
            inp=b.rule_input(app_history=b.app_history(420, 30, defender_busy)), fires=set()
        ),
        "many_tabs": dict(
            inp=b.rule_input(b.snapshot(processes=b.processes(many, outlook))),
            fires={"many_instances"},
        ),
        "battery_low": dict(
            inp=b.rule_input(
                b.snapshot(power=power(battery_pct=9.0, plugged_in=False, battery_time_left_s=1500))
            ),
            fires={"battery_low"},
        ),
        "battery_low_but_charging": dict(
            inp=b.rule_input(b.snapshot(power=power(battery_pct=9.0, plugged_in=True))), fires=set()
        ),
        "power_saver": dict(
            inp=b.rule_input(b.snapshot(power=power(power_saver=True, power_mode="Power saver"))),
            fires={"power_saver"},
        ),
        "power_saver_on_battery": dict(
            inp=b.rule_input(
                b.snapshot(
                    power=power(power_saver=True, power_mode="Power saver", plugged_in=False)
                )
            ),
            fires={"power_saver"},
        ),
        "running_hot": dict(
            inp=b.rule_input(
                b.snapshot(
                    power=power(
                        temperatures=(Temperature("coretemp", "Package id 0", 97.0, 90.0, 100.0),),
                        hottest_c=97.0,
                        hottest_over_high=True,
                    )
                )
            ),
            fires={"running_hot"},
        ),
        "restart_pending": dict(
            inp=b.rule_input(
                b.snapshot(system=b.system(pending=True, sources=("Windows Update",)))
            ),
            fires={"restart_pending"},
        ),
        "long_uptime": dict(
            inp=b.rule_input(b.snapshot(system=b.system(uptime_s=23 * 86400))),
            fires={"uptime_long"},
        ),
        "gateway_missing": dict(
            inp=b.rule_input(b.snapshot(connectivity=b.connectivity(gateway=None))),
            fires={"gateway_missing"},
        ),
        "gateway_unreachable": dict(
            inp=b.rule_input(
                b.snapshot(
                    connectivity=b.connectivity(
                        gateway=GatewayCheck(
                            "10.1.2.1", "eth0", False, None, "tcp/53: no answer within 1.0 s"
                        ),
                        name_lookup=NameLookup(
                            "connectivitycheck.gstatic.com",
                            (),
                            SystemLookup(
                                "connectivitycheck.gstatic.com",
                                False,
                                (),
                                None,
                                "no answer within 1.5 s",
                                cause=TIMEOUT,
                            ),
                        ),
                        internet=(
                            b.http_failed(
                                "https://www.gstatic.com/generate_204", "timed out", TIMEOUT
                            ),
                        ),
                    )
                )
            ),
            fires={"gateway_unreachable"},
        ),
        "captive_portal": dict(
            inp=b.rule_input(
                b.snapshot(
                    connectivity=b.connectivity(
                        captive_check=HttpCheck(
                            "http://connectivitycheck.gstatic.com/generate_204",
                            False,
                            302,
                            40.0,
                            "expected 204, got 302",
                            "login.hotel-wifi.example",
                            True,
                        ),
                        internet=(
                            b.http_failed(
                                "https://www.gstatic.com/generate_204",
                                "certificate problem: hostname mismatch",
                            ),
                        ),
                    )
                )
            ),
            fires={"captive_portal"},
        ),
        "name_lookup_failed": dict(
            inp=b.rule_input(
                b.snapshot(
                    connectivity=b.connectivity(
                        name_lookup=NameLookup(
                            "connectivitycheck.gstatic.com",
                            (
                                ResolverAnswer(
                                    "10.1.0.53", False, None, "no answer within 1.5 s", TIMEOUT
                                ),
                            ),
                            SystemLookup(
                                "connectivitycheck.gstatic.com",
                                False,
                                (),
                                None,
                                "no answer within 1.5 s",
                                cause=TIMEOUT,
                            ),
                        ),
                        captive_check=b.http_failed(
                            "http://connectivitycheck.gstatic.com/generate_204",
                            "the name could not be looked up",
                        ),
                        internet=(
                            b.http_failed(
                                "https://www.gstatic.com/generate_204",
                                "the name could not be looked up",
                            ),
                        ),
                    )
                )
            ),
            fires={"name_lookup_failed"},
        ),
        "internet_unreachable": dict(
            inp=b.rule_input(
                b.snapshot(
                    connectivity=b.connectivity(
                        captive_check=b.http_failed(
                            "http://connectivitycheck.gstatic.com/generate_204",
                            "no connection within 1.5 s",
                            TIMEOUT,
                        ),
                        internet=(
                            b.http_failed(
                                "https://www.gstatic.com/generate_204",
                                "no connection within 1.5 s",
                                TIMEOUT,
                            ),
                        ),
                    )
                )
            ),
            fires={"internet_unreachable"},
        ),
        "vpn_down": dict(
            inp=b.rule_input(b.snapshot(connectivity=b.connectivity(vpn_required=True))),
            fires={"vpn_down"},
        ),
        "it_servers_down": dict(
            inp=b.rule_input(
                b.snapshot(
                    connectivity=b.connectivity(
                        it_servers=(
                            ServerCheck(
                                "file server",
                                "fs.corp.example",
                                445,
                                False,
                                None,
                                "no answer within 1.5 s",
                                cause=TIMEOUT,
                            ),
                            ServerCheck("mail", "mail.corp.example", 443, True, 12.0, None),
                        )
                    )
                )
            ),
            fires={"it_servers_unreachable"},
        ),
        "wifi_weak": dict(
            inp=b.rule_input(
                b.snapshot(
                    connectivity=b.connectivity(
                        wifi=(
                            WifiLink("wlan0", None, 22.0, -89.0, None, None, "/proc/net/wireless"),
                        )
                    )
                )
            ),
            fires={"wifi_weak"},
        ),
        "connection_slow": dict(
            inp=b.rule_input(
                b.snapshot(
                    connectivity=b.connectivity(
                        quality=PathQuality("10.1.2.1", 53, 5, 5, 0.0, 420.0, 610.0)
                    )
                )
            ),
            fires={"connection_slow"},
        ),
        "connection_lossy": dict(
            inp=b.rule_input(
                b.snapshot(
                    connectivity=b.connectivity(
                        quality=PathQuality("10.1.2.1", 53, 5, 3, 40.0, 12.0, 30.0)
                    )
                )
            ),
            fires={"connection_slow"},
        ),
        "slow_path_explains_timeouts": dict(
            inp=b.rule_input(
                b.snapshot(
                    connectivity=b.connectivity(
                        quality=PathQuality("10.1.2.1", 53, 5, 5, 0.0, 450.0, 700.0),
                        name_lookup=NameLookup(
                            "connectivitycheck.gstatic.com",
                            (ResolverAnswer("10.1.0.53", True, 460.0, None),),
                            SystemLookup(
                                "connectivitycheck.gstatic.com",
                                False,
                                (),
                                None,
                                "no answer within 1.5 s",
                                cause=TIMEOUT,
                            ),
                        ),
                        internet=(
                            b.http_failed(
                                "https://www.gstatic.com/generate_204",
                                "no connection within 1.5 s",
                                TIMEOUT,
                            ),
                        ),
                        it_servers=(
                            ServerCheck(
                                "file server",
                                "fs.corp.example",
                                445,
                                False,
                                None,
                                "no answer within 1.5 s",
                                cause=TIMEOUT,
                            ),
                        ),
                    )
                )
            ),
            fires={"connection_slow"},
        ),
        "outlook_keeps_closing_named": dict(
            inp=b.rule_input(
                b.snapshot(
                    b.Symptom.APP,
                    app_faults=b.app_faults(b.faults("outlook", "Microsoft Outlook", crashes=3)),
                    focus_app=b.focus(
                        "Microsoft Outlook",
                        "outlook",
                        faults=b.faults("outlook", "Microsoft Outlook", crashes=3),
                    ),
                )
            ),
            fires={"app_crashed", "app_focus"},
        ),
        "one_crash_of_an_unnamed_app_is_not_reported": dict(
            inp=b.rule_input(
                b.snapshot(app_faults=b.app_faults(b.faults("excel", "Microsoft Excel", crashes=1)))
            ),
            fires=set(),
        ),
        "repeated_hangs_of_an_unnamed_app": dict(
            inp=b.rule_input(
                b.snapshot(app_faults=b.app_faults(b.faults("excel", "Microsoft Excel", hangs=2)))
            ),
            fires={"app_hung"},
        ),
        "named_app_without_faults": dict(
            inp=b.rule_input(
                b.snapshot(
                    b.Symptom.APP,
                    app_faults=b.app_faults(),
                    focus_app=b.focus("Microsoft Teams", "teams"),
                )
            ),
            fires={"app_focus"},
        ),
        "print_service_down": dict(
            inp=b.rule_input(
                b.snapshot(b.Symptom.PRINTING, printing=b.print_system(running=False))
            ),
            fires={"print_service_down"},
        ),
        "no_printer": dict(
            inp=b.rule_input(b.snapshot(b.Symptom.PRINTING, printing=b.print_system())),
            fires={"no_printer"},
        ),
        "no_default_printer": dict(
            inp=b.rule_input(
                b.snapshot(
                    b.Symptom.PRINTING,
                    printing=b.print_system(b.printer("HP LaserJet 4th Floor", default=False)),
                )
            ),
            fires={"no_default_printer"},
        ),
        "default_printer_paused": dict(
            inp=b.rule_input(
                b.snapshot(
                    b.Symptom.PRINTING,
                    printing=b.print_system(
                        b.printer("HP LaserJet 4th Floor", state="paused", message="Paused by IT")
                    ),
                )
            ),
            fires={"default_printer_unavailable"},
        ),
        "default_printer_offline": dict(
            inp=b.rule_input(
                b.snapshot(
                    b.Symptom.PRINTING,
                    printing=b.print_system(
                        b.printer(
                            "HP LaserJet 4th Floor",
                            state="offline",
                            message="The printer may not exist or is unavailable at this time.",
                        )
                    ),
                )
            ),
            fires={"default_printer_unavailable"},
        ),
        "default_printer_error": dict(
            inp=b.rule_input(
                b.snapshot(
                    b.Symptom.PRINTING,
                    printing=b.print_system(
                        b.printer(
                            "Canon Reception", state="error", message="no paper", problem="no_paper"
                        )
                    ),
                )
            ),
            fires={"default_printer_unavailable"},
        ),
        "default_printer_error_unsaid": dict(
            inp=b.rule_input(
                b.snapshot(
                    b.Symptom.PRINTING,
                    printing=b.print_system(
                        b.printer("Canon Reception", state="error", message="Filter failed")
                    ),
                )
            ),
            fires={"default_printer_unavailable"},
        ),
        "print_jobs_stuck": dict(
            inp=b.rule_input(
                b.snapshot(
                    b.Symptom.PRINTING,
                    printing=b.print_system(
                        b.printer("HP LaserJet 4th Floor"),
                        jobs=(
                            (("HP LaserJet 4th Floor"), 1900.0),
                            (("HP LaserJet 4th Floor"), 1200.0),
                        ),
                    ),
                )
            ),
            fires={"print_jobs_stuck"},
        ),
        "one_print_job_stuck": dict(
            inp=b.rule_input(
                b.snapshot(
                    b.Symptom.PRINTING,
                    printing=b.print_system(
                        b.printer("HP LaserJet 4th Floor"),
                        jobs=((("HP LaserJet 4th Floor"), 1900.0),),
                    ),
                )
            ),
            fires={"print_jobs_stuck"},
        ),
        "one_print_job_just_sent": dict(
            inp=b.rule_input(
                b.snapshot(
                    b.Symptom.PRINTING,
                    printing=b.print_system(
                        b.printer("HP LaserJet 4th Floor"), jobs=(("HP LaserJet 4th Floor", 20.0),)
                    ),
                )
            ),
            fires=set(),
        ),
        # IT turned the active checks off: what this computer knows still answers.
        "checks_off_connected_by_cable": dict(
            inp=checks_off(b.local_network("wired")), fires={"network_local_view"}
        ),
        "checks_off_on_wifi": dict(
            inp=checks_off(b.local_network("wireless", signal_pct=80.0)),
            fires={"network_local_view"},
        ),
        "checks_off_on_weak_wifi": dict(
            inp=checks_off(b.local_network("wireless", signal_pct=20.0)),
            fires={"network_local_view", "wifi_weak"},
        ),
        "checks_off_through_a_tunnel_only": dict(
            inp=checks_off(b.local_network("vpn")), fires={"network_local_view"}
        ),
        "checks_off_no_way_out": dict(
            inp=checks_off(b.local_network("wired", gateways=())), fires={"gateway_missing"}
        ),
        "checks_off_vpn_required": dict(
            inp=checks_off(b.local_network("wired", vpn_required=True)), fires={"vpn_down"}
        ),
        "disconnected": dict(
            inp=b.rule_input(b.snapshot(network=b.network(connected=False))),
            fires={"network_disconnected"},
        ),
        # Name lookup fails in different ways; the words must follow the evidence.
        "name_lookup_no_such_name": dict(
            inp=lookup_failure(
                (ResolverAnswer("10.1.0.53", True, 2.1, "answered: no such name", NO_SUCH_NAME),),
                no_such_name=True,
            ),
            fires={"name_lookup_failed"},
        ),
        "name_lookup_error_reply": dict(
            inp=lookup_failure(
                (
                    ResolverAnswer(
                        "10.1.0.53",
                        True,
                        3.4,
                        "answered with an error: All nameservers failed to answer the query "
                        "connectivitycheck.gstatic.com. IN A: Server Do53:10.1.0.53@53 "
                        "answered SERVFAIL",
                        ERROR_REPLY,
                    ),
                )
            ),
            fires={"name_lookup_failed"},
        ),
        "name_lookup_system_only": dict(
            inp=lookup_failure((ResolverAnswer("10.1.0.53", True, 4.0, None),)),
            fires={"name_lookup_failed"},
        ),
        "name_lookup_no_resolvers": dict(
            inp=lookup_failure((), configured=0),
            fires={"name_lookup_failed"},
        ),
        "name_lookup_light_no_such_name": dict(
            inp=lookup_failure((), mode="light", configured=None, no_such_name=True),
            fires={"name_lookup_failed"},
        ),
        "internet_answers_with_errors": dict(
            inp=b.rule_input(
                b.snapshot(
                    connectivity=b.connectivity(
                        captive_check=HttpCheck(
                            "http://connectivitycheck.gstatic.com/generate_204",
                            False,
                            503,
                            40.0,
                            "expected 204, got 503",
                        ),
                        internet=(
                            HttpCheck(
                                "https://www.gstatic.com/generate_204",
                                False,
                                503,
                                61.0,
                                "server error 503",
                            ),
                        ),
                    )
                )
            ),
            fires={"internet_unreachable"},
        ),
    }


def lookup_failure(
    resolvers: tuple[ResolverAnswer, ...],
    mode: str = "full",
    configured: int | None = 1,
    no_such_name: bool = False,
):
    """The system's own lookup failed (fast, as with 'no such name', or after waiting),
    with what each resolver said when asked directly."""
    name = "connectivitycheck.gstatic.com"
    system = SystemLookup(
        name,
        False,
        (),
        3.0 if no_such_name else 1500.0,
        "gaierror: Name or service not known"
        if no_such_name
        else "gaierror: Temporary failure in name resolution",
        no_such_name,
    )
    failed = b.http_failed(
        "https://www.gstatic.com/generate_204", "the name could not be looked up"
    )
    return b.rule_input(
        b.snapshot(
            connectivity=b.connectivity(
                mode=mode,
                name_lookup=NameLookup(name, resolvers, system, configured),
                internet=(failed,) if mode == "full" else (),
            )
        )
    )
