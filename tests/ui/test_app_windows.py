"""The running app and its smaller windows, offscreen with real widgets."""

from __future__ import annotations

import json
import time

import pytest
from PySide6.QtWidgets import QApplication

from ally_helpdesk.transports.folder import FolderTransport
from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose, local_probes
from desktop.policy.config import Policy
from desktop.policy.settings import UserSettings
from desktop.reporting import report
from desktop.reporting.outbox import Outbox
from desktop.ui import other_windows
from desktop.ui.other_windows import ReportsWindow, SettingsWindow, StatusWindow


@pytest.fixture(scope="module")
def diagnosis():
    return diagnose(
        "slow",
        sampler=Sampler(SamplerSettings(interval_s=0.2)),
        warm_up_s=0.4,
        probes=local_probes(),
    )


def test_without_a_tray_ally_opens_its_window_and_says_why(qtbot, tmp_path, monkeypatch):
    from desktop.ui.ally_app import NO_TRAY, AllyApp

    monkeypatch.setenv("ALLY_HOME", str(tmp_path))
    ally = AllyApp(QApplication.instance(), tray_available=False)
    try:
        window = ally.windows["report"]
        assert window.isVisible() and ally.tray is None
        assert NO_TRAY in [w.text() for w in window.findChildren(type(window.result_text))]
    finally:
        ally.shutdown()
        window.close()


def test_status_window_shows_plain_words_and_the_charts(qtbot, diagnosis):
    calls = []
    window = StatusWindow(lambda done: (calls.append(1), done(diagnosis)), interval_ms=50)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: len(calls) >= 3, timeout=3000)  # it keeps itself up to date
    assert window.title.text() and window.chart.history["t_offset_s"]
    window.close()


def test_my_reports_lists_waiting_and_sent_reports(qtbot, tmp_path, diagnosis):
    outbox = Outbox(tmp_path / "outbox")
    sent = report.build(diagnosis, note="sent one")
    waiting = report.build(diagnosis, note="waiting one")
    outbox.add(sent)
    share = tmp_path / "share"
    outbox.deliver_due(FolderTransport(share))
    outbox.add(waiting)
    it_chose = Policy.from_dict({"transport": {"kind": "folder", "folder": str(share)}})
    window = ReportsWindow(outbox, policy=it_chose)
    qtbot.addWidget(window)
    states = [window.table.item(r, 2).text() for r in range(window.table.rowCount())]
    assert any(s.startswith("Saved, not sent yet. Ally will keep trying.") for s in states)
    assert "Sent." in states  # the reference is in the ending below, once
    abouts = {window.table.item(r, 1).text() for r in range(window.table.rowCount())}
    assert abouts == {"My computer is slow"}  # the person's words, never "slow"
    assert {d["note"] for d in window.docs} == {"sent one", "waiting one"}
    # Without a transport IT chose, the same record is kept here, never "sent" to IT.
    here = ReportsWindow(outbox, policy=Policy())
    qtbot.addWidget(here)
    kept = [here.table.item(r, 2).text() for r in range(here.table.rowCount())]
    assert any(s.startswith("Saved on this computer only") for s in kept)
    assert not any(s.startswith("Sent.") for s in kept)


def test_settings_are_saved_and_start_at_login_follows(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    saved = []
    policy = Policy.from_dict(
        {"it_contact": {"email": "help@example.com", "phone": "+44 20 7946 0000"}}
    )
    window = SettingsWindow(UserSettings(), saved.append, policy)
    qtbot.addWidget(window)
    window.fields["name"].setText("Alex Doe")
    window.login.setChecked(True)
    window.save()
    assert saved[0].name == "Alex Doe" and saved[0].start_at_login
    assert "help@example.com" in other_windows.contact_text(policy)


def test_it_can_force_or_forbid_start_at_login(qtbot):
    for choice, shown in (("always", True), ("never", False)):
        policy = Policy.from_dict({"startup": {"at_login": choice}})
        window = SettingsWindow(UserSettings(start_at_login=not shown), lambda s: None, policy)
        qtbot.addWidget(window)
        assert window.login.isChecked() is shown and not window.login.isEnabled()


def test_user_settings_survive_a_damaged_file(tmp_path):
    path = tmp_path / "settings.json"
    UserSettings(name="Alex", tips_paused_until=time.time() + 60).save(path)
    assert UserSettings.load(path).name == "Alex"
    path.write_text("{not json")
    assert UserSettings.load(path) == UserSettings()
    assert (tmp_path / "settings.damaged").exists()
    path.write_text(json.dumps({"name": 42, "email": "a@b.c", "unknown": 1}))
    loaded = UserSettings.load(path)
    assert loaded.name == "" and loaded.email == "a@b.c"


def test_closed_windows_are_released_once_their_work_is_done(qtbot, tmp_path, monkeypatch):
    """Left alone for weeks, the tray app should not keep every window it ever showed."""
    from desktop.ui import ally_app
    from desktop.ui.ally_app import AllyApp

    monkeypatch.setattr(ally_app, "RELEASE_AFTER_MS", 50)
    # Memory goes back after every release; the report window is released later than the
    # others when its check is still running. What matters: once all are gone, it went back.
    released: list[bool] = []
    monkeypatch.setattr(ally_app, "give_back", lambda: released.append(not ally.windows))
    monkeypatch.setenv("ALLY_HOME", str(tmp_path))
    ally = AllyApp(QApplication.instance(), tray_available=False)
    try:
        status = ally.open_status()
        settings = ally.open_settings()
        report = ally.windows["report"]
        assert {"report", "status", "settings"} <= set(ally.windows)
        for window in (report, status, settings):
            window.close()
        qtbot.waitUntil(lambda: not ally.windows and released[-1:] == [True], timeout=30_000)
        reopened = ally.open_status()  # and a new one opens as before
        assert reopened.isVisible() and ally.windows == {"status": reopened}
        reopened.close()
    finally:
        ally.shutdown()


def test_the_check_the_person_asks_for_is_not_held_back_by_work_that_waits(qtbot):
    """A delivery to a relay that does not answer and the portal asking the person both
    wait on a worker; the check the person just asked for still starts at once, also on
    a machine with as few cores as waits."""
    import threading

    from PySide6.QtCore import QThread

    from desktop.ui.workers import Background

    background, gate = Background(), threading.Event()
    try:
        for _ in range(max(2, QThread.idealThreadCount())):
            background.run(lambda: gate.wait(30), lambda _value: None)
        answers: list[str] = []
        background.run(lambda: "checked", answers.append)
        qtbot.waitUntil(lambda: answers == ["checked"], timeout=5_000)
    finally:
        gate.set()
        qtbot.waitUntil(lambda: not background.busy(), timeout=10_000)


def test_a_changed_policy_starts_ally_again_once_no_window_is_open(qtbot, tmp_path, monkeypatch):
    """IT changes the policy: the running tray app notices and starts again to apply it,
    but not while the person has a window open."""
    from desktop.start.launch import EXIT_RESTART
    from desktop.ui.ally_app import AllyApp

    policy = tmp_path / "policy.toml"
    policy.write_text("[network]\nactive_checks = false\n")
    monkeypatch.setenv("ALLY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ALLY_POLICY", str(policy))
    app = QApplication.instance()
    exits: list[int] = []
    monkeypatch.setattr(app, "exit", exits.append)
    ally = AllyApp(app, tray_available=False)  # without a tray its window opens at once
    try:
        ally.check_policy()
        assert not ally.policy_restart_due  # nothing changed
        policy.write_text("[network]\nactive_checks = false\n[tips]\nenabled = false\n")
        ally.check_policy()
        assert ally.policy_restart_due
        qtbot.wait(400)
        assert exits == []  # the person's window is open: not now
        ally.windows["report"].close()
        ally.check_policy()
        qtbot.waitUntil(lambda: exits == [EXIT_RESTART], timeout=3000)
    finally:
        ally.shutdown()
