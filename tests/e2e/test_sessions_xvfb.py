"""Ally as a person starts it, on real X servers with a real tray host: from any folder
(a ``desktop/`` folder there is never run), and once per graphical session (one account
with two displays has two Allys, and each window opens in the session that asked)."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.e2e.test_tray_xvfb import find_icon, shot, wait, x_session, xdo
from tests.hostile_folder import hostile_folder

pytestmark = pytest.mark.slow
ALLY = Path(sys.executable).with_name("ally")  # the installed command, as a person runs it
STATUS = "how is my computer doing"
REPORT = "Ally — tell IT what is wrong"


def _env(display: dict, tmp_path: Path) -> dict[str, str]:
    policy = tmp_path / "policy.toml"
    policy.write_text("[network]\nactive_checks = false\n")
    env = {
        **display,
        "ALLY_HOME": str(tmp_path / "home"),
        "ALLY_POLICY": str(policy),
        "QT_QPA_PLATFORM": "xcb",
        "TMPDIR": str(tmp_path),  # the sockets: this test's Allys only
        "DBUS_SESSION_BUS_ADDRESS": "disabled:",
    }
    env.pop("PYTHONPATH", None)
    return env


def _tray_apps(env: dict) -> list[psutil.Process]:
    """The tray apps showing a window or an icon on this display."""
    found = []
    for proc in psutil.process_iter(["cmdline", "environ"]):
        try:
            if "--tray-child" in (proc.info["cmdline"] or []) and (
                (proc.info["environ"] or {}).get("DISPLAY") == env["DISPLAY"]
            ):
                found.append(proc)
        except psutil.Error:
            continue
    return found


def _stop(procs: list[psutil.Process]) -> None:
    """Ends these processes (a watchdog ends its tray app with it), whether or not they
    are still there."""
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.send_signal(signal.SIGTERM)
    psutil.wait_procs(procs, timeout=20)


def test_ally_started_from_a_folder_with_a_desktop_package_runs_none_of_it(tmp_path):
    folder, mark = hostile_folder(tmp_path)
    started: list[psutil.Process] = []
    with x_session() as display:
        env = _env(display, tmp_path)
        try:
            # The launcher's `ally open` when Ally is not running: it starts Ally first.
            opened = subprocess.run(
                [str(ALLY), "open", "status"], env=env, cwd=folder, timeout=90, text=True,
                capture_output=True,
            )  # fmt: skip
            assert opened.returncode == 0, opened.stderr
            window = wait(lambda: xdo(env, "search", "--name", STATUS).split(), 20, "the window")
            tray_app = psutil.Process(int(xdo(env, "getwindowpid", window[0]).strip()))
            started += [tray_app.parent(), tray_app]
            assert wait(lambda: find_icon(shot(env, "hostile-folder-tray")), 10, "the icon")
            # The person starts `ally` again in the same folder: the running one comes forward.
            again = subprocess.run([str(ALLY)], env=env, cwd=folder, timeout=60)
            assert again.returncode == 0
            wait(lambda: xdo(env, "search", "--name", REPORT), 10, "the report window")
            assert _tray_apps(env) == [tray_app]
            assert not mark.exists()  # nothing of the folder's desktop/ ran
            log = (tmp_path / "home" / "logs" / "ally.log").read_text()
            assert "tray available: True" in log
        finally:
            _stop(started)


def test_one_account_two_displays_two_allys_each_window_in_its_own_session(tmp_path):
    """Both displays were started from one login (one XDG_SESSION_ID), as with a remote
    desktop beside the console. Ally runs in the first; `ally open status` in the second
    starts the second session's own Ally instead of opening a window in the first."""
    with x_session() as first, x_session() as second:
        envs = [_env(first, tmp_path), _env(second, tmp_path)]  # one account, one profile
        for env in envs:
            env["XDG_SESSION_ID"] = "7"
        watchdog = subprocess.Popen([str(ALLY)], env=envs[0], cwd=tmp_path)
        started: list[psutil.Process] = []
        try:
            (tray,) = wait(lambda: _tray_apps(envs[0]), 30, "the first session's tray app")
            assert wait(lambda: find_icon(shot(envs[0], "session-1")), 10, "the first icon")
            opened = subprocess.run(
                [str(ALLY), "open", "status"], env=envs[1], timeout=90, capture_output=True
            )
            assert opened.returncode == 0, opened.stderr
            window = wait(lambda: xdo(envs[1], "search", "--name", STATUS).split(), 20, "status")
            second_tray = psutil.Process(int(xdo(envs[1], "getwindowpid", window[0]).strip()))
            started += [second_tray.parent(), second_tray]
            assert wait(lambda: find_icon(shot(envs[1], "session-2")), 10, "the second icon")
            time.sleep(1.0)
            assert xdo(envs[0], "search", "--name", STATUS) == ""
            # A second start in the first session brings the first session's Ally forward,
            # and starts no third.
            again = subprocess.run([str(ALLY)], env=envs[0], timeout=60, cwd=tmp_path)
            assert again.returncode == 0
            wait(lambda: xdo(envs[0], "search", "--name", REPORT), 10, "report in session 1")
            assert xdo(envs[1], "search", "--name", REPORT) == ""
            assert [_tray_apps(env) for env in envs] == [[tray], [second_tray]]
        finally:
            _stop(started)
            watchdog.send_signal(signal.SIGTERM)
            watchdog.wait(30)
