"""A real program really crashing, on a machine whose journal has no files (this one, and
CI's): Ally finds the crashes where the system keeps them instead of saying "none
recorded", and names the program the person named."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.diagnostics.readers.fault_records import read_recent
from tests.run_ally import run_ally

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0,
    reason="reading the kernel's ring buffer needs root where kernel.dmesg_restrict = 1 "
    "(CI runs as root)",
)


def _journal_has_files() -> bool:
    if shutil.which("journalctl") is None:
        return False
    done = subprocess.run(
        ["journalctl", "-k", "-n", "1", "--no-pager"], capture_output=True, text=True, check=False
    )
    return "No journal files were found" not in done.stdout + done.stderr


@pytest.fixture(scope="module")
def three_crashes(tmp_path_factory) -> str:
    """Run a program called ledger-app that dies of a segmentation fault, three times.
    (A link to Python named ledger-app: the kernel names the process after the link.)"""
    folder = tmp_path_factory.mktemp("crashing")
    program = folder / "ledger-app"
    program.symlink_to(Path(sys.executable).resolve())
    for _ in range(3):
        done = subprocess.run(
            [str(program), "-c", "import ctypes; ctypes.string_at(0)"],
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CORE, (0, 0)),
            capture_output=True,
            check=False,
        )
        assert done.returncode == -11  # SIGSEGV, for real
    return "ledger-app"


def test_the_crashes_are_found_where_the_system_kept_them(three_crashes):
    records, source = read_recent(1.0)
    mine = [e for e in records.events if e.executable == three_crashes]
    assert len(mine) >= 3, (source, records)
    assert all(e.kind == "crash" and e.detail == "segmentation fault" for e in mine)
    if not _journal_has_files():
        # The journal answered "No journal files were found": it is not a source that
        # found nothing, and the kernel's ring buffer is read instead.
        assert source.startswith("the kernel's ring buffer (the journal has no files)"), source


def test_the_named_program_is_reported_with_its_crashes(three_crashes):
    done = run_ally("diagnose", "--symptom", "app", "--app", three_crashes, "--json")
    assert done.returncode == 0, done.stderr
    d = json.loads(done.stdout)
    crashed = next(f for f in d["findings"] if f["id"] == "app_crashed")
    assert crashed["apps"] == [three_crashes]
    assert crashed["evidence"]["crashes"] >= 3
    assert d["summary"]["headline"].startswith(f"{three_crashes} closed by itself")
    faults = d["sections"]["app_faults"]
    assert faults["status"] == "ok", faults
    assert "none recorded" not in json.dumps(faults)
