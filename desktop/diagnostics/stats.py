"""Small summaries over history windows, shared by probes and rules."""

from __future__ import annotations

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
