"""Judging the recent minutes rather than one sample: a spike is not a slow computer."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from desktop.diagnostics.findings import RuleInput


@dataclass(frozen=True)
class Sustained:
    window_s: float  # the span of history actually judged
    samples: int
    share_over: float  # fraction of samples at or over the limit
    mean: float
    peak: float


def judge(
    inp: RuleInput,
    key: str | tuple[str, ...],
    over: Callable[[float], bool],
    window_s: float | None = None,
) -> Sustained | None:
    """The recent window of history column ``key`` (or the sum of several); None when
    there is too little history to tell a spike from a trend."""
    t = inp.thresholds
    times = inp.window.get("t", [])
    keys = (key,) if isinstance(key, str) else key
    columns = [inp.window.get(k, []) for k in keys]
    values = [sum(vs) for vs in zip(*columns, strict=False)] if columns else []
    if not times:
        return None
    end = times[-1]
    span = t["recent_window_s"] if window_s is None else window_s
    pairs = [
        (ts, v)
        for ts, v in zip(times, values, strict=False)
        if ts >= end - span and not math.isnan(v)
    ]
    if len(pairs) < 2:
        return None
    observed = pairs[-1][0] - pairs[0][0]
    if observed < t["min_observed_s"]:
        return None
    vals = [v for _, v in pairs]
    return Sustained(
        window_s=observed,
        samples=len(vals),
        share_over=sum(1 for v in vals if over(v)) / len(vals),
        mean=sum(vals) / len(vals),
        peak=max(vals),
    )


def is_sustained(result: Sustained | None, inp: RuleInput) -> bool:
    return result is not None and result.share_over >= inp.thresholds["sustained_share"]
