"""The behaviour issue 15 asks of every screen, in real widgets: which program first (and
the check focused on it), one default button per step, Escape closes every window, the
picture enlarges, Ally's windows are covered in the capture, and a report that cannot be
opened says so."""

from __future__ import annotations

import os

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget

from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose, local_probes
from desktop.policy.config import Policy
from desktop.policy.settings import UserSettings
from desktop.reporting import report
from desktop.reporting.outbox import Outbox
from desktop.showing.program_list import Program
from desktop.ui.other_windows import ReportsWindow, SettingsWindow, StatusWindow
from desktop.ui.screen_capture import COVER, cover
from desktop.ui.screenshot_choice import PictureDialog
from tests.ui.test_report_window import make_window, sampler  # noqa: F401  (fixture)


def test_an_app_error_asks_which_program_first_and_the_check_focuses_on_it(
    qtbot,
    tmp_path,
    sampler,  # noqa: F811
):
    w = make_window(qtbot, tmp_path, sampler, {"kind": "folder", "folder": str(tmp_path)})
    w.program_page.source = lambda: [Program("chrome", "Google Chrome", True, False)]
    qtbot.mouseClick(w.symptom_buttons["app"], Qt.MouseButton.LeftButton)
    assert w.windowTitle().endswith("Which program?")  # asked before any check
    qtbot.waitUntil(lambda: w.program_page.list.count() == 3, timeout=10000)
    assert w.program_page.list.item(0).text() == "Google Chrome (open now)"
    w.program_page.list.setCurrentRow(2)  # "Not in the list"
    assert w.program_page.other.isVisible() and not w.program_page.check.isEnabled()
    qtbot.keyClicks(w.program_page.other, "Outlook")
    assert w.program_page.check.isDefault()
    qtbot.mouseClick(w.program_page.check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 2, timeout=20000)
    assert w.focus_app == "Outlook"
    focus = w.session.diagnosis.snapshot.section_data("focus_app")
    assert focus is not None and focus.asked_for == "Outlook"
    # The ending names the program the person chose.
    qtbot.mouseClick(w.tell_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.show_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pages.currentWidget() is w.done, timeout=20000)
    told = w.done.told.text()
    assert told.startswith("You told IT: A program shows an error or closed by itself.")
    assert f"The program: {focus.name}." in told, told


def test_each_step_has_one_default_button_and_escape_closes_the_window(
    qtbot,
    tmp_path,
    sampler,  # noqa: F811
):
    w = make_window(qtbot, tmp_path, sampler, {"kind": "folder", "folder": str(tmp_path)})
    for step, main in (
        (2, w.tell_button),
        (3, w.show_button),
        (4, w.send_button),
        (5, w.done_close),
        (6, w.program_page.check),
    ):
        page = w.pages.widget(step)
        defaults = [b for b in page.findChildren(type(main)) if b.isDefault()]
        assert defaults == [main], (step, [b.text() for b in defaults])
    w.activateWindow()
    qtbot.waitActive(w)
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_Escape)
    assert not w.isVisible()


def test_escape_closes_the_other_windows_and_the_picture(qtbot, tmp_path):
    d = diagnose("slow", sampler=Sampler(SamplerSettings()), warm_up_s=0, probes=local_probes())
    windows: list[QWidget] = [
        StatusWindow(lambda done: done(d), interval_ms=3_600_000),
        ReportsWindow(Outbox(tmp_path / "outbox")),
        SettingsWindow(UserSettings(), lambda s: None, Policy()),
        PictureDialog(QImage(640, 360, QImage.Format.Format_RGB32) and _pixmap()),
    ]
    for window in windows:
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        qtbot.waitActive(window)
        qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Escape)
        assert not window.isVisible(), type(window).__name__


def _pixmap():
    from PySide6.QtGui import QPixmap

    pix = QPixmap(640, 360)
    pix.fill(QColor("#336699"))
    return pix


def test_the_thumbnail_enlarges_when_clicked(qtbot, tmp_path, sampler):  # noqa: F811
    image = QImage(1600, 900, QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    w = make_window(qtbot, tmp_path, sampler, {"kind": "folder", "folder": str(tmp_path)}, image)
    w.more.show_screenshot(w.screenshot.png)
    qtbot.mouseClick(w.more.shot.thumb, Qt.MouseButton.LeftButton)
    dialog = w.more.shot.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.width() > w.more.shot.thumb.width() * 2


def test_allys_own_windows_are_covered_in_the_picture_of_the_screen():
    screen = QImage(800, 600, QImage.Format.Format_RGB32)
    screen.fill(QColor("#ffffff"))
    shot = cover(screen, [QRect(100, 50, 200, 100)], QRect(0, 0, 400, 300), 2.0)
    assert QColor(shot.pixel(250, 150)) == COVER  # inside Ally's window (scaled ×2)
    assert QColor(shot.pixel(50, 50)) == QColor("#ffffff")  # the person's screen


def test_a_report_that_cannot_be_opened_says_so_and_where_it_is(qtbot, tmp_path, monkeypatch):
    d = diagnose("slow", sampler=Sampler(SamplerSettings()), warm_up_s=0, probes=local_probes())
    outbox = Outbox(tmp_path / "outbox")
    outbox.add(report.build(d, note="waiting"))
    window = ReportsWindow(outbox)
    qtbot.addWidget(window)
    # No program to open web pages: Qt finds no xdg-open on an empty PATH, for real.
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    for name in ("BROWSER", "DESKTOP_SESSION", "XDG_CURRENT_DESKTOP"):
        monkeypatch.delenv(name, raising=False)
    window.table.selectRow(0)
    window.open_selected()
    assert window.opened is not None and window.opened.is_file()
    # Kept beside the person's reports, readable by them alone: never in the shared /tmp.
    assert window.opened.parent == tmp_path / "opened"
    assert os.stat(window.opened).st_mode & 0o777 == 0o600
    assert os.stat(window.opened.parent).st_mode & 0o777 == 0o700
    assert "could not open the report" in window.detail.text()
    assert str(window.opened) in window.detail.text()
    assert os.environ["PATH"] == str(empty)
