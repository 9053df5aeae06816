"""Soak: the sampler running for a long time at an accelerated pace, with resident memory
and open file handles recorded each minute. Both must stay flat.

Accelerated: a light sample every 0.05 s and a process walk every 0.5 s, 40 and 60 times
the defaults, so 30 minutes here are about 20 to 30 hours of a normal day's sampling.
Alongside, the tray's own background loop runs as in the app (without Qt): every 2 s a
local check reusing the sampler's last process walk, the tray status worked out from it, and
the tips scheduler fed with its findings (sustain 5 s and repeat 60 s instead of 10 min and
6 h, so tips do come and go). A full diagnosis is also made every minute, as a person clicking
would. So that tips are really shown and withdrawn, stress-ng loads both cores for 150 s at
minutes 9 and 20 (when stress-ng is installed; the result says whether it was).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import psutil

from benchmarks.measure import keep_checks_on_this_machine
from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose, local_probes
from desktop.diagnostics.explain import load_catalog
from desktop.showing.status import status_of
from desktop.showing.tips import TipScheduler

STATUS_EVERY_S = 2.0
LOAD_AT_MINUTES = (9, 20)
LOAD_SECONDS = 150


def status_and_tips(sampler: Sampler, tips: TipScheduler, catalog) -> bool:
    """One round of the tray's background loop; True when a tip would be shown."""
    d = diagnose("slow", sampler=sampler, warm_up_s=0, probes=local_probes(), fresh_processes=False)
    status_of(d, catalog)
    return tips.next_tip(d.findings, time.time()) is not None


def run(minutes: float = 30.0, out_path: str | None = None) -> dict:
    keep_checks_on_this_machine()
    me = psutil.Process()
    sampler = Sampler(SamplerSettings(interval_s=0.05, process_interval_s=0.5, window_s=900))
    sampler.start()
    catalog = load_catalog()
    tips = TipScheduler(sustain_s=5.0, repeat_s=60.0)
    points = []
    status_rounds = tips_shown = 0
    start = time.monotonic()
    next_minute = start + 60.0
    stress = shutil.which("stress-ng")
    loads = [start + m * 60 for m in LOAD_AT_MINUTES if m < minutes] if stress else []
    load: subprocess.Popen | None = None
    try:
        while time.monotonic() - start < minutes * 60:
            time.sleep(STATUS_EVERY_S)
            if loads and time.monotonic() >= loads[0]:
                loads.pop(0)
                load = subprocess.Popen(
                    [stress, "--cpu", "2", "--timeout", f"{LOAD_SECONDS}s", "--quiet"]
                )
            tips_shown += status_and_tips(sampler, tips, catalog)
            status_rounds += 1
            if time.monotonic() < next_minute and time.monotonic() - start < minutes * 60:
                continue
            next_minute += 60.0
            diagnose("slow", sampler=sampler, warm_up_s=0)
            points.append(
                {
                    "minute": round((time.monotonic() - start) / 60, 1),
                    "rss_mb": round(me.memory_info().rss / 2**20, 2),
                    "open_files": me.num_fds() if hasattr(me, "num_fds") else len(me.open_files()),
                    "threads": me.num_threads(),
                    "history_rows": len(sampler.history),
                    "failures": sampler.failures,
                    "status_rounds": status_rounds,
                    "tips_shown": tips_shown,
                }
            )
            if out_path:
                with open(out_path, "w") as fh:
                    json.dump(points, fh)
    finally:
        sampler.stop()
        if load is not None:
            load.kill()
            load.wait()
    # Growth is judged after both rings have filled (15 minutes): until then they are
    # still taking their fixed size.
    filled = [p for p in points if p["minute"] >= 16] or points
    first, last = filled[0], points[-1]
    return {
        "points": points,
        "rss_growth_mb": round(last["rss_mb"] - first["rss_mb"], 2),
        "fd_growth": last["open_files"] - first["open_files"],
        "light_samples": int(minutes * 60 / 0.05),
        "load_phases": "stress-ng at minutes 9 and 20" if stress else "none (no stress-ng)",
    }


if __name__ == "__main__":
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    result = run(minutes, sys.argv[2] if len(sys.argv) > 2 else None)
    print(json.dumps({k: v for k, v in result.items() if k != "points"}))
