"""What the operating system remembers of the last minutes (see os_backfill.py): read at
the click so that an answer in Ally's first minute is as good as in its fifteenth."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from desktop.diagnostics.it_words import it_says
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
            _it(
                "life",
                name=x.name,
                pid=x.pid,
                cpu_s=f"{x.cpu_s:.1f}",
                age_s=f"{x.age_s(self.read_at):.0f}",
            )
            for x in self.lives[:LIVES_SHOWN]
        ]


def _it(key: str, /, **values: Any) -> str:
    return it_says("os_history", key, **values)


def check(ctx: ProbeContext) -> OsHistory:
    sample = ctx.processes()
    sources = [_it("source_processes")]
    load = os_backfill.load_averages()
    if load is not None:
        sources.append(_it("source_load"))
    pressures = {}
    if sys.platform.startswith("linux"):
        for resource in ("cpu", "memory", "io"):
            pressures[resource] = os_backfill.read_pressure(resource)
        if any(pressures.values()):
            sources.append(_it("source_pressure"))
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
        parts.append(_it("load", loads=", ".join(f"{x:.2f}" for x in data.load_avg)))
    for label, p in (
        ("processor", data.cpu_pressure),
        ("memory", data.memory_pressure),
        ("drive", data.io_pressure),
    ):
        if p is not None and p.some_avg10 is not None:
            parts.append(
                _it(
                    "waiting",
                    what=_it(label),
                    avg10=f"{p.some_avg10:.1f}",
                    avg60=f"{p.some_avg60:.1f}",
                    avg300=f"{p.some_avg300:.1f}",
                )
            )
    busiest = data.life_summary()[:3]
    if busiest:
        parts.append(_it("busiest", lives="; ".join(busiest)))
    return "; ".join(parts) or _it("nothing")


PROBE = Probe("os_history", check, timeout_s=2.5, it_summary=it_summary)
