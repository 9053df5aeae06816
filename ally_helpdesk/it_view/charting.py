"""What a chart of the last minutes shows, worked out once for every view (no Qt here).

The window's charts and IT's HTML view draw the same thing: a plain scale with its unit,
a shaded "too much" band from the very limits the rules judge by, time labels that match
the history actually held ("17 seconds ago", never "1 minute ago"), a legend where two
lines share a chart, and one plain sentence saying what the chart shows. The sentence
never contradicts the findings: when the line stays out of the band but Ally found a
problem with the same part, it says the problem comes from the check, not the chart.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ally_helpdesk.evidence.drive_measures import measure_of
from ally_helpdesk.evidence.plain_numbers import duration, size
from ally_helpdesk.evidence.spell import Spell, final_spell
from ally_helpdesk.evidence.stats import covered_s, typical_step
from ally_helpdesk.evidence.thresholds import LIMITS
from ally_words import say

# A network chart's scale never goes below this: a few kilobytes of background chatter
# stay a ripple at the bottom instead of a mountain (500 KB/s is a slow download).
NETWORK_FLOOR_BPS = 500_000.0
COLOURS = ("#1f6feb", "#d97706")  # blue and amber: apart for the colour-blind too
BAND_COLOUR = "#cf222e"


@dataclass(frozen=True)
class ChartSpec:
    key: str  # the chart's table in the catalog's [charts]
    series: tuple[str, ...]  # history columns
    unit: str  # "%" or "B/s"
    top: float | None  # a fixed top (percent), else from the data with ``floor``
    floor: float
    limit: str | None  # the threshold the rules use, for the band
    findings: tuple[str, ...]  # findings about the same part of the computer


SPECS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "processor",
        ("cpu_pct",),
        "%",
        100.0,
        0.0,
        "cpu_busy_pct",
        ("cpu_saturated", "cpu_maintenance", "app_cpu_runaway"),
    ),
    ChartSpec(
        "memory",
        ("mem_used_pct",),
        "%",
        100.0,
        0.0,
        "memory_used_pct",
        ("memory_exhausted", "swapping", "app_memory_growth"),
    ),
    ChartSpec("drive", ("disk_busy_pct",), "%", 100.0, 0.0, "disk_busy_pct", ("disk_busy",)),
    ChartSpec(
        "network",
        ("net_recv_bps", "net_sent_bps"),
        "B/s",
        None,
        NETWORK_FLOOR_BPS,
        None,
        ("connection_slow", "wifi_weak"),
    ),
)

# The drive chart shows what the drive finding judges by (rules/disk_busy.py): work
# waiting for the drive where the computer keeps that (Linux), else the time each request
# took, else the busy share (SPECS' own).
DRIVE_BY_MEASURE: dict[str, ChartSpec] = {
    "io_wait_pct": ChartSpec(
        "drive_wait", ("io_wait_pct",), "%", 100.0, 0.0, "psi_io_some_pct", ("disk_busy",)
    ),
    "disk_wait_ms": ChartSpec(
        "drive_slow", ("disk_wait_ms",), "ms", None, 100.0, "disk_wait_slow_ms", ("disk_busy",)
    ),
}


def spec_for(spec: ChartSpec, history: Mapping[str, Any]) -> ChartSpec:
    """The chart to draw for ``spec`` with this history: the drive's by its measure."""
    if spec.key != "drive":
        return spec
    measure = measure_of(history)
    return DRIVE_BY_MEASURE.get(measure[0], spec) if measure is not None else spec


# IT's HTML view shows two more: swapping and the drives' reads and writes.
IT_SPECS: tuple[ChartSpec, ...] = (
    SPECS[0],
    SPECS[1],
    ChartSpec("swap", ("swap_in_pps", "swap_out_pps"), "pages/s", None, 100.0, None, ()),
    SPECS[2],
    ChartSpec("disk_io", ("disk_read_bps", "disk_write_bps"), "B/s", None, 1_000_000.0, None, ()),
    SPECS[3],
)


@dataclass(frozen=True)
class Line:
    label: str  # for the legend ("Download"); empty when the chart has one line
    colour: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ChartView:
    key: str
    title: str
    offsets: tuple[float, ...]  # seconds from the first sample
    lines: tuple[Line, ...]
    top: float  # the top of the scale, in the unit
    band_from: float | None  # where "too much" starts, in the unit
    ticks: tuple[tuple[float, str], ...]  # value and its label, bottom to top
    start_label: str  # "15 minutes ago"
    end_label: str  # "now" or "you clicked here"
    band_label: str
    sentence: str
    freeze_s: float = LIMITS["freeze_min_s"].default  # shorter is a spike, not a slowdown
    dip_max_s: float = LIMITS["dip_max_s"].default  # a let-up this short does not end a spell
    sustained_share: float = LIMITS["sustained_share"].default
    # The spell in the band that lasts to the right edge, by the rules' own measure
    # (desktop/diagnostics/rules/spell.py): where it starts (an offset) and how long it
    # has lasted. Set only when it is long enough to be felt or a finding names it; the
    # chart marks it.
    spell_from: float | None = None
    spell_s: float | None = None

    @property
    def empty(self) -> bool:
        return len(self.offsets) < 2 or not any(
            v is not None for line in self.lines for v in line.values
        )

    @property
    def span_s(self) -> float:
        return self.offsets[-1] - self.offsets[0] if len(self.offsets) >= 2 else 0.0


def words(key: str, **values: Any) -> str:
    return say(key, "charts", **values)


def amount(value: float, unit: str) -> str:
    """A value on the scale as people read it: "85%", "1.2 MB/s", "0.1 s" (a time per
    request in seconds, which a person knows, never "ms")."""
    if unit == "B/s":
        return "0" if value <= 0 else size(value) + "/s"
    if unit == "%":
        return f"{value:.0f}%"
    if unit == "ms":
        return "0" if value <= 0 else f"{value / 1000:g} s"
    return f"{value:.0f} {unit}"


def nice_top(peak: float, floor: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at or above the peak (and the floor)."""
    value = max(peak, floor, 1e-9)
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * exp >= value:
            return step * exp
    return 10 * exp


def clean(values: Sequence[Any]) -> tuple[float | None, ...]:
    """The values a chart can draw: a number that is not finite, or below zero (a counter
    that wrapped round), is a gap, never a point at "-3%"."""
    return tuple(
        float(v)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
        else None
        for v in values
    )


def _drawable(history: Mapping[str, Any]) -> Mapping[str, Any]:
    """The history with only the samples whose time is a number, in order: a damaged time
    leaves out its sample, it never stops the chart (or the window)."""
    times = history.get("t_offset_s") or []
    keep: list[int] = []
    for i, t in enumerate(times):
        number = isinstance(t, (int, float)) and not isinstance(t, bool) and math.isfinite(t)
        if number and (not keep or t >= times[keep[-1]]):  # time never runs backwards
            keep.append(i)
    if len(keep) == len(times):
        return history
    out = dict(history)
    for key, column in history.items():
        if isinstance(column, (list, tuple)) and len(column) == len(times):
            out[key] = [column[i] for i in keep]
    return out


def limit_value(spec: ChartSpec, limits: Mapping[str, float]) -> float | None:
    if spec.limit is None:
        return None
    value = limits.get(spec.limit)
    return float(value) if value is not None else LIMITS[spec.limit].default


def view(
    spec: ChartSpec,
    history: Mapping[str, Any],
    limits: Mapping[str, float] | None = None,
    found: Collection[str] = (),
    live: bool = False,
) -> ChartView:
    """One chart, ready to draw. ``found``: the ids of the findings shown with it;
    ``live``: the right edge is now (the status window), else the moment of the click."""
    history = _drawable(history)
    spec = spec_for(spec, history)
    offsets = tuple(float(t) for t in (history.get("t_offset_s") or []))
    series = [clean(history.get(k) or []) for k in spec.series]
    known = [v for s in series for v in s if v is not None]
    top = spec.top or nice_top(max(known, default=0.0), spec.floor)
    band = limit_value(spec, limits or {})
    legend = [words(f"legend_{k}") for k in spec.series] if len(spec.series) > 1 else [""]
    lines = tuple(Line(legend[i], COLOURS[i % 2], s) for i, s in enumerate(series))
    ticks = tuple((v, amount(v, spec.unit)) for v in (0.0, top / 2, top))
    span = offsets[-1] - offsets[0] if len(offsets) >= 2 else 0.0
    # The time the samples cover, as the rules count it: each sample is a rate over the
    # step before it, so four samples 5 s apart tell of the last 20 s (covered_s).
    covered = covered_s(offsets, 2.0) if len(offsets) >= 2 else 0.0
    out = ChartView(
        spec.key,
        words(f"title_{spec.key}"),
        offsets,
        lines,
        top,
        band,
        ticks,
        words("ago", duration=duration(covered)) if span > 0 else "",  # never "0 seconds ago"
        words("now" if live else "clicked"),
        words("too_much"),
        "",
        _limit(limits, "freeze_min_s"),
        _limit(limits, "dip_max_s"),
        _limit(limits, "sustained_share"),
    )
    return _with_sentence(out, spec, set(found))


def _limit(limits: Mapping[str, float] | None, key: str) -> float:
    return float((limits or {}).get(key, LIMITS[key].default))


def views(
    history: Mapping[str, Any],
    limits: Mapping[str, float] | None = None,
    found: Collection[str] = (),
    live: bool = False,
) -> list[ChartView]:
    return [view(spec, history or {}, limits, found, live) for spec in SPECS]


def _with_sentence(chart: ChartView, spec: ChartSpec, found: set[str]) -> ChartView:
    spell = final_spell_of(chart)
    marked = (
        spell is not None
        and spell.samples >= 2
        and (spell.seconds >= chart.freeze_s or bool(found & set(spec.findings)))
    )
    if marked:
        assert spell is not None
        start = chart.offsets[-1] - spell.seconds + _step(chart)
        chart = replace(chart, spell_from=max(start, chart.offsets[0]), spell_s=spell.seconds)
    return replace(chart, sentence=sentence(chart, spec, found))


def _step(chart: ChartView) -> float:
    return typical_step(chart.offsets, 2.0)


def final_spell_of(chart: ChartView) -> Spell | None:
    """The chart's spell in the band at the right edge, by the rules' own measure."""
    if chart.band_from is None or not chart.lines:
        return None
    band = chart.band_from
    pairs = [
        (t, v) for t, v in zip(chart.offsets, chart.lines[0].values, strict=False) if v is not None
    ]
    return final_spell(pairs, lambda v: v >= band, 2.0, chart.dip_max_s, chart.sustained_share)


def sentence(chart: ChartView, spec: ChartSpec, found: set[str]) -> str:
    """What the chart shows, in one plain sentence. How long it has been in the band is
    measured as the findings measure it (short let-ups do not end a spell), so the
    caption never contradicts the heading above it."""
    if chart.empty:
        return words("no_history")
    if spec.key not in SENTENCES:
        return ""
    subject = words(f"subject_{spec.key}")
    if chart.band_from is None:
        peaks = [
            max((v for v in line.values if v is not None), default=0.0) for line in chart.lines
        ]
        if max(peaks) < spec.floor / 10:
            return words("network_quiet")
        down, up = [*peaks, 0.0, 0.0][:2]
        return words("network_peak", down=amount(down, "B/s"), up=amount(up, "B/s"))
    values = chart.lines[0].values
    over = [v is not None and v >= chart.band_from for v in values]
    points = [(t, v) for t, v in zip(chart.offsets, values, strict=False) if v is not None]
    peak = max(v for _, v in points)
    tail = final_spell_of(chart)
    freeze_s = chart.freeze_s
    if (
        tail is not None
        and tail.samples >= 2
        and tail.seconds < freeze_s
        and not found & set(spec.findings)
    ):
        # In the band, but not long enough to be what the person felt: said so, so the
        # chart never seems to contradict "no problem found".
        return words("short_over", subject=subject, duration=duration(tail.seconds))
    if tail is not None and tail.samples >= 2:
        if tail.reaches_start:
            return words("all_over", subject=subject, duration=duration(tail.history_s))
        return words("recent_over", subject=subject, duration=duration(tail.seconds))
    spells = sum(1 for i, o in enumerate(over) if o and (i == 0 or not over[i - 1]))
    if spells:
        end = words("end_now" if chart.end_label == words("now") else "end_clicked")
        # "once", "twice", "3 times": a count a person reads at a glance.
        times = words({1: "once", 2: "twice"}.get(spells, "n_times"), n=spells)
        return words("sometimes_over", subject=subject, times=times, end=end)
    if found & set(spec.findings):
        return words("below_but_found", subject=subject)
    # Each chart says what its figure means ("working 16% of the time").
    return words(f"below_{spec.key}", peak=peak_words(peak, spec.unit))


def peak_words(value: float, unit: str) -> str:
    """A peak as a sentence says it, below the band it stayed out of: rounded down, so
    89.6% under a band from 90% is "89%", never "90%"; "less than 1%" rather than "0%";
    a time per request in seconds ("0.04 seconds", "less than 0.01 seconds")."""
    if unit == "ms":
        hundredths = math.floor(value / 10)
        if hundredths < 1:
            return words("under_a_hundredth")
        return words("seconds", seconds=f"{hundredths / 100:.2f}")
    if unit == "%":
        whole = math.floor(value)
        return words("under_one_percent") if whole < 1 else f"{whole}%"
    return amount(value, unit)


SENTENCES = ("processor", "memory", "drive", "drive_wait", "drive_slow", "network")
