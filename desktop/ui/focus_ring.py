"""A focus ring a person can see: whichever control has the keyboard's attention gets a
3-pixel ring, in every Ally window, at every scale, in light and dark.

Why not the style's own: Fusion and the GTK theme draw focus as a 1-pixel line, and not at
all on a window's first control until a key has been pressed, so a keyboard user does not
know where they are (issue 27). WCAG 2.2 "focus appearance" asks for an area at least as
large as a 2-pixel line around the control, changing by at least 3:1 between focused and
unfocused. The ring is 3 px wide and starts 1 px inside the control's edge, so it lies over
the control's own background (not its 1-pixel border, whose grey changes less), and its
colour is the theme's highlight only where that reaches 3:1 against the backgrounds it is
drawn over; otherwise the text colour, which always does. tests/ui/test_focus_ring.py
measures it on screenshots at 100 % and 200 %, light and dark.

The ring is a small child of the focused control that paints on top of it and lets the
mouse through: it moves, scrolls and clips with the control without any bookkeeping. It
is not shown when the mouse gave the focus (a click), as browsers do with :focus-visible.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

WIDTH = 3.0  # logical pixels; Qt scales them with the screen
INSET = 1.0  # past the control's own 1-pixel border
RADIUS = 4.0
CONTRAST = 3.0  # WCAG 2.2's minimum between the focused and unfocused pixels


def relative_luminance(colour: QColor) -> float:
    """WCAG 2's relative luminance of an sRGB colour."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2's contrast ratio, 1 to 21."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ring_colour(palette: QPalette, over_selection: bool = False) -> QColor:
    """The highlight where it stands out from every background a control has, else the
    text colour (black on light themes, near-white on dark ones). ``over_selection``: the
    ring also crosses what is drawn in the highlight itself (a list's chosen row, a
    field's selected words)."""
    roles = QPalette.ColorRole
    grounds = [palette.color(r) for r in (roles.Window, roles.Base, roles.Button)]
    if over_selection:
        grounds.append(palette.color(roles.Highlight))
    highlight = palette.color(roles.Highlight)
    if all(contrast(highlight, g) >= CONTRAST for g in grounds):
        return highlight
    return palette.color(roles.WindowText)


class _Ring(QWidget):
    """The ring itself, over the whole of its control."""

    def __init__(self, control: QWidget) -> None:
        super().__init__(control)
        self.setObjectName("focus_ring")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setGeometry(control.rect())
        control.installEventFilter(self)
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.parent():
            self.setGeometry(self.parentWidget().rect())
        elif event.type() == QEvent.Type.ChildAdded and watched is self.parent():
            self.raise_()  # stay above what the control adds later (a clear button)
        return False

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        # In a list the ring crosses the chosen row; in a field Tab selects the words:
        # both are drawn in the highlight, so there the ring takes the text colour.
        over_selection = isinstance(
            self.parentWidget(), (QAbstractItemView, QLineEdit, QPlainTextEdit, QTextEdit)
        )
        pen = QPen(ring_colour(self.palette(), over_selection), WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        half = INSET + WIDTH / 2
        p.drawRoundedRect(QRectF(self.rect()).adjusted(half, half, -half, -half), RADIUS, RADIUS)
        p.end()


class FocusRings(QObject):
    """Follows the application's focus and puts the ring on the control that has it."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.ring: _Ring | None = None
        app.focusChanged.connect(self._moved)

    def _moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        self._drop()
        if new is None or isinstance(new.window(), QMenu) or isinstance(new, _Ring):
            return
        if QGuiApplication.mouseButtons() != Qt.MouseButton.NoButton:
            return  # a click gave the focus: the person can see where they clicked
        self.ring = _Ring(new)
        self.ring.destroyed.connect(self._forget)

    def _forget(self, *_: object) -> None:
        self.ring = None

    def _drop(self) -> None:
        if self.ring is not None:
            ring, self.ring = self.ring, None
            ring.destroyed.disconnect(self._forget)  # it would forget the next ring
            ring.hide()
            ring.setParent(None)  # off its control now, though deleted only later
            ring.deleteLater()


def install() -> FocusRings | None:
    """Once per application: every Ally window calls this (widgets.close_on_escape)."""
    app = QApplication.instance()
    if app is None:
        return None
    rings = app.findChild(FocusRings)
    return rings if rings is not None else FocusRings(app)
