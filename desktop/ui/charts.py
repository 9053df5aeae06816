"""The last minutes as four small charts a layperson reads at a glance.

What each chart shows (scale, band, time labels, sentence) is worked out in
ally_helpdesk/it_view/charting.py, the same for IT's HTML view; here it is only drawn. Titles, legends
and sentences are real labels (they wrap, scale and reach screen readers); the canvas
sizes its axis text from the font's metrics, so nothing is clipped at any scale.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ally_helpdesk.it_view import charting
from ally_helpdesk.it_view.charting import ChartView
from desktop.base.words import say

GAP = 8  # the layout grid


def _label(text: str = "", bold: bool = False, small: bool = False) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setText(text)
    if bold or small:
        font = QFont(label.font())
        font.setBold(bold)
        if small:
            font.setPointSizeF(font.pointSizeF() * 0.92)
        label.setFont(font)
    return label


def scale_width(chart: ChartView, fm: QFontMetrics) -> int:
    """The width of the widest number on the chart's scale ("500 KB/s")."""
    return max((fm.horizontalAdvance(t) for _, t in chart.ticks), default=0)


class BandSwatch(QWidget):
    """The legend's picture of the "too much" band: its shade under its dotted line, as on
    the chart."""

    def sizeHint(self) -> QSize:
        h = self.fontMetrics().height()
        return QSize(2 * h, h)

    def paintEvent(self, event: Any) -> None:
        p = QPainter(self)
        r = QRectF(self.rect()).adjusted(1, self.height() * 0.25, -1, -self.height() * 0.2)
        band = QColor(charting.BAND_COLOUR)
        band.setAlpha(40)
        p.fillRect(r, band)
        line = QColor(charting.BAND_COLOUR)
        line.setAlpha(160)
        p.setPen(QPen(line, 1, Qt.PenStyle.DotLine))
        p.drawLine(r.topLeft(), r.topRight())
        p.end()


class ChartCanvas(QWidget):
    """The plot itself: scale on the left, band, lines, the end marked, time underneath."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart: ChartView | None = None
        self.axis_width = 0  # set by HistoryChart: every chart's plot starts at one x
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(240, self._height_for(240))

    def minimumSizeHint(self) -> QSize:
        """Room for the scale and the wider time label on its own row (with large text
        "16 minutes ago" alone may be wider than a small plot)."""
        width = 160
        if self.chart is not None:
            fm = self.fontMetrics()
            label = max(
                fm.horizontalAdvance(self.chart.start_label),
                fm.horizontalAdvance(self.chart.end_label),
            )
            width = max(width, int(self._left() + label + GAP))
        return QSize(width, self._height_for(max(self.width(), width)))

    def _height_for(self, width: int) -> int:
        line = self.fontMetrics().height()
        return line * (5 + self._time_rows(width)) + GAP

    def _left(self) -> float:
        fm = self.fontMetrics()
        own = scale_width(self.chart, fm) if self.chart is not None else 0
        return max(self.axis_width, own) + GAP

    def _time_rows(self, width: int) -> int:
        """One row under the plot for "15 minutes ago … you clicked here", two when they
        would touch (a narrow window, large text, a longer language): then the end goes
        under the start, still at the right edge."""
        if self.chart is None:
            return 1
        fm = self.fontMetrics()
        need = fm.horizontalAdvance(self.chart.start_label) + fm.horizontalAdvance(
            self.chart.end_label
        )
        return 1 if need + 2 * GAP <= width - self._left() - GAP / 2 else 2

    def set_chart(self, chart: ChartView) -> None:
        self.chart = chart
        self._fit()
        self.updateGeometry()  # the time labels' widths may change the minimum width
        self.setAccessibleDescription(chart.sentence)
        self.update()

    def _fit(self) -> None:
        height = self._height_for(self.width())
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.chart is not None and event.size().width() != event.oldSize().width():
            self._fit()  # the time labels may need a second row, or no longer

    def plot_rect(self) -> QRectF:
        fm = self.fontMetrics()
        left = self._left()
        top = fm.height() / 2  # room for the top tick's text
        rows = self._time_rows(self.width())
        bottom = self.height() - rows * fm.height() - GAP / 2  # room for the time labels
        return QRectF(left, top, self.width() - left - GAP / 2, bottom - top)

    def paintEvent(self, event: Any) -> None:
        if self.chart is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = self.plot_rect()
        text = self.palette().color(QPalette.ColorRole.WindowText)
        faint = QColor(text)
        faint.setAlpha(50)
        self._draw_band(p, box)
        self._draw_spell(p, box)
        self._draw_scale(p, box, text, faint)
        if not self.chart.empty:
            self._draw_lines(p, box)
        self._draw_time(p, box, text)
        p.end()

    def _y(self, box: QRectF, value: float) -> float:
        return box.bottom() - min(max(value, 0.0), self.chart.top) / self.chart.top * box.height()

    def _draw_band(self, p: QPainter, box: QRectF) -> None:
        if self.chart.band_from is None:
            return
        y = self._y(box, self.chart.band_from)
        band = QColor(charting.BAND_COLOUR)
        band.setAlpha(40)
        p.fillRect(QRectF(box.left(), box.top(), box.width(), y - box.top()), band)
        pen_colour = QColor(charting.BAND_COLOUR)
        pen_colour.setAlpha(160)
        p.setPen(QPen(pen_colour, 1, Qt.PenStyle.DotLine))
        p.drawLine(QPointF(box.left(), y), QPointF(box.right(), y))
        # Its name is in the legend above the chart, never written over the lines.

    def _draw_spell(self, p: QPainter, box: QRectF) -> None:
        """The span the answer speaks of ("busy for the last 85 seconds"), shaded from its
        start to the right edge, with a line where it began."""
        start = self.chart.spell_from
        if start is None:
            return
        offsets = self.chart.offsets
        x = box.left() + (start - offsets[0]) / max(self.chart.span_s, 1.0) * box.width()
        shade = QColor(charting.BAND_COLOUR)
        shade.setAlpha(28)
        p.fillRect(QRectF(x, box.top(), box.right() - x, box.height()), shade)
        edge = QColor(charting.BAND_COLOUR)
        edge.setAlpha(200)
        p.setPen(QPen(edge, 2))
        p.drawLine(QPointF(x, box.top()), QPointF(x, box.bottom()))

    def _draw_scale(self, p: QPainter, box: QRectF, text: QColor, faint: QColor) -> None:
        fm = self.fontMetrics()
        for value, label in self.chart.ticks:
            y = self._y(box, value)
            p.setPen(QPen(faint, 1))
            p.drawLine(QPointF(box.left(), y), QPointF(box.right(), y))
            p.setPen(text)
            p.drawText(
                QRectF(0, y - fm.height() / 2, box.left() - GAP / 2, fm.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )

    def _draw_lines(self, p: QPainter, box: QRectF) -> None:
        offsets = self.chart.offsets
        span = max(self.chart.span_s, 1.0)
        for line in self.chart.lines:
            path = QPainterPath()
            started = False
            for t, v in zip(offsets, line.values, strict=False):
                if v is None:
                    started = False  # a gap stays a gap
                    continue
                pt = QPointF(box.left() + (t - offsets[0]) / span * box.width(), self._y(box, v))
                if started:
                    path.lineTo(pt)
                else:
                    path.moveTo(pt)
                    started = True
            p.setPen(QPen(QColor(line.colour), 2))
            p.drawPath(path)

    def text_rects(self) -> list[tuple[str, QRectF]]:
        """Where each piece of text on the plot goes: the scale's numbers and the time
        labels. What paintEvent draws, and what the layout test holds to the canvas (inside
        it, apart from each other and from the plot)."""
        if self.chart is None:
            return []
        fm, box = self.fontMetrics(), self.plot_rect()
        out = []
        for value, label in self.chart.ticks:
            y = self._y(box, value)
            w = fm.horizontalAdvance(label)
            out.append(
                (label, QRectF(box.left() - GAP / 2 - w, y - fm.height() / 2, w, fm.height()))
            )
        return out + self._time_rects(fm, box)

    def _time_rects(self, fm: QFontMetrics, box: QRectF) -> list[tuple[str, QRectF]]:
        top = box.bottom() + 2
        start, end = self.chart.start_label, self.chart.end_label
        w_start, w_end = fm.horizontalAdvance(start), fm.horizontalAdvance(end)
        end_top = top + (fm.height() if self._time_rows(self.width()) == 2 else 0)
        out = [(start, QRectF(box.left(), top, w_start, fm.height()))] if start else []
        return [*out, (end, QRectF(box.right() - w_end, end_top, w_end, fm.height()))]

    def _draw_time(self, p: QPainter, box: QRectF, text: QColor) -> None:
        fm = self.fontMetrics()
        edge = QColor(text)  # the moment of the click or now: a mark, not a warning
        edge.setAlpha(140)
        p.setPen(QPen(edge, 1.2, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(box.right(), box.top()), QPointF(box.right(), box.bottom()))
        p.setPen(text)
        for label, rect in self._time_rects(fm, box):
            p.drawText(
                rect,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextDontClip,
                label,
            )


class ChartCard(QWidget):
    """One chart with its title, its legend and its sentence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(GAP / 2)
        self.title = _label(bold=True)
        self.legend = QWidget()
        self.legend_row = QHBoxLayout(self.legend)
        self.legend_row.setContentsMargins(0, 0, 0, 0)
        self.legend_row.setSpacing(GAP)
        self.legend_shown: tuple | None = None
        self.canvas = ChartCanvas()
        self.sentence = _label(small=True)
        self.sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for w in (self.title, self.legend, self.canvas, self.sentence):
            lay.addWidget(w)
        lay.addStretch(1)

    def set_chart(self, chart: ChartView) -> None:
        self.title.setText(chart.title)
        keyed = [line for line in chart.lines if line.label]
        band = chart.band_label if chart.band_from is not None else ""
        legend = (tuple((line.label, line.colour) for line in keyed), band)
        if legend != self.legend_shown:  # built once: the status window redraws every 5 s
            self._build_legend(keyed, band)
            self.legend_shown = legend
        self.canvas.set_chart(chart)
        self.sentence.setText(chart.sentence)
        self.setAccessibleName(f"{chart.title}: {chart.sentence}")

    def _build_legend(self, keyed: list, band: str) -> None:
        """The lines' names where two share a chart, and the "too much" band's: every
        chart has this row, so the four plots line up."""
        while self.legend_row.count():
            item = self.legend_row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for line in keyed:  # a swatch in the line's colour, then its name
            swatch = _label("━━")
            swatch.setWordWrap(False)
            swatch.setStyleSheet(f"color: {line.colour};")
            swatch.setAccessibleName(line.label)
            name = _label(line.label)
            name.setWordWrap(False)
            self.legend_row.addWidget(swatch)
            self.legend_row.addWidget(name)
        if band:
            self.legend_row.addWidget(BandSwatch())
            name = _label(band)
            name.setWordWrap(False)  # in the text's colour: the swatch carries the red
            self.legend_row.addWidget(name)
        self.legend_row.addStretch(1)
        self.legend.setAccessibleName(
            ", ".join([line.label for line in keyed] + [band] * bool(band))
        )


class HistoryChart(QWidget):
    """The four charts in a two-column grid (one column when the window is narrow)."""

    def __init__(self, parent: QWidget | None = None, live: bool = False) -> None:
        super().__init__(parent)
        self.live = live
        self.limits: Mapping[str, float] = {}
        self.found: Collection[str] = ()
        self.views: list[ChartView] = []
        self.history: Mapping[str, Any] = {}
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(GAP * 3)
        self.grid.setVerticalSpacing(GAP * 2)
        self.cards = [ChartCard() for _ in charting.SPECS]
        for i, card in enumerate(self.cards):
            self.grid.addWidget(card, i // 2, i % 2)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)
        self.setAccessibleName(say("charts_name", "charts"))
        self.set_history({})

    def resizeEvent(self, event: Any) -> None:
        """Two charts side by side start at the same height: a title that wraps to two
        lines (a narrow window, large text, a longer language) gives its neighbour's
        title the same room."""
        super().resizeEvent(event)
        self._level_titles()

    def _level_titles(self) -> None:
        """Each title and sentence as tall as its words need at the card's width (a grid
        does not pass a wrapped label's height on reliably, and a sentence lost its last
        line), and two titles side by side as tall as the taller."""
        for row in range(0, len(self.cards), 2):
            pair = self.cards[row : row + 2]
            tallest = max(c.title.heightForWidth(c.width()) for c in pair)
            for card in pair:
                if card.title.minimumHeight() != tallest:
                    card.title.setMinimumHeight(tallest)
                need = card.sentence.heightForWidth(card.width())
                if need > 0 and card.sentence.minimumHeight() != need:
                    card.sentence.setMinimumHeight(need)

    def set_history(
        self,
        history: Mapping[str, Any],
        limits: Mapping[str, float] | None = None,
        found: Collection[str] | None = None,
    ) -> None:
        """Draw ``history``; ``limits`` are the thresholds in force, ``found`` the ids of
        the findings shown beside the charts (so a sentence never contradicts them)."""
        if limits is not None:
            self.limits = limits
        if found is not None:
            self.found = found
        self.history = history or {}
        self.views = charting.views(self.history, self.limits, self.found, self.live)
        axis = max(scale_width(v, self.fontMetrics()) for v in self.views)
        for card, chart in zip(self.cards, self.views, strict=True):
            card.canvas.axis_width = axis
            card.set_chart(chart)
        self._level_titles()  # a title's words may have changed (the drive's measure)
