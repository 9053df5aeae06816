"""Which computer this is: OS, model, uptime, user, time zone, and a restart it is waiting for."""

from __future__ import annotations

import getpass
import os
import platform
import socket
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psutil

from ally_helpdesk.evidence.plain_numbers import duration
from desktop import __version__
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.probe import Probe, ProbeContext, Unavailable

REBOOT_REQUIRED = Path("/run/reboot-required")


@dataclass(frozen=True)
class SystemInfo:
    os_name: str
    os_version: str
    kernel: str
    architecture: str
    hostname: str
    model: str | None
    boot_time: str  # ISO 8601 UTC
    uptime_s: float
    user: str | None
    ally_version: str
    timezone: str | None  # IANA name where the OS has one ("Europe/Berlin")
    utc_offset: str  # "+01:00"
    pending_restart: bool | None  # None: this system does not say
    pending_restart_sources: tuple[str, ...]


def _it(key: str, /, **values: Any) -> str:
    return it_says("system", key, **values)


def os_name_and_version() -> tuple[str, str]:
    if sys.platform.startswith("win"):
        release, version, _, _ = platform.win32_ver()
        build = int(version.split(".")[-1]) if version.split(".")[-1].isdigit() else 0
        name = "Windows 11" if release == "10" and build >= 22000 else f"Windows {release}"
        edition = platform.win32_edition() or ""
        return "Windows", f"{name} {edition} (build {version})".replace("  ", " ")
    if sys.platform == "darwin":
        return "macOS", f"macOS {platform.mac_ver()[0]}"
    try:
        release = platform.freedesktop_os_release()
        return "Linux", release.get("PRETTY_NAME") or release.get("NAME", "Linux")
    except OSError:
        return platform.system() or sys.platform, platform.release()


def linux_model(dmi: Path = Path("/sys/class/dmi/id")) -> str | None:
    parts = []
    for name in ("sys_vendor", "product_name"):
        try:
            value = (dmi / name).read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            continue
        if value and value.lower() not in {
            "to be filled by o.e.m.",
            "system product name",
            "default string",
        }:
            parts.append(value)
    return " ".join(parts) or None


def local_timezone(environ: dict[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    tz = env.get("TZ", "").lstrip(":")
    if tz:
        return tz
    if sys.platform.startswith("win"):
        return time.tzname[0] or None
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        return target.split("zoneinfo/", 1)[1]
    try:
        return Path("/etc/timezone").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def linux_pending_restart(flag: Path = REBOOT_REQUIRED) -> tuple[bool | None, tuple[str, ...]]:
    """Debian and Ubuntu write /run/reboot-required after updates that need a restart."""
    if flag.exists():
        sources = [str(flag)]
        pkgs = flag.with_name(flag.name + ".pkgs")
        try:
            n = len({p for p in pkgs.read_text(encoding="utf-8").split() if p})
            if n:
                sources.append(_it("packages", count=n, file=pkgs))
        except OSError:
            pass
        return True, tuple(sources)
    # Only where the mechanism exists does its absence mean "no restart needed".
    if Path("/usr/share/update-notifier").exists() or Path("/etc/debian_version").exists():
        return False, ()
    return None, ()


def _pending_restart() -> tuple[bool | None, tuple[str, ...]]:
    if sys.platform.startswith("win"):
        from desktop.diagnostics.readers import windows_tools

        pending, sources = windows_tools.pending_restart()
        return pending, tuple(sources)
    if sys.platform.startswith("linux"):
        return linux_pending_restart()
    return None, ()


def _model() -> str | None:
    try:
        if sys.platform.startswith("win"):
            from desktop.diagnostics.readers import windows_tools

            return windows_tools.machine_model()
        if sys.platform == "darwin":
            from desktop.diagnostics.readers import macos_tools

            return macos_tools.machine_model()
        return linux_model()
    except (Unavailable, TimeoutError, OSError):
        return None


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def check(ctx: ProbeContext) -> SystemInfo:
    os_name, os_version = os_name_and_version()
    boot = psutil.boot_time()
    pending, sources = _pending_restart()
    offset = datetime.now().astimezone().strftime("%z")
    return SystemInfo(
        os_name=os_name,
        os_version=os_version,
        kernel=platform.release(),
        architecture=platform.machine(),
        hostname=socket.gethostname(),
        model=_model(),
        boot_time=datetime.fromtimestamp(boot, timezone.utc).isoformat(timespec="seconds"),
        uptime_s=max(0.0, time.time() - boot),
        user=_user(),
        ally_version=__version__,
        timezone=local_timezone(),
        utc_offset=f"{offset[:3]}:{offset[3:]}" if len(offset) == 5 else offset,
        pending_restart=pending,
        pending_restart_sources=sources,
    )


def it_summary(data: SystemInfo) -> str:
    """IT's one line for this section (``ally diagnose`` and the report)."""
    restart = {True: "restart_pending", False: "no_restart", None: "restart_unknown"}
    return _it(
        "summary",
        os=data.os_version,
        host=data.hostname,
        model=f" ({data.model})" if data.model else "",
        uptime=duration(data.uptime_s),
        restart=_it(restart[data.pending_restart]),
        user=data.user,
        timezone=data.timezone,
        offset=data.utc_offset,
        version=data.ally_version,
    )


PROBE = Probe("system", check, timeout_s=2.5, it_summary=it_summary)
