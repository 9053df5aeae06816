"""Battery, power-saving mode and temperatures, where this computer has them."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from ally_helpdesk.evidence.plain_numbers import whole_percent
from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.probe import Probe, ProbeContext, Unavailable
from desktop.diagnostics.readers.tools import run_tool

PLATFORM_PROFILE = Path("/sys/firmware/acpi/platform_profile")
# ACPI platform profiles that trade speed for battery or quiet.
_SAVING_PROFILES = {"low-power", "quiet", "cool", "power-saver"}
MAX_SENSORS = 12


@dataclass(frozen=True)
class Temperature:
    sensor: str
    label: str
    current_c: float
    high_c: float | None
    critical_c: float | None


@dataclass(frozen=True)
class PowerInfo:
    has_battery: bool
    battery_pct: float | None
    plugged_in: bool | None
    battery_time_left_s: int | None  # None when charging or unknown
    power_saver: bool | None  # None: the system does not say
    power_mode: str | None  # the name the OS uses ("power-saver", "Power saver", "lowpowermode 1")
    power_mode_source: str | None
    temperatures: tuple[Temperature, ...]
    hottest_c: float | None
    hottest_over_high: bool  # a sensor is at or above the level its maker calls high
    notes: tuple[str, ...]  # what could not be read, for IT


def _it(key: str, /, **values: Any) -> str:
    return it_says("power", key, **values)


def _battery() -> tuple[bool, float | None, bool | None, int | None]:
    try:
        battery = psutil.sensors_battery()
    except (OSError, RuntimeError, AttributeError):
        battery = None
    if battery is None:
        return False, None, None, None
    left = battery.secsleft
    secs = (
        left
        if isinstance(left, int) and left >= 0 and left != psutil.POWER_TIME_UNLIMITED
        else None
    )
    return True, float(battery.percent), battery.power_plugged, secs


def linux_power_mode() -> tuple[bool | None, str | None, str | None]:
    try:
        profile = PLATFORM_PROFILE.read_text(encoding="ascii").strip()
        return profile in _SAVING_PROFILES, profile, str(PLATFORM_PROFILE)
    except OSError:
        pass
    try:
        result = run_tool(["powerprofilesctl", "get"], timeout=1.0)
    except (Unavailable, TimeoutError):
        return None, None, None
    mode = result.stdout.strip()
    if result.returncode != 0 or not mode:
        return None, None, None
    return mode == "power-saver", mode, "power-profiles-daemon"


def _power_mode() -> tuple[bool | None, str | None, str | None]:
    try:
        if sys.platform.startswith("win"):
            from desktop.diagnostics.readers import windows_tools

            scheme = windows_tools.active_power_scheme()
            return (scheme.power_saver, scheme.name, "powercfg") if scheme else (None, None, None)
        if sys.platform == "darwin":
            from desktop.diagnostics.readers import macos_tools

            low = macos_tools.low_power_mode()
            return low, None if low is None else ("Low Power Mode" if low else "normal"), "pmset"
        if sys.platform.startswith("linux"):
            return linux_power_mode()
    except (Unavailable, TimeoutError, OSError):
        pass
    return None, None, None


def _temperatures() -> tuple[Temperature, ...]:
    reader = getattr(psutil, "sensors_temperatures", None)
    if reader is None:  # psutil reads temperatures on Linux and FreeBSD only
        return ()
    try:
        found = reader() or {}
    except (OSError, RuntimeError):
        return ()
    temps = []
    for sensor, entries in found.items():
        for e in entries:
            if e.current is None or e.current <= 0:
                continue
            temps.append(
                Temperature(
                    sensor, e.label or sensor, float(e.current), e.high or None, e.critical or None
                )
            )
    temps.sort(key=lambda t: t.current_c, reverse=True)
    return tuple(temps[:MAX_SENSORS])


def check(ctx: ProbeContext) -> PowerInfo:
    has_battery, pct, plugged, left = _battery()
    saver, mode, source = _power_mode()
    temps = _temperatures()
    notes = []
    if not has_battery:
        notes.append(_it("no_battery"))
    if saver is None:
        notes.append(_it("no_power_mode"))
    if not temps:
        notes.append(_it("no_sensors"))
    if not has_battery and saver is None and not temps:
        raise Unavailable(_it("nothing_found"))
    hottest = temps[0].current_c if temps else None
    over = any(t.high_c is not None and t.current_c >= t.high_c for t in temps)
    return PowerInfo(
        has_battery, pct, plugged, left, saver, mode, source, temps, hottest, over, tuple(notes)
    )


def it_summary(data: PowerInfo) -> str:
    """IT's one line for this section (``ally diagnose`` and the report)."""
    parts = []
    if data.has_battery:
        parts.append(
            _it(
                "battery_plugged" if data.plugged_in else "battery",
                pct=whole_percent(data.battery_pct),
            )
        )
    if data.power_mode:
        parts.append(_it("mode", mode=data.power_mode))
    if data.hottest_c is not None:
        parts.append(_it("hottest", celsius=f"{data.hottest_c:.0f}"))
    return ", ".join(parts) or _it("nothing")


PROBE = Probe("power", check, timeout_s=2.0, it_summary=it_summary)
