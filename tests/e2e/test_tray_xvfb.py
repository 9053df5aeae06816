"""End to end on a real X server (Xvfb) with a real tray host (trayer): the icon is in the
tray, a click opens Ally, the report flow is walked by keyboard, a second start brings
the window forward, and Quit stops Ally. Screenshots of each step are kept in
test-artifacts/tray/ (and the README's come from there)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.xserver import start_xvfb, stop

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "tray"
TOOLS = ("Xvfb", "trayer", "xdotool", "import")
missing = [t for t in TOOLS if shutil.which(t) is None]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(missing),
        reason=f"needs {', '.join(missing)} (apt install xvfb trayer xdotool "
        "imagemagick); .ci/run installs them",
    ),
]
PATIENCE = 4  # how many times its usual time a step may take before a test gives up
# The icon's glyph, as its pictures draw it (dark for light panels, light for dark ones):
# found in a screenshot by its own colour, whatever state the icon shows.
GLYPHS = tuple(
    re.search(
        r'stroke="#([0-9a-f]{6})"', (ROOT / f"resources/icons/ally-neutral-{t}.svg").read_text()
    )[1]
    for t in ("light", "dark")
)
WINDOW = "Ally — tell IT what is wrong"


def wait(predicate, timeout: float, what: str):
    """``predicate``'s first true value. The time limit only says when to give up on
    something that will not come: on a machine busy with other work a step may take
    several times as long, so every limit is stretched (performance is measured in
    benchmarks/, not here)."""
    deadline = time.monotonic() + timeout * PATIENCE
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def display(tmp_path):
    with x_session() as env:
        yield env


@contextlib.contextmanager
def x_session():
    """A graphical session of our own: an X server on a display number it picked as free
    (never one another session or test uses) with a tray host on it."""
    xvfb, number = start_xvfb()
    env = {**os.environ, "DISPLAY": number}
    tray = subprocess.Popen(
        [
            "trayer",
            "--edge",
            "top",
            "--align",
            "right",
            "--widthtype",
            "request",
            "--height",
            "32",
            "--SetDockType",
            "true",
            "--transparent",
            "false",
            "--tint",
            "0x333333",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    try:
        yield env
    finally:
        stop(tray, xvfb)


def shot(env, name: str) -> Path:
    folder = ARTIFACTS / env.get("ALLY_SHOTS", "")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    # One thread: ImageMagick's OpenMP threads wait on each other for seconds when other
    # work holds the cores (a screenshot took over 20 s beside stress-ng).
    subprocess.run(
        ["import", "-window", "root", str(path)],
        env={**env, "MAGICK_THREAD_LIMIT": "1", "OMP_NUM_THREADS": "1"},
        check=True,
        timeout=60,
    )
    return path


def find_icon(path: Path) -> tuple[int, int] | None:
    """Where the tray icon is, in the top-right corner: the middle of the pixels in its
    glyph's colour (the tray host's panel and the empty screen have neither)."""
    from PySide6.QtGui import QColor, QImage

    image = QImage(str(path))
    glyphs = [QColor("#" + g) for g in GLYPHS]
    found = [
        (x, y)
        for y in range(0, 40)
        for x in range(image.width() - 120, image.width())
        if any(
            abs(c.red() - g.red()) < 24
            and abs(c.green() - g.green()) < 24
            and abs(c.blue() - g.blue()) < 24
            for c in (image.pixelColor(x, y),)
            for g in glyphs
        )
    ]
    if len(found) < 8:  # a few stray pixels are not an icon
        return None
    return (
        sum(x for x, _ in found) // len(found),
        sum(y for _, y in found) // len(found),
    )


def wait_for_step(env, title: str, what: str, timeout: float = 15):
    """The report window names its step in its title: wait for that step to be on screen."""
    return wait(lambda: xdo(env, "search", "--name", title), timeout, what)


def xdo(env, *args: str) -> str:
    return subprocess.run(
        ["xdotool", *args], env=env, capture_output=True, text=True, timeout=30
    ).stdout


# 100 % and 200 %, in the platform's light and dark theme (GTK's Adwaita through Qt's
# gtk3 theme, as on a GNOME desktop): a picture of every step in test-artifacts/tray/.
LOOKS = [("1", "light"), ("2", "dark"), ("1", "dark"), ("2", "light")]


def look(env: dict, scale: str, theme: str) -> None:
    env.update(
        {
            "QT_SCALE_FACTOR": scale,
            "QT_QPA_PLATFORMTHEME": "gtk3",
            "GTK_THEME": "Adwaita:dark" if theme == "dark" else "Adwaita",
            "ALLY_SHOTS": f"{int(float(scale) * 100)}-{theme}",
            # No session bus here: without this GTK may wait for one to start on its own.
            "DBUS_SESSION_BUS_ADDRESS": "disabled:",
        }
    )


@pytest.mark.parametrize(("scale", "theme"), LOOKS, ids=[f"{s}x-{t}" for s, t in LOOKS])
def test_tray_icon_click_report_flow_second_start_and_quit(display, tmp_path, scale, theme):
    env = dict(display)
    look(env, scale, theme)
    reports = tmp_path / "reports"
    reports.mkdir()  # IT makes the folder it names; Ally never creates it
    policy = tmp_path / "policy.toml"
    policy.write_text(
        f'[network]\nactive_checks = false\n[transport]\nkind = "folder"\nfolder = "{reports}"\n'
    )
    env.update(
        {"ALLY_HOME": str(tmp_path / "home"), "ALLY_POLICY": str(policy), "QT_QPA_PLATFORM": "xcb"}
    )
    ally = subprocess.Popen(
        [sys.executable, "-m", "desktop"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        log = tmp_path / "home/logs/ally.log"
        wait(
            lambda: log.exists() and "tray available: True" in log.read_text(),
            20,
            "Ally in the tray",
        )
        icon = wait(
            lambda: find_icon(shot(env, "1-tray")), 10, "the icon in a screenshot of the tray"
        )

        xdo(env, "mousemove", str(icon[0]), str(icon[1]), "click", "1")
        window = wait(
            lambda: xdo(env, "search", "--name", WINDOW).split(), 10, "the report window"
        )[0]
        time.sleep(0.5)
        shot(env, "2-what-feels-wrong")
        xdo(env, "windowfocus", window)
        xdo(env, "key", "space")  # the first choice: my computer is slow
        wait_for_step(env, "Here is what Ally found", "the answer", 30)
        time.sleep(1.0)
        shot(env, "3-what-we-found")
        xdo(env, "key", "alt+t")
        wait_for_step(env, "Tell IT more", "the note step")
        xdo(env, "type", "--delay", "20", "Everything is slow since lunch.")
        shot(env, "4-tell-it-more")
        xdo(env, "key", "alt+s")
        wait_for_step(env, "This is what will be sent", "the review step")
        time.sleep(0.3)
        shot(env, "5-what-will-be-sent")
        xdo(env, "key", "alt+s")
        sent = wait(lambda: list(reports.glob("*.json")), 15, "the report in IT's folder")
        time.sleep(0.5)
        shot(env, "6-sent")
        assert "Everything is slow since lunch." in sent[0].read_text()

        second = subprocess.run(
            [sys.executable, "-m", "desktop"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert second.returncode == 0  # it only brought the first one forward
        assert ally.poll() is None

        # `ally open` (the launcher entry) reaches the running Ally.
        for what, title, name in (
            ("reports", "Ally — my reports", "8-my-reports"),
            ("status", "how is my computer doing", "9-how-is-my-computer-doing"),
            ("settings", "Ally — settings", "10-settings"),
        ):
            opened = subprocess.run(
                [sys.executable, "-m", "desktop", "open", what],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert opened.returncode == 0, opened.stderr
            wait(lambda t=title: xdo(env, "search", "--name", t), 15, f"the {what} window")
            time.sleep(0.5)
            shot(env, name)

        xdo(env, "mousemove", str(icon[0]), str(icon[1]), "click", "3")  # the menu
        time.sleep(0.8)
        shot(env, "7-menu")
        xdo(env, "key", "Up", "Return")  # Quit is the last item
        assert ally.wait(15) == 0
    finally:
        if ally.poll() is None:
            ally.send_signal(signal.SIGKILL)
            ally.wait()


def test_ally_open_starts_ally_when_it_is_not_running(display, tmp_path):
    """The launcher entry works before Ally runs: it starts Ally, then opens the window."""
    import psutil

    env = dict(display)
    look(env, "1", "light")
    policy = tmp_path / "policy.toml"
    policy.write_text("[network]\nactive_checks = false\n")
    env.update(
        {"ALLY_HOME": str(tmp_path / "home"), "ALLY_POLICY": str(policy), "QT_QPA_PLATFORM": "xcb"}
    )
    started: list[psutil.Process] = []
    try:
        opened = subprocess.run(
            [sys.executable, "-m", "desktop", "open", "status"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert opened.returncode == 0, opened.stderr
        window = wait(
            lambda: xdo(env, "search", "--name", "how is my computer doing").split(),
            20,
            "the status window of the Ally that was started",
        )[0]
        tray_app = psutil.Process(int(xdo(env, "getwindowpid", window).strip()))
        started += [tray_app, tray_app.parent()]  # the tray app and its watchdog
        shot(env, "11-started-by-ally-open")
        icon = wait(lambda: find_icon(shot(env, "11-tray")), 10, "the icon")
        xdo(env, "mousemove", str(icon[0]), str(icon[1]), "click", "3")
        time.sleep(0.8)
        xdo(env, "key", "Up", "Return")  # Quit
        tray_app.wait(15)  # not our child: psutil waits for it to end
        assert not tray_app.is_running()
    finally:
        for proc in started:
            if proc.is_running():
                proc.kill()
