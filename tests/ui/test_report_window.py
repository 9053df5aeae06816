"""The whole report flow in real Qt widgets (offscreen), driven by clicks and keys, with
real diagnostics on this machine and real transports."""

from __future__ import annotations

import itertools
import json
import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage

from ally_helpdesk.report_format import reference_code
from desktop.base.paths import AllyPaths
from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.explain import load_catalog
from desktop.policy.config import Policy
from desktop.policy.settings import UserSettings
from desktop.reporting.session import ReportSession
from desktop.ui.report_window import ReportWindow


@pytest.fixture(scope="module")
def sampler():
    s = Sampler(SamplerSettings(interval_s=0.2, process_interval_s=1.0))
    s.start()
    time.sleep(1.5)
    yield s
    s.stop()


def make_window(qtbot, tmp_path, sampler, transport: dict, screenshot: QImage | None = None):
    policy = Policy.from_dict({"network": {"active_checks": False}, "transport": transport})
    paths = AllyPaths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")
    session = ReportSession(policy, paths, sampler, load_catalog("en"))
    settings = UserSettings(name="Alex Doe", email="alex@example.com")
    window = ReportWindow(session, settings, screenshot)
    qtbot.addWidget(window)
    window.show()
    return window


def test_the_whole_flow_ends_in_a_report_identical_to_what_was_shown(qtbot, tmp_path, sampler):
    folder = tmp_path / "reports"
    folder.mkdir()  # IT's folder is IT's to make: Ally never creates a configured one
    image = QImage(1920, 1080, QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    w = make_window(qtbot, tmp_path, sampler, {"kind": "folder", "folder": str(folder)}, image)
    assert w.pages.currentIndex() == 0
    # Step 1 by keyboard: the first choice has the focus, Space presses it.
    w.symptom_buttons["slow"].setFocus()
    ticks: list[float] = []
    checks_done: list[float] = []
    w.progress.connect(lambda _section: checks_done.append(time.perf_counter()))
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    started = time.perf_counter()
    qtbot.keyClick(w.symptom_buttons["slow"], Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 2, timeout=15000)
    timer.stop()
    # The event loop kept turning while the checks ran on worker threads: the longest
    # pause between two turns, from the click to the last check's result (the answer's
    # own page is drawn after that, on this thread, as it must be). A check run on this
    # thread would freeze the window for as long as it takes.
    last = max(checks_done)
    while_checking = [started, *[t for t in ticks if t <= last], last]
    pause = max(b - a for a, b in itertools.pairwise(while_checking))
    assert pause < 0.25, f"longest pause of the event loop while checking: {pause * 1000:.0f} ms"
    assert len(checks_done) >= 7
    assert w.check_list.count() >= 7  # each check appeared as it completed
    assert w.answer_seconds < 3.0
    assert w.result_title.text() and w.result_text.text()
    qtbot.mouseClick(w.tell_button, Qt.MouseButton.LeftButton)
    assert w.pages.currentIndex() == 3
    assert w.name.text() == "Alex Doe"  # prefilled from settings
    # Not ticked: the picture may show anything that was on the screen; she ticks it.
    assert not w.include_shot.isChecked() and w.screenshot.width == 1280  # downscaled
    w.include_shot.setChecked(True)
    qtbot.keyClicks(w.note, "Outlook takes a minute to open each mail.")
    qtbot.mouseClick(w.show_button, Qt.MouseButton.LeftButton)
    assert w.pages.currentIndex() == 4
    assert "Outlook takes a minute" in w.preview.toPlainText()
    text = w.preview.toPlainText()
    assert "What feels wrong: My computer is slow" in text  # words, never the code "slow"
    w.send_parts["process_list"].setChecked(False)  # "Send: ☐ the list of programs …"
    text = w.preview.toPlainText()
    assert "Not sent, as chosen: the list of programs that are running" in text
    assert "process_list" not in text
    w.exact.setChecked(True)
    shown = json.loads(w.preview.toPlainText())
    qtbot.mouseClick(w.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 5, timeout=15000)
    assert "where IT collects reports" in w.done_text.text()
    assert w.done_title.text() == "Thank you. IT has your report."
    # The reference the person can quote: the start of the id IT sees in the report.
    assert f"Your reference: {reference_code(shown['id'])}." in w.done_text.text()
    (sent,) = folder.glob("*.json")
    assert json.loads(sent.read_text()) == shown  # exactly what the review screen showed
    assert shown["screenshot"]["width"] == 1280 and shown["left_out"] == ["process_list"]


def test_offline_the_report_is_saved_and_the_words_say_so(qtbot, tmp_path, sampler):
    w = make_window(qtbot, tmp_path, sampler, {"kind": "webhook", "url": "http://127.0.0.1:9/hook"})
    qtbot.mouseClick(w.symptom_buttons["internet"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 2, timeout=15000)
    qtbot.mouseClick(w.tell_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.show_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 5, timeout=20000)
    assert "Your report is saved" in w.done_text.text()
    # Not "Thank you" alone: the heading says plainly that it is saved and will be sent.
    assert w.done_title.text() == "Your report is saved and will be sent"
    assert "Your reference: " in w.done_text.text()
    pending = [
        p
        for p in (tmp_path / "data/outbox/pending").glob("*.json")
        if not p.name.endswith(".state.json")
    ]
    assert len(pending) == 1


def test_the_picture_can_be_left_out_and_taken_back_and_every_control_has_a_name(
    qtbot, tmp_path, sampler
):
    image = QImage(800, 600, QImage.Format.Format_RGB32)
    image.fill(QColor("#aa3333"))
    w = make_window(
        qtbot, tmp_path, sampler, {"kind": "folder", "folder": str(tmp_path / "r")}, image
    )
    qtbot.mouseClick(w.symptom_buttons["slow"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 2, timeout=15000)
    qtbot.mouseClick(w.tell_button, Qt.MouseButton.LeftButton)
    assert not w.include_shot.isChecked() and w.include_shot.isVisible()  # her choice
    assert not w.more.shot.it_asked.isVisible()
    w.include_shot.setChecked(True)
    w.include_shot.setChecked(False)  # unticked: faded, still there, and can be ticked again
    assert w.more.shot.thumb.isVisible()
    qtbot.mouseClick(w.show_button, Qt.MouseButton.LeftButton)
    assert w.doc.get("screenshot") is None and "screenshot" in w.doc["left_out"]
    assert not w.send_parts["screenshot"].isChecked()
    w.send_parts["screenshot"].setChecked(True)  # changed her mind on the review screen
    assert w.doc["screenshot"]["width"] == 800 and w.include_shot.isChecked()
    from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit

    for widget in (
        w.findChildren(QAbstractButton) + w.findChildren(QLineEdit) + w.findChildren(QPlainTextEdit)
    ):
        assert widget.accessibleName(), widget


def test_without_a_transport_the_ending_says_the_report_stays_here_and_opens_its_folder(
    qtbot, tmp_path, sampler, monkeypatch
):
    """No [transport]: Ally's own folder on this computer is not IT. The last step says
    so, where the report is, how to reach IT, and offers to open the folder."""
    from PySide6.QtGui import QDesktopServices

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    w = make_window(qtbot, tmp_path, sampler, {})
    w.start_check("slow")
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 2, timeout=15000)
    qtbot.mouseClick(w.tell_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.send_button.isEnabled(), timeout=5000)
    qtbot.mouseClick(w.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pages.currentIndex() == w.pages.indexOf(w.done), timeout=15000)
    folder = tmp_path / "data" / "reports"
    assert w.done.title.text() == "Your report is saved on this computer"
    text = w.done.text.text()
    assert "IT has your report" not in text and f"It is in this folder: {folder}" in text
    assert w.done.open_folder.isVisible()
    qtbot.mouseClick(w.done.open_folder, Qt.MouseButton.LeftButton)
    assert opened == [str(folder)]
    assert list(folder.glob("*.json"))  # the report is there


def test_it_may_start_the_picture_ticked_and_the_window_says_it_asked(qtbot, tmp_path, sampler):
    image = QImage(800, 600, QImage.Format.Format_RGB32)
    image.fill(QColor("#aa3333"))
    policy = Policy.from_dict(
        {"network": {"active_checks": False}, "privacy": {"screenshot_ticked": True}}
    )
    paths = AllyPaths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")
    session = ReportSession(policy, paths, sampler, load_catalog("en"))
    w = ReportWindow(session, UserSettings(), image)
    qtbot.addWidget(w)
    w.show()
    qtbot.mouseClick(w.symptom_buttons["slow"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 2, timeout=15000)
    qtbot.mouseClick(w.tell_button, Qt.MouseButton.LeftButton)
    assert w.include_shot.isChecked()
    asked = w.more.shot.it_asked
    assert asked.isVisible() and asked.text().startswith("Your IT department asks for this")
