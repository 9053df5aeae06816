"""Reading Windows facts through its own tools (``reg``, ``powercfg``), and parsing them.

The parsers are plain functions over the tools' text so they are tested here, on Linux,
with output captured from real Windows machines (tests/data/windows/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop.diagnostics.readers.tools import run_tool

# Where Windows records that it needs a restart. A key's mere presence means "pending";
# for PendingFileRenameOperations the value's presence does.
REBOOT_KEYS: tuple[tuple[str, str | None, str], ...] = (
    (
        r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending",
        None,
        "Windows component servicing",
    ),
    (
        r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired",
        None,
        "Windows Update",
    ),
    (
        r"HKLM\SYSTEM\CurrentControlSet\Control\Session Manager",
        "PendingFileRenameOperations",
        "files waiting to be replaced at restart",
    ),
)

POWER_SAVER_GUID = "a1841308-3541-4fab-bc81-f71556f20b4a"  # the same on every Windows
# The label before the GUID is localised ("GUID des Energieschemas"); the GUID is not.
_SCHEME = re.compile(r"([0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})\s*\((.*?)\)")
_REG_VALUE = re.compile(r"^\s{2,}(\S.*?)\s{2,}(REG_\w+)\s{2,}(.*?)\s*$")


def reg_key_exists(returncode: int, stdout: str) -> bool:
    """``reg query`` exits 0 and echoes the key when it exists, 1 with an ERROR otherwise."""
    return returncode == 0 and "HKEY_" in stdout


def parse_reg_values(stdout: str) -> dict[str, tuple[str, str]]:
    """Values printed by ``reg query``: name -> (type, data)."""
    values: dict[str, tuple[str, str]] = {}
    for line in stdout.splitlines():
        m = _REG_VALUE.match(line)
        if m:
            values[m.group(1)] = (m.group(2), m.group(3))
    return values


@dataclass(frozen=True)
class PowerScheme:
    guid: str
    name: str

    @property
    def power_saver(self) -> bool:
        return self.guid.lower() == POWER_SAVER_GUID


def parse_active_scheme(stdout: str) -> PowerScheme | None:
    """``powercfg /getactivescheme``: 'Power Scheme GUID: <guid>  (<name>)'."""
    m = _SCHEME.search(stdout)
    return PowerScheme(m.group(1).lower(), m.group(2).strip()) if m else None


def pending_restart() -> tuple[bool, list[str]]:
    """Whether Windows waits for a restart, and which of its records say so."""
    sources = []
    for key, value, label in REBOOT_KEYS:
        args = ["reg", "query", key] + (["/v", value] if value else [])
        result = run_tool(args, timeout=2.0)
        if reg_key_exists(result.returncode, result.stdout):
            sources.append(label)
    return bool(sources), sources


def machine_model() -> str | None:
    result = run_tool(["reg", "query", r"HKLM\HARDWARE\DESCRIPTION\System\BIOS"], timeout=2.0)
    values = parse_reg_values(result.stdout)
    parts = [values.get(k, ("", ""))[1] for k in ("SystemManufacturer", "SystemProductName")]
    model = " ".join(
        p for p in parts if p and p.lower() not in {"system manufacturer", "system product name"}
    )
    return model or None


def active_power_scheme() -> PowerScheme | None:
    return parse_active_scheme(run_tool(["powercfg", "/getactivescheme"], timeout=2.0).stdout)
