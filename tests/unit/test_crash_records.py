"""Crash and hang records of the three systems, from the real tools' captured output."""

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from desktop.diagnostics.apps import default_catalog
from desktop.diagnostics.probes.app_faults import group
from desktop.diagnostics.readers import fault_records

DATA = Path(__file__).resolve().parent.parent / "data"


def read(name: str) -> str:
    return (DATA / name).read_bytes().decode("utf-8")


def test_coredumpctl_json():
    r = fault_records.parse_coredumpctl_json(read("linux/coredumpctl_json_two.txt"))
    assert r.malformed == 0
    assert [(e.executable, e.detail, e.kind) for e in r.events] == [
        ("bash", "SIGSEGV", "crash"),
        ("scylla", "SIGABRT", "crash"),
    ]
    assert r.events[0].time == datetime(2022, 11, 27, 11, 25, 59, 983740, tzinfo=timezone.utc)
    portal = fault_records.parse_coredumpctl_json(read("linux/coredumpctl_json_portal.txt"))
    assert portal.events[0].executable == "xdg-desktop-portal-hyprland"


def test_coredumpctl_empty_malformed_and_truncated():
    assert fault_records.parse_coredumpctl_json(
        read("linux/coredumpctl_none.txt")
    ) == fault_records.ParsedRecords([], 0)
    mixed = fault_records.parse_coredumpctl_json(
        read("linux/coredumpctl_json_malformed_entries.txt")
    )
    assert len(mixed.events) == 1 and mixed.malformed == 2
    cut = fault_records.parse_coredumpctl_json(read("linux/coredumpctl_json_truncated.txt"))
    assert cut.events == [] and cut.malformed == 1


def test_kernel_lines_in_the_journal():
    r = fault_records.parse_journal_kernel(read("linux/journal_kernel.jsonl"))
    assert [(e.executable, e.detail) for e in r.events] == [
        ("MaSalle", "segmentation fault"),
        ("ibus-x11", "segmentation fault"),
    ]
    assert r.malformed == 1  # the line that is not JSON


def test_windows_event_log_win11_named_fields():
    r = fault_records.parse_wevtutil_xml(read("windows/wevtutil_app_error_win11.xml"))
    (e,) = r.events
    assert (e.executable, e.version, e.kind, e.detail) == (
        "AOTListenerService.exe",
        "25.11.10.8",
        "crash",
        "exception 0xc0000005",
    )
    assert e.time == datetime(2026, 5, 12, 11, 41, 12, tzinfo=timezone.utc)


def test_windows_event_log_mixed_layouts_and_bad_records():
    r = fault_records.parse_wevtutil_xml(read("windows/wevtutil_mixed.xml"))
    got = [(e.executable, e.kind, e.version, e.detail) for e in r.events]
    assert got == [
        ("ms-teams.exe", "crash", "24.0.0.0", "exception 0xc0000409"),
        ("EXCEL.EXE", "hang", "16.0.17928.20156", None),
        ("notepad.exe", "hang", "11.2408.12.0", None),
        ("OUTLOOK.EXE", "crash", "16.0.17928.20156", "exception 0xc0000005"),
    ]
    assert r.malformed == 1  # the unreadable time; the cut-off event is not an event at all
    # Paths in the records (AppPath, ExeFileName) never leave the parser.
    assert "Program Files" not in json.dumps([e.__dict__ for e in r.events], default=str)


def test_macos_report_headers(tmp_path):
    folder = tmp_path / "DiagnosticReports"
    folder.mkdir()
    (folder / "MarkdownEditor-2026-05-26-161145.ips").write_text(
        read("macos/ips_header_markdowneditor.txt")
    )
    (folder / "TestApp-2026-02-08-225816.ips").write_text(read("macos/ips_header_testapp.txt"))
    (folder / "Broken.ips").write_text("{not json\n")
    (folder / "Photos.hang").write_text(
        '{"app_name":"Photos","timestamp":"2026-11-22 09:00:00.00 +0100","bug_type":"298"}\n'
    )
    (folder / "notes.txt").write_text("ignored")
    old = folder / "Old-2020.ips"
    old.write_text(read("macos/ips_header_testapp.txt"))
    os.utime(old, (0, 0))
    r = fault_records.read_macos_reports(folder, datetime.now(timezone.utc) - timedelta(days=1))
    got = sorted((e.executable, e.kind, e.version) for e in r.events)
    assert got == [
        ("MarkdownEditor", "crash", "1.0"),
        ("Photos", "hang", None),
        ("TestApp", "crash", "1.0"),
    ]
    assert r.malformed == 1
    e = next(e for e in r.events if e.executable == "MarkdownEditor")
    assert e.time == datetime(2026, 5, 26, 8, 11, 45, tzinfo=timezone.utc)


def test_grouping_by_application_with_friendly_names():
    text = read("windows/wevtutil_mixed.xml")
    complete = text[: text.rindex("<Event xmlns")]  # without the cut-off last record
    r = fault_records.parse_wevtutil_xml(complete * 2)
    apps = {a.name: a for a in group(r, default_catalog())}
    assert apps["Microsoft Teams"].crashes == 2
    assert apps["Microsoft Excel"].hangs == 2 and apps["Microsoft Excel"].crashes == 0
    assert apps["Microsoft Outlook"].versions == ("16.0.17928.20156",)
    assert next(iter(apps)) in {
        "Microsoft Teams",
        "Microsoft Excel",
        "Microsoft Outlook",
        "notepad",
    }


def test_empty_inputs():
    assert fault_records.parse_wevtutil_xml("") == fault_records.ParsedRecords([], 0)
    assert fault_records.parse_journal_kernel("") == fault_records.ParsedRecords([], 0)
    assert group(fault_records.ParsedRecords([], 0), default_catalog()) == []
