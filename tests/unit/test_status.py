"""The tray's state and tooltip, and its icons (real Qt SVG renderer, offscreen)."""

from __future__ import annotations

import html
import sys
import xml.etree.ElementTree as ET

import pytest

from desktop.base.resources_access import resource
from desktop.diagnostics.diagnosis import Diagnosis
from desktop.diagnostics.explain import load_catalog
from desktop.diagnostics.rules import evaluate
from desktop.showing.status import LEVELS, TrayStatus, status_of
from tests.scenarios import scenarios

SCENARIOS = scenarios()


def diagnosis_for(name: str) -> Diagnosis:
    inp = SCENARIOS[name]["inp"]
    findings, _ = evaluate(inp)
    explained, summary = load_catalog("en").explain_all(findings, inp.snapshot.symptom)
    return Diagnosis(inp.snapshot, tuple(explained), summary, inp.observed_s)


@pytest.mark.parametrize(
    ("name", "level", "tooltip"),
    [
        ("quiet", "neutral", "Your computer is working normally."),
        ("disk_almost_full_small_drive", "problem", "Only 1.5 GB is left on your main drive (C:)."),
        ("restart_pending", "attention", "Your computer is waiting to restart after updates."),
        # A busy computer is worth a look, not an emergency, even at critical (issue 27).
        ("cpu_sustained", "attention", "Your computer has been very busy for the last 3 minutes."),
    ],
)
def test_state_and_tooltip_follow_the_findings(name, level, tooltip):
    status = status_of(diagnosis_for(name))
    assert (status.level, status.tooltip) == (level, tooltip)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("dark", [False, True])
def test_every_icon_exists_and_renders_crisply(qtbot, level, dark):
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    name = TrayStatus(level, "", None).icon(dark)
    data = resource(name).read_bytes()
    root = ET.fromstring(data)
    assert (
        root.get("viewBox") == "0 0 32 32"
        and root.find("{http://www.w3.org/2000/svg}title") is not None
    )
    renderer = QSvgRenderer(data)
    assert renderer.isValid()
    for px in (16, 32, 64):  # high-DPI trays ask for larger pixmaps: vector art stays sharp
        image = QImage(QSize(px, px), QImage.Format.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        painted = sum(1 for x in range(px) for y in range(px) if image.pixelColor(x, y).alpha() > 0)
        assert painted > px * px * 0.08


def _pixels(pixmap) -> bytes:
    from PySide6.QtGui import QImage

    image = pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32)
    return bytes(image.constBits())


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS uses one template icon")
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("dark", [False, True])
def test_tray_icon_is_drawn_from_the_vector_at_each_size(qtbot, level, dark):
    """A 64 px tray slot gets the vector drawn at 64 px, not a 32 px bitmap scaled up; the
    pictures the app loads (resources/icons/drawn, tools/render_tray_icons.py) are exactly
    what the SVG draws today."""
    from PySide6.QtCore import QSize

    from desktop.ui.tray import ICON_SIZES, icon_for, render_svg

    status = TrayStatus(level, "", None)
    icon = icon_for(status, dark=dark)
    data = resource(status.icon(dark)).read_bytes()
    for size in ICON_SIZES:
        assert _pixels(icon.pixmap(QSize(size, size))) == _pixels(render_svg(data, size)), (
            f"{status.icon(dark)} at {size} px differs: run tools/render_tray_icons.py"
        )
    upscaled = render_svg(data, 32).scaled(64, 64)
    assert _pixels(icon.pixmap(QSize(64, 64))) != _pixels(upscaled)


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS uses one template icon")
def test_tray_icon_follows_a_change_to_a_dark_theme_while_running(qtbot):
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor, QGuiApplication, QPalette

    from desktop.ui.tray import Tray, render_svg

    app = QGuiApplication.instance()
    original = app.palette()
    status = TrayStatus("attention", "Your computer is waiting to restart after updates.", None)
    light = render_svg(resource(status.icon(False)).read_bytes(), 32)
    dark = render_svg(resource(status.icon(True)).read_bytes(), 32)
    assert _pixels(light) != _pixels(dark)
    try:
        app.setPalette(QPalette(QColor("#f4f4f4")))
        tray = Tray(status, tips_paused=lambda: False)
        assert _pixels(tray.icon.icon().pixmap(QSize(32, 32))) == _pixels(light)
        app.setPalette(QPalette(QColor("#1e1e1e")))  # the person switches to dark mode
        qtbot.waitUntil(
            lambda: _pixels(tray.icon.icon().pixmap(QSize(32, 32))) == _pixels(dark), timeout=2000
        )
        assert tray.icon.toolTip() == "<qt>" + html.escape(status.tooltip) + "</qt>"
    finally:
        app.setPalette(original)
