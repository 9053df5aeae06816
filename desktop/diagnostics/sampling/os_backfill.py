"""The history the operating system keeps, for when Ally's own is short.

In the first seconds after login, or when ``ally diagnose`` runs from a terminal, Ally
has watched for a second or two. The system has been keeping count all along:

- each process's start time and the processor time it has used since (every OS);
- load averages over 1, 5 and 15 minutes (Linux, macOS);
- pressure stall information (Linux ``/proc/pressure/{cpu,memory,io}``): the share of
  the last 10, 60 and 300 seconds in which work waited for the processor, for memory,
  or for the drive.

The functions here turn those into "for at least how long" answers with no guessing: a
process that started 40 s ago has done all its work inside those 40 s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from desktop.diagnostics.sampling.counters import load_averages as read_load_averages
from desktop.diagnostics.sampling.process_sample import LIFE_RECENT_S, ProcessLife

PRESSURE_DIR = Path("/proc/pressure")
# Not programs a person runs: their work is counted, but they are never named as the cause.
NOT_AN_APP = frozenset({"os-kernel", "ally"})


@dataclass(frozen=True)
class Pressure:
    """Linux pressure stall information for one resource, in % of wall time."""

    some_avg10: float | None = None  # some task waited
    some_avg60: float | None = None
    some_avg300: float | None = None
    full_avg10: float | None = None  # every task waited
    full_avg60: float | None = None
    full_avg300: float | None = None


def parse_psi(text: str) -> Pressure:
    """'some avg10=0.00 avg60=0.00 avg300=0.00 total=0' and 'full ...' lines."""
    values: dict[str, float] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        kind, *fields = line.split()
        for field in fields:
            key, _, value = field.partition("=")
            if key in ("avg10", "avg60", "avg300"):
                try:
                    values[f"{kind}_{key}"] = float(value)
                except ValueError:
                    continue
    return Pressure(**{k: v for k, v in values.items() if k in Pressure.__dataclass_fields__})


def read_pressure(resource: str, folder: Path = PRESSURE_DIR) -> Pressure | None:
    """None where the kernel keeps no such record (older kernels, Windows, macOS)."""
    try:
        return parse_psi((folder / resource).read_text(encoding="ascii", errors="replace"))
    except OSError:
        return None


def load_averages() -> tuple[float, float, float] | None:
    """1, 5 and 15-minute load averages where the OS keeps them (not Windows)."""
    loads = read_load_averages()
    return None if loads is None else (round(loads[0], 2), round(loads[1], 2), round(loads[2], 2))


@dataclass(frozen=True)
class BusySpell:
    """The processor has been at least ``mean_pct`` busy on average over the last
    ``seconds``, by the work of ``processes`` alone (all started inside that time)."""

    seconds: float
    mean_pct: float
    processes: tuple[ProcessLife, ...]

    def top_app(self, now: float) -> tuple[str, str, str | None, float, tuple[int, ...]] | None:
        """(app_id, name, background, cores on average over the spell, pids) of the
        program that did most of the work, leaving out the system and Ally itself."""
        ranked = self.apps_ranked()
        return ranked[0] if ranked else None

    def apps_ranked(self) -> list[tuple[str, str, str | None, float, tuple[int, ...]]]:
        """Every program that worked in the spell, the busiest first, as ``top_app``."""
        per_app: dict[str, list[ProcessLife]] = {}
        for life in self.processes:
            if life.app_id not in NOT_AN_APP:
                per_app.setdefault(life.app_id, []).append(life)
        out = []
        for app_id, lives in per_app.items():
            busiest = sorted(lives, key=lambda x: x.cpu_s, reverse=True)
            cores = sum(x.cpu_s for x in lives) / self.seconds
            out.append(
                (
                    app_id,
                    lives[0].name,
                    lives[0].background,
                    cores,
                    tuple(x.pid for x in busiest[:5]),
                )
            )
        return sorted(out, key=lambda a: a[3], reverse=True)


def busy_spell(
    lives: Iterable[ProcessLife], now: float, cores: int, busy_pct: float
) -> BusySpell | None:
    """The longest span back from ``now`` over which processes started inside it kept the
    processor at least ``busy_pct`` busy on average (0 to 100, all cores together).

    Processes that started earlier, or ended already, only add to the real figure, so
    this is a lower bound: it can miss a load, never invent one. The span always ends
    at a process's start, never before its first moment of work.
    """
    young = sorted(
        (x for x in lives if 0 < x.age_s(now) <= LIFE_RECENT_S), key=lambda x: x.age_s(now)
    )
    best: BusySpell | None = None
    used = 0.0
    for i, life in enumerate(young):
        span = life.age_s(now)
        used += min(life.cpu_s, span * max(cores, 1))  # no process can use more than the machine
        mean = min(100.0, 100.0 * used / (span * max(cores, 1)))
        if mean >= busy_pct:
            best = BusySpell(span, mean, tuple(young[: i + 1]))
    return best


def hard_workers(
    lives: Iterable[ProcessLife], now: float, min_cores: float, min_age_s: float
) -> list[ProcessLife]:
    """Processes that have kept at least ``min_cores`` busy on average for their whole
    life of at least ``min_age_s``: a program stuck at full speed since it started."""
    return [
        x
        for x in lives
        if x.app_id not in NOT_AN_APP and x.age_s(now) >= min_age_s and x.cores(now) >= min_cores
    ]
