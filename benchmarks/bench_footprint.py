"""The tray app's footprint where people have it: on a real X server (Xvfb) with a real tray
host (trayer), the icon shown, no window open, the network walk off, next to Glances
(``glances --quiet -t 2``) started at the same moment. Counted for Ally: the watchdog and the
tray app together.

Each run: start both, wait out start-up (30 s), then for ``seconds`` read each one's CPU
time (user + system, children included) before and after, and Ally's memory every 10 s:
resident (RSS, each page a process maps, shared or not, summed over both processes) and
proportional (PSS, shared pages split between the processes that map them). Per thread of
the tray app, where its time went. Then every window is opened (the report flow to its
findings, how is my computer doing, my reports, settings), all are closed, and memory is
read each 10 s for the next minute: it should be back within 5 MB of idle.

    python -m benchmarks.bench_footprint [SECONDS] [RUNS]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from benchmarks.bench_app import glances
from benchmarks.desktop_session import TITLES, Desktop, cpu_seconds, memory

WARM_UP_S = 30.0


def threads(pid: int) -> dict[str, float]:
    """CPU seconds per thread name of ``pid`` (from /proc: Qt names its pool threads)."""
    out: dict[str, float] = {}
    tick = 100.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def one_run(seconds: float) -> dict:
    home = Path(tempfile.mkdtemp(prefix="ally-footprint-"))
    with Desktop(home) as desk:
        ally = desk.start_ally()
        other = subprocess.Popen(
            glances(), env=desk.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        desk.procs.append(other)
        try:
            icon = desk.icon()
            time.sleep(WARM_UP_S)
            a, g = psutil.Process(ally.pid), psutil.Process(other.pid)
            child = desk.tray_app()
            pids = [ally.pid, child.pid]
            a0, g0, t0 = cpu_seconds(a), cpu_seconds(g), time.monotonic()
            w0 = psutil.Process(ally.pid).cpu_times()
            th0 = threads(child.pid)
            samples = []
            while time.monotonic() - t0 < seconds:
                time.sleep(10)
                samples.append(memory(pids))
            a1, g1, dt = cpu_seconds(a), cpu_seconds(g), time.monotonic() - t0
            w1 = psutil.Process(ally.pid).cpu_times()
            th1 = threads(child.pid)
            parent_mb = psutil.Process(ally.pid).memory_full_info()
            idle = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
            try:
                after = windows_opened_and_closed(desk, icon, pids)
            except TimeoutError as exc:  # keep the idle figures of this run; say what failed
                print(f"windows part of this run failed: {exc}", file=sys.stderr)
                after = []
            alive = ally.poll() is None and child.is_running()
        finally:
            other.terminate()
    ally_pct = 100 * (a1 - a0) / dt
    glances_pct = 100 * (g1 - g0) / dt
    return {
        "seconds": round(dt),
        "ally_core_pct": ally_pct,
        "watchdog_core_pct": 100 * ((w1.user + w1.system) - (w0.user + w0.system)) / dt,
        "glances_core_pct": glances_pct,
        "ratio_pct": 100 * ally_pct / glances_pct if glances_pct else None,
        "idle_rss_mb": idle["rss_mb"],
        "idle_pss_mb": idle["pss_mb"],
        "idle_together_mb": idle["together_mb"],
        "idle_tray_rss_mb": idle["tray_rss_mb"],
        "idle_tray_anon_mb": idle["tray_anon_mb"],
        "watchdog_rss_mb": parent_mb.rss / 2**20,
        "watchdog_uss_mb": parent_mb.uss / 2**20,
        "threads_cpu_s": {k: round(th1.get(k, 0) - th0.get(k, 0), 2) for k in th1},
        "after_windows": after,
        **_after_deltas(after, idle),
        "still_running": alive,
    }


def _after_deltas(after: list[dict], idle: dict) -> dict:
    if not after:
        return {}
    last = after[-1]
    return {
        "after_windows_rss_delta_mb": last["rss_mb"] - idle["rss_mb"],
        "after_windows_pss_delta_mb": last["pss_mb"] - idle["pss_mb"],
        "after_windows_together_delta_mb": last["together_mb"] - idle["together_mb"],
        "after_windows_anon_delta_mb": last["tray_anon_mb"] - idle["tray_anon_mb"],
    }


def windows_opened_and_closed(desk: Desktop, icon: tuple[int, int], pids: list[int]) -> list:
    """Open every window (the report flow to its findings), close them all, then memory
    every 10 s for a minute."""
    report = desk.open_window("report", icon)
    time.sleep(0.5)
    desk.xdo("windowfocus", report)
    desk.xdo("key", "space")  # my computer is slow: the checks and the chart
    time.sleep(4)
    for item in ("status", "reports", "settings"):
        desk.open_window(item, icon)
        time.sleep(2)
    opened = memory(pids)
    for title in TITLES.values():
        for window in desk.windows(title):
            desk.close(window)
    points = [{"after_s": 0, **opened, "windows_open": True}]
    for n in range(1, 7):
        time.sleep(10)
        points.append({"after_s": n * 10, **memory(pids), "windows_open": False})
    return points


def run(seconds: float = 300.0, runs: int = 3) -> dict:
    results = []
    for _ in range(runs):
        while subprocess.run(["pgrep", "stress-ng"], capture_output=True).returncode == 0:
            time.sleep(10)  # the machine is shared: never measure next to a load test
        results.append(one_run(seconds))
    return {"runs": results}


if __name__ == "__main__":
    from benchmarks.measure import keep_checks_on_this_machine

    keep_checks_on_this_machine()
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 300.0
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    out = run(seconds, runs)
    print(json.dumps(out, indent=1))
    Path(__file__).with_name("footprint-latest.json").write_text(json.dumps(out, indent=1))
