"""`ally open WHAT` reaches the running app over the real single-instance socket."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from desktop.diagnostics import Sampler, SamplerSettings
from desktop.ui.instance_channel import InstanceChannel

pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="Unix sockets")


@pytest.fixture
def session(tmp_path, monkeypatch):
    """A session of our own: its socket lives in a temporary folder."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    from desktop.start.tray_link import instance_key

    return instance_key()


def test_ally_open_opens_the_window_asked_for_and_nothing_else(qtbot, session):
    opened: list[str] = []
    channel = InstanceChannel(
        session, Sampler(SamplerSettings()), lambda: None, None, opened.append
    )
    # Closed however the test ends: a channel left listening after its test kept a socket
    # notifier that a later test's event loop found on a closed descriptor ("QSocketNotifier:
    # Invalid socket …" without end, seen once in a combined ui + e2e run).
    try:
        assert channel.listening
        cmd = [sys.executable, "-m", "desktop", "open", "reports"]
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
            qtbot.waitUntil(
                lambda: opened == ["reports"] and proc.poll() is not None, timeout=60_000
            )
            assert proc.returncode == 0, proc.stderr.read()
        # Something that is not a window is refused, and the tray opens nothing.
        asking = "from desktop.start.tray_link import ask; print(ask(b'open /etc/passwd\\n'))"
        with subprocess.Popen(
            [sys.executable, "-c", asking], stdout=subprocess.PIPE, text=True
        ) as proc2:
            qtbot.waitUntil(lambda: proc2.poll() is not None, timeout=60_000)
            answer = proc2.stdout.read().strip()
        assert answer == "b''" and opened == ["reports"]
    finally:
        channel.close()


def test_an_unknown_window_name_is_a_clear_message_not_a_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "open", "everything"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "invalid choice" in done.stderr
    assert "Traceback" not in done.stderr


def test_ally_open_reaches_only_the_ally_of_its_own_session(qtbot, tmp_path, monkeypatch):
    """One account, two graphical sessions (two X displays) with an Ally each: `ally open`
    in the second opens the window there, never over the first session's windows."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    from desktop.start.tray_link import instance_key

    opened: dict[str, list[str]] = {":41": [], ":42": []}
    channels = [
        InstanceChannel(
            instance_key({**os.environ, "DISPLAY": display}),
            Sampler(SamplerSettings()),
            lambda: None,
            None,
            opened[display].append,
        )
        for display in opened
    ]
    try:
        assert all(c.listening for c in channels)
        env = {**os.environ, "DISPLAY": ":42.0"}  # the same display as :42
        cmd = [sys.executable, "-m", "desktop", "open", "status"]
        with subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE) as proc:
            qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20000)
            assert proc.returncode == 0, proc.stderr.read()
        qtbot.wait(200)
        assert opened == {":41": [], ":42": ["status"]}
    finally:
        for channel in channels:
            channel.close()


def test_ally_open_without_a_graphical_session_says_so_at_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)  # a terminal over SSH
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "open", "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "cannot find a screen to use" in done.stderr and "ally diagnose" in done.stderr
    assert "Traceback" not in done.stderr
