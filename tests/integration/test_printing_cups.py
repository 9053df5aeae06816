"""'I can't print', diagnosed against a real CUPS scheduler started by the test.

Printers: one that writes to a file, one that is disabled, one whose device (a closed
loopback port) does not answer. Jobs are submitted with lp.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.cups_lab import CupsLab, available
from tests.own_machine import OwnMachine

why_not = available()
pytestmark = [pytest.mark.root, pytest.mark.skipif(why_not is not None, reason=why_not or "")]
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def cups():
    lab = CupsLab()
    try:
        lab.start()
        lab.add_printer("Office", f"file://{lab.root}/out/office.prn")
        lab.add_printer("Paused", f"file://{lab.root}/out/paused.prn")
        lab.run("cupsdisable", "-r", "out of paper", "Paused")
        lab.add_printer("Unreachable", "socket://127.0.0.1:9")
        lab.run("lpadmin", "-d", "Office")
        doc = lab.root / "letter.txt"
        doc.write_text("Dear IT,\n")
        os.chmod(doc, 0o644)
        for printer in ("Office", "Paused", "Unreachable"):
            lab.run("lp", "-d", printer, str(doc))
        # Wait until the unreachable printer's backend has said that it cannot connect.
        deadline = time.monotonic() + 30
        while "may not exist" not in lab.run("lpstat", "-l", "-p", "Unreachable").stdout:
            assert time.monotonic() < deadline, lab.run("lpstat", "-l", "-p", "Unreachable").stdout
            time.sleep(0.5)
        yield lab
    finally:
        lab.remove()


def diagnose(lab: CupsLab, tmp_path: Path, stuck_after_s: int = 300) -> dict:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        f"[network]\nactive_checks = false\n[thresholds]\nprint_job_stuck_s = {stuck_after_s}\n"
    )
    env = {**lab.env, "ALLY_POLICY": str(policy), "ALLY_HOME": str(tmp_path / "home")}
    env.pop("LC_ALL")
    # On a machine of the test's own: the print system's state is what is judged, and the
    # checks' time limits hold however busy this machine is.
    with OwnMachine(tmp_path) as machine:
        return _diagnose_on(machine, env)


def _diagnose_on(machine: OwnMachine, env: dict[str, str]) -> dict:
    out = subprocess.run(
        [
            *machine.prefix(),
            sys.executable,
            "-m",
            "desktop",
            "diagnose",
            "--symptom",
            "printing",
            "--json",
            "--warm-up",
            "0.1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def printers(doc: dict) -> dict:
    section = doc["sections"]["printing"]
    assert section["status"] == "ok", section
    return {p["name"]: p for p in section["data"]["printers"]}


def test_each_printer_state_is_named(cups, tmp_path):
    doc = diagnose(cups, tmp_path)
    p = printers(doc)
    assert (
        p["Office"]["is_default"] and p["Office"]["state"] == "ready" and p["Office"]["jobs"] == 0
    )
    assert p["Paused"]["state"] == "paused" and p["Paused"]["message"] == "out of paper"
    assert p["Paused"]["jobs"] == 1
    assert p["Unreachable"]["state"] == "offline" and p["Unreachable"]["jobs"] == 1
    assert doc["sections"]["printing"]["data"]["service_running"] is True
    # The default printer works and nothing is old yet: no invented printing problem.
    printing_ids = {
        "print_service_down",
        "no_printer",
        "no_default_printer",
        "default_printer_unavailable",
        "print_jobs_stuck",
    }
    assert not {f["id"] for f in doc["findings"]} & printing_ids


def test_jobs_waiting_too_long_are_stuck(cups, tmp_path):
    doc = diagnose(cups, tmp_path, stuck_after_s=1)
    stuck = next(f for f in doc["findings"] if f["id"] == "print_jobs_stuck")
    assert stuck["evidence"]["stuck_on"] == ["Paused", "Unreachable"]
    assert stuck["evidence"]["stuck_jobs"] == 2
    assert "2 documents are waiting" in stuck["headline"]


def diagnose_with_default(lab: CupsLab, tmp_path: Path, printer: str) -> dict:
    lab.run("lpadmin", "-d", printer)
    try:
        return diagnose(lab, tmp_path)
    finally:
        lab.run("lpadmin", "-d", "Office")


def test_a_paused_default_printer(cups, tmp_path):
    top = diagnose_with_default(cups, tmp_path, "Paused")["findings"][0]
    assert top["id"] == "default_printer_unavailable"
    assert top["headline"] == "Your printer Paused is paused."
    assert top["evidence"]["message"] == "out of paper"


def test_an_unreachable_default_printer(cups, tmp_path):
    top = diagnose_with_default(cups, tmp_path, "Unreachable")["findings"][0]
    assert top["id"] == "default_printer_unavailable"
    assert top["headline"] == "Your computer can't reach your printer Unreachable."


def test_no_printer_and_no_print_service(tmp_path):
    lab = CupsLab()
    try:
        lab.start()
        doc = diagnose(lab, tmp_path)
        assert doc["findings"][0]["id"] == "no_printer"
        lab.stop()
        doc = diagnose(lab, tmp_path)  # the same socket, no scheduler behind it any more
    finally:
        lab.remove()
    assert doc["findings"][0]["id"] == "print_service_down"
    assert "printing service" in doc["summary"]["headline"]
    assert os.environ.get("CUPS_SERVER") is None  # the machine's own setting was never touched
