"""The last minutes as small line charts, with the moment the person clicked marked."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

# (plain title, history keys, fixed top or None)
SERIES = (
    ("Processor", ("cpu_pct",), 100.0),
    ("Working memory", ("mem_used_pct",), 100.0),
    ("Drive", ("disk_busy_pct",), 100.0),
    ("Network", ("net_recv_bps", "net_sent_bps"), None),
)
COLOURS = ("#1f6feb", "#d97706")


class HistoryChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history: dict[str, Any] = {}
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName(
            "Chart of the last minutes: processor, working memory, drive and network"
        )

    def set_history(self, history: dict[str, Any]) -> None:
        self.history = history or {}
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        offsets = self.history.get("t_offset_s") or []
        rows = len(SERIES)
        h = self.height() / rows
        for i, (title, keys, top) in enumerate(SERIES):
            box = QRectF(130, i * h + 6, self.width() - 140, h - 20)
            p.setPen(text)
            p.drawText(QRectF(4, i * h, 122, h - 14), Qt.AlignmentFlag.AlignVCenter, title)
            p.setPen(QPen(QColor(text.red(), text.green(), text.blue(), 60), 1))
            p.drawRect(box)
            if len(offsets) < 2:
                continue
            span = max(offsets[-1] - offsets[0], 1)
            values = [
                v
                for k in keys
                for v in self.history.get(k, [])
                if v is not None and not math.isnan(v)
            ]
            peak = top or max(max(values, default=1.0), 1.0)
            for j, key in enumerate(keys):
                path = QPainterPath()
                started = False
                for t, v in zip(offsets, self.history.get(key, []), strict=False):
                    if v is None:
                        continue
                    pt = QPointF(
                        box.left() + (t - offsets[0]) / span * box.width(),
                        box.bottom() - min(v, peak) / peak * box.height(),
                    )
                    if started:
                        path.lineTo(pt)
                    else:
                        path.moveTo(pt)
                        started = True
                p.setPen(QPen(QColor(COLOURS[j % 2]), 1.6))
                p.drawPath(path)
            p.setPen(QPen(QColor("#cf222e"), 1.2, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(box.right(), box.top()), QPointF(box.right(), box.bottom()))
            if i == rows - 1:  # the time line under the last chart
                p.setPen(text)
                minutes = max(1, round(span / 60))
                p.drawText(
                    QRectF(box.left(), box.bottom() + 1, 160, 14),
                    Qt.AlignmentFlag.AlignLeft,
                    f"{minutes} minute{'s' if minutes != 1 else ''} ago",
                )
                p.drawText(
                    QRectF(box.right() - 160, box.bottom() + 1, 160, 14),
                    Qt.AlignmentFlag.AlignRight,
                    "when you clicked",
                )
        p.end()
