"""Reading macOS facts through its own tools (``sysctl``, ``pmset``), and parsing them.

Parsers are plain functions tested on output captured from real Macs (tests/data/macos/).
"""

from __future__ import annotations

import re

from desktop.diagnostics.readers.tools import run_tool

# kern.memorystatus_vm_pressure_level: what Activity Monitor colours green/yellow/red.
PRESSURE_LEVELS = {1: "normal", 2: "warning", 4: "critical"}
_SYSCTL_LINE = re.compile(r"^\s*([\w.]+)\s*[:=]\s*(.*?)\s*$")
_PMSET_SETTING = re.compile(r"^\s*(lowpowermode|powermode)\s+(\d+)\s*$", re.MULTILINE)


def parse_sysctl(stdout: str) -> dict[str, str]:
    """``sysctl name ...`` prints 'name: value' lines."""
    out = {}
    for line in stdout.splitlines():
        m = _SYSCTL_LINE.match(line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def parse_pressure_level(stdout: str) -> str | None:
    raw = parse_sysctl(stdout).get("kern.memorystatus_vm_pressure_level")
    try:
        return PRESSURE_LEVELS.get(int(raw)) if raw is not None else None
    except ValueError:
        return None


def parse_low_power_mode(stdout: str) -> bool | None:
    """``pmset -g``: 'lowpowermode 1' (older macOS) or 'powermode 1' (newer: 1 = Low Power).

    The settings in use come first; the first matching line is the one that applies.
    """
    m = _PMSET_SETTING.search(stdout)
    if not m:
        return None
    return m.group(2) == "1"


def memory_pressure_level() -> str | None:
    return parse_pressure_level(run_tool(["sysctl", "kern.memorystatus_vm_pressure_level"]).stdout)


def low_power_mode() -> bool | None:
    return parse_low_power_mode(run_tool(["pmset", "-g"]).stdout)


def machine_model() -> str | None:
    return parse_sysctl(run_tool(["sysctl", "hw.model"]).stdout).get("hw.model")
