"""Tips are held while a full-screen window is active, read from a real X server.

Xvfb runs here without a window manager, so the test does the window manager's one part
in this: it names the active window on the root window (``_NET_ACTIVE_WINDOW``, type
WINDOW, as every EWMH window manager does). The window itself is a real Qt window shown
full screen, which sets its own ``_NET_WM_STATE_FULLSCREEN``. Ally then reads both with
xprop, as on a person's desktop. GNOME's do-not-disturb is read for real through
gsettings (its keyfile backend in a temporary folder).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
import time

import pytest

from desktop.showing import quiet_time
from tests.xserver import start_xvfb, stop

pytestmark = pytest.mark.skipif(
    not (shutil.which("Xvfb") and shutil.which("xprop") and ctypes.util.find_library("X11")),
    reason="needs Xvfb, xprop and libX11 (apt install xvfb x11-utils)",
)

WINDOW = """
import sys
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
w = QWidget()
w.setWindowTitle("a full-screen slide show")
w.{show}()
app.processEvents()
print(int(w.winId()), flush=True)
sys.stdin.readline()
"""


def wait(predicate, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def display():
    xvfb, number = start_xvfb()
    yield number
    stop(xvfb)


def open_window(display: str, show: str) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    proc = subprocess.Popen(
        [sys.executable, "-c", WINDOW.format(show=show)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    return proc, int(proc.stdout.readline())


def make_active(display: str, window: int) -> None:
    """What a window manager does when a window gets the focus."""
    x11 = ctypes.CDLL(ctypes.util.find_library("X11"))
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XChangeProperty.argtypes = [
        ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
        ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
    ]  # fmt: skip
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = x11.XOpenDisplay(display.encode())
    assert dpy, "no X display"
    atom = x11.XInternAtom(dpy, b"_NET_ACTIVE_WINDOW", 0)
    value = (ctypes.c_long * 1)(window)
    xa_window = 33
    x11.XChangeProperty(dpy, x11.XDefaultRootWindow(dpy), atom, xa_window, 32, 0, value, 1)
    x11.XCloseDisplay(dpy)  # flushes


def test_a_full_screen_window_holds_tips_and_an_ordinary_one_does_not(display, monkeypatch):
    monkeypatch.setenv("DISPLAY", display)
    monkeypatch.setenv("GSETTINGS_BACKEND", "memory")  # this machine's own settings: ignored
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    assert quiet_time.linux() is None  # nothing on screen yet
    ordinary, ordinary_id = open_window(display, "show")
    full, full_id = open_window(display, "showFullScreen")
    try:
        make_active(display, ordinary_id)
        assert quiet_time.linux() is None
        make_active(display, full_id)
        assert quiet_time.linux() == quiet_time.FULL_SCREEN
        assert quiet_time.reason_to_hold() == quiet_time.FULL_SCREEN
    finally:
        for proc in (ordinary, full):
            proc.stdin.close()
            proc.wait(10)


@pytest.mark.skipif(not shutil.which("gsettings"), reason="needs gsettings (libglib2.0-bin)")
def test_gnome_do_not_disturb_holds_tips(tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("GSETTINGS_BACKEND", "keyfile")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    schema = ["org.gnome.desktop.notifications", "show-banners"]
    if subprocess.run(["gsettings", "get", *schema], capture_output=True).returncode:
        pytest.skip("GNOME's notification settings schema is not installed")
    assert quiet_time.linux() is None
    subprocess.run(["gsettings", "set", *schema, "false"], check=True)  # Do Not Disturb on
    assert quiet_time.linux() == quiet_time.DO_NOT_DISTURB
    subprocess.run(["gsettings", "set", *schema, "true"], check=True)
    assert quiet_time.linux() is None
