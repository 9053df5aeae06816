"""Numbers as people read them: "3.2 GB", "12 minutes", "a list of three programs"."""

from __future__ import annotations

import math

from ally_words import say


def _said(key: str, /) -> str:
    """An amount that was not read, in the person's words ([amounts] in the catalog)."""
    return say(key, "amounts")


def size(n: float | None) -> str:
    if n is None:
        return _said("unknown_amount")
    n = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            if unit == "bytes":
                return f"{int(n)} bytes"
            return f"{n:.1f} {unit}" if abs(n) < 10 else f"{n:.0f} {unit}"
        n /= 1000.0
    return f"{n:.0f} TB"


def duration(seconds: float) -> str:
    """How long, as a person says it, rounded down, never up: 119 s is "119 seconds",
    332 s is "5 minutes" (not 6: the person lived through five and a half). Each unit
    starts at two of it, so it is never "1 minutes"; and 1 s is "1 second"."""
    s = max(0.0, float(seconds))
    for unit, size, next_at in (
        ("seconds", 1, 120),
        ("minutes", 60, 120 * 60),
        ("hours", 3600, 48 * 3600),
    ):
        if s < next_at:
            n = math.floor(s / size)
            return "1 second" if n == 1 else f"{n} {unit}"  # the only unit that can be 1
    return f"{math.floor(s / 86400)} days"


def percent(p: float | None) -> str:
    return _said("unknown_share") if p is None else f"{p:.0f}%"


def whole_percent(p: float | None) -> str:
    """ "42%" for IT's one-line summaries, "?" when the figure was not read."""
    return "?" if p is None else f"{p:.0f}%"


def count(n: int, one: str, many: str | None = None) -> str:
    """ "1 crash", "3 crashes": never "crash(es)"."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
