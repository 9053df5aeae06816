"""Printing parsers on real lpstat output (CUPS) and Windows tool output."""

from datetime import datetime, timezone
from pathlib import Path

from desktop.diagnostics.readers import print_system

DATA = Path(__file__).resolve().parent.parent / "data"
NOW = datetime(2026, 11, 22, 21, 0, 0, tzinfo=timezone.utc)


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_lpstat_printers_states_and_messages():
    printers = print_system.parse_lpstat_printers(read("linux/lpstat_l_p.txt"))
    assert set(printers) == {"Ghost", "Office", "Offline", "Paused"}
    assert printers["Office"]["state"] == "ready" and printers["Office"]["message"] is None
    assert (
        printers["Paused"]["state"] == "paused" and printers["Paused"]["message"] == "out of paper"
    )
    assert printers["Paused"]["alerts"] == "paused"
    assert printers["Offline"]["state"] == "printing"
    assert "may not exist" in printers["Offline"]["message"]
    assert print_system.cups_state(printers["Offline"]) == (
        "offline",
        printers["Offline"]["message"],
    )


def test_lpstat_default_accepting_and_scheduler():
    assert print_system.parse_lpstat_default(read("linux/lpstat_d.txt")) == "Office"
    assert print_system.parse_lpstat_default(read("linux/lpstat_d_none.txt")) is None
    assert print_system.parse_lpstat_accepting(read("linux/lpstat_a_rejecting.txt")) == {
        "Ghost": False,
        "Office": True,
        "Offline": True,
        "Paused": True,
    }
    assert "is running" in read("linux/lpstat_r.txt")
    assert "is not running" in read("linux/lpstat_r_stopped.txt")


def test_lpstat_jobs_keep_no_user_name():
    jobs = print_system.parse_lpstat_jobs(read("linux/lpstat_o.txt"), NOW)
    assert [(j.job_id, j.printer, j.size_bytes) for j in jobs] == [
        ("Paused-2", "Paused", 1024),
        ("Offline-6", "Offline", 1024),
    ]
    assert all(j.age_s > 0 for j in jobs)
    assert "root" not in str(jobs)


def test_assembled_cups_view():
    ps = print_system.assemble(
        print_system.parse_lpstat_printers(read("linux/lpstat_l_p.txt")),
        "Office",
        print_system.parse_lpstat_accepting(read("linux/lpstat_a_rejecting.txt")),
        print_system.parse_lpstat_jobs(read("linux/lpstat_o.txt"), NOW),
        "CUPS (lpstat)",
        True,
    )
    assert ps.printers[0].name == "Office" and ps.printers[0].is_default
    by_name = {p.name: p for p in ps.printers}
    assert by_name["Ghost"].accepting is False
    assert by_name["Paused"].jobs == 1 and by_name["Office"].jobs == 0


def test_windows_spooler_state():
    assert print_system.parse_sc_query(read("windows/sc_query_spooler_running.txt")) is True
    assert print_system.parse_sc_query(read("windows/sc_query_spooler_stopped.txt")) is False
    assert print_system.parse_sc_query("[SC] OpenService FAILED 1060") is None


def test_windows_printers_and_jobs():
    ps = print_system.parse_windows(
        read("windows/win32_printer.json"), read("windows/win32_printjob.json"), True, NOW
    )
    by_name = {p.name: p for p in ps.printers}
    assert ps.default_printer == "HP LaserJet 4th Floor"
    assert ps.printers[0].name == "HP LaserJet 4th Floor"
    assert by_name["HP LaserJet 4th Floor"].state == "offline"
    assert by_name["HP LaserJet 4th Floor"].jobs == 2
    assert (
        by_name["Canon Reception"].state == "error"
        and by_name["Canon Reception"].message == "no paper"
    )
    assert by_name["OneNote (Desktop)"].state == "ready"
    old = next(j for j in ps.jobs if j.job_id.endswith("-12"))
    assert old.submitted == "2026-11-22T17:53:20+00:00"
    single = print_system.parse_windows(read("windows/win32_printer_single.json"), "", True, NOW)
    assert [p.name for p in single.printers] == ["Microsoft Print to PDF"] and single.jobs == ()
