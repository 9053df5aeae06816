"""The picture of the screen on "Tell IT more": a thumbnail that enlarges when clicked and
one checkbox that says whether it is sent. Unticking it can always be undone (no separate,
final "Remove" button that leaves a hole)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.base.words import say
from desktop.ui.widgets import GRID, body, button, button_row, check_box, close_on_escape

THUMB_WIDTH = 30 * GRID


def _w(key: str) -> str:
    return say(key, "report_window")


class PictureDialog(QDialog):
    """The picture at a size that fits the screen, with Close and Escape."""

    def __init__(self, pixmap: QPixmap, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_w("picture_title"))
        self.setAccessibleName(_w("picture_title"))
        lay = QVBoxLayout(self)
        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() * 0.8 if screen else QSize(1024, 640)
        shown = pixmap.scaled(
            room, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        picture = QLabel()
        picture.setPixmap(shown)
        picture.setAccessibleName(_w("picture_title"))
        lay.addWidget(picture)
        close = button(_w("close"))
        close.clicked.connect(self.accept)
        lay.addLayout(button_row(None, close))
        close_on_escape(self)


class ScreenshotChoice(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pixmap = QPixmap()
        self.thumb_pixmap = QPixmap()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2 * GRID)
        self.thumb = QToolButton()
        self.thumb.setAccessibleName(_w("picture_enlarge"))
        self.thumb.setToolTip(_w("picture_enlarge"))
        self.thumb.setAutoRaise(True)
        self.thumb.clicked.connect(self.enlarge)
        col = QVBoxLayout()
        col.setSpacing(GRID)
        self.include = check_box(_w("picture_send"))
        self.include.setAccessibleName(_w("picture_send"))
        self.include.toggled.connect(self._dim)
        col.addWidget(self.include)
        self.it_asked = QLabel(_w("picture_it_asked"))
        self.it_asked.setTextFormat(Qt.TextFormat.PlainText)
        self.it_asked.setWordWrap(True)
        self.it_asked.setVisible(False)
        col.addWidget(self.it_asked)
        col.addWidget(body(_w("picture_hint")))
        col.addStretch(1)
        row.addWidget(self.thumb, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(col, 1)
        self.dialog: PictureDialog | None = None

    def set_png(self, png: bytes | None, ticked: bool = False) -> None:
        """The picture, not ticked: it goes only when the person ticks it (``ticked``:
        IT's policy starts it ticked, and the words under it say that IT asked)."""
        self.pixmap = QPixmap()
        if png:
            self.pixmap.loadFromData(png)
        has = not self.pixmap.isNull()
        self.setVisible(has)
        self.include.setChecked(has and ticked)
        self.it_asked.setVisible(has and ticked)
        self.thumb_pixmap = (
            self.pixmap.scaledToWidth(THUMB_WIDTH, Qt.TransformationMode.SmoothTransformation)
            if has
            else QPixmap()
        )
        self.thumb.setIconSize(self.thumb_pixmap.size())
        self._dim(has and self.include.isChecked())

    def _dim(self, on: bool) -> None:
        """A picture that will not be sent is shown faded, and can be ticked again."""
        if self.thumb_pixmap.isNull():
            return
        icon = QIcon(self.thumb_pixmap)
        if not on:
            icon = QIcon(icon.pixmap(self.thumb_pixmap.size(), QIcon.Mode.Disabled))
        self.thumb.setIcon(icon)

    def enlarge(self) -> None:
        if self.pixmap.isNull():
            return
        self.dialog = PictureDialog(self.pixmap, self.window())
        self.dialog.open()
