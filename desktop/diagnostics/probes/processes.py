"""The programs using the computer most, grouped by application and named as people know them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.probe import Probe, ProbeContext, Unavailable
from desktop.diagnostics.sampling.process_sample import AppUsage

TOP_N = 5


@dataclass(frozen=True)
class ProcessesInfo:
    process_count: int
    application_count: int
    not_readable: int  # processes that vanished or refused to be read during the walk
    interval_s: float  # processor and disk figures are averages over this time
    top_cpu: tuple[AppUsage, ...]
    top_memory: tuple[AppUsage, ...]
    top_disk: tuple[AppUsage, ...]
    background_tasks: tuple[AppUsage, ...]  # known maintenance (antivirus, update, ...) running now
    most_instances: tuple[AppUsage, ...]  # by number of processes: hundreds of tabs show here


def _it(key: str, /, **values: Any) -> str:
    return it_says("processes", key, **values)


def check(ctx: ProbeContext) -> ProcessesInfo:
    sample = ctx.processes()
    if sample.interval_s is None:
        raise Unavailable(_it("one_sample"))
    with_io = [a for a in sample.apps if a.read_bps is not None]
    top_disk = sorted(with_io, key=lambda a: (a.read_bps or 0) + (a.write_bps or 0), reverse=True)[
        :TOP_N
    ]
    background = sorted(
        (a for a in sample.apps if a.background),
        key=lambda a: a.cpu_pct,
        reverse=True,
    )
    return ProcessesInfo(
        process_count=sample.process_count,
        application_count=len(sample.apps),
        not_readable=sample.not_readable,
        interval_s=sample.interval_s,
        top_cpu=tuple(sample.top("cpu_pct", TOP_N)),
        top_memory=tuple(sample.top("memory_bytes", TOP_N)),
        top_disk=tuple(a for a in top_disk if (a.read_bps or 0) + (a.write_bps or 0) > 0),
        background_tasks=tuple(background),
        most_instances=tuple(sorted(sample.apps, key=lambda a: a.process_count, reverse=True)[:3]),
    )


def it_summary(data: ProcessesInfo) -> str:
    """IT's one line for this section (``ally diagnose`` and the report)."""
    top = ", ".join(f"{a.name} {a.cpu_pct:.0f}%" for a in data.top_cpu[:3])
    return _it("summary", processes=data.process_count, apps=data.application_count, busiest=top)


PROBE = Probe(
    "processes",
    check,
    timeout_s=2.5,
    it_summary=it_summary,
    mentioned_for={Symptom.SLOW: 1, Symptom.APP: 0},
)
