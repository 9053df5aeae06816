"""Windows and macOS: the drive is judged by how long each request took, from the
counters psutil reads there (read_time/write_time and the request counts; no busy time).
The first reading is psutil's own documented example of `disk_io_counters()`; the second
is **constructed** from it: 400 more requests that took 36 s between them."""

from __future__ import annotations

from collections import namedtuple

import psutil

from desktop.diagnostics.sampling import counters
from desktop.diagnostics.sampling.sampler import rates

# The fields psutil gives on Windows and macOS (busy_time is Linux and FreeBSD only).
sdiskio = namedtuple(
    "sdiskio", "read_count write_count read_bytes write_bytes read_time write_time"
)
FIRST = sdiskio(8141, 2431, 290203, 537676, 5868, 94922)
SECOND = sdiskio(8141 + 100, 2431 + 300, 290203 + 409_600, 537676 + 1_228_800, 5868 + 6_000,
                 94922 + 30_000)  # fmt: skip


def test_a_drive_that_keeps_requests_waiting_is_seen_without_a_busy_figure(monkeypatch):
    readings = iter([{"PhysicalDrive0": FIRST}, {"PhysicalDrive0": SECOND}])
    monkeypatch.setattr(psutil, "disk_io_counters", lambda perdisk=False: next(readings))
    before = counters.psutil_reader()
    after = counters.psutil_reader()
    object.__setattr__(after, "monotonic", before.monotonic + 2.0)  # two seconds apart
    drive = after.disks["PhysicalDrive0"]
    assert drive.busy_ms is None and drive.ops == 8241 + 2731
    got = rates(before, after)
    assert got["disk_busy_pct"] is None  # never a made-up busy share
    assert got["disk_wait_ms"] == 36_000 / 400  # 90 ms a request
    assert got["io_wait_pct"] is None  # Linux's pressure figure is not there


def test_a_drive_that_did_nothing_has_no_wait_figure(monkeypatch):
    monkeypatch.setattr(psutil, "disk_io_counters", lambda perdisk=False: {"C": FIRST})
    before = counters.psutil_reader()
    after = counters.psutil_reader()
    object.__setattr__(after, "monotonic", before.monotonic + 2.0)
    assert rates(before, after)["disk_wait_ms"] is None  # no request: nothing waited
