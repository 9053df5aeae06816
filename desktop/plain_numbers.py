"""Numbers as people read them: "3.2 GB", "12 minutes", "a list of three programs"."""

from __future__ import annotations


def _said(key: str, /) -> str:
    """An amount that was not read, in the person's words ([amounts] in the catalog)."""
    from desktop.words import say

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
    s = max(0.0, float(seconds))
    if s < 90:
        return f"{s:.0f} seconds"
    if s < 90 * 60:
        return f"{s / 60:.0f} minutes"
    if s < 36 * 3600:
        return f"{s / 3600:.0f} hours"
    return f"{s / 86400:.0f} days"


def percent(p: float | None) -> str:
    return _said("unknown_share") if p is None else f"{p:.0f}%"


def whole_percent(p: float | None) -> str:
    """ "42%" for IT's one-line summaries, "?" when the figure was not read."""
    return "?" if p is None else f"{p:.0f}%"


def names(items: list[str]) -> str:
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def count(n: int, one: str, many: str | None = None) -> str:
    """ "1 crash", "3 crashes": never "crash(es)"."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
