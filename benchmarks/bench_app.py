"""The running tray app: its processor use and memory over 5 minutes next to Glances (a
widely used psutil-based monitor) refreshing at the same 2 s interval, and click-to-answer
inside the running app.

Both run at the same time on a real X server (Xvfb) with a real tray host (trayer); each
one's CPU time (user + system, its children included) is read from /proc before and after.
Glances is installed into benchmarks/.glances-venv for the benchmark only.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from benchmarks.desktop_session import Desktop, cpu_seconds, memory

ROOT = Path(__file__).resolve().parent.parent
GLANCES_VENV = ROOT / "benchmarks" / ".glances-venv"


def glances() -> list[str]:
    if not (GLANCES_VENV / "bin" / "glances").exists():
        subprocess.run([sys.executable, "-m", "venv", str(GLANCES_VENV)], check=True)
        subprocess.run([str(GLANCES_VENV / "bin" / "pip"), "install", "-q", "glances"], check=True)
    return [str(GLANCES_VENV / "bin" / "glances"), "--quiet", "-t", "2"]


def tray_vs_glances(seconds: float = 300.0) -> dict:
    """Ally (the watchdog and its tray app, icon in a real tray) and Glances side by side."""
    home = Path(tempfile.mkdtemp(prefix="ally-bench-app-"))
    try:
        with Desktop(home, first_display=60) as desk:
            ally = desk.start_ally()
            other = subprocess.Popen(
                glances(), env=desk.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            desk.procs.append(other)
            desk.icon()
            time.sleep(20)  # start-up is not steady state
            pids = [ally.pid, desk.tray_app().pid]
            a, g = psutil.Process(ally.pid), psutil.Process(other.pid)
            a0, g0, t0 = cpu_seconds(a), cpu_seconds(g), time.monotonic()
            held = []
            while time.monotonic() - t0 < seconds:
                time.sleep(10)
                held.append(memory(pids)["together_mb"])
            a1, g1, dt = cpu_seconds(a), cpu_seconds(g), time.monotonic() - t0
    finally:
        shutil.rmtree(home, ignore_errors=True)
    ally_pct = 100 * (a1 - a0) / dt
    glances_pct = 100 * (g1 - g0) / dt
    return {
        "seconds": round(dt),
        "ally_core_pct": round(ally_pct, 4),
        "glances_core_pct": round(glances_pct, 3),
        "ratio_pct": round(100 * ally_pct / glances_pct, 1) if glances_pct else None,
        "ally_rss_mb_max": round(max(held), 1),
        "ally_rss_mb_median": round(statistics.median(held), 1),
    }


def click_to_answer(runs: int = 10) -> dict:
    """From the symptom click to the findings on screen, in the running app's window
    (offscreen Qt, real widgets, a sampler that has been running)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.base.paths import AllyPaths
    from desktop.diagnostics import Sampler, SamplerSettings
    from desktop.diagnostics.explain import load_catalog
    from desktop.policy.config import Policy
    from desktop.policy.settings import UserSettings
    from desktop.reporting.session import ReportSession
    from desktop.ui.report_window import ReportWindow

    app = QApplication.instance() or QApplication([])
    sampler = Sampler(SamplerSettings())
    sampler.start()
    time.sleep(5)
    tmp = Path(tempfile.mkdtemp(prefix="ally-bench-click-"))
    session = ReportSession(
        Policy.load(), AllyPaths(tmp / "c", tmp / "d", tmp / "l"), sampler, load_catalog()
    )
    window = ReportWindow(session, UserSettings())
    window.show()
    times = []
    try:
        for _ in range(runs):
            window.pages.setCurrentIndex(0)
            loop = QEventLoop()
            t0 = time.perf_counter()
            window.symptom_buttons["slow"].click()
            poll = QTimer()
            poll.timeout.connect(lambda loop=loop: window.pages.currentIndex() == 2 and loop.quit())
            poll.start(2)
            loop.exec()
            poll.stop()
            times.append(time.perf_counter() - t0)
    finally:
        sampler.stop()
        window.close()
        shutil.rmtree(tmp, ignore_errors=True)
    del app
    return {
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "runs": runs,
    }


if __name__ == "__main__":
    print(click_to_answer())
    print(tray_vs_glances(float(sys.argv[1]) if len(sys.argv) > 1 else 300.0))
