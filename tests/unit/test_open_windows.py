"""Which programs have a window, on Windows and macOS, and how "Which program?" names them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from desktop.diagnostics.apps import default_catalog
from desktop.showing import open_windows
from desktop.showing.open_windows import (
    WS_EX_APPWINDOW,
    WS_EX_NOACTIVATE,
    WS_EX_TOOLWINDOW,
    TopWindow,
    alt_tab_pids,
    foreground_pids,
)
from desktop.showing.program_list import recognisable, window_pids, windowed_programs

MACOS = Path(__file__).parent.parent / "data" / "macos"


def test_the_dock_apps_are_read_from_real_lsappinfo_listings():
    listing = (MACOS / "lsappinfo_list.txt").read_text()
    # Logi Capture, Jarhead and its second Foreground process; never the background node
    # process, whose record is named after its command line.
    assert foreground_pids(listing) == {1378, 3125, 66017}
    other = (MACOS / "lsappinfo_list_finder_calculator.txt").read_text()
    assert foreground_pids(other) == {640, 70090}  # not loginwindow (UIElement) nor a daemon
    assert foreground_pids("") == set() and foreground_pids("[ NULL ]\n") == set()
    hostile = ' 1) "x" ASN:0x0-0x1:\n    pid = 99999999999 type="Foreground"\n'
    assert foreground_pids(hostile) == set()  # not a process id


def test_alt_tab_shows_what_windows_own_switcher_shows():
    def w(pid, visible=True, ex_style=0, owned=False, cloaked=False):
        return TopWindow(visible, ex_style, owned, cloaked, pid)

    windows = [
        w(10),  # an ordinary application window
        w(11, visible=False),  # hidden
        w(12, cloaked=True),  # on another virtual desktop, or a suspended Store app
        w(13, ex_style=WS_EX_TOOLWINDOW),  # a floating palette
        w(14, owned=True),  # a dialog that belongs to another window
        w(15, owned=True, ex_style=WS_EX_APPWINDOW),  # owned, but asks for a taskbar button
        w(16, ex_style=WS_EX_NOACTIVATE),  # an on-screen keyboard, a notification
        w(0),  # no process
    ]
    assert alt_tab_pids(windows) == {10, 15}


def test_each_platform_asks_its_own_source(monkeypatch):
    monkeypatch.setattr(open_windows, "windows_pids", lambda: {1})
    monkeypatch.setattr(open_windows, "macos_pids", lambda: {2})
    assert window_pids("win32") == {1}
    assert window_pids("darwin") == {2}


def test_a_program_with_a_window_is_named_from_its_own_bundle(tmp_path):
    """A real process whose executable sits in an app bundle with a real Info.plist: the
    macOS naming path, run here on a Linux process (only the file layout matters)."""
    contents = tmp_path / "NetNewsWire.app" / "Contents"
    (contents / "MacOS").mkdir(parents=True)
    shutil.copy(MACOS / "bundles" / "NetNewsWire.Info.plist", contents / "Info.plist")
    executable = contents / "MacOS" / "netnewswire"
    shutil.copy(shutil.which("sleep"), executable)
    proc = subprocess.Popen([str(executable), "60"])
    try:
        catalog = default_catalog()
        windowed, names = windowed_programs([proc.pid], catalog, platform="darwin")
    finally:
        proc.kill()
        proc.wait(10)
    assert windowed == {"exe:netnewswire"}
    assert names == {"netnewswire": "NetNewsWire"}
    choice = SimpleNamespace(app_id="exe:netnewswire", name="netnewswire", crashes=0, hangs=0)
    background = SimpleNamespace(app_id="exe:backupd", name="backupd", crashes=0, hangs=0)
    listed = recognisable([background, choice], windowed, names)
    assert [(p.name, p.key, p.has_window) for p in listed] == [
        ("NetNewsWire", "exe:netnewswire", True)
    ]  # the background program without a window or a name of its own is left out


def test_a_vanished_process_is_passed_over():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(10)
    assert windowed_programs([gone.pid], default_catalog(), platform="darwin") == (set(), {})
