"""How busy the processor is now and over the last minutes."""

from __future__ import annotations

import math
import platform
import sys
from dataclasses import dataclass
from typing import Any

import psutil

from ally_helpdesk.evidence.plain_numbers import duration, whole_percent
from ally_helpdesk.evidence.stats import covered_s, window_mean
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.probe import Probe, ProbeContext
from desktop.diagnostics.sampling.counters import load_averages


@dataclass(frozen=True)
class ProcessorInfo:
    model: str | None
    logical_cores: int
    physical_cores: int | None
    use_pct: float | None  # over the last sampling interval
    per_core_pct: tuple[float, ...]
    use_pct_1m: float | None  # mean over the last minute of history (or what there is of it)
    use_pct_5m: float | None
    history_s: float  # how much of those five minutes Ally's own history covers
    load_1m: float | None
    load_5m: float | None
    load_15m: float | None
    frequency_mhz: float | None
    frequency_max_mhz: float | None
    interval_s: float | None


def _it(key: str, /, **values: Any) -> str:
    return it_says("processor", key, **values)


def _model() -> str | None:
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    if line.startswith(("model name", "Hardware", "Processor")):
                        return line.split(":", 1)[1].strip() or None
        except OSError:
            return None
    return platform.processor() or None


def _pct(busy: float, total: float) -> float | None:
    return None if total <= 0 else max(0.0, min(100.0, 100.0 * busy / total))


def check(ctx: ProbeContext) -> ProcessorInfo:
    now, prev = ctx.current, ctx.previous
    use = per_core = None
    if prev is not None:
        use = _pct(now.cpu_busy - prev.cpu_busy, now.cpu_total - prev.cpu_total)
        per_core = tuple(
            _pct(b1 - b0, t1 - t0) or 0.0
            for (b0, t0), (b1, t1) in zip(prev.per_core, now.per_core, strict=False)
        )
    loads: tuple[float | None, ...] = load_averages() or (None, None, None)
    freq_now = freq_max = None
    try:
        freq = psutil.cpu_freq()
        if freq is not None:
            freq_now = freq.current or None
            freq_max = freq.max or None
    except (OSError, NotImplementedError, RuntimeError):
        pass
    window = ctx.history.window(300)
    return ProcessorInfo(
        model=_model(),
        logical_cores=psutil.cpu_count() or len(now.per_core) or 1,
        physical_cores=psutil.cpu_count(logical=False),
        use_pct=use,
        per_core_pct=per_core or (),
        use_pct_1m=window_mean(window, "cpu_pct", 60),
        use_pct_5m=window_mean(window, "cpu_pct", 300),
        history_s=min(300.0, covered_s(window.get("t", []), ctx.interval_s() or 2.0)),
        load_1m=loads[0],
        load_5m=loads[1],
        load_15m=loads[2],
        frequency_mhz=None if freq_now is None or math.isnan(freq_now) else freq_now,
        frequency_max_mhz=freq_max,
        interval_s=ctx.interval_s(),
    )


def it_summary(data: ProcessorInfo) -> str:
    """IT's one line for this section (``ally diagnose`` and the report)."""
    now = _it("busy_now", pct=whole_percent(data.use_pct))
    if data.interval_s:
        now += _it("over_interval", seconds=f"{data.interval_s:.1f}")
    recent = (
        _it("recent", pct=whole_percent(data.use_pct_5m), duration=duration(data.history_s))
        if data.history_s >= 10 and data.use_pct_5m is not None
        else ""
    )
    loads = ", ".join(
        f"{x:.2f}" for x in (data.load_1m, data.load_5m, data.load_15m) if x is not None
    )
    return _it("summary", now=now, recent=recent, cores=data.logical_cores) + (
        _it("loads", loads=loads) if loads else ""
    )


PROBE = Probe(
    "processor",
    check,
    timeout_s=1.5,
    it_summary=it_summary,
    key_for={Symptom.SLOW: 0},
    mentioned_for={Symptom.OTHER: 1},
)
