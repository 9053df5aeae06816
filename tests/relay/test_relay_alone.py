"""A relay installed alone, as IT installs it on a server (issue 28): a fresh virtual
environment holding only ally-common and ally-relay, built from copies of only the folders
they are made of (no desktop/ beside them), has no Qt and nothing of the desktop, and
serves a report end to end: a real desktop enrols, sends, and the report lands in IT's
folder with IT's view beside it, drawn by the relay."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from ally_helpdesk.it_view.charting import IT_SPECS
from tests.relay.lab import Desktop, RelayLab
from tests.run_ally import ROOT

# What a relay is made of; anything else of the repository must not be needed.
PARTS = ("ally_words", "ally_helpdesk", "relay", "installer/common", "installer/relay")
DESKTOP_ONLY = {"ally-desktop", "pyside6", "pyside6-essentials", "shiboken6", "psutil", "keyring"}


@pytest.mark.slow
def test_a_relay_installed_alone_has_no_qt_and_serves_a_report_end_to_end(tmp_path):
    src = tmp_path / "src"
    for part in PARTS:
        shutil.copytree(
            ROOT / part,
            src / part,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"),
        )
    venv = tmp_path / "venv"
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    pip = subprocess.run(
        [python, "-m", "pip", "install", "-q", "./installer/common", "./installer/relay"],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert pip.returncode == 0, pip.stdout + pip.stderr
    listed = subprocess.run(
        [python, "-m", "pip", "list", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    names = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert {"ally-common", "ally-relay", "starlette", "sqlalchemy"} <= names
    assert not names & DESKTOP_ONLY, sorted(names & DESKTOP_ONLY)
    no_desktop = subprocess.run(
        [python, "-c", "import desktop"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert "ModuleNotFoundError" in no_desktop.stderr

    it_folder = tmp_path / "it-reports"
    it_folder.mkdir()
    lab = RelayLab(
        tmp_path / "relay",
        forward={"kind": "folder", "folder": str(it_folder)},
        secret=None,
        command=(str(venv / "bin" / "ally-relay"),),
    )
    check = lab.cli("check")
    assert check.returncode == 0, check.stdout + check.stderr
    with lab:
        pc = Desktop(tmp_path / "pc", lab, lab.token())
        sent = pc.report(note="Sent through a relay that has no desktop in it.")
        assert sent.returncode == 0, sent.stdout + sent.stderr
        lab.wait_queue_empty()
        (report_id,) = pc.sent_ids()
        (landed,) = it_folder.glob(f"ally-*-{report_id}.json")
        doc = json.loads(landed.read_text(encoding="utf-8"))
        assert doc["note"] == "Sent through a relay that has no desktop in it."
        page = landed.with_suffix(".html").read_text(encoding="utf-8")
        assert "Sent through a relay that has no desktop in it." in page
        # IT's charts and every other part, drawn by the shared package inside the relay
        assert page.count("<figure class='card chart'") == len(IT_SPECS)
        assert "could not be shown" not in page
