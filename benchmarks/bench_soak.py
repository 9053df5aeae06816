"""Soak: the sampler running for a long time at an accelerated pace, with resident memory
and open file handles recorded each minute. Both must stay flat.

Accelerated: a light sample every 0.05 s and a process walk every 0.5 s, 40 and 60 times
the defaults, so 30 minutes here are about 20 to 30 hours of a normal day's sampling.
A diagnosis is also made every minute, as a person clicking would.
"""

from __future__ import annotations

import json
import sys
import time

import psutil

from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose


def run(minutes: float = 30.0, out_path: str | None = None) -> dict:
    me = psutil.Process()
    sampler = Sampler(SamplerSettings(interval_s=0.05, process_interval_s=0.5, window_s=900))
    sampler.start()
    points = []
    start = time.monotonic()
    try:
        while time.monotonic() - start < minutes * 60:
            time.sleep(min(60.0, max(0.0, minutes * 60 - (time.monotonic() - start))))
            diagnose("slow", sampler=sampler, warm_up_s=0)
            points.append(
                {
                    "minute": round((time.monotonic() - start) / 60, 1),
                    "rss_mb": round(me.memory_info().rss / 2**20, 2),
                    "open_files": me.num_fds() if hasattr(me, "num_fds") else len(me.open_files()),
                    "threads": me.num_threads(),
                    "history_rows": len(sampler.history),
                    "failures": sampler.failures,
                }
            )
            if out_path:
                with open(out_path, "w") as fh:
                    json.dump(points, fh)
    finally:
        sampler.stop()
    # Growth is judged after both rings have filled (15 minutes): until then they are
    # still taking their fixed size.
    filled = [p for p in points if p["minute"] >= 16] or points
    first, last = filled[0], points[-1]
    return {
        "points": points,
        "rss_growth_mb": round(last["rss_mb"] - first["rss_mb"], 2),
        "fd_growth": last["open_files"] - first["open_files"],
        "light_samples": int(minutes * 60 / 0.05),
    }


if __name__ == "__main__":
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    result = run(minutes, sys.argv[2] if len(sys.argv) > 2 else None)
    print(json.dumps({k: v for k, v in result.items() if k != "points"}))
