"""Drives: free space on every volume the person writes to, and how busy each drive is."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import psutil

from ally_helpdesk.evidence.plain_numbers import size, whole_percent
from ally_helpdesk.evidence.stats import window_max, window_mean
from desktop.diagnostics.bounded import call_with_timeout
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.probe import Probe, ProbeContext

# File systems that are never a place people keep their work.
_SKIP_FSTYPES = {"squashfs", "iso9660", "udf", "cdfs", "tmpfs", "devtmpfs", "overlay", "ramfs"}
_SKIP_MOUNT_PREFIXES = ("/boot", "/snap", "/var/snap", "/System/Volumes/", "/private/var/vm")
_MACOS_DATA = "/System/Volumes/Data"
USAGE_TIMEOUT_S = 1.0  # a network drive that does not answer must not stall the rest


class Partition(Protocol):
    """What psutil.disk_partitions() gives for each mount."""

    device: str
    mountpoint: str
    fstype: str
    opts: str


@dataclass(frozen=True)
class Volume:
    mountpoint: str
    device: str
    fstype: str
    total_bytes: int | None
    free_bytes: int | None
    used_pct: float | None
    is_main: bool  # holds the person's home folder: "your main drive"
    remote: bool
    problem: str | None = None  # why the space could not be read


@dataclass(frozen=True)
class DriveActivity:
    name: str
    read_bps: float
    write_bps: float
    busy_pct: float | None  # share of time with requests in flight
    queue_avg: float | None  # average requests waiting or in flight (Linux)


@dataclass(frozen=True)
class DisksInfo:
    volumes: tuple[Volume, ...]
    drives: tuple[DriveActivity, ...]
    busy_pct_5m_mean: float | None  # busiest drive, mean over 5 minutes of history
    busy_pct_5m_max: float | None
    read_bps_5m_mean: float | None
    write_bps_5m_mean: float | None


def _it(key: str, /, **values: Any) -> str:
    return it_says("disks", key, **values)


def user_volume(part: Partition) -> bool:
    opts = set(part.opts.split(","))
    if "ro" in opts or "cdrom" in opts or not part.fstype:
        return False
    if part.fstype.lower() in _SKIP_FSTYPES:
        return False
    if part.mountpoint == _MACOS_DATA:
        return True
    return not part.mountpoint.startswith(_SKIP_MOUNT_PREFIXES)


def unique_volumes(parts: list[Partition], main: str | None) -> list[Partition]:
    """One entry per device: bind mounts show the same volume again under other paths
    (/run/netns, a container's /etc/hosts). The main volume's own path wins, else the shortest."""
    chosen: dict[str, Partition] = {}
    for p in parts:
        current = chosen.get(p.device)
        if (
            current is None
            or p.mountpoint == main
            or (current.mountpoint != main and len(p.mountpoint) < len(current.mountpoint))
        ):
            chosen[p.device] = p
    return [p for p in parts if chosen.get(p.device) is p]


def main_mountpoint(mountpoints: list[str], home: str) -> str | None:
    """The volume holding the home folder: the longest mount point that contains it."""
    if _MACOS_DATA in mountpoints and sys.platform == "darwin":
        return _MACOS_DATA  # home lives on the data volume behind a firmlink
    home_norm = os.path.normcase(os.path.abspath(home))
    best = None
    for mp in mountpoints:
        mp_norm = os.path.normcase(os.path.abspath(mp))
        prefix = mp_norm if mp_norm.endswith(os.sep) else mp_norm + os.sep
        if (home_norm == mp_norm or home_norm.startswith(prefix)) and (
            best is None or len(mp) > len(best)
        ):
            best = mp
    return best


def _volume(part: Partition, main: str | None) -> Volume:
    remote = "remote" in part.opts.split(",") or part.fstype.lower() in {
        "nfs",
        "nfs4",
        "cifs",
        "smbfs",
        "smb2",
    }
    try:
        usage = call_with_timeout(lambda: psutil.disk_usage(part.mountpoint), USAGE_TIMEOUT_S)
        total, free, pct, problem = usage.total, usage.free, usage.percent, None
    except TimeoutError:
        total = free = pct = None
        problem = _it("no_answer", seconds=f"{USAGE_TIMEOUT_S:.0f}")
    except OSError as exc:
        total = free = pct = None
        problem = f"{type(exc).__name__}: {exc.strerror or exc}"
    return Volume(
        part.mountpoint,
        part.device,
        part.fstype,
        total,
        free,
        pct,
        part.mountpoint == main,
        remote,
        problem,
    )


def check(ctx: ProbeContext) -> DisksInfo:
    parts = [p for p in psutil.disk_partitions(all=False) if user_volume(p)]
    main = main_mountpoint([p.mountpoint for p in parts], str(Path.home()))
    unique = unique_volumes(parts, main)
    volumes = tuple(_volume(p, main) for p in unique)

    drives = []
    prev, now, dt = ctx.previous, ctx.current, ctx.interval_s()
    if prev is not None and dt:
        for name, d in sorted(now.disks.items()):
            p = prev.disks.get(name)
            if p is None:
                continue
            busy = queue = None
            if d.busy_ms is not None and p.busy_ms is not None:
                busy = min(100.0, 100.0 * max(d.busy_ms - p.busy_ms, 0) / (dt * 1000.0))
            if d.weighted_ms is not None and p.weighted_ms is not None:
                queue = max(d.weighted_ms - p.weighted_ms, 0) / (dt * 1000.0)
            drives.append(
                DriveActivity(
                    name=name,
                    read_bps=max(d.read_bytes - p.read_bytes, 0) / dt,
                    write_bps=max(d.write_bytes - p.write_bytes, 0) / dt,
                    busy_pct=busy,
                    queue_avg=queue,
                )
            )
    window = ctx.history.window(300)
    return DisksInfo(
        volumes=volumes,
        drives=tuple(drives),
        busy_pct_5m_mean=window_mean(window, "disk_busy_pct", 300),
        busy_pct_5m_max=window_max(window, "disk_busy_pct", 300),
        read_bps_5m_mean=window_mean(window, "disk_read_bps", 300),
        write_bps_5m_mean=window_mean(window, "disk_write_bps", 300),
    )


def it_summary(data: DisksInfo) -> str:
    """IT's one line for this section (``ally diagnose`` and the report)."""
    vols = "; ".join(
        _it(
            "volume_main" if v.is_main else "volume",
            mountpoint=v.mountpoint,
            free=size(v.free_bytes),
            total=size(v.total_bytes),
        )
        if v.problem is None
        else f"{v.mountpoint} unreadable: {v.problem}"
        for v in data.volumes
    )
    busy = ", ".join(f"{d.name} {whole_percent(d.busy_pct)} busy" for d in data.drives)
    return f"{vols or 'no volumes'}; {busy or 'no drive activity readable'}"


PROBE = Probe("disks", check, timeout_s=2.5, it_summary=it_summary, mentioned_for={Symptom.SLOW: 0})
