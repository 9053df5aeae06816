"""Small summaries over history windows, shared by probes and rules."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence


def recent(window: Mapping[str, Sequence[float]], key: str, seconds: float) -> list[float]:
    """The known values of ``key`` in the last ``seconds`` of ``window``."""
    times = window.get("t", [])
    values = window.get(key, [])
    if not times:
        return []
    end = times[-1]
    return [
        v for t, v in zip(times, values, strict=False) if t >= end - seconds and not math.isnan(v)
    ]


def window_mean(window: Mapping[str, Sequence[float]], key: str, seconds: float) -> float | None:
    values = recent(window, key, seconds)
    return sum(values) / len(values) if values else None


def window_max(window: Mapping[str, Sequence[float]], key: str, seconds: float) -> float | None:
    values = recent(window, key, seconds)
    return max(values) if values else None


def typical_step(times: Sequence[float], fallback: float) -> float:
    """The usual time between samples: each sample stands for that much time before it."""
    if len(times) < 2:
        return fallback
    steps = sorted(b - a for a, b in itertools.pairwise(times) if b > a)
    return steps[len(steps) // 2] if steps else fallback


def covered_s(times: Sequence[float], fallback_step: float) -> float:
    """How much time a window of samples covers. A sample is a rate over the interval
    that ends at its time, so n samples 2 s apart cover n x 2 s, not (n - 1) x 2 s:
    ``--warm-up 30`` yields 30 s of history, not 28."""
    if not times:
        return 0.0
    return times[-1] - times[0] + typical_step(times, fallback_step)
