"""The services the composition root builds (desktop/start/services.py) work without Qt: a
delivery round, a ticket's status and the local check run with no QApplication at all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from desktop.base.paths import AllyPaths
from desktop.policy.config import Policy
from desktop.reporting.outbox import Outbox
from desktop.start import startup
from desktop.start.services import Services
from tests.builders import report_doc

ROOT = Path(__file__).resolve().parents[2]

ROUND = """
import json, sys
from desktop.start.services import Services
services = Services.load().start(sample=False)
outcomes = services.delivery_round()
print(json.dumps({
    "receipts": [o.receipt.transport for o in outcomes if o.receipt],
    "qt_loaded": any(m.startswith("PySide6") for m in sys.modules),
}))
"""


def test_a_delivery_round_runs_without_qt(tmp_path):
    home, share = tmp_path / "home", tmp_path / "share"
    share.mkdir()
    policy = tmp_path / "policy.toml"
    policy.write_text(
        f'[network]\nactive_checks = false\n[transport]\nkind = "folder"\nfolder = "{share}"\n'
    )
    doc = report_doc()
    Outbox(home / "data" / "outbox").add(doc)
    env = {"ALLY_HOME": str(home), "ALLY_POLICY": str(policy), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", ROUND], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result == {"receipts": ["folder"], "qt_loaded": False}
    (delivered,) = share.glob("*.json")
    assert json.loads(delivered.read_text())["id"] == doc["id"]
    assert Outbox(home / "data" / "outbox").entries() == []


def test_nothing_waiting_is_a_quiet_round_and_ticket_status_needs_a_helpdesk(tmp_path):
    services = Services.load(Policy.from_dict({}), AllyPaths.from_environment()).start(sample=False)
    assert services.delivery_round() is None
    assert services.ticket_status("1234") is None  # the folder has no tickets


def test_the_local_check_answers_without_qt(tmp_path):
    services = Services.load(Policy.from_dict({}), AllyPaths.from_environment()).start()
    try:
        services.sampler.sample_now()
        d = services.local_check()
        assert d.snapshot.symptom.value == "slow"
        assert "connectivity" not in d.snapshot.sections  # no network walk on a timer
    finally:
        services.stop()


def test_settings_are_kept_by_the_services(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # the login entry: here
    # No package's entry for every login (this machine's /etc/xdg/autostart is not ours:
    # a .deb installed by another test or by hand would leave nothing to write).
    monkeypatch.setattr(startup, "SYSTEM_ENTRY", tmp_path / "no-system-entry.desktop")
    services = Services.load(Policy.from_dict({}), AllyPaths.from_environment())
    services.settings.name = "Alex"
    services.save_settings(services.settings)
    assert Services.load(Policy.from_dict({}), AllyPaths.from_environment()).settings.name == "Alex"
    assert (tmp_path / "config/autostart/ally.desktop").exists()  # the person's choice followed
