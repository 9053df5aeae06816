"""Every screen Ally shows, built with real widgets in a known state, for the layout test
(every text fits at 100–200 % and in light and dark) and for the screenshots in
test-artifacts/ and docs/screens/. Run as a program: ``python -m tests.ui.screens OUT``
prints the problems it found as JSON and, with OUT, saves a picture of each screen.

The scale (QT_SCALE_FACTOR) and the theme (the platform's own: GTK's Adwaita or
Adwaita:dark through Qt's gtk3 theme on a real X server) are set by the caller, since
Qt reads them when it starts.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QRectF, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QLabel,
    QLineEdit,
    QWidget,
)

SCREEN = QSize(1366, 768)  # the small office laptop the issue was walked on
TASKBAR = 48


def available(scale: float) -> QSize:
    return QSize(int(SCREEN.width() / scale), int((SCREEN.height() - TASKBAR) / scale))


def text_problems(window: QWidget, name: str) -> list[str]:
    """Each visible label, button and checkbox shows its whole text (font metrics)."""
    out = []
    for label in window.findChildren(QLabel):
        if (
            not label.isVisibleTo(window)
            or not label.text()
            or (label.pixmap() is not None and not label.pixmap().isNull())
        ):
            continue
        fm, rect = label.fontMetrics(), label.contentsRect()
        if label.wordWrap():
            words = label.text().split()
            widest = max((fm.horizontalAdvance(w) for w in words), default=0)
            need_h = label.heightForWidth(label.width())
            if widest > rect.width() + 1 or (need_h > 0 and need_h > label.height() + 1):
                out.append(
                    f"{name}: label {label.text()[:50]!r} needs {widest}px × {need_h}px, has {rect.width()}×{label.height()}"
                )
        else:
            lines = label.text().splitlines() or [""]
            wide = max(fm.horizontalAdvance(line) for line in lines)
            if wide > rect.width() + 1 or fm.height() * len(lines) > rect.height() + 1:
                out.append(
                    f"{name}: label {label.text()[:50]!r} needs {wide}px, has {rect.width()}px"
                )
    for b in window.findChildren(QAbstractButton):
        if not b.isVisibleTo(window) or not b.text():
            continue
        fm = b.fontMetrics()
        extra = 24 if isinstance(b, QCheckBox) else 8
        need = fm.horizontalAdvance(b.text().replace("&", "")) + extra
        if need > b.width() + 1 or fm.height() > b.height():
            out.append(f"{name}: button {b.text()!r} needs {need}px, has {b.width()}px")
    return out


def chart_problems(window: QWidget, name: str) -> list[str]:
    """Each chart's text (the scale's numbers, the time labels) lies inside its canvas,
    clear of the plot and of each other, measured as drawn (ChartCanvas.text_rects)."""
    from desktop.ui.charts import ChartCanvas

    out = []
    for canvas in window.findChildren(ChartCanvas):
        if not canvas.isVisibleTo(window) or canvas.chart is None:
            continue
        title, box = canvas.chart.title, canvas.plot_rect()
        area = QRectF(canvas.rect())
        texts = canvas.text_rects()
        for text, r in texts:
            if not area.contains(r):
                out.append(f"{name}: chart {title!r}: {text!r} runs outside the chart")
            if r.intersects(box):
                out.append(f"{name}: chart {title!r}: {text!r} is drawn over the plot")
        for i, (a, ra) in enumerate(texts):
            for b, rb in texts[i + 1 :]:
                if ra.intersects(rb):
                    out.append(f"{name}: chart {title!r}: {a!r} and {b!r} overlap")
        if box.width() < 4 * canvas.fontMetrics().height():
            out.append(f"{name}: chart {title!r} has too little room to draw ({box.width():.0f}px)")
    return out


def alignment_problems(window: QWidget, name: str) -> list[str]:
    """The charts line up: every plot starts at the same distance from its card's left
    edge, and two charts side by side start at the same height (issue 27: the Network chart
    did not line up with the other three)."""
    from desktop.ui.charts import HistoryChart

    out = []
    for charts in window.findChildren(HistoryChart):
        if not charts.isVisibleTo(window):
            continue
        lefts = {round(c.canvas.plot_rect().left()) for c in charts.cards}
        if len(lefts) > 1:
            out.append(f"{name}: the charts' plots start at different places: {sorted(lefts)}")
        rows: dict[int, set[int]] = {}
        for card in charts.cards:
            row = charts.grid.getItemPosition(charts.grid.indexOf(card))[0]
            rows.setdefault(row, set()).add(card.canvas.mapTo(charts, QPoint(0, 0)).y())
        for row, tops in rows.items():
            if len(tops) > 1:
                out.append(f"{name}: the charts in row {row + 1} start at different heights")
    return out


def visible_rect(window: QWidget, widget: QWidget) -> QRect:
    """The part of ``widget`` a person can see, in the window's coordinates: in a
    scrolling page it may be partly scrolled out of its viewport."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent.parentWidget(), QAbstractScrollArea):  # a viewport
            rect = rect.intersected(QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()))
        parent = parent.parentWidget()
    return rect


def overlap_problems(window: QWidget, name: str) -> list[str]:
    """No two pieces of text (labels, buttons, check boxes, fields) cover each other, and
    each lies inside the window."""
    texts = [
        w
        for w in window.findChildren(QWidget)
        if isinstance(w, (QLabel, QAbstractButton, QLineEdit))
        and w.isVisibleTo(window)
        and (not hasattr(w, "text") or w.text() or isinstance(w, QLineEdit))
    ]
    seen = [(w, visible_rect(window, w)) for w in texts]
    seen = [(w, r) for w, r in seen if not r.isEmpty()]
    out = []
    inside = window.rect()
    for w, r in seen:
        if not inside.contains(r):
            out.append(f"{name}: {_named(w)} runs outside the window")
    for i, (a, ra) in enumerate(seen):
        for b, rb in seen[i + 1 :]:
            if a.isAncestorOf(b) or b.isAncestorOf(a):
                continue
            if ra.intersects(rb):
                out.append(f"{name}: {_named(a)} and {_named(b)} overlap")
    return out


def _named(w: QWidget) -> str:
    text = w.text() if hasattr(w, "text") else ""
    return f"{type(w).__name__} {text[:40]!r}"


def check(window: QWidget, name: str, scale: float, shots: Path | None) -> list[str]:
    room = available(scale)
    window.resize(window.size().boundedTo(room))
    window.show()
    QApplication.processEvents()
    problems = []
    minimum = window.minimumSizeHint()
    if minimum.width() > room.width() or minimum.height() > room.height():
        problems.append(
            f"{name}: needs at least {minimum.width()}×{minimum.height()}, the screen has {room.width()}×{room.height()}"
        )
    problems += (
        text_problems(window, name)
        + chart_problems(window, name)
        + overlap_problems(window, name)
        + alignment_problems(window, name)
    )
    if shots is not None:
        window.grab().save(str(shots / f"{name}.png"))
    # A person resizes windows: the same checks at other widths, narrower and wider (a
    # caption cut after "At its" showed only at some widths; issue 27).
    size = window.size()
    for width in {
        max(minimum.width(), size.width() * 3 // 4),
        min(room.width(), size.width() * 5 // 4),
    }:
        window.resize(width, size.height())
        QApplication.processEvents()
        problems += [
            f"{p} (at {width}px wide)"
            for p in text_problems(window, name)
            + chart_problems(window, name)
            + overlap_problems(window, name)
            + alignment_problems(window, name)
        ]
    window.resize(size)
    QApplication.processEvents()
    if shots is not None:
        from desktop.ui.charts import HistoryChart

        for charts in window.findChildren(HistoryChart):  # whole, though the page scrolls
            if charts.isVisibleTo(window):
                charts.grab().save(str(shots / f"{name}-charts.png"))
    return problems


def screens(scale: float, shots: Path | None) -> list[str]:
    from tests.ui.screen_states import all_screens

    problems: list[str] = []
    for name, window, show in all_screens():
        show()
        problems += check(window, name, scale, shots)
        window.hide()
    return problems


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    if os.environ.get("ALLY_TEST_LANGUAGE") == "pseudo":
        from tests.ui import pseudo_language

        pseudo_language.use()
    scale = float(os.environ.get("QT_SCALE_FACTOR", "1"))
    shots = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    problems = screens(scale, shots)
    dark = (
        QGuiApplication.palette().color(QGuiApplication.palette().ColorRole.Window).lightness()
        < 128
    )
    print(json.dumps({"scale": scale, "dark": dark, "problems": problems}))
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
