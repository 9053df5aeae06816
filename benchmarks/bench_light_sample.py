"""One light sample (what the sampler does every 2 s) against reading the same /proc files raw.

Rounds alternate between the two, so a noisy neighbour slows both alike and the ratio holds.
psutil's equivalent calls are measured alongside to show why Ally reads /proc itself.
"""

from __future__ import annotations

import os
import statistics
import time

import psutil

from benchmarks.measure import spread
from desktop.diagnostics.sampling.sampler import Sampler, SamplerSettings

FILES = (
    "/proc/stat",
    "/proc/meminfo",
    "/proc/vmstat",
    "/proc/diskstats",
    "/proc/net/dev",
    "/proc/loadavg",
)
ROUNDS = 41
PER_ROUND = 300


def raw() -> None:
    for name in FILES:
        with open(name, "rb") as fh:
            fh.read()


def with_psutil() -> None:
    psutil.cpu_times(percpu=True)
    psutil.virtual_memory()
    psutil.swap_memory()
    psutil.disk_io_counters(perdisk=True)
    psutil.net_io_counters(pernic=True)
    os.getloadavg()


def per_call_us(fn) -> float:
    t0 = time.perf_counter()
    for _ in range(PER_ROUND):
        fn()
    return (time.perf_counter() - t0) / PER_ROUND * 1e6


def run() -> dict:
    sampler = Sampler(SamplerSettings())
    sampler.sample_now()
    times = {"raw": [], "ally": [], "psutil": []}
    for _ in range(ROUNDS):
        times["raw"].append(per_call_us(raw))
        times["ally"].append(per_call_us(sampler.sample_now))
        times["psutil"].append(per_call_us(with_psutil))
    ratio = [a / r for a, r in zip(times["ally"], times["raw"], strict=True)]
    ratio_psutil = [p / r for p, r in zip(times["psutil"], times["raw"], strict=True)]
    return {
        "raw_us": spread(times["raw"], "{:.0f}"),
        "ally_us": spread(times["ally"], "{:.0f}"),
        "psutil_us": spread(times["psutil"], "{:.0f}"),
        "ratio": spread(ratio),
        "ratio_median": statistics.median(ratio),
        "ratio_psutil": spread(ratio_psutil),
        "rounds": ROUNDS,
        "per_round": PER_ROUND,
    }


if __name__ == "__main__":
    print(run())
