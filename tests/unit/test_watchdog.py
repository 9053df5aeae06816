"""The watchdog's rules, with small real child processes that crash or stop as told (the
real tray app crashing is in tests/e2e/test_tray_crash.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

from desktop.base.paths import AllyPaths
from desktop.start import own_crashes, watchdog
from desktop.start.own_crashes import OwnCrashes, notice_due
from tests.unit.test_catalog_words import BLAME, JARGON, MAX_GRADE, MAX_WORDS


def child(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def dog(tmp_path, command, clock=time.time) -> watchdog.Watchdog:
    env = {**os.environ, "ALLY_HOME": str(tmp_path)}
    w = watchdog.Watchdog(command, environ=env, clock=clock)
    w._paths = AllyPaths.from_environment(env)
    return w


def test_why_it_stopped():
    assert watchdog.why_it_stopped(0) is None  # Quit, or a second start that brought Ally forward
    assert watchdog.why_it_stopped(2) is None  # no display
    assert watchdog.why_it_stopped(-signal.SIGTERM) is None  # asked to stop: logout, IT
    assert watchdog.why_it_stopped(-signal.SIGINT) is None
    assert watchdog.why_it_stopped(-signal.SIGSEGV) == "signal SIGSEGV"
    assert watchdog.why_it_stopped(-signal.SIGABRT) == "signal SIGABRT"  # a fatal Python error
    assert watchdog.why_it_stopped(-signal.SIGKILL) == "signal SIGKILL"  # the out-of-memory killer
    assert watchdog.why_it_stopped(3) == "exit code 3"


def test_the_limits_match_the_record():
    assert (watchdog.MAX_RESTARTS, watchdog.WINDOW_MIN * 60) == (
        own_crashes.MAX_RESTARTS,
        own_crashes.WINDOW_S,
    )


def test_three_restarts_in_ten_minutes_then_it_stops_and_says_so_once(tmp_path, monkeypatch):
    monkeypatch.setattr(watchdog, "RESTART_DELAY_S", 0.0)
    runs = tmp_path / "runs"
    command = child(
        f"""
        import os, signal
        with open({str(runs)!r}, "a") as fh: fh.write("run\\n")
        import sys; sys.stderr.write("about to crash\\n"); sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGSEGV)
        """
    )
    w = dog(tmp_path, command)
    assert w.run() == 1  # it gave up
    assert runs.read_text().count("run") == 4  # the first start and three restarts
    log = (tmp_path / "logs" / "ally.log").read_text()
    assert log.count("about to crash") == 4  # the child's error output is in the log
    assert log.count("; starting it again") == 3 and "not starting it again" in log
    record = OwnCrashes.load(tmp_path / "data")
    assert [c.restarted for c in record.crashes] == [True, True, True, False]
    assert record.gave_up_at is not None and not record.person_told
    title, text = notice_due(tmp_path / "data")  # the next start says so ...
    assert "problem" in title and "log" in text and "not something you did" in text
    assert notice_due(tmp_path / "data") is None  # ... once


def test_restarts_older_than_ten_minutes_do_not_count(tmp_path):
    record = OwnCrashes()
    for t in (0, 100, 200):
        assert record.crashed(t, "signal SIGSEGV")
    assert not record.crashed(300, "signal SIGSEGV")  # a fourth within ten minutes
    later = OwnCrashes()
    for t in (0, 100, 200):
        later.crashed(t, "signal SIGSEGV")
    assert later.crashed(200 + 601, "signal SIGSEGV")  # the first two have aged out
    later.save(tmp_path)
    assert OwnCrashes.load(tmp_path).crashes == later.crashes
    (tmp_path / own_crashes.FILE_NAME).write_text("{broken")
    assert OwnCrashes.load(tmp_path) == OwnCrashes()  # a damaged record is not a crash


def test_quit_and_a_second_start_end_the_watchdog_without_a_restart(tmp_path):
    assert dog(tmp_path, child("raise SystemExit(0)")).run() == 0
    assert dog(tmp_path, child("raise SystemExit(2)")).run() == 2  # no display
    assert OwnCrashes.load(tmp_path / "data").crashes == []


def test_a_desktop_that_went_away_is_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.setattr(watchdog, "desktop_present", lambda env: False)
    assert dog(tmp_path, child("raise SystemExit(1)")).run() == 0
    assert OwnCrashes.load(tmp_path / "data").crashes == []
    assert "as the desktop session ended" in (tmp_path / "logs" / "ally.log").read_text()


def test_desktop_present_checks_the_x_socket(tmp_path):
    assert not watchdog.desktop_present({"DISPLAY": ":987"})  # no such X server
    assert watchdog.desktop_present({"DISPLAY": "remote:10.0"})  # cannot be checked from here
    (tmp_path / "wayland-7").touch()
    assert watchdog.desktop_present(
        {"WAYLAND_DISPLAY": "wayland-7", "XDG_RUNTIME_DIR": str(tmp_path)}
    )
    assert not watchdog.desktop_present(
        {"WAYLAND_DISPLAY": "wayland-8", "XDG_RUNTIME_DIR": str(tmp_path)}
    )


def test_sigterm_at_logout_stops_both_and_restarts_nothing(tmp_path):
    """The real ``ally`` watchdog process, its child a sleeper standing in for the tray app."""
    script = textwrap.dedent(
        """
        import sys
        from desktop.start import watchdog
        w = watchdog.Watchdog([sys.executable, "-c", "import time; time.sleep(60)"])
        sys.exit(w.run())
        """
    )
    env = {**os.environ, "ALLY_HOME": str(tmp_path)}
    parent = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        import psutil

        deadline = time.monotonic() + 10
        while not psutil.Process(parent.pid).children() and time.monotonic() < deadline:
            time.sleep(0.05)
        kid = psutil.Process(parent.pid).children()[0]
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(15) == 0
        kid.wait(5)
        assert not kid.is_running()
        assert OwnCrashes.load(tmp_path / "data").crashes == []
    finally:
        if parent.poll() is None:
            parent.kill()


def test_a_child_holding_its_pipe_open_elsewhere_does_not_block_the_restart(tmp_path, monkeypatch):
    """A program the tray app started (a browser showing a report) keeps its error output
    open: the crash is still seen at once."""
    monkeypatch.setattr(watchdog, "RESTART_DELAY_S", 0.0)
    command = child(
        """
        import os, signal, subprocess, sys
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(20)"])
        os.kill(os.getpid(), signal.SIGABRT)
        """
    )
    w = dog(tmp_path, command)
    done = threading.Event()
    threading.Thread(target=lambda: (w.run(), done.set()), daemon=True).start()
    assert done.wait(20)


def test_the_words_are_plain():
    import textstat

    for text in own_crashes.words().values():
        assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE, text
        assert len(text.split()) <= MAX_WORDS, text
        assert not JARGON.search(text) and not BLAME.search(text), text


def test_the_watchdog_loads_nothing_heavy():
    """It lives as long as the tray app: no Qt, no diagnostics, not even Ally's folders
    (platformdirs) until there is something to write."""
    code = "import sys, desktop.start.watchdog; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    loaded = set(out.stdout.split())
    assert "desktop.start.watchdog" in loaded
    heavy = {
        m
        for m in loaded
        if m.split(".")[0] in ("PySide6", "shiboken6", "platformdirs", "psutil", "typing")
    }
    heavy |= {
        m
        for m in loaded
        if m.startswith(("desktop.diagnostics", "desktop.reporting", "desktop.ui"))
    }
    assert heavy == set()


def test_after_the_first_run_setup_only_checks_quietly():
    """./run-ally runs tools/setup.sh on every start: once set up (as ./run-tests did before
    this test), it prints nothing and installs nothing."""
    root = watchdog.__file__.rsplit("/desktop/", 1)[0]
    out = subprocess.run(
        ["bash", "tools/setup.sh"], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")


def test_after_an_upgrade_the_watchdog_becomes_the_new_ally(tmp_path):
    """The tray app ends with EXIT_RESTART when an upgrade replaced the files under it: the
    watchdog (old code too) replaces itself by the newly installed one, which starts the
    new tray app. Nothing counts as a crash."""
    marker = tmp_path / "restarted-once"
    code = (
        "import pathlib, sys\n"
        f"m = pathlib.Path({str(marker)!r})\n"
        "if m.exists(): sys.exit(0)\n"
        "m.write_text('x'); sys.exit(75)\n"
    )
    asked = []
    w = dog(tmp_path, child(code))
    w.exec = asked.append  # os.execv would replace this test's process
    assert w.run() == 0
    assert asked == [watchdog.own_command()]
    assert "restarting to run the newly installed Ally" in (tmp_path / "logs/ally.log").read_text()
    assert not (tmp_path / "data" / "own-crashes.json").exists()
