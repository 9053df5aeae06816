"""Measures the focus ring of every control on every screen, on screenshots, as WCAG 2.2's
"focus appearance" asks: the pixels that change by at least 3:1 between the control
unfocused and focused cover at least the area of a 2-pixel line around the control.

Run as a program on a real X server (the caller sets DISPLAY, the scale and the platform
theme, which Qt reads when it starts): ``python -m tests.ui.focus_measure OUT`` prints one
JSON line (what was measured, what fell short) and saves, with OUT, a picture of each
screen with its first control focused.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QScrollArea, QWidget

from tests.ui.screens import visible_rect


def _linear(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


# WCAG 2's relative luminance, one table per channel of a 32-bit pixel (0xAARRGGBB).
R = [0.2126 * _linear(c) for c in range(256)]
G = [0.7152 * _linear(c) for c in range(256)]
B = [0.0722 * _linear(c) for c in range(256)]


def luminance(px: int) -> float:
    return R[(px >> 16) & 255] + G[(px >> 8) & 255] + B[px & 255]


def ring_changes(unfocused: QImage, ring_hidden: QImage, ring_shown: QImage) -> int:
    """How many pixels the ring itself changes by at least 3:1 from the unfocused control:
    pixels that differ between the focused control with its ring shown and hidden, so a
    field's selected words or a style's own focus colour are never counted as the ring."""
    a, hidden, shown = (
        i.convertToFormat(QImage.Format.Format_RGB32) for i in (unfocused, ring_hidden, ring_shown)
    )
    count = 0
    for x, h, y in zip(
        memoryview(a.constBits()).cast("I"),
        memoryview(hidden.constBits()).cast("I"),
        memoryview(shown.constBits()).cast("I"),
        strict=True,
    ):
        if y != h:
            lx, ly = luminance(x), luminance(y)
            hi, lo = (lx, ly) if lx > ly else (ly, lx)
            if (hi + 0.05) >= 3.0 * (lo + 0.05):
                count += 1
    return count


def controls(window: QWidget) -> list[QWidget]:
    """What Tab reaches in the window, in Tab order."""
    out: list[QWidget] = []
    for w in window.findChildren(QWidget):
        if (
            w.isVisibleTo(window)
            and w.isEnabled()
            and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and not isinstance(w, QScrollArea)
            and not isinstance(w.parentWidget(), QAbstractScrollArea)  # a viewport
            and w.objectName() != "focus_ring"
        ):
            out.append(w)
    return out


def crop(window: QWidget, rect: QRect) -> QImage:
    image = window.grab().toImage()
    ratio = image.devicePixelRatio()
    return image.copy(
        QRect(
            round(rect.x() * ratio),
            round(rect.y() * ratio),
            round(rect.width() * ratio),
            round(rect.height() * ratio),
        )
    )


def measure(window: QWidget, control: QWidget) -> dict:
    area = control.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    if area is not None:  # as Tab does: the control is scrolled into view first
        area.ensureWidgetVisible(control)
    focused = QApplication.focusWidget()
    if focused is not None:
        focused.clearFocus()
    QApplication.processEvents()
    seen = visible_rect(window, control)
    before = crop(window, seen)
    control.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    after = crop(window, seen)
    ring = next((r for r in control.findChildren(QWidget, "focus_ring") if r.isVisible()), None)
    if ring is not None:
        ring.hide()
        QApplication.processEvents()
        hidden = crop(window, seen)
        ring.show()
        QApplication.processEvents()
    else:
        hidden = after
    ratio = window.grab().devicePixelRatio()
    # The area of a 2-pixel line around what can be seen of the control, in device
    # pixels; an edge scrolled out of view has no line to measure.
    whole = QRect(control.mapTo(window, QPoint(0, 0)), control.size())
    edges = seen.width() * (
        (seen.top() == whole.top()) + (seen.bottom() == whole.bottom())
    ) + seen.height() * ((seen.left() == whole.left()) + (seen.right() == whole.right()))
    needed = int((2 * edges - 16) * ratio * ratio)
    return {
        "control": f"{type(control).__name__} {getattr(control, 'text', lambda: '')()!r}"[:80],
        "seen": [seen.width(), seen.height()],
        "changed": ring_changes(before, hidden, after),
        "needed": needed,
        "has_focus": control.hasFocus(),
    }


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    shots = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    from tests.ui.screen_states import all_screens
    from tests.ui.screens import available

    scale = float(os.environ.get("QT_SCALE_FACTOR", "1"))
    results, short, first = [], [], {}
    shown: QWidget | None = None
    for name, window, show in all_screens():
        if shown is not None and shown is not window:
            shown.hide()  # the report window stays up from step to step, as it does
        shown = window
        show()
        window.resize(window.size().boundedTo(available(scale)))
        window.show()
        window.activateWindow()
        QTest.qWaitForWindowActive(window, 5000)
        QApplication.processEvents()
        start = QApplication.focusWidget()
        # What has the focus when the screen appears, before any key: it wears the ring.
        first[name] = (
            type(start).__name__
            if start is not None and start.findChild(QWidget, "focus_ring") is not None
            else None
        )
        if start is not None and shots is not None:
            window.grab().save(str(shots / f"{name}.png"))
        for i, control in enumerate(controls(window)):
            result = measure(window, control)
            if shots is not None:
                window.grab().save(str(shots / f"{name}-focus-{i:02d}.png"))
            result["screen"] = name
            results.append(result)
            if not result["has_focus"] or result["changed"] < result["needed"]:
                short.append(result)
    dark = QGuiApplication.palette().color(QGuiApplication.palette().ColorRole.Window).lightness()
    print(
        json.dumps({"measured": len(results), "short": short, "first": first, "dark": dark < 128})
    )
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
