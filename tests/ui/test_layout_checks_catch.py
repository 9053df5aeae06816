"""The layout test's own checks (tests/ui/screens.py) catch what they are for: two texts
over each other, a text outside its window, and chart labels that touch. Real widgets."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from ally_helpdesk.it_view import charting
from desktop.ui.charts import ChartCanvas, HistoryChart
from tests.ui import pseudo_language
from tests.ui.screens import alignment_problems, chart_problems, overlap_problems


def test_two_labels_over_each_other_and_one_outside_are_found(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(300, 200)
    a, b = QLabel("First words", window), QLabel("Second words", window)
    a.setGeometry(10, 10, 120, 20)
    b.setGeometry(60, 15, 120, 20)  # over the first
    out = QPushButton("Outside", window)
    out.setGeometry(250, 150, 100, 30)  # past the right edge
    window.show()
    problems = overlap_problems(window, "test")
    assert any("'First words'" in p and "'Second words'" in p for p in problems)
    assert any("'Outside'" in p and "outside the window" in p for p in problems)
    b.move(10, 40)
    out.move(150, 150)
    assert overlap_problems(window, "test") == []


def test_time_labels_that_would_touch_take_a_second_row(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    canvas = ChartCanvas(window)
    history = {"t_offset_s": [0, 5, 10], "cpu_pct": [10, 20, 30]}
    canvas.set_chart(charting.views(history)[0])
    canvas.resize(600, canvas.height())
    window.show()
    assert chart_problems(window, "wide") == []
    one_row = canvas.height()
    # "15 seconds ago" and "you clicked here" no longer fit side by side:
    canvas.resize(170, canvas.height())
    qtbot.waitUntil(lambda: canvas.height() > one_row)
    assert chart_problems(window, "narrow") == []
    (start, s), (end, e) = canvas.text_rects()[-2:]
    assert (start, end) == ("15 seconds ago", "you clicked here") and e.top() >= s.bottom()


def test_the_pseudo_language_is_40_percent_longer_and_keeps_what_code_fills():
    text = "&Send {program}'s report to IT in 2 minutes"
    longer = pseudo_language.longer(text)
    assert "{program}" in longer and longer.startswith("&") and " 2 " in longer
    assert len(longer) >= len(text) + 0.35 * len(text.replace("{program}", ""))


def test_the_four_charts_line_up_though_the_network_scale_is_wider(qtbot):
    """ "500 KB/s" is wider than "100%", and only the network chart has two lines: its
    plot still starts where the others do, level with the drive's beside it."""
    window = QWidget()
    qtbot.addWidget(window)
    charts = HistoryChart(window)
    n = 30
    charts.set_history(
        {
            "t_offset_s": [i * 5 for i in range(n)],
            "cpu_pct": [20.0] * n,
            "mem_used_pct": [40.0] * n,
            "disk_busy_pct": [3.0] * n,
            "net_recv_bps": [900_000.0] * n,
            "net_sent_bps": [20_000.0] * n,
        }
    )
    charts.resize(700, charts.sizeHint().height())
    window.show()
    qtbot.waitExposed(window)
    assert alignment_problems(window, "charts") == []
    network = charts.cards[3].canvas
    assert max(network.fontMetrics().horizontalAdvance(t) for _, t in network.chart.ticks) > (
        network.fontMetrics().horizontalAdvance("100%")
    )  # the case the check is about
    charts.cards[3].canvas.axis_width = 0  # as before: each chart its own scale's width
    charts.cards[0].canvas.axis_width = 0
    assert alignment_problems(window, "charts")


def test_large_text_in_a_narrow_chart_keeps_each_time_label_whole(qtbot):
    """The person's own larger text (not the screen's scale): "16 minutes ago" alone may be
    wider than a small plot, so the chart asks for the room it needs."""
    window = QWidget()
    qtbot.addWidget(window)
    canvas = ChartCanvas(window)
    font = canvas.font()
    font.setPointSizeF(font.pointSizeF() * 1.6)
    canvas.setFont(font)
    times = list(range(0, 16 * 60 + 1, 5))
    canvas.set_chart(charting.views({"t_offset_s": times, "cpu_pct": [10] * len(times)})[0])
    assert canvas.chart.start_label == "16 minutes ago"
    canvas.resize(canvas.minimumSizeHint().width(), canvas.height())
    window.show()
    qtbot.waitUntil(lambda: canvas.height() == canvas.minimumSizeHint().height())
    assert chart_problems(window, "large text") == []
    canvas.resize(160, canvas.height())  # narrower than it asked for: the check sees it
    assert chart_problems(window, "too narrow")
