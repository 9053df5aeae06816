"""Something's wrong on Wayland: the desktop portal takes the screen's picture and may first
ask the person, so the tray app waits for it off its event loop and opens the report
window once the answer is in. Real widgets offscreen, a real D-Bus session bus, the
portal's part played by tests/desktop_portal.py."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QTimer
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication

from desktop.base.words import say
from desktop.ui import screen_capture
from tests.desktop_portal import Portal, private_session_bus

pytest.importorskip("jeepney", reason="jeepney comes with keyring on Linux")
pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None, reason="needs dbus-daemon (apt install dbus)"
)


def _screen_png() -> bytes:
    """A picture that looks like a screen (a wallpaper and a panel), not a blank one."""
    image = QImage(640, 360, QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    painter = QPainter(image)
    painter.fillRect(0, 330, 640, 30, QColor("#202020"))
    painter.fillRect(100, 80, 300, 180, QColor("#f0f0f0"))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


@pytest.fixture
def wayland(monkeypatch):
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    with private_session_bus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield


def _start_without_tray():
    """Without a tray the app opens the report window by itself, as at login."""
    from desktop.ui.ally_app import AllyApp

    return AllyApp(QApplication.instance(), tray_available=False)


def test_the_tray_keeps_running_while_the_portal_asks_and_the_window_says_why(
    qtbot, wayland, tmp_path, monkeypatch
):
    monkeypatch.setattr(screen_capture, "PORTAL_WAIT_S", 3.0)
    portal = Portal(tmp_path, "silent")  # as a portal whose question nobody answers
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(50)
    ally = _start_without_tray()
    try:
        assert "report" not in ally.windows and ally.portal_asked  # asked, not waited for
        qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=2000)  # the event loop runs on
        assert "report" not in ally.windows
        assert ally.open_report() is None  # a second click is the same question
        qtbot.waitUntil(lambda: "report" in ally.windows, timeout=15000)
        window = ally.windows["report"]
        assert window.isVisible() and window.screenshot is None
        assert window.more.no_picture.text() == say("no_answer", "screen_picture")
        assert len(portal.options) == 1 and not ally.portal_asked
        window.close()
    finally:
        timer.stop()
        ally.shutdown()
        portal.close()


def test_the_portals_picture_goes_with_the_report_and_no_copy_is_left(qtbot, wayland, tmp_path):
    portal = Portal(tmp_path, "ok", picture=_screen_png())
    ally = _start_without_tray()
    try:
        qtbot.waitUntil(lambda: "report" in ally.windows, timeout=15000)
        window = ally.windows["report"]
        assert window.isVisible() and window.screenshot is not None
        assert not window.more.no_picture.isVisible()
        assert portal.saved is not None and not portal.saved.exists()  # read once, deleted
        window.close()
    finally:
        ally.shutdown()
        portal.close()
