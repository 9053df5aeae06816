"""IT's HTML view in a real headless browser (Chromium from the system packages)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time

import pytest

from ally_helpdesk.it_view import html_view
from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose
from desktop.reporting import report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Chromium (apt install chromium); .ci/run installs it"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    sampler = Sampler(SamplerSettings(interval_s=0.2))
    sampler.start()
    time.sleep(2.0)
    try:
        d = diagnose("slow", sampler=sampler)
    finally:
        sampler.stop()
    doc = report.build(d, note="Outlook froze <script>alert(1)</script> & closed twice.")
    folder = tmp_path_factory.mktemp("html")
    path = folder / "report.html"
    path.write_text(html_view.render(doc), encoding="utf-8")
    return path, doc, folder


def run_chromium(args, folder):
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={folder / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_the_page_renders_with_its_charts_and_no_console_errors(page):
    path, doc, folder = page
    out = run_chromium(["--dump-dom", path.as_uri()], folder)
    assert out.returncode == 0, out.stderr[-2000:]
    dom = out.stdout
    assert dom.count('class="card chart"') == len(html_view.CHARTS)
    assert dom.count("<polyline") >= len(html_view.CHARTS)
    assert dom.count('class="reported"') == len(html_view.CHARTS)  # the moment of the report marked
    assert doc["id"] in dom
    console = [
        line for line in out.stderr.splitlines() if "CONSOLE" in line or "Refused to" in line
    ]
    assert console == [], console


def test_the_persons_words_come_first_and_cannot_run(page):
    path, _doc, _folder = page
    html = path.read_text(encoding="utf-8")
    assert (
        html.index("In their own words")
        < html.index("What Ally found")
        < html.index("The minutes before")
    )
    assert "<script" not in html.lower() and "&lt;script&gt;" in html
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", html)  # nothing loads from outside


def test_a_screenshot_of_the_page_is_not_blank(page):
    path, _, folder = page
    shot = folder / "report.png"
    out = run_chromium(["--window-size=1100,1400", f"--screenshot={shot}", path.as_uri()], folder)
    assert out.returncode == 0 and shot.stat().st_size > 20_000
