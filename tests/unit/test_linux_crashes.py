"""Crash records without a journal: the kernel's ring buffer and Apport's reports, read on
real captured records (tests/data/SOURCES.md), and safe against what a hostile local
account can put in /var/crash (a folder everyone may write to)."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop.diagnostics.readers import linux_fault_files
from desktop.diagnostics.readers.fault_records import FaultEvent

DATA = Path(__file__).resolve().parent.parent / "data" / "linux"
LONG_AGO = datetime(2000, 1, 1, tzinfo=timezone.utc)


def kmsg_records() -> list[bytes]:
    return [r.encode("utf-8") for r in json.loads((DATA / "kmsg_records.json").read_text())]


def test_a_segfault_in_the_ring_buffer_is_a_crash_of_that_program():
    boot = 1_800_000_000.0
    r = linux_fault_files.parse_kmsg_records(kmsg_records(), boot, LONG_AGO)
    assert r.malformed == 0
    (event,) = r.events  # the "Code:" line and the others are not faults
    assert event.executable == "ledger-app"
    assert event.kind == "crash" and event.detail == "segmentation fault"
    assert event.time == datetime.fromtimestamp(boot + 1362.076722, timezone.utc)


def test_old_ring_buffer_lines_are_left_out_and_broken_records_counted():
    boot = 1_800_000_000.0
    since = datetime.fromtimestamp(boot + 2000, timezone.utc)
    assert linux_fault_files.parse_kmsg_records(kmsg_records(), boot, since).events == []
    r = linux_fault_files.parse_kmsg_records(
        [b"no separator", b"6,x,y,-;a[1]: segfault"], boot, LONG_AGO
    )
    assert r.events == [] and r.malformed == 2


def test_kernel_names_with_spaces_and_traps_are_read():
    assert linux_fault_files.kernel_fault("Web Content[812]: segfault at 8 ip 0") == (
        "Web Content",
        "segmentation fault",
    )
    assert linux_fault_files.kernel_fault(
        "traps: ledger-app[77] general protection fault ip:1"
    ) == (
        "ledger-app",
        "general protection fault",
    )
    assert linux_fault_files.kernel_fault("audit: type=1400 apparmor=DENIED") is None


def test_apport_header_keeps_four_fields_and_nothing_else():
    lines = linux_fault_files._read_header(DATA / "apport_apt-get.crash")
    text = "\n".join(lines)
    # The command line, environment, memory maps and core dump are never even kept in memory.
    assert "check -f -qq" not in text and "/var/backups" not in text
    assert "TERM=linux" not in text and "libgcc_s" not in text and "H4sI" not in text
    event = linux_fault_files.parse_apport_header(lines, "_usr_bin_apt-get.0.crash")
    local = datetime(2014, 12, 15, 7, 35, 4).astimezone(timezone.utc)
    assert event == FaultEvent("apt-get", None, local, "crash", "SIGSEGV")


def test_apport_reports_in_a_folder(tmp_path):
    shutil.copy(DATA / "apport_apt-get.crash", tmp_path / "_usr_bin_apt-get.0.crash")
    (tmp_path / "_usr_bin_other.0.crash").write_text("ProblemType: Package\nDate: x\n")
    (tmp_path / "broken.crash").write_bytes(b"ProblemType: Crash\nDate: \xff\xfe not a date\n")
    r = linux_fault_files.read_apport(LONG_AGO, tmp_path)
    assert [e.executable for e in r.events] == ["apt-get"]
    assert r.malformed == 1  # the broken one; the package failure is not a program crash
    assert linux_fault_files.read_apport(LONG_AGO, tmp_path / "absent") is None


def test_a_fifo_a_link_or_a_huge_file_in_var_crash_cannot_stall_or_trick_ally(tmp_path):
    os.mkfifo(tmp_path / "_usr_bin_trap.0.crash")  # opening it for reading would block
    os.symlink(DATA / "apport_apt-get.crash", tmp_path / "_usr_bin_link.0.crash")
    huge = tmp_path / "_usr_bin_huge.0.crash"
    with huge.open("w") as fh:
        fh.write(
            "ProblemType: Crash\nDate: Mon Dec 15 07:35:04 2014\nExecutablePath: /opt/x/huge\n"
        )
        fh.write("ProcMaps:\n" + " 00110000-0012c000 r-xp /lib/x.so\n" * 200_000)  # ~7 MB
        fh.write("Signal: 6\n")
    result: dict = {}
    t = threading.Thread(
        target=lambda: result.update(r=linux_fault_files.read_apport(LONG_AGO, tmp_path))
    )
    t0 = time.monotonic()
    t.start()
    t.join(10)
    assert not t.is_alive(), "a FIFO in /var/crash stalled the crash reader"
    assert time.monotonic() - t0 < 5
    r = result["r"]
    # The FIFO and the link are refused; the huge one is read only up to its header's cap,
    # so its signal (past the cap) stays unknown but the crash is still counted.
    assert [(e.executable, e.detail) for e in r.events] == [("huge", None)]
    assert r.malformed == 2


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a file to another account")
def test_another_accounts_report_is_not_read(tmp_path):
    target = tmp_path / "_usr_bin_apt-get.1234.crash"
    shutil.copy(DATA / "apport_apt-get.crash", target)
    os.chown(target, 1234, 1234)
    r = linux_fault_files.read_apport(LONG_AGO, tmp_path)
    assert r.events == [] and r.malformed == 1


def test_one_crash_seen_by_the_kernel_and_apport_counts_once():
    t = datetime(2026, 11, 29, 10, 0, 0, tzinfo=timezone.utc)
    kernel = [
        FaultEvent("ledger-app", None, t, "crash", "segmentation fault"),
        FaultEvent("ledger-app", None, t + timedelta(minutes=5), "crash", "segmentation fault"),
    ]
    apport = [FaultEvent("ledger-app", None, t + timedelta(seconds=2), "crash", "SIGSEGV")]
    merged = linux_fault_files.merge(kernel, apport)
    assert [(e.time, e.detail) for e in merged] == [
        (t + timedelta(seconds=2), "SIGSEGV"),
        (t + timedelta(minutes=5), "segmentation fault"),
    ]
