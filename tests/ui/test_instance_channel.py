"""The single-instance socket as the tray app serves it: a plain Unix socket on Qt's event
loop (no QtNetwork in the tray app), for this account only, never stuck on a bad client."""

from __future__ import annotations

import gc
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import weakref

import pytest

from desktop.diagnostics import Sampler, SamplerSettings
from desktop.start.tray_link import SHOW_REQUEST, ask, instance_key, socket_path
from desktop.ui.instance_channel import InstanceChannel

pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="Unix sockets")


@pytest.fixture
def key(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    return instance_key()


def _ask_in_thread(request: bytes, result: list) -> threading.Thread:
    thread = threading.Thread(target=lambda: result.append(ask(request, 3.0, this_session=True)))
    thread.start()
    return thread


def test_the_socket_is_this_accounts_alone_and_goes_away_on_close(qtbot, key):
    channel = InstanceChannel(key, Sampler(SamplerSettings()), lambda: None)
    path = socket_path(key)
    assert channel.listening
    info = os.lstat(path)
    assert stat.S_ISSOCK(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600
    channel.close()
    assert not path.exists()


def test_show_and_history_are_answered(qtbot, key):
    shown: list[int] = []
    sampler = Sampler(SamplerSettings(interval_s=0.05))
    sampler.warm_up(0.1)
    sampler.sample_now()
    channel = InstanceChannel(key, sampler, lambda: shown.append(1))
    answers: list = []
    t = _ask_in_thread(SHOW_REQUEST, answers)
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=10000)
    assert answers == [b""] and shown == [1]  # answered by closing, and the window shown
    t = _ask_in_thread(b"history\n", answers)
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=10000)
    state = json.loads(answers[1])
    assert state == json.loads(channel.history_bytes())
    channel.close()


def test_a_stale_socket_of_a_crashed_ally_is_replaced(qtbot, key):
    path = socket_path(key)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()  # the file stays, nobody listens: what a crash leaves
    channel = InstanceChannel(key, Sampler(SamplerSettings()), lambda: None)
    assert channel.listening
    channel.close()


def test_a_file_that_is_not_allys_socket_is_left_alone(qtbot, key):
    path = socket_path(key)
    path.write_text("someone else's file\n")
    channel = InstanceChannel(key, Sampler(SamplerSettings()), lambda: None)
    assert not channel.listening  # Ally runs on without the single-instance help
    assert path.read_text() == "someone else's file\n"
    channel.close()


def test_bad_clients_are_dropped_and_the_next_one_is_served(qtbot, key):
    shown: list[int] = []
    channel = InstanceChannel(key, Sampler(SamplerSettings()), lambda: shown.append(1))
    path = str(socket_path(key))
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.connect(path)  # says nothing at all
    flood = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    flood.connect(path)
    flood.sendall(b"x" * 4096)  # no line, far too long
    unknown = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unknown.connect(path)
    unknown.sendall(b"open /etc/passwd\n")
    for s in (flood, unknown):
        s.settimeout(10)
        qtbot.waitUntil(lambda s=s: _closed_by_peer(s), timeout=10000)
    silent.settimeout(10)
    qtbot.waitUntil(lambda: _closed_by_peer(silent), timeout=10000)  # after two seconds
    answers: list = []
    t = _ask_in_thread(SHOW_REQUEST, answers)
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=10000)
    assert answers == [b""] and shown == [1]
    for s in (silent, flood, unknown):
        s.close()
    channel.close()


def test_a_channel_dropped_without_close_goes_at_once_and_leaves_qt_nothing(qtbot, key, qtlog):
    """The tray app always closes its channel. One dropped without close() used to wait
    for Python's cycle collector, which runs in whatever thread allocates: in a test run it
    deleted the channel's Qt objects from a worker thread (the next test's event loop
    crashed, 4 times of 4) or closed sockets Qt still watched ("Invalid socket" without
    end). It must go at once, in the thread that drops it, notifiers before sockets."""
    channel = InstanceChannel(key, Sampler(SamplerSettings()), lambda: None)
    path = str(socket_path(key))
    waiting = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    waiting.connect(path)  # a client the channel watches, with a notifier of its own
    gone = weakref.ref(channel)
    qtbot.waitUntil(lambda: len(gone().listener.clients) == 1, timeout=10000)
    gc.disable()  # only reference counting may free it
    try:
        del channel
        assert gone() is None
    finally:
        gc.enable()
    waiting.settimeout(10)
    assert waiting.recv(1) == b""  # its connection closed with it
    waiting.close()
    late = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with pytest.raises(ConnectionRefusedError):  # and nothing listens any more
        late.connect(path)
    late.close()
    qtbot.wait(300)  # the event loop goes on, watching no closed descriptor
    assert not [r.message for r in qtlog.records if "QSocketNotifier" in r.message]


def test_the_windows_path_qts_local_server_answers_and_goes_when_dropped(qtbot, key, monkeypatch):
    """Windows serves the channel with Qt's local server (a named pipe there). The same
    class runs here over Qt's own Unix socket, at the same path: it answers, and a channel
    dropped without close() goes at once with it."""
    shown: list[int] = []
    with monkeypatch.context() as m:
        m.setattr(sys, "platform", "win32")
        channel = InstanceChannel(key, Sampler(SamplerSettings()), lambda: shown.append(1))
    assert type(channel.listener).__name__ == "_PipeListener" and channel.listening
    answers: list = []
    t = _ask_in_thread(SHOW_REQUEST, answers)
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=10000)
    assert answers == [b""] and shown == [1]
    gone = weakref.ref(channel)
    gc.disable()
    try:
        del channel
        assert gone() is None
    finally:
        gc.enable()
    late = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with pytest.raises((ConnectionRefusedError, FileNotFoundError)):
        late.connect(str(socket_path(key)))
    late.close()


def _closed_by_peer(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_the_tray_app_start_loads_neither_qtnetwork_nor_svg_nor_the_fixes(tmp_path):
    """Everything the idle tray app imports stays in memory for weeks: the single-instance
    socket needs no QtNetwork, the icon is a picture drawn ahead of time (no SVG library),
    and reading the policy loads no fix."""
    code = (
        "import sys\n"
        "import desktop.start.app, desktop.ui.ally_app, desktop.ui.instance_channel\n"
        "from desktop.start.services import Services\n"
        "from desktop.showing.status import TrayStatus\n"
        "from desktop.ui.tray import Tray\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "Services.load()\n"
        "tray = Tray(TrayStatus('problem', 'Ally', None), lambda: False)\n"
        "assert not tray.icon.icon().isNull()\n"
        "heavy = ('PySide6.QtNetwork', 'PySide6.QtSvg', 'desktop.fixes.registry')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    env = {**os.environ, "ALLY_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
