"""End to end on a real X server with a real tray host: one fix walked from the tray.

The person clicks the icon, says the computer is slow; Ally finds the drive nearly full
(IT's policy here counts any drive as nearly full) and offers to empty the Trash, which
holds real files. The fix is chosen and pressed with the keyboard, the Trash is emptied,
the result is said, and the report sent afterwards carries what was tried. Screenshots
of each step go to test-artifacts/tray/.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

# The X server and tray host of the main tray test (its `display` fixture), reused.
from tests.e2e.test_tray_xvfb import (  # noqa: F401
    ROOT,
    TOOLS,
    display,
    find_icon,
    shot,
    wait,
    wait_for_step,
    xdo,
)

missing = [t for t in TOOLS if shutil.which(t) is None]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(missing),
        reason=f"needs {', '.join(missing)} (apt install xvfb trayer xdotool imagemagick)",
    ),
]
WINDOW = "Ally — tell IT what is wrong"


def test_one_fix_walked_from_the_tray(display, tmp_path):  # noqa: F811
    env = dict(display)
    reports = tmp_path / "reports"
    reports.mkdir()  # IT's folder is IT's to make: Ally never creates a configured one
    home = tmp_path / "home"
    trash = home / ".local" / "share" / "Trash"
    (trash / "info").mkdir(parents=True)
    (trash / "files").mkdir()
    for i in range(3):
        (trash / "files" / f"old draft {i}.odt").write_bytes(os.urandom(400_000))
    policy = tmp_path / "policy.toml"
    policy.write_text(
        "[network]\nactive_checks = false\n"
        f'[transport]\nkind = "folder"\nfolder = "{reports}"\n'
        "[thresholds]\ndisk_free_critical_bytes = 1000000000000000\n"
        # Only this fix, whatever else this machine shows (a pending restart, a busy program).
        "[fixes]\nclose_program = false\nrestart_reminder = false\ncancel_print_jobs = false\n"
    )
    env.update(
        {
            "ALLY_HOME": str(tmp_path / "ally"),
            "ALLY_POLICY": str(policy),
            "QT_QPA_PLATFORM": "xcb",
            "HOME": str(home),
        }
    )
    env.pop("XDG_DATA_HOME", None)
    ally = subprocess.Popen(
        [sys.executable, "-m", "desktop"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        log = tmp_path / "ally/logs/ally.log"
        wait(lambda: log.exists() and "tray available: True" in log.read_text(), 20, "the tray")
        icon = wait(lambda: find_icon(shot(env, "fix-1-tray")), 10, "the icon")
        xdo(env, "mousemove", str(icon[0]), str(icon[1]), "click", "1")
        window = wait(lambda: xdo(env, "search", "--name", WINDOW).split(), 10, "the window")[0]
        time.sleep(0.5)
        xdo(env, "windowfocus", window)
        xdo(env, "key", "space")  # my computer is slow
        wait_for_step(env, "Here is what Ally found", "the answer", 30)
        time.sleep(1.0)
        shot(env, "fix-2-offered")
        # From "Tell IT about this": back past Close to the last fix, "Empty the Trash".
        xdo(env, "key", "shift+Tab", "shift+Tab")
        xdo(env, "key", "space")
        wait(lambda: os.listdir(trash / "files") == [], 10, "the Trash emptied")
        journal = tmp_path / "ally/data/fixes/journal.jsonl"
        wait(
            lambda: journal.exists() and '"outcome":"not_fixed"' in journal.read_text(),
            10,
            "the re-check",
        )
        time.sleep(0.5)
        shot(env, "fix-3-result")
        xdo(env, "key", "alt+t")
        wait_for_step(env, "Tell IT more", "the note step")
        xdo(env, "type", "--delay", "20", "Ally emptied my Trash, still full.")
        xdo(env, "key", "alt+s")
        wait_for_step(env, "This is what will be sent", "the review step")
        time.sleep(0.3)
        shot(env, "fix-4-review")
        xdo(env, "key", "alt+s")
        sent = wait(lambda: list(reports.glob("*.json")), 15, "the report in IT's folder")
        doc = json.loads(sent[0].read_text())
        (tried,) = doc["fixes"]["tried"]
        assert tried["fix"] == "empty_trash" and tried["outcome"] == "not_fixed"
        assert tried["what"]["items"] == 3
        # The ending says what the fix changed: Ally checked again, and the drive is still
        # nearly full (the same words the heading showed after the fix).
        changed = doc["fixes"]["changed"]
        assert changed["gone"] is False and changed["button"] == "Empty the Trash"
        assert changed["said"] == f"Ally checked again. {changed['after']}"
        wait_for_step(env, "Thank you. IT has your report.", "the ending")
        time.sleep(0.5)
        shot(env, "fix-5-ending")
        xdo(env, "mousemove", str(icon[0]), str(icon[1]), "click", "3")
        time.sleep(0.8)
        xdo(env, "key", "Up", "Return")
        assert ally.wait(15) == 0
    finally:
        if ally.poll() is None:
            ally.send_signal(signal.SIGKILL)
            ally.wait()
