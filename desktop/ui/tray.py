"""The tray icon and its menu. Left click opens Ally; the icon and tooltip follow the
current findings; tips arrive as one calm notification."""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop.resources_access import resource
from desktop.status import TrayStatus


def dark_theme() -> bool:
    hints = QGuiApplication.styleHints()
    try:
        from PySide6.QtCore import Qt

        return hints.colorScheme() == Qt.ColorScheme.Dark
    except AttributeError:  # Qt older than 6.5
        return False


def icon_for(status: TrayStatus) -> QIcon:
    """Vector icons: Qt renders them at whatever size a high-DPI tray asks for. The macOS
    menu bar wants one monochrome template icon that the system tints itself."""
    if sys.platform == "darwin":
        icon = QIcon(str(resource("icons/ally-template.svg")))
        icon.setIsMask(True)
        return icon
    path = resource(status.icon(dark_theme()))
    icon = QIcon()
    data = path.read_bytes()
    for size in (16, 22, 24, 32, 48, 64):
        pix = QPixmap()
        pix.loadFromData(data, "SVG")
        icon.addPixmap(pix.scaled(size, size))
    return icon


class Tray(QObject):
    report_requested = Signal()
    status_requested = Signal()
    reports_requested = Signal()
    contact_requested = Signal()
    settings_requested = Signal()
    pause_toggled = Signal()
    quit_requested = Signal()

    def __init__(self, status: TrayStatus, tips_paused: Callable[[], bool]) -> None:
        super().__init__()
        self.tips_paused = tips_paused
        self.icon = QSystemTrayIcon()
        self.menu = QMenu()
        self.actions: dict[str, QAction] = {}
        for key, text, signal in (
            ("report", "Something's wrong — tell IT", self.report_requested),
            ("status", "How is my computer doing?", self.status_requested),
            ("reports", "My reports", self.reports_requested),
            ("contact", "Contact IT", self.contact_requested),
            ("settings", "Settings", self.settings_requested),
            ("pause", "Pause tips", self.pause_toggled),
            ("quit", "Quit", self.quit_requested),
        ):
            if key == "quit":
                self.menu.addSeparator()
            action = self.menu.addAction(text)
            action.triggered.connect(signal.emit)
            self.actions[key] = action
        self.menu.aboutToShow.connect(self._refresh_pause_label)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(self.report_requested.emit)
        self.set_status(status)

    def _refresh_pause_label(self) -> None:
        self.actions["pause"].setText("Show tips again" if self.tips_paused() else "Pause tips")

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.report_requested.emit()

    def set_status(self, status: TrayStatus) -> None:
        self.status = status
        self.icon.setIcon(icon_for(status))
        self.icon.setToolTip(status.tooltip)

    def show(self) -> None:
        self.icon.show()

    def tip(self, title: str, text: str) -> None:
        self.icon.showMessage(
            title, text + "\nClick here to tell IT.", QSystemTrayIcon.MessageIcon.Information, 15000
        )
