"""The tray app (offscreen, real widgets) with IT's policy naming a relay: it enrols at
its first start, with nothing waiting to be sent, and only once."""

from __future__ import annotations

import json

import keyring
import pytest
from PySide6.QtWidgets import QApplication

from tests.file_keyring import FileKeyring
from tests.relay.lab import HELPDESK_SECRET, RelayLab, desktop_policy
from tests.webhook_server import Receiver


@pytest.fixture
def relay(tmp_path):
    with (
        Receiver(secret=HELPDESK_SECRET) as rx,
        RelayLab(tmp_path / "relay", {"kind": "webhook", "url": rx.url}) as lab,
    ):
        yield lab


def test_the_tray_enrols_at_its_first_start(qtbot, tmp_path, monkeypatch, relay):
    from desktop.ui.ally_app import AllyApp

    home = tmp_path / "home"
    monkeypatch.setenv("ALLY_HOME", str(home))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.file_keyring.FileKeyring")
    keyring.set_keyring(FileKeyring())
    policy = desktop_policy(tmp_path / "policy.toml", relay, relay.token("--uses", "1"))
    monkeypatch.setenv("ALLY_POLICY", str(policy))
    ally = AllyApp(QApplication.instance(), tray_available=False)
    try:
        assert not ally.outbox.entries()  # nothing to send: it enrols all the same
        ally.deliver_waiting()
        stored = home / "test-keyring.json"
        qtbot.waitUntil(lambda: stored.exists(), timeout=30_000)
        token = json.loads(json.loads(stored.read_text())["Ally/relay-device"])["token"]
        assert token.startswith("allydev.")
        devices = [json.loads(line) for line in relay.cli("device", "list").stdout.splitlines()]
        assert [d["id"] for d in devices] == [token.split(".")[1]]
        # The next start does not enrol again (the single-use token is spent anyway).
        ally.deliver_waiting()
        qtbot.wait(1500)
        assert len(relay.cli("device", "list").stdout.splitlines()) == 1
    finally:
        ally.shutdown()
        for window in ally.windows.values():
            window.close()
