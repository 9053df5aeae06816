"""Soak of the real tray app with Qt: ``ally`` (watchdog and tray app) on Xvfb with a tray
host for 30 minutes, "How is my computer doing?" open the whole time (its chart repainted
every 5 s), and every 5 minutes the report flow walked by xdotool as a person would (click
the icon, "My computer is slow", the findings, a note, what will be sent, Send, Close), then
My reports and Settings opened and closed. Every 30 s: is the same tray app still running,
its resident memory and open files, and Qt's warnings in Ally's log.

This is the soak that would have caught PySide6 6.12.0 (the status window's chart aborted
the app after about three minutes): the earlier soak ran the tray's loop without Qt.

    python -m benchmarks.bench_qt_soak [MINUTES] [OUT.json]
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from pathlib import Path

import psutil

from benchmarks.desktop_session import TITLES, Desktop, memory

FLOW_EVERY_S = 300.0
SAMPLE_EVERY_S = 30.0
WARM_UP_MIN = 16.0  # the 15-minute rings have filled, and the report window was opened
QT_WARNING = re.compile(r" (WARNING|ERROR|CRITICAL) ally\.qt: ")
CRASH = re.compile(r"stopped unexpectedly|Fatal Python error|ally\.tray-app\.stderr")


def run(minutes: float = 30.0, out_path: str | None = None) -> dict:
    root = Path(tempfile.mkdtemp(prefix="ally-qt-soak-"))
    reports = root / "it-reports"
    policy = root / "policy.toml"
    policy.write_text(
        f'[network]\nactive_checks = false\n[transport]\nkind = "folder"\nfolder = "{reports}"\n'
    )
    points: list[dict] = []
    flows = 0
    driving_failures: list[str] = []
    with Desktop(root / "home", policy=policy) as desk:
        ally = desk.start_ally()
        icon = desk.icon()
        child = desk.tray_app()
        first_pid = child.pid
        desk.open_window("status", icon)
        start = time.monotonic()
        next_flow = start + 20.0
        next_sample = start
        while time.monotonic() - start < minutes * 60:
            now = time.monotonic()
            if now >= next_flow:
                next_flow += FLOW_EVERY_S
                flows += 1
                try:
                    window = desk.walk_report_flow(icon, f"Soak flow {flows}: slow since lunch.")
                    desk.xdo("windowfocus", window)
                    desk.xdo("key", "alt+c")  # Close, on the "sent" page
                    for item in ("reports", "settings"):
                        opened = desk.open_window(item, icon)
                        time.sleep(1.5)
                        desk.close(opened)
                except TimeoutError as exc:  # the driving failed, not necessarily Ally
                    driving_failures.append(f"flow {flows}: {exc}")
            if now >= next_sample:
                next_sample += SAMPLE_EVERY_S
                points.append(sample(desk, ally, first_pid, start, flows, reports))
                if out_path:
                    Path(out_path).write_text(json.dumps(points))
                if not points[-1]["same_tray_app"]:
                    break
            time.sleep(1.0)
        status_open = bool(desk.windows(TITLES["status"]))
        log = desk.log()
    settled = [p for p in points if p["minute"] >= WARM_UP_MIN] or points
    first, last = settled[0], points[-1]
    return {
        "minutes": round(points[-1]["minute"], 1),
        "points": points,
        "flows_walked": flows,
        "driving_failures": driving_failures,
        "reports_received": last["reports_received"],
        "tray_app_restarts": len(re.findall(r"; starting it again", log)),
        "same_tray_app_throughout": all(p["same_tray_app"] for p in points),
        "status_window_open_at_end": status_open,
        "qt_warnings": [line for line in log.splitlines() if QT_WARNING.search(line)],
        "crash_lines": [line for line in log.splitlines() if CRASH.search(line)][:20],
        "rss_mb_settled": [round(first["rss_mb"], 1), round(last["rss_mb"], 1)],
        "pss_mb_settled": [round(first["pss_mb"], 1), round(last["pss_mb"], 1)],
        "open_files_settled": [first["open_files"], last["open_files"]],
        "warm_up_minutes": WARM_UP_MIN,
    }


def sample(desk: Desktop, ally, first_pid: int, start: float, flows: int, reports: Path) -> dict:
    alive = ally.poll() is None and psutil.pid_exists(first_pid)
    kids = psutil.Process(ally.pid).children() if ally.poll() is None else []
    pids = [ally.pid] + [k.pid for k in kids] if kids else []
    point = {
        "minute": round((time.monotonic() - start) / 60, 2),
        "same_tray_app": alive and bool(kids) and kids[0].pid == first_pid,
        "flows": flows,
        "reports_received": len(list(reports.glob("*.json"))) if reports.is_dir() else 0,
    }
    if pids:
        tray = psutil.Process(first_pid)
        point.update(memory(pids))
        point["tray_rss_mb"] = round(tray.memory_info().rss / 2**20, 2)
        point["open_files"] = tray.num_fds()
        point["threads"] = tray.num_threads()
    return point


if __name__ == "__main__":
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    result = run(minutes, sys.argv[2] if len(sys.argv) > 2 else None)
    print(json.dumps({k: v for k, v in result.items() if k != "points"}, indent=1))
    Path(__file__).with_name("qt-soak-latest.json").write_text(json.dumps(result, indent=1))
