"""How fast the answer comes: ``ally diagnose --json`` from a cold start, and the findings
inside a running app whose sampler already has history."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.measure import keep_checks_on_this_machine, spread
from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose

COLD_RUNS = 9
WARM_RUNS = 15


def cold() -> dict:
    walls, inner = [], []
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    # No tray app of this person runs: the terminal reads what the system keeps.
    env["TMPDIR"] = tempfile.mkdtemp(prefix="ally-bench-")
    for _ in range(COLD_RUNS):
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "desktop", "diagnose", "--json"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        walls.append(time.perf_counter() - t0)
        inner.append(json.loads(out.stdout)["duration_ms"] / 1000)
    return {
        "wall_s": spread(walls),
        "wall_median": statistics.median(walls),
        "collect_s": spread(inner),
        "runs": COLD_RUNS,
    }


def warm() -> dict:
    sampler = Sampler(SamplerSettings(interval_s=2.0, process_interval_s=30.0))
    sampler.start()
    time.sleep(5)  # the app has been running: history and a process sample exist
    per_symptom = {}
    try:
        for symptom in ("slow", "internet", "app", "printing", "other"):
            times = []
            for _ in range(WARM_RUNS // 5 + 1):
                t0 = time.perf_counter()
                diagnose(symptom, sampler=sampler)
                times.append(time.perf_counter() - t0)
            per_symptom[symptom] = times
    finally:
        sampler.stop()
    everything = [t for ts in per_symptom.values() for t in ts]
    return {
        "findings_s": spread(everything, "{:.3f}"),
        "median": statistics.median(everything),
        "runs": len(everything),
    }


if __name__ == "__main__":
    keep_checks_on_this_machine()  # never probe this machine's network from a benchmark
    print(cold(), warm())
