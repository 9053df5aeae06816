"""Every limit the rules use, in one table that IT's policy can override.

Each entry says its unit and why its default is what it is, so an IT person changing
one knows what they are changing. A bad override is reported (file, key, what is
expected) and the default is kept.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ally_words import say

GiB = 1024**3


@dataclass(frozen=True)
class Limit:
    default: float
    unit: str
    why: str


LIMITS: dict[str, Limit] = {
    # How long a load must last, counted back from the click, to be what the person felt.
    "freeze_min_s": Limit(
        20, "s", "a slowdown this long right before the click is felt as a freeze; less is a spike"
    ),
    "dip_max_s": Limit(6, "s", "a let-up this short inside a busy spell does not end it"),
    "sustained_share": Limit(
        0.8, "fraction", "within a spell, the share of samples that must be over the limit"
    ),
    # Naming the cause
    "culprit_share_pct": Limit(
        50,
        "%",
        "a program is named as the cause only when it did at least this share of the work "
        "over the spell; below it several programs together are the cause, and naming one "
        "would be a guess",
    ),
    # Processor
    "cpu_busy_pct": Limit(85, "%", "all cores together; above this everything waits its turn"),
    "cpu_critical_pct": Limit(97, "%", "mean over the window: nothing left for the person's work"),
    # Working memory
    "memory_used_pct": Limit(90, "%", "above this the OS starts to evict and swap"),
    "memory_available_min_bytes": Limit(
        0.5 * GiB, "B", "below this free memory it is exhausted whatever the %"
    ),
    "swap_pps": Limit(
        200, "pages/s", "swap in+out; sustained paging at this rate is felt as slowness"
    ),
    "swap_critical_pps": Limit(2000, "pages/s", "a swap storm: the disk is doing memory's job"),
    "psi_some_avg60_pct": Limit(10, "%", "Linux: share of time tasks waited for memory"),
    # Drives
    "disk_free_warning_bytes": Limit(5 * GiB, "B", "updates and temporary files need a few GB"),
    "disk_free_low_pct": Limit(
        10, "%", "together with disk_free_low_bytes: small share and small amount"
    ),
    "disk_free_low_bytes": Limit(
        20 * GiB, "B", "a large drive at 10 % still has room; a small one does not"
    ),
    "disk_free_critical_bytes": Limit(2 * GiB, "B", "programs start to fail to save"),
    "disk_busy_pct": Limit(
        90,
        "%",
        "busiest drive: share of time with requests in flight; used only where neither of "
        "the measures of waiting below is kept (it says little on SSDs and virtual disks)",
    ),
    "disk_wait_slow_ms": Limit(
        50,
        "ms",
        "mean time a drive took per request where the system keeps no record of waiting "
        "(Windows, macOS): an SSD answers in under 1 ms and a spinning disk in about 10; "
        "at 50 requests queue up and programs wait",
    ),
    "psi_io_some_pct": Limit(
        35, "%", "Linux: share of the last 10 s and 60 s in which work waited for a drive"
    ),
    # One application
    "app_runaway_cores": Limit(
        0.9, "cores", "one program keeping a whole core busy the whole time"
    ),
    "app_runaway_min_s": Limit(300, "s", "how long it must last to be runaway rather than busy"),
    "app_growth_min_bytes": Limit(
        0.5 * GiB, "B", "memory growth over the window that counts as a leak"
    ),
    "app_growth_min_ratio": Limit(0.5, "fraction", "growth relative to where it started"),
    "app_growth_min_s": Limit(600, "s", "a leak shows over minutes, not seconds"),
    "app_faults_repeat": Limit(
        2, "faults", "crashes or hangs of a program nobody named before it is reported"
    ),
    "app_instances": Limit(100, "processes", "one application running this many copies of itself"),
    # Power and heat
    "battery_low_pct": Limit(15, "%", "on battery, below this the OS starts saving power"),
    "battery_critical_pct": Limit(5, "%", "the computer may switch off soon"),
    "temperature_hot_c": Limit(90, "°C", "used where the sensor gives no 'high' mark of its own"),
    # Network
    "wifi_weak_pct": Limit(40, "%", "signal quality below this drops and slows the connection"),
    "rtt_slow_ms": Limit(
        300, "ms", "round trip to the nearest answering hop; calls and pages stall above it"
    ),
    "loss_pct": Limit(10, "%", "lost connection attempts; each loss costs a second or more"),
    # Printing
    "print_job_stuck_s": Limit(300, "s", "a document waiting this long is stuck, not just slow"),
    # Restarts
    "uptime_long_s": Limit(
        14 * 86400, "s", "two weeks without a restart: updates and leaks pile up"
    ),
}


def _said(key: str, /, **values: Any) -> str:
    """IT's words about a threshold the policy sets wrongly ([policy.thresholds])."""
    return say(key, "policy.thresholds", **values)


class Thresholds:
    """The limits in force: the defaults, with IT's valid overrides on top."""

    def __init__(self, overrides: Mapping[str, Any] | None = None, source: str = "policy") -> None:
        self._values = {k: v.default for k, v in LIMITS.items()}
        self.problems: list[str] = []
        for key, value in (overrides or {}).items():
            if key not in LIMITS:
                self.problems.append(
                    _said("unknown", source=source, setting=key, known=", ".join(sorted(LIMITS)))
                )
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)  # NaN is never crossed, inf never reached
                or value < 0
            ):
                self.problems.append(
                    _said(
                        "not_a_number",
                        source=source,
                        setting=key,
                        unit=LIMITS[key].unit,
                        value=value,
                        default=LIMITS[key].default,
                    )
                )
                continue
            self._values[key] = float(value)

    def __getitem__(self, key: str) -> float:
        return self._values[key]

    def as_dict(self) -> dict[str, float]:
        return dict(self._values)
