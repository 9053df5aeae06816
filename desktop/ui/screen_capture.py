"""The picture of the screen for a report, with Ally's own windows covered.

The picture is taken before the report window appears, but "How is my computer doing?"
or My reports may be open: their place in the picture is filled with a plain grey box,
so IT sees the person's screen, not Ally. (Windows 10 2004+ could also exclude them with
SetWindowDisplayAffinity(WDA_EXCLUDEFROMCAPTURE); covering works on every platform.)
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import QWidget

COVER = QColor("#8c959f")


def cover(image: QImage, areas: Iterable[QRect], origin: QRect, ratio: float) -> QImage:
    """``areas`` in screen coordinates (logical pixels); ``origin`` the screen's geometry."""
    out = image.convertToFormat(QImage.Format.Format_RGB32)
    painter = QPainter(out)
    for area in areas:
        local = area.translated(-origin.topLeft())
        painter.fillRect(
            QRect(
                round(local.x() * ratio),
                round(local.y() * ratio),
                round(local.width() * ratio),
                round(local.height() * ratio),
            ),
            COVER,
        )
    painter.end()
    return out


PortalAnswer = tuple[bytes | None, str | None]  # the picture's bytes, or why there is none


def ask_portal() -> PortalAnswer:
    """Wayland's half that waits: the desktop portal's picture, or why there is none in
    the person's words. It blocks (the portal may first ask the person, up to
    PORTAL_WAIT_S), so the tray app runs it on a worker thread; no Qt here."""
    from desktop.base.words import say
    from desktop.reporting import screen_portal

    try:
        return screen_portal.take_through_portal(PORTAL_WAIT_S), None
    except screen_portal.NoPicture as exc:
        return None, say(exc.reason, "screen_picture")


def grab_without_ally(
    windows: Iterable[QWidget], portal: PortalAnswer | None = None
) -> tuple[QImage | None, str | None]:
    """The picture, or why there is none in the person's words. On Wayland the desktop
    portal is asked (Qt alone would give a black picture): ``portal`` is its answer, got
    off the event loop by the caller with ask_portal (asked here, blocking, when not
    given). On macOS without Screen Recording consent nothing is taken; a one-colour
    picture is never sent as real."""
    import sys

    from desktop.base.words import say
    from desktop.reporting import screen_portal

    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return None, say("no_answer", "screen_picture")
    if sys.platform == "darwin" and not screen_portal.macos_may_capture():
        return None, say("macos_consent", "screen_picture")
    if screen_portal.needs_portal():
        data, why = portal if portal is not None else ask_portal()
        if data is None:
            return None, why
        image = QImage.fromData(data)
    else:
        image = screen.grabWindow(0).toImage()
    if image.isNull():
        return None, say("no_answer", "screen_picture")
    if screen_portal.looks_blank(_sample(image)):
        return None, say("blank", "screen_picture")
    areas = [w.frameGeometry() for w in windows if w.isVisible()]
    ratio = image.width() / max(screen.geometry().width(), 1)
    return (cover(image, areas, screen.geometry(), ratio) if areas else image), None


PORTAL_WAIT_S = 10.0  # the window waits for the picture: not longer than this


def _sample(image: QImage) -> list[int]:
    """The colours of a 64×36 copy: enough to tell a real screen from a blank one."""
    small = image.scaled(64, 36).convertToFormat(QImage.Format.Format_RGB32)
    return [
        small.pixel(x, y) & 0xFFFFFF for y in range(small.height()) for x in range(small.width())
    ]
