"""Every metric in the history, declared once with its unit and plain name.

The sampler fills these columns and rules read them. The description and plain name
document each column for whoever reads the history (its JSON, this code); no screen
shows them: the charts' and IT's words are in the catalog ([charts], the findings).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    key: str
    unit: str  # "%", "B", "B/s", "pages/s", "" (a plain number)
    description: str  # for IT: what exactly is measured
    plain_name: str  # for the person: everyday words


HISTORY_METRICS: tuple[Metric, ...] = (
    Metric("cpu_pct", "%", "processor busy time, all cores, over the interval", "processor use"),
    Metric("load1", "", "1-minute load average (runnable and waiting tasks)", "waiting work"),
    Metric(
        "mem_used_pct", "%", "memory in use: (total - available) / total", "working memory in use"
    ),
    Metric("mem_available_bytes", "B", "memory available without swapping", "free working memory"),
    Metric("swap_used_pct", "%", "swap / page file in use", "disk space used as working memory"),
    Metric(
        "swap_in_pps", "pages/s", "pages read back from swap per second", "parking on disk (in)"
    ),
    Metric("swap_out_pps", "pages/s", "pages written to swap per second", "parking on disk (out)"),
    Metric("disk_read_bps", "B/s", "bytes read per second, all physical drives", "drive reading"),
    Metric(
        "disk_write_bps", "B/s", "bytes written per second, all physical drives", "drive writing"
    ),
    Metric("disk_busy_pct", "%", "busiest drive: share of time with I/O in flight", "drive busy"),
    Metric(
        "io_wait_pct",
        "%",
        "Linux PSI io 'some': share of the interval in which some task waited for a drive",
        "work waiting for the drive",
    ),
    Metric(
        "disk_wait_ms",
        "ms",
        "the drive whose requests took longest: mean time per completed request",
        "how long the drive keeps each request",
    ),
    Metric(
        "net_recv_bps", "B/s", "bytes received per second, all interfaces but loopback", "download"
    ),
    Metric("net_sent_bps", "B/s", "bytes sent per second, all interfaces but loopback", "upload"),
)

HISTORY_COLUMNS: tuple[str, ...] = tuple(m.key for m in HISTORY_METRICS)
METRICS_BY_KEY: dict[str, Metric] = {m.key: m for m in HISTORY_METRICS}
