"""`ally diagnose` in a terminal takes over the minutes the running tray app has watched,
over the tray's own single-instance socket; a socket that is not this account's, or an
answer that is not Ally's history, is ignored and the terminal falls back on its own.

The tray app runs for real (Qt, offscreen: with no tray host it opens its window, and its
socket listens the same way).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.run_ally import ROOT

HOME = "ally-home"  # the tray app's and the terminal's: one Ally


def _env(tmp: Path, home: str = HOME) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(TMPDIR=str(tmp), ALLY_HOME=str(tmp / home), QT_QPA_PLATFORM="offscreen")
    return env


def _diagnose(tmp: Path) -> dict:
    env = _env(tmp)
    env.pop("QT_QPA_PLATFORM")  # a terminal, no screen
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "diagnose", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _socket(tmp: Path) -> Path:
    from desktop.start.tray_link import instance_key

    env = _env(tmp)
    env.pop("QT_QPA_PLATFORM")
    return tmp / instance_key(env)


@pytest.fixture
def tray(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop"],
        env=_env(tmp_path),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while not _socket(tmp_path).exists():
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "the tray app's socket never appeared"
        time.sleep(0.1)
    yield proc
    proc.terminate()
    proc.wait(15)


def test_the_terminal_answer_uses_the_trays_minutes(tray, tmp_path):
    time.sleep(9)  # the tray samples every 2 s: about four rows before the terminal asks
    d = _diagnose(tmp_path)
    assert tray.poll() is None
    note = next(n for n in d["notes"] if n.startswith("Ally's own history covers"))
    assert "taken over from the running Ally app" in note, note
    # The terminal watched for 1 s itself; the rest is the tray's.
    assert d["history_s"] >= 8, d["history_s"]
    mode = os.stat(_socket(tmp_path)).st_mode & 0o777
    assert mode & 0o077 == 0, oct(mode)  # the socket is open to this account only


def test_without_a_tray_the_terminal_says_what_it_used(tmp_path):
    d = _diagnose(tmp_path)
    note = next(n for n in d["notes"] if n.startswith("Ally's own history covers"))
    assert "taken over" not in note
    assert "Ally used what the system keeps" in note


def _fake_tray(path: Path, answer: bytes) -> threading.Thread:
    """A socket that answers anything with ``answer``: a stale or hostile listener."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(4)

    def serve():
        with server:
            server.settimeout(30)
            try:
                while True:
                    conn, _ = server.accept()
                    with conn:
                        conn.recv(64)
                        conn.sendall(answer)
            except OSError:
                return

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return t


@pytest.mark.parametrize(
    "answer",
    [
        b"not json at all \xff\xfe",
        json.dumps({"schema": "ally.history/1", "columns": {"t": [3, 2, 1]}}).encode(),
        json.dumps({"schema": "ally.history/1", "columns": {"t": [1e308, "x"]}}).encode(),
    ],
)
def test_an_answer_that_is_not_allys_history_is_ignored(tmp_path, answer):
    _fake_tray(_socket(tmp_path), answer)
    d = _diagnose(tmp_path)  # still answers, from what it watched and what the system keeps
    note = next(n for n in d["notes"] if n.startswith("Ally's own history covers"))
    assert "taken over" not in note
    assert d["summary"]["headline"]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a socket to another account")
def test_a_socket_of_another_account_is_not_trusted(tmp_path, monkeypatch):
    path = _socket(tmp_path)
    _fake_tray(path, b"{}")
    os.chown(path, 1234, 1234)
    from desktop.start import tray_link

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("ALLY_HOME", str(tmp_path / HOME))
    assert tray_link.candidate_sockets()[0] == path
    assert tray_link.ask(tray_link.HISTORY_REQUEST) is None


def test_after_an_upgrade_every_running_ally_restarts_as_the_new_one(tmp_path):
    """What the .deb's postinst does after an upgrade (`ally restart-trays`), with the real
    watchdog and tray app: the tray app ends, the watchdog (same process) starts again as
    the newly installed Ally, and a new tray app answers on the same socket."""
    import psutil

    watchdog = subprocess.Popen(
        [sys.executable, "-m", "desktop"],
        env=_env(tmp_path),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not _socket(tmp_path).exists():
            assert watchdog.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        (before,) = psutil.Process(watchdog.pid).children()
        done = subprocess.run(
            [sys.executable, "-m", "desktop", "restart-trays"],
            env={**_env(tmp_path, "admin-home")},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("1 tray app restarting"), done.stdout
        deadline = time.monotonic() + 30
        while True:
            kids = psutil.Process(watchdog.pid).children()
            if kids and kids[0].pid != before.pid and _socket(tmp_path).exists():
                break
            assert watchdog.poll() is None, "the watchdog ended instead of restarting"
            assert time.monotonic() < deadline, "no new tray app"
            time.sleep(0.2)
        time.sleep(3)
        d = _diagnose(tmp_path)  # the new tray app answers on the socket
        note = next(n for n in d["notes"] if n.startswith("Ally's own history covers"))
        assert "taken over from the running Ally app" in note
        log = (tmp_path / HOME / "logs" / "ally.log").read_text()
        assert "restarting to run the newly installed Ally" in log
        assert not (tmp_path / HOME / "data" / "own-crashes.json").exists()
    finally:
        watchdog.terminate()
        watchdog.wait(20)


SILENT_LISTENER = """
import socket, sys, time
servers = []
for path in sys.argv[1:-1]:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(8)
    servers.append(s)
print("listening", flush=True)
time.sleep(600)
"""


def _watchdog(tmp: Path, home: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop"],
        env=_env(tmp, home),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_restart_trays_asks_every_tray_at_once_past_sockets_that_never_answer(tmp_path):
    """15 sockets that take a connection and never answer (their process even carries the
    tray app's argument, so they are asked) beside 2 real tray apps: both tray apps restart,
    and the whole command stays within one short deadline instead of one per socket."""
    import psutil

    from desktop.start.tray_link import instance_key, restart_all

    silent = [str(tmp_path / f"ally-someone-x{n}-0000000{n % 10}") for n in range(15)]
    squatter = subprocess.Popen(
        [sys.executable, "-c", SILENT_LISTENER, *silent, "--tray-child"],
        stdout=subprocess.PIPE,
        text=True,
    )
    trays = [_watchdog(tmp_path, f"home-{n}") for n in (1, 2)]
    sockets = []
    for n in (1, 2):
        env = _env(tmp_path, f"home-{n}")
        env.pop("QT_QPA_PLATFORM")
        sockets.append(tmp_path / instance_key(env))
    try:
        assert squatter.stdout.readline().strip() == "listening"
        deadline = time.monotonic() + 30
        while not all(path.exists() for path in sockets):
            assert all(t.poll() is None for t in trays) and time.monotonic() < deadline
            time.sleep(0.1)
        before = {t.pid: psutil.Process(t.pid).children()[0].pid for t in trays}
        started = time.monotonic()
        restarted = restart_all(tmp_path)  # what `ally restart-trays` runs
        took = time.monotonic() - started
        assert sorted(restarted) == sorted(str(path) for path in sockets)
        assert took < 3, took
        deadline = time.monotonic() + 30
        while not all(
            [c.pid for c in psutil.Process(t.pid).children()] not in ([], [before[t.pid]])
            for t in trays
        ):
            assert time.monotonic() < deadline, "a tray app was not started again"
            time.sleep(0.2)
        assert squatter.poll() is None  # the sockets that never answered were left alone
    finally:
        squatter.kill()
        for t in trays:
            t.terminate()
            t.wait(20)


def test_a_listener_that_is_not_an_ally_tray_is_not_asked_to_restart(tmp_path):
    from desktop.start.tray_link import restart_all

    path = tmp_path / "ally-someone-x9-00000000"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(4)
    with server:
        started = time.monotonic()
        assert restart_all(tmp_path, deadline_s=5.0) == []
        # This process (pytest) listens, not an Ally tray app: it is not even waited for.
        assert time.monotonic() - started < 1.0
        conn, _ = server.accept()  # it was connected to, to learn who listens ...
        with conn:
            conn.settimeout(5)
            assert conn.recv(64) == b""  # ... and closed without a word sent
