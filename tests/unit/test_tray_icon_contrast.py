"""The tray icon's three states, measured on the pictures the app loads (issue 27).

Each state's picture at 16, 22, 24 and 32 px is laid over real tray backgrounds, the way
the tray host composites it, and its parts are found in the pixels (a badge is what has
colour, the glyph is the grey outside the badge). Then, with WCAG 2.x's relative
luminance, the glyph and each badge must reach 3:1 against the panels they are drawn for
(WCAG 1.4.11, non-text contrast): the "light" pictures on light panels, the "dark" ones on
dark panels. The states must also differ in shape, not only in hue: their alpha masks are
compared with colour thrown away.
"""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from desktop.showing.status import LEVELS, TrayStatus

pytestmark = pytest.mark.skipif(sys.platform == "darwin", reason="macOS uses one template icon")

SIZES = (16, 22, 24, 32)  # tray slots at 100 % and 150 % on Windows, GNOME and KDE
MINIMUM = 3.0  # WCAG 1.4.11: graphical objects need to be told apart at 3:1

# Real panel colours. Each is the flat colour the panel is painted with (or, for the
# Windows taskbar's acrylic, the solid colour it settles to); lighter dark panels and
# darker light panels are the harder cases, so those are the ones listed.
PANELS = {
    "light": {
        # Windows 11 light taskbar: WinUI's SolidBackgroundFillColorBase, light theme
        # (microsoft-ui-xaml, Common_themeresources_any.xaml).
        "Windows 11 light taskbar": "#f3f3f3",
        # KDE Plasma, Breeze: BreezeLight.colors, [Colors:Window] BackgroundNormal=239,240,241,
        # the colour the Breeze Plasma theme paints panels with.
        "KDE Breeze light panel": "#eff0f1",
        # A light panel as light as they come (Xfce's and MATE's light themes: #f6f5f4,
        # Adwaita's window colour). GNOME's top bar is not here: it is dark in light mode
        # too, and Ally draws the dark-panel icon there (tray.panel_is_dark).
        "Adwaita light (Xfce, MATE)": "#f6f5f4",
    },
    "dark": {
        # Windows 11 dark taskbar: SolidBackgroundFillColorBase, dark theme (as above).
        "Windows 11 dark taskbar": "#202020",
        # KDE Plasma 5, Breeze Dark: [Colors:Window] BackgroundNormal=49,54,59.
        "KDE Breeze Dark panel (Plasma 5)": "#31363b",
        # KDE Plasma 6, Breeze Dark: [Colors:Window] BackgroundNormal=32,35,38.
        "KDE Breeze Dark panel (Plasma 6)": "#202326",
        # GNOME Shell, dark: $bg_color = lighten($base_color, 5%), where $base_color is
        # #241f31 desaturated and darkened 2% (gnome-shell-sass/_colors.scss) = #303030.
        "GNOME dark": "#303030",
        # GNOME Shell's top bar in both modes: $panel_bg_color: #000 (gnome-shell-sass).
        "GNOME top bar": "#000000",
    },
}


def _linear(c: float) -> float:
    c /= 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0-255 per channel)."""
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def picture(level: str, theme: str, size: int) -> list[list[tuple[int, int, int, int]]]:
    """The picture the running app gives the tray for this state, theme and size, as
    straight (not premultiplied) RGBA rows."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImage

    from desktop.ui.tray import icon_for

    icon = icon_for(TrayStatus(level, "", None), dark=theme == "dark")
    image = icon.pixmap(QSize(size, size)).toImage().convertToFormat(QImage.Format.Format_ARGB32)
    assert (image.width(), image.height()) == (size, size)
    rows = []
    for y in range(size):
        row = []
        for x in range(size):
            c = image.pixelColor(x, y)
            row.append((c.red(), c.green(), c.blue(), c.alpha()))
        rows.append(row)
    return rows


def _coloured(px: tuple[int, int, int, int]) -> bool:
    r, g, b, a = px
    return a >= 128 and max(r, g, b) - min(r, g, b) > 48


def parts(rows) -> dict[str, list[tuple[int, int, tuple[int, int, int, int]]]]:
    """The glyph (grey, outside the badge) and the badge (coloured) and the badge's mark
    (grey, inside the badge), found in the pixels."""
    size = len(rows)
    coloured = [(x, y) for y in range(size) for x in range(size) if _coloured(rows[y][x])]
    box = None
    if coloured:
        xs, ys = [p[0] for p in coloured], [p[1] for p in coloured]
        box = (min(xs), min(ys), max(xs), max(ys))
    found: dict[str, list] = {"glyph": [], "badge": [], "mark": []}
    for y in range(size):
        for x in range(size):
            px = rows[y][x]
            if px[3] == 0:
                continue
            inside = box is not None and box[0] <= x <= box[2] and box[1] <= y <= box[3]
            if not inside:
                found["glyph"].append((x, y, px))
            elif _coloured(px):
                found["badge"].append((x, y, px))
            else:
                found["mark"].append((x, y, px))
    return found


def over(px: tuple[int, int, int, int], bg: tuple[int, int, int]) -> tuple[float, ...]:
    """A pixel as the tray host shows it: laid over the panel (source-over)."""
    a = px[3] / 255.0
    return tuple(a * px[i] + (1 - a) * bg[i] for i in range(3))


def drawn_colour(pixels, bg: tuple[int, int, int]) -> tuple[tuple[float, ...], float]:
    """The colour a part is drawn in, as seen on the panel: the most common colour among
    its most opaque pixels (edges blend into their neighbours; the stroke's core does
    not), and the alpha those pixels have."""
    top = max(p[2][3] for p in pixels)
    core = [over(p[2], bg) for p in pixels if p[2][3] >= top - 12]
    colour = Counter(tuple(round(c) for c in rgb) for rgb in core).most_common(1)[0][0]
    return colour, top / 255.0


def measure() -> dict[tuple[str, str, str], tuple[float, str, int]]:
    """The worst contrast of each (state, theme, part) over every panel and size, with
    where it was found."""
    worst: dict[tuple[str, str, str], tuple[float, str, int]] = {}
    for level in LEVELS:
        for theme, panels in PANELS.items():
            for size in SIZES:
                found = parts(picture(level, theme, size))
                for name, hex_colour in panels.items():
                    bg = _hex(hex_colour)
                    for part in ("glyph", "badge"):
                        if not found[part]:
                            continue
                        colour, alpha = drawn_colour(found[part], bg)
                        assert alpha >= 0.9, (level, theme, size, part, "never drawn solid")
                        ratio = contrast(colour, bg)
                        key = (level, theme, part)
                        if key not in worst or ratio < worst[key][0]:
                            worst[key] = (ratio, name, size)
    return worst


@pytest.fixture(scope="module")
def measured(qapp):
    return measure()


@pytest.mark.parametrize("theme", list(PANELS))
@pytest.mark.parametrize("level", LEVELS)
def test_glyph_and_badge_reach_three_to_one_on_real_tray_panels(measured, level, theme):
    expected = {"glyph"} | ({"badge"} if level != "neutral" else set())
    assert {part for (lv, th, part) in measured if (lv, th) == (level, theme)} == expected
    for part in expected:
        ratio, panel, size = measured[(level, theme, part)]
        assert ratio >= MINIMUM, f"{level} {theme} {part}: {ratio:.2f}:1 on {panel} at {size} px"


@pytest.mark.parametrize("theme", list(PANELS))
def test_neutral_is_a_calm_grey_glyph_and_the_others_carry_one_coloured_badge(qapp, theme):
    for size in SIZES:
        neutral = parts(picture("neutral", theme, size))
        assert neutral["badge"] == [] and neutral["mark"] == []
        solid = [px for _, _, px in neutral["glyph"] if px[3] >= 128]  # faint edges round off
        assert all(max(px[:3]) - min(px[:3]) <= 16 for px in solid), (
            "the all-good icon is monochrome, like the other icons in the tray"
        )
        for level in ("attention", "problem"):
            found = parts(picture(level, theme, size))
            assert found["badge"], (level, size)
            # The badge sits in the lower right, where tray badges go.
            xs = [x for x, _, _ in found["badge"]]
            ys = [y for _, y, _ in found["badge"]]
            assert min(xs) >= size * 0.4 and min(ys) >= size * 0.4, (level, size)


def _mask(rows) -> list[list[bool]]:
    return [[px[3] >= 128 for px in row] for row in rows]


def _badge_mask(rows) -> set[tuple[int, int]]:
    """The badge's outline with its colour thrown away: every drawn pixel in the lower
    right quarter and a little beyond (the badge, and the mark inside it)."""
    size = len(rows)
    corner = int(size * 0.45)
    return {
        (x, y) for y in range(corner, size) for x in range(corner, size) if rows[y][x][3] >= 128
    }


@pytest.mark.parametrize("theme", list(PANELS))
@pytest.mark.parametrize("size", SIZES)
def test_the_three_states_differ_in_shape_not_only_in_hue(qapp, theme, size):
    pictures = {level: picture(level, theme, size) for level in LEVELS}
    masks = {level: _mask(rows) for level, rows in pictures.items()}
    # Measured: the all-good icon differs from either badged one in about a fifth of its
    # pixels or more (18-25 %), the two badged ones from each other in 8-10 %.
    for a, b, least in (
        ("neutral", "attention", 0.12),
        ("neutral", "problem", 0.12),
        ("attention", "problem", 0.05),
    ):
        differ = sum(masks[a][y][x] != masks[b][y][x] for y in range(size) for x in range(size))
        assert differ >= size * size * least, (a, b, size, differ)
    # The two badges' silhouettes: a triangle and a circle overlap, but far from fully
    # (measured: 55-61 % of their union).
    tri, circle = _badge_mask(pictures["attention"]), _badge_mask(pictures["problem"])
    overlap = len(tri & circle) / len(tri | circle)
    assert overlap <= 0.75, (size, overlap)


def test_the_busy_computer_is_worth_a_look_not_a_problem():
    """The issue's case: a computer busy for minutes gets the amber badge, even when the
    processor rule calls it critical; the red one is kept for critical findings that do
    not pass by themselves."""
    from types import SimpleNamespace

    from desktop.showing.status import status_of

    def diagnosis(severity: str, finding_id: str = "cpu_saturated"):
        finding = SimpleNamespace(
            id=finding_id,
            severity=SimpleNamespace(value=severity),
            headline="Your computer has been very busy for the last 5 minutes.",
        )
        summary = SimpleNamespace(headline=finding.headline)
        return SimpleNamespace(findings=[finding], summary=summary)

    catalog = SimpleNamespace(summary={"all_good_tooltip": "Your computer is working normally."})
    assert status_of(diagnosis("warning"), catalog).level == "attention"
    assert status_of(diagnosis("notice"), catalog).level == "attention"
    assert status_of(diagnosis("critical"), catalog).level == "attention"
    assert status_of(diagnosis("critical", "cpu_maintenance"), catalog).level == "attention"
    assert status_of(diagnosis("critical", "disk_almost_full"), catalog).level == "problem"
    assert status_of(diagnosis("critical", "network_disconnected"), catalog).level == "problem"
    assert status_of(diagnosis("info"), catalog).level == "neutral"


if __name__ == "__main__":  # prints the figures: QT_QPA_PLATFORM=offscreen python -m ...
    from PySide6.QtWidgets import QApplication

    _app = QApplication([])
    for (level, theme, part), (ratio, panel, size) in sorted(measure().items()):
        print(f"{level:9} {theme:5} {part:5} worst {ratio:5.2f}:1 on {panel} at {size} px")


def test_the_icon_is_drawn_for_the_panel_not_for_the_apps(monkeypatch):
    """GNOME's top bar is black in light mode too, and Windows sets its taskbar apart from
    the apps: drawn for the apps' light theme there, the dark glyph would vanish (1.1:1)."""
    from PySide6.QtGui import QColor, QGuiApplication, QPalette

    from desktop.ui import tray

    app = QGuiApplication.instance() or QGuiApplication([])
    original = app.palette()
    try:
        app.setPalette(QPalette(QColor("#f4f4f4")))  # the apps: light
        monkeypatch.setattr(tray.sys, "platform", "linux")
        monkeypatch.setenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME")
        assert tray.panel_is_dark()
        monkeypatch.setenv("XDG_CURRENT_DESKTOP", "KDE")  # Plasma's panel follows the theme
        assert not tray.panel_is_dark()
        monkeypatch.setattr(tray.sys, "platform", "win32")
        monkeypatch.setattr(tray, "windows_taskbar_light", lambda: False)  # dark taskbar
        assert tray.panel_is_dark()
        monkeypatch.setattr(tray, "windows_taskbar_light", lambda: None)  # not set: the apps'
        assert not tray.panel_is_dark()
    finally:
        app.setPalette(original)


def test_the_macos_templates_carry_the_same_badges_in_black_and_clear_only():
    """macOS tints menu bar templates itself: each state has one, black and transparent
    only, and the attention and problem badges differ in shape as on the other systems."""
    from desktop.base.resources_access import resource
    from desktop.showing.status import LEVELS, TrayStatus
    from desktop.ui.tray import render_svg

    masks = {}
    for level in LEVELS:
        name = TrayStatus(level, "", None).template_icon()
        image = render_svg(resource(name).read_bytes(), 32).toImage()
        colours = {
            (
                image.pixelColor(x, y).red(),
                image.pixelColor(x, y).green(),
                image.pixelColor(x, y).blue(),
            )
            for x in range(32)
            for y in range(32)
            if image.pixelColor(x, y).alpha() > 0
        }
        assert colours == {(0, 0, 0)}, (name, colours)
        masks[level] = {
            (x, y) for x in range(32) for y in range(32) if image.pixelColor(x, y).alpha() > 128
        }
    assert len({frozenset(m) for m in masks.values()}) == 3
    badge = {level: {p for p in masks[level] if p[0] >= 16 and p[1] >= 16} for level in LEVELS}
    shared = badge["attention"] & badge["problem"]
    assert len(shared) < 0.8 * min(len(badge["attention"]), len(badge["problem"]))
