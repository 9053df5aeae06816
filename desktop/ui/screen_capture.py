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


def grab_without_ally(windows: Iterable[QWidget]) -> QImage | None:
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return None
    image = screen.grabWindow(0).toImage()
    if image.isNull():
        return None
    areas = [w.frameGeometry() for w in windows if w.isVisible()]
    ratio = image.width() / max(screen.geometry().width(), 1)
    return cover(image, areas, screen.geometry(), ratio) if areas else image
