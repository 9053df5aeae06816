"""Text from outside Ally — IT's policy, program names in findings — is shown as the
letters it is: every label that can hold it is plain text, rendered offscreen next to a
label that guesses (Qt's default) to show the difference is real."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from desktop.diagnostics import Sampler, SamplerSettings
from desktop.policy.config import Policy
from desktop.policy.settings import UserSettings
from desktop.showing.status import TrayStatus
from desktop.ui.other_windows import SettingsWindow, StatusWindow
from desktop.ui.tray import Tray
from tests.ui.test_report_window import make_window

HTML = "<b>IT</b> <img src='file:///etc/passwd'> <a href='https://evil.example'>click</a>"


def all_plain(widget) -> list[QLabel]:
    labels = widget.findChildren(QLabel)
    assert labels
    rich = [label.text() for label in labels if label.textFormat() != Qt.TextFormat.PlainText]
    assert not rich, rich
    return labels


def shows_the_tags(label: QLabel) -> None:
    """Rendered, the label's text is as wide as its tags; a guessing label hides them."""
    same, guessing = QLabel(), QLabel(label.text())
    same.setTextFormat(label.textFormat())
    same.setText(label.text())
    assert same.sizeHint().width() > guessing.sizeHint().width() + 50
    assert not label.grab().isNull()


@pytest.fixture(scope="module")
def sampler():
    s = Sampler(SamplerSettings(interval_s=0.5))  # not started: the window only needs one
    yield s


def test_settings_show_its_policy_text_as_text(qtbot):
    policy = Policy.from_dict({"it_contact": {"email": HTML, "hours": "<h1>24/7</h1>"}})
    window = SettingsWindow(UserSettings(), lambda s: None, policy)
    qtbot.addWidget(window)
    window.show()
    labels = all_plain(window)
    (about,) = [label for label in labels if HTML in label.text()]
    shows_the_tags(about)


def finding(headline: str) -> SimpleNamespace:
    return SimpleNamespace(
        severity=SimpleNamespace(value="warning"),
        headline=headline,
        explanation=f"The program {HTML} is busy.",
        advice=(f"Close {HTML}.",),
    )


def fake_diagnosis(headline: str) -> SimpleNamespace:
    history = {"t_offset_s": [], "cpu_pct": []}
    return SimpleNamespace(
        findings=[finding(headline), finding("second " + headline)],
        summary=SimpleNamespace(
            headline=headline, explanation=HTML, severity="warning", not_your_fault=True
        ),
        snapshot=SimpleNamespace(history=history),
    )


def test_findings_with_markup_in_a_program_name_stay_text(qtbot, tmp_path, sampler):
    w = make_window(qtbot, tmp_path, sampler, {"kind": "folder"})
    w.check_started = 0.0
    w._show_results(fake_diagnosis(f"{HTML} keeps your computer busy"))
    all_plain(w)
    assert HTML in w.result_title.text() and HTML in w.result_findings.text()
    shows_the_tags(w.result_title)
    status = StatusWindow(lambda done: done(fake_diagnosis(HTML)), interval_ms=60_000)
    qtbot.addWidget(status)
    all_plain(status)
    assert status.title.text() == HTML


def test_the_contact_box_and_the_tray_tooltip_never_read_markup(qtbot, tmp_path, monkeypatch):
    from desktop.ui.ally_app import AllyApp

    policy = tmp_path / "policy.toml"
    policy.write_text(f'[network]\nactive_checks = false\n[it_contact]\nemail = "{HTML}"\n')
    monkeypatch.setenv("ALLY_POLICY", str(policy))
    ally = AllyApp(QApplication.instance(), tray_available=False)
    try:
        window = ally.open_contact()
        all_plain(window)
        assert window.findChild(QLabel, "heading").text() == "Contact IT"  # a heading first
        assert window.details.text() == f"Email: {HTML}"
        assert ally.open_contact() is window  # asked again: the same window, to the front
        window.close()
    finally:
        ally.shutdown()
        ally.windows["report"].close()
    tray = Tray(TrayStatus("attention", f"{HTML} is busy", None), tips_paused=lambda: False)
    tip = tray.icon.toolTip()
    assert "<img" not in tip and "&lt;img src=" in tip
    # A time-limited action says its time.
    assert tray.actions["pause"].text() == "Pause tips for 4 hours"


def test_a_note_over_the_limit_is_shortened_and_the_person_told_before_sending(
    qtbot, tmp_path, sampler
):
    from desktop.base.words import say
    from desktop.reporting import report

    folder = tmp_path / "reports"
    folder.mkdir()
    w = make_window(qtbot, tmp_path, sampler, {"kind": "folder", "folder": str(folder)})
    w.session.check("slow")
    w.note.setPlainText("word " * (report.MAX_NOTE_CHARS // 5 + 10))
    w._rebuild()
    told = say("note_shortened", limit=f"{report.MAX_NOTE_CHARS:,}")
    assert w.preview.toPlainText().startswith(told)
    assert len(w.doc["note"]) <= report.MAX_NOTE_CHARS
    w.note.setPlainText("short words")
    w._rebuild()
    assert not w.preview.toPlainText().startswith(told)
