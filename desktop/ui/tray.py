"""The tray icon and its menu. Left click opens Ally; the icon and tooltip follow the
current findings; tips arrive as one calm notification."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ally_helpdesk.text_safety import html_escape, without_controls
from desktop.base.resources_access import resource
from desktop.base.words import say
from desktop.showing.status import TrayStatus

# Tray sizes on common desktops at 100 %, 150 %, 200 % and 400 % scaling.
ICON_SIZES = (16, 22, 24, 32, 44, 48, 64, 128)


def dark_theme() -> bool:
    """The system's colour scheme where the platform reports it (Windows, macOS, GNOME, KDE);
    otherwise judged from the palette, which every platform theme sets."""
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


# Desktops whose panel is dark whatever the apps' theme: GNOME's top bar (and Ubuntu's,
# Pop!_OS's, on GNOME Shell) is black in light mode too.
ALWAYS_DARK_PANELS = ("gnome", "ubuntu", "pop", "unity")


def panel_is_dark() -> bool:
    """Whether the panel the icon sits on is dark, which is not always the apps' theme:
    GNOME's top bar is dark in light mode too, and Windows sets the taskbar apart from the
    apps ("Choose your default Windows mode"). Elsewhere (KDE, Xfce, …) the panel follows
    the theme. An icon drawn for the wrong panel all but vanishes (1.1:1)."""
    if sys.platform == "win32":
        light = windows_taskbar_light()
        if light is not None:
            return not light
    elif sys.platform.startswith("linux"):
        desktops = os.environ.get("XDG_CURRENT_DESKTOP", "").lower().split(":")
        if any(d in ALWAYS_DARK_PANELS for d in desktops):
            return True
    return dark_theme()


def windows_taskbar_light() -> bool | None:
    """Windows' own setting for the taskbar (SystemUsesLightTheme), None where unset."""
    try:
        import winreg

        key = r"Software\Microsoft\Windows\CurrentVersion\Themes\Personalize"
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as handle:
            value, _kind = winreg.QueryValueEx(handle, "SystemUsesLightTheme")
    except (ImportError, OSError):
        return None
    return bool(value) if isinstance(value, int) else None


def render_svg(data: bytes, size: int) -> QPixmap:
    """Drawn from the vector at the size asked for, so it stays sharp (never a scaled-up
    bitmap). What tools/render_tray_icons.py draws the tray's pictures with; the running
    app loads those pictures instead, so the SVG library never loads into the idle tray
    app (about 1 MB for a picture drawn once)."""
    from PySide6.QtSvg import QSvgRenderer

    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    QSvgRenderer(data).render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pix


def drawn_icon_name(svg_name: str, size: int) -> str:
    """The resource holding ``svg_name`` drawn at ``size`` pixels."""
    stem = svg_name.rsplit("/", 1)[-1].removesuffix(".svg")
    return f"icons/drawn/{stem}-{size}.png"


MENU_TITLE_CHARS = 80  # in the menu (the catalog's longest headline is 68 before names)


def menu_title(title: str) -> str:
    """A tip's title (it may hold a program's or IT's words) fit for one menu item: no
    control or direction-changing characters, one line, at most MENU_TITLE_CHARS (then
    "…"), and kept apart from the words around it (Unicode isolates), so a right-to-left
    name never turns the item round."""
    plain = " ".join(without_controls(title).split())
    if len(plain) > MENU_TITLE_CHARS:
        plain = plain[: MENU_TITLE_CHARS - 1].rstrip() + "…"
    return "\u2068" + plain + "\u2069"


def menu_text(text: str) -> str:
    """Words for a menu item: one line, and "&" doubled so Qt does not take it for a
    keyboard shortcut ("AT&T Connect" shows as written)."""
    return " ".join(text.split()).replace("&", "&&")


def icon_for(status: TrayStatus, dark: bool | None = None) -> QIcon:
    """One icon with a picture for each tray size, drawn from the vector ahead of time
    (tools/render_tray_icons.py; a test holds them to the SVG). The macOS menu bar wants one
    monochrome template icon that the system tints itself."""
    if sys.platform == "darwin":  # the same three states, as macOS draws menu bar icons
        icon = QIcon(str(resource(status.template_icon())))
        icon.setIsMask(True)
        return icon
    name = status.icon(panel_is_dark() if dark is None else dark)
    icon = QIcon()
    for size in ICON_SIZES:
        pix = QPixmap()
        if not pix.loadFromData(resource(drawn_icon_name(name, size)).read_bytes(), "PNG"):
            pix = render_svg(resource(name).read_bytes(), size)  # a picture gone missing
        icon.addPixmap(pix)
    return icon


class Tray(QObject):
    report_requested = Signal()
    status_requested = Signal()
    reports_requested = Signal()
    contact_requested = Signal()
    settings_requested = Signal()
    pause_toggled = Signal()
    remind_later_requested = Signal()
    quit_requested = Signal()

    def __init__(self, status: TrayStatus, tips_paused: Callable[[], bool]) -> None:
        super().__init__()
        self.tips_paused = tips_paused
        self._drawn: tuple[str, bool] | None = None  # the state and theme the icon shows
        self.last_tip: tuple[str, str] | None = None  # the last tip's balloon: title, text
        self.icon = QSystemTrayIcon()
        self.menu = QMenu()
        self.actions: dict[str, QAction] = {}
        for key, slot in (
            ("report", self.report_requested.emit),
            ("status", self.status_requested.emit),
            ("reports", self.reports_requested.emit),
            ("contact", self.contact_requested.emit),
            ("settings", self.settings_requested.emit),
            ("last_tip", self.show_last_tip),
            ("remind", self._remind_later),
            ("pause", self.pause_toggled.emit),
            ("quit", self.quit_requested.emit),
        ):
            if key == "quit":
                self.menu.addSeparator()
            action = self.menu.addAction("" if key == "last_tip" else self._words(key))
            action.triggered.connect(slot)
            self.actions[key] = action
        for key in ("last_tip", "remind"):  # only once a tip has been shown
            self.actions[key].setVisible(False)
        self.menu.aboutToShow.connect(self._refresh_pause_label)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(self.report_requested.emit)
        self.set_status(status)
        # Follow the system's light or dark theme while running, not only at start.
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._theme_changed)
        QGuiApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is QGuiApplication.instance() and event.type() in (
            QEvent.Type.ApplicationPaletteChange,
            QEvent.Type.ThemeChange,
        ):
            self._theme_changed()
        return False

    def _theme_changed(self, *_: object) -> None:
        self.set_status(self.status)

    def _refresh_pause_label(self) -> None:
        self.actions["pause"].setText(self._words("resume" if self.tips_paused() else "pause"))

    @staticmethod
    def _words(key: str, seconds: float | None = None, **values: str) -> str:
        """The menu's words; a time-limited action says its time ("for 4 hours")."""
        from ally_helpdesk.evidence.plain_numbers import duration
        from desktop.policy.settings import TIPS_PAUSE_FOR_S

        if seconds is None:
            seconds = TIPS_PAUSE_FOR_S
        return say(key, "tray", duration=duration(seconds), **values)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.report_requested.emit()

    def set_status(self, status: TrayStatus) -> None:
        """The icon is drawn again only when its picture changes (the state or the theme):
        the status is worked out every minute and is the same most of the time."""
        dark = panel_is_dark()
        if (status.level, dark) != self._drawn:
            self.icon.setIcon(icon_for(status, dark))
            self._drawn = (status.level, dark)
        # A tooltip guesses whether its text is HTML; escaped and marked as rich text, a
        # program name such as "<img src=...>" shows as the letters it is.
        tooltip = "<qt>" + html_escape(status.tooltip) + "</qt>"
        if tooltip != self.icon.toolTip():
            self.icon.setToolTip(tooltip)
        self.status = status

    def show(self) -> None:
        self.icon.show()

    def notice(self, title: str, text: str) -> None:
        """A message about Ally itself (not a tip about the computer)."""
        self.icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 20000)

    def tip(self, title: str, text: str, remind_after_s: float | None = None) -> None:
        """A tip. A notification is gone in seconds and cannot carry buttons everywhere,
        so until the next tip Ally's menu names it ("Last tip: …", which shows it again)
        and, when ``remind_after_s`` is given (a tip about this computer: the tips'
        remind_s in force), offers to bring it back then, saying when ("Remind me about
        this tip in 2 hours"). IT's news and restart reminders can be shown again, not
        put off: the tips' "remind me later" is about the last tip of a finding."""
        from ally_helpdesk.evidence.plain_numbers import duration

        # A notification is plain text, but a direction override in a program's name
        # would still turn it round: such characters go, and the title is one line.
        title = " ".join(without_controls(title).split())
        text = without_controls(text)
        if remind_after_s is None:
            end = say("tip_end_again", "tray")
        else:
            end = say("tip_end", "tray", duration=duration(remind_after_s))
            remind = self._words("remind", remind_after_s)
            self.actions["remind"].setText(menu_text(remind))
        self.actions["remind"].setVisible(remind_after_s is not None)
        self.last_tip = (title, text + "\n" + end)
        self.actions["last_tip"].setText(
            menu_text(say("last_tip", "tray", title=menu_title(title)))
        )
        self.actions["last_tip"].setVisible(True)
        self.show_last_tip()

    def show_last_tip(self) -> None:
        """The last tip's notification again, in the same words."""
        if self.last_tip is not None:
            title, text = self.last_tip
            self.icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 15000)

    def _remind_later(self) -> None:
        """The person chose "remind me": the tip is put off, and the menu no longer
        offers it until the next tip."""
        for key in ("last_tip", "remind"):
            self.actions[key].setVisible(False)
        self.last_tip = None
        self.remind_later_requested.emit()
