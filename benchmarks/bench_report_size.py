"""How big a report with 15 minutes of history is, raw and gzip-compressed (target ≤ 64 KB gzip).

Method: a real sampler fills the full 15-minute ring (451 rows at the default 2 s) with
real readings of this machine taken 50 ms apart, replayed 2 s apart as the ring would hold
them; a real diagnosis, a note and contact details are added; no
screenshot. The report is serialised exactly as the outbox stores it.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import replace

from desktop.diagnostics import Sampler, SamplerSettings
from desktop.diagnostics.diagnosis import diagnose
from desktop.diagnostics.sampling.counters import default_reader
from desktop.reporting import report


def run() -> dict:
    settings = SamplerSettings()
    real = default_reader()
    readings = []
    for _ in range(settings.capacity + 2):
        readings.append(real())
        time.sleep(0.05)
    # Replay the real readings with the ring's own spacing, ending now.
    now_mono, now_wall = time.monotonic(), time.time()
    n = len(readings)
    replay = iter(
        replace(c, monotonic=now_mono - 2.0 * (n - 1 - k), wall=now_wall - 2.0 * (n - 1 - k))
        for k, c in enumerate(readings)
    )
    sampler = Sampler(settings, reader=lambda: next(replay))
    for _ in range(n - 1):
        sampler.sample_now()
    sampler.sample_processes_now()
    d = diagnose("slow", sampler=sampler, warm_up_s=0)
    doc = report.build(
        d,
        note="Everything is slow since this morning, Outlook takes ages to open mail.",
        contact=report.Contact("Alex Doe", "alex@example.com", "+44 20 7946 0001"),
    )
    raw = report.dumps(doc)
    packed = gzip.compress(raw, compresslevel=6)
    return {
        "rows": len(doc["history"]["t_offset_s"]),
        "raw_kb": round(len(raw) / 1024, 1),
        "gzip_kb": round(len(packed) / 1024, 1),
        "minutes": round(doc["history"]["t_offset_s"][-1] / 60, 1),
    }


if __name__ == "__main__":
    print(run())
