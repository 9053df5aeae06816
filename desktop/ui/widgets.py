"""The few building blocks every Ally window is made of, so all of them look and behave
alike: plain-text labels, a heading, buttons with one clear default per step, spacing on
an 8-pixel grid, a page that scrolls rather than clips at large text sizes, and Escape
that closes the window the way the system's own dialogs do."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

GRID = 8  # every margin and gap is a multiple of this
MARGIN = 3 * GRID


def plain_label(text: str = "") -> QLabel:
    """A label that shows its text as it is: a program's name or IT's policy text that
    looks like HTML (``<img src=...>``) is never read as markup."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def heading(text: str) -> QLabel:
    label = plain_label(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.45)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    label.setAccessibleName(text)
    label.setObjectName("heading")  # the step's name in the window title
    return label


def body(text: str = "") -> QLabel:
    label = plain_label(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def strong(text: str = "", scale: float = 1.15) -> QLabel:
    label = body(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


def check_box(text: str) -> QCheckBox:
    """A check box with room inside its edge for the focus ring (focus_ring.py), which
    would otherwise cross the box and the words, and only as wide as its words, so the
    ring hugs what it belongs to."""
    box = QCheckBox(text)
    box.setStyleSheet(f"QCheckBox {{ padding: {GRID // 2 + 1}px {GRID}px; }}")
    box.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return box


def button(text: str, accessible: str | None = None) -> QPushButton:
    """``text`` may mark a keyboard shortcut with & ("&Send to IT" is Alt+S)."""
    b = QPushButton(text)
    b.setAccessibleName(accessible or text.replace("&", ""))
    b.setMinimumHeight(4 * GRID + 4)
    b.setAutoDefault(False)  # only the step's main button answers Enter
    return b


def button_row(secondary: QPushButton | None, main: QPushButton) -> QHBoxLayout:
    """The way every step ends: a secondary button (Back, Close) on the left, the next step
    on the right, where the eye and the Tab key finish. The next step is the default
    button: the platform draws it as the default and Enter presses it."""
    row = QHBoxLayout()
    row.setSpacing(GRID)
    if secondary is not None:
        row.addWidget(secondary)
    row.addStretch(1)
    row.addWidget(main)
    main.setAutoDefault(True)
    main.setDefault(True)
    return row


def page_layout(page: QWidget) -> tuple[QVBoxLayout, QVBoxLayout]:
    """A step's page: its content scrolls (never clipped at 200 % text), its buttons stay
    at the bottom. Returns the content's layout and the page's own (for the buttons)."""
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.setSpacing(2 * GRID)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the controls, not the frame
    inner = QWidget()
    content = QVBoxLayout(inner)
    content.setContentsMargins(0, 0, GRID, 0)
    content.setSpacing(2 * GRID)
    scroll.setWidget(inner)
    outer.addWidget(scroll, 1)
    return content, outer


def window_layout(window: QWidget) -> QVBoxLayout:
    lay = QVBoxLayout(window)
    lay.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
    lay.setSpacing(2 * GRID)
    return lay


ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _EscapeCloses(QObject):
    """The keys of the system's own dialogs, in a plain window: Escape closes it, when no
    control inside wanted it (a list or a text field lets it through); Enter presses the
    focused button, and in a one-line field presses the step's main button (the default
    one the platform draws), as Qt does only inside a QDialog."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if event.key() == Qt.Key.Key_Escape and plain:
            watched.close()
            return True
        if event.key() in ENTER_KEYS and plain and isinstance(watched, QWidget):
            return _press_for_enter(watched)
        return False


def _press_for_enter(window: QWidget) -> bool:
    focused = window.focusWidget()
    if isinstance(focused, QPushButton) and focused.isEnabled():
        focused.animateClick()  # a choice ("My computer is slow"), Back, Close
        return True
    # In a one-line field or on a check box Enter means "done with this step" (Space
    # ticks the box); a list handles Enter itself (itemActivated).
    if isinstance(focused, (QLineEdit, QCheckBox)):
        main = next(
            (
                b
                for b in window.findChildren(QPushButton)
                if b.isDefault() and b.isVisible() and b.isEnabled()
            ),
            None,
        )
        if main is not None:
            main.animateClick()
            return True
    return False


def fit_to_screen(window: QWidget) -> None:
    """No bigger than the screen's free area (at 200 % on a small laptop the default size
    may not fit): the content scrolls instead of running off the screen."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry().size() * 0.95
        window.resize(window.size().boundedTo(room))


def close_on_escape(window: QWidget) -> QObject:
    """Escape closes the window, as in the system's own dialogs; the focused control
    wears a ring a person can see (focus_ring.py)."""
    from desktop.ui import focus_ring

    focus_ring.install()
    closer = _EscapeCloses(window)
    window.installEventFilter(closer)
    fit_to_screen(window)  # every window calls this last, once its size is set
    return closer


def scrolling_window(window: QWidget) -> tuple[QVBoxLayout, QVBoxLayout]:
    """A whole window whose content scrolls and whose buttons stay at the bottom: at
    200 % on a small laptop the content may be taller than the screen, never cut."""
    outer = window_layout(window)
    page = QWidget()
    content, buttons = page_layout(page)
    outer.addWidget(page)
    return content, buttons
