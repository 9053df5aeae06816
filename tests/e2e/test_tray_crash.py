"""The real tray app crashing on a real X server with a real tray host: the person walks the
report flow and sends, IT's server hangs, and the tray app dies of a segmentation fault in
the middle of the send. The watchdog logs the fault with its Python traceback, starts the
tray app again, the new one holds the single-instance lock (a second start brings it
forward), and the report that was being sent reaches IT exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from tests.e2e.test_tray_xvfb import ROOT, display, find_icon, shot, wait, wait_for_step, xdo
from tests.webhook_server import Receiver

pytestmark = pytest.mark.slow
__all__ = ["display"]  # the Xvfb + trayer fixture
WINDOW = "Ally — tell IT what is wrong"


def test_a_crash_mid_send_is_restarted_logged_and_the_report_still_arrives(display, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    with Receiver() as receiver:
        (home / "test-keyring.json").write_text(json.dumps({"Ally/webhook": receiver.secret}))
        policy = tmp_path / "policy.toml"
        policy.write_text(
            "[network]\nactive_checks = false\n"
            f'[transport]\nkind = "webhook"\nurl = "{receiver.url}"\ntimeout_s = 20\n'
        )
        receiver.plan.append("hang")  # IT's server hangs while the first tray app sends
        env = {
            **display,
            "ALLY_HOME": str(home),
            "ALLY_POLICY": str(policy),
            "QT_QPA_PLATFORM": "xcb",
            "PYTHON_KEYRING_BACKEND": "tests.file_keyring.FileKeyring",
            "PYTHONPATH": str(ROOT),
        }
        ally = subprocess.Popen(
            [sys.executable, "-m", "desktop"],  # the `ally` command: watchdog and tray app
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        log = home / "logs" / "ally.log"
        try:
            wait(lambda: log.exists() and "tray available: True" in log.read_text(), 20, "tray")
            first = psutil.Process(ally.pid).children()[0]
            icon = wait(lambda: find_icon(shot(env, "crash-1-tray")), 10, "the icon")

            xdo(env, "mousemove", str(icon[0]), str(icon[1]), "click", "1")
            window = wait(lambda: xdo(env, "search", "--name", WINDOW).split(), 10, "window")[0]
            time.sleep(0.5)
            xdo(env, "windowfocus", window)
            xdo(env, "key", "space")
            wait_for_step(env, "Here is what Ally found", "the answer", 30)
            time.sleep(1.0)
            xdo(env, "key", "alt+t")
            wait_for_step(env, "Tell IT more", "the note step")
            xdo(env, "type", "--delay", "20", "Sent just before Ally crashed.")
            xdo(env, "key", "alt+s")
            wait_for_step(env, "what will be sent", "the review")
            time.sleep(0.3)
            xdo(env, "key", "alt+s")  # Send: stored first, then the hanging send begins
            pending = home / "data" / "outbox" / "pending"
            wait(lambda: list(pending.glob("*-*.json")), 10, "the report in the outbox")
            wait(lambda: receiver.requests >= 1, 10, "the send to begin")

            os.kill(first.pid, signal.SIGSEGV)  # the tray app dies mid-send
            second = wait(
                lambda: [c for c in psutil.Process(ally.pid).children() if c.pid != first.pid],
                20,
                "the tray app started again",
            )[0]
            wait(lambda: log.read_text().count("tray available: True") == 2, 20, "it is back")
            text = log.read_text()
            assert "Fatal Python error: Segmentation fault" in text  # faulthandler, in the log
            assert 'desktop/start/app.py", line' in text  # with the Python traceback
            assert "stopped unexpectedly (signal SIGSEGV); starting it again" in text
            assert wait(lambda: find_icon(shot(env, "crash-2-tray-again")), 10, "the icon again")

            # The report that was being sent arrives, once, with the person's words.
            wait(lambda: receiver.tickets, 40, "the report at IT after the restart")
            time.sleep(2.0)
            assert len(receiver.tickets) == 1
            (ticket,) = receiver.tickets.values()
            assert ticket["report"]["note"] == "Sent just before Ally crashed."

            # The new tray app holds the single-instance lock: a second start only brings it
            # forward, and no third tray app appears.
            again = subprocess.run([sys.executable, "-m", "desktop"], env=env, cwd=ROOT, timeout=30)
            assert again.returncode == 0
            assert [c.pid for c in psutil.Process(ally.pid).children()] == [second.pid]
            assert ally.poll() is None
        finally:
            ally.send_signal(signal.SIGTERM)  # as at logout: no restart
            try:
                assert ally.wait(20) == 0
            finally:
                if ally.poll() is None:
                    ally.kill()
        assert (
            log.read_text().count("; starting it again") == 1
        )  # the stop at logout is not a crash
