"""Which measure of the drives a history holds, most telling first: how long work waited
for a drive where the system says so (Linux's pressure stall information), else how long
each request took (Windows, macOS), else how busy the device was. The drive rule judges by
it and the drive chart shows it (desktop/diagnostics/rules/disk_busy.py explains why).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

# (history column, threshold, IT's name of the measure), most telling first.
MEASURES = (
    ("io_wait_pct", "psi_io_some_pct", "waiting"),
    ("disk_wait_ms", "disk_wait_slow_ms", "per_request"),
    ("disk_busy_pct", "disk_busy_pct", "busy"),
)


def measure_of(columns: Mapping[str, Sequence[float | None]]) -> tuple[str, str, str] | None:
    """The most telling measure a history has any value of (the drive chart shows the
    same one)."""
    for key, limit, name in MEASURES:
        if any(v is not None and not math.isnan(v) for v in columns.get(key) or []):
            return key, limit, name
    return None
