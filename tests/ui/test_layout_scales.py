"""Every screen, at 100, 125, 150 and 200 % and in the platform's light and dark theme,
on a real X server the size of a small office laptop (1366×768), in English and in a
pseudo-language 40 % longer (tests/ui/pseudo_language.py, so that longer languages fit
later): each label, button and checkbox shows its whole text (font metrics); no two texts
cover each other or leave the window (their rectangles, as far as they can be seen in a
scrolling page); each chart's numbers and time labels lie inside it, clear of the plot
and of each other (their rectangles as drawn); and no window needs more room than the
screen has. A picture of every screen is kept in test-artifacts/screens/SCALE-THEME/
(and .../SCALE-THEME-pseudo/) to look at.

The theme is the platform's own: GTK's Adwaita and Adwaita:dark through Qt's gtk3
platform theme, as on a GNOME desktop.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.xserver import run_screen_program, start_xvfb, stop

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screens"

pytestmark = pytest.mark.skipif(
    not shutil.which("Xvfb") or not sys.platform.startswith("linux"),
    reason="needs Xvfb (apt install xvfb)",
)


@pytest.fixture(scope="module")
def display():
    xvfb, number = start_xvfb()
    yield number
    stop(xvfb)


@pytest.mark.parametrize("language", ["en", "pseudo"])
@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("scale", ["1", "1.25", "1.5", "2"])
def test_every_text_fits_at_every_scale_and_theme(display, tmp_path, scale, theme, language):
    shots = ARTIFACTS / (
        f"{int(float(scale) * 100)}-{theme}" + ("-pseudo" if language == "pseudo" else "")
    )
    shutil.rmtree(shots, ignore_errors=True)
    result = run_screen_program(
        "tests.ui.screens",
        display,
        scale,
        theme,
        shots,
        tmp_path,
        timeout=300,
        ALLY_TEST_LANGUAGE=language,
    )
    assert result["dark"] == (theme == "dark"), "the platform's theme was not applied"
    assert result["problems"] == [], "\n".join(result["problems"])
    assert len(list(shots.glob("*.png"))) >= 11  # a picture of every screen
