"""What the operating system remembers of the last minutes (see os_backfill.py): read at
the click so that an answer in Ally's first minute is as good as in its fifteenth."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from desktop.diagnostics.probe import Probe, ProbeContext
from desktop.diagnostics.sampling import os_backfill
from desktop.diagnostics.sampling.os_backfill import Pressure
from desktop.diagnostics.sampling.process_sample import ProcessLife

LIVES_SHOWN = 10
LIVES_KEPT = 200  # the busiest; leaving out the idlest only lowers a lower bound


@dataclass(frozen=True)
class OsHistory:
    read_at: float  # epoch seconds of the process walk the lives come from
    load_avg: tuple[float, float, float] | None  # 1, 5, 15 minutes
    cpu_pressure: Pressure | None
    memory_pressure: Pressure | None
    io_pressure: Pressure | None
    lives: tuple[ProcessLife, ...]  # young or hard-working processes, busiest first
    sources: tuple[str, ...]  # what could be read here, for IT

    def life_summary(self) -> list[str]:
        """The busiest recent processes in one line each, for IT."""
        return [
            f"{x.name} (PID {x.pid}): {x.cpu_s:.1f} s of processor time in "
            f"{x.age_s(self.read_at):.0f} s since it started"
            for x in self.lives[:LIVES_SHOWN]
        ]


def check(ctx: ProbeContext) -> OsHistory:
    sample = ctx.processes()
    sources = ["processes' start times and processor time"]
    load = os_backfill.load_averages()
    if load is not None:
        sources.append("load averages")
    pressures = {}
    if sys.platform.startswith("linux"):
        for resource in ("cpu", "memory", "io"):
            pressures[resource] = os_backfill.read_pressure(resource)
        if any(pressures.values()):
            sources.append("pressure stall information (/proc/pressure)")
    lives = tuple(sorted(sample.lives, key=lambda x: x.cpu_s, reverse=True)[:LIVES_KEPT])
    return OsHistory(
        read_at=sample.taken_at,
        load_avg=load,
        cpu_pressure=pressures.get("cpu"),
        memory_pressure=pressures.get("memory"),
        io_pressure=pressures.get("io"),
        lives=lives,
        sources=tuple(sources),
    )


def it_summary(data: OsHistory) -> str:
    """IT's one line for what the operating system kept of the last minutes."""
    parts = []
    if data.load_avg:
        parts.append("load average (1, 5, 15 min) " + ", ".join(f"{x:.2f}" for x in data.load_avg))
    for label, p in (
        ("processor", data.cpu_pressure),
        ("memory", data.memory_pressure),
        ("drive", data.io_pressure),
    ):
        if p is not None and p.some_avg10 is not None:
            parts.append(
                f"waiting for {label} (avg10/60/300) {p.some_avg10:.1f}/{p.some_avg60:.1f}/"
                f"{p.some_avg300:.1f}%"
            )
    busiest = data.life_summary()[:3]
    if busiest:
        parts.append("busiest recent processes: " + "; ".join(busiest))
    return "; ".join(parts) or "nothing kept here"


PROBE = Probe("os_history", check, timeout_s=2.5, it_summary=it_summary)
