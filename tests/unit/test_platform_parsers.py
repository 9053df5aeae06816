"""Windows and macOS parsers, fed the real tools' output captured on real machines
(see tests/data/SOURCES.md)."""

from pathlib import Path

import pytest

from desktop.diagnostics.readers import macos_tools as macos
from desktop.diagnostics.readers import windows_tools as windows

DATA = Path(__file__).resolve().parent.parent / "data"


def read(name: str) -> str:
    return (DATA / name).read_bytes().decode("utf-8")


def test_active_power_scheme_balanced():
    scheme = windows.parse_active_scheme(read("windows/powercfg_getactivescheme_balanced.txt"))
    assert scheme == windows.PowerScheme("381b4222-f694-41f0-9685-ff5bb260df2e", "Balanced")
    assert not scheme.power_saver


def test_active_power_scheme_power_saver_is_recognised_by_guid():
    scheme = windows.parse_active_scheme(read("windows/powercfg_getactivescheme_power_saver.txt"))
    assert scheme.name == "Power saver"
    assert scheme.power_saver
    # Localised Windows prints another name; the GUID still says it.
    german = "GUID des Energieschemas: a1841308-3541-4fab-bc81-f71556f20b4a  (Energiesparmodus)"
    assert windows.parse_active_scheme(german).power_saver


def test_power_scheme_parser_takes_the_first_scheme_of_a_list_and_rejects_garbage():
    assert windows.parse_active_scheme(read("windows/powercfg_list.txt")).name == "Balanced"
    assert windows.parse_active_scheme("") is None
    assert windows.parse_active_scheme("Access is denied.") is None


def test_reg_query_key_present_and_missing():
    assert windows.reg_key_exists(0, read("windows/reg_query_rebootpending_present.txt"))
    assert not windows.reg_key_exists(1, read("windows/reg_query_missing.stderr.txt"))
    assert not windows.reg_key_exists(1, "")


def test_reg_query_values():
    values = windows.parse_reg_values(read("windows/reg_query_bios.txt"))
    assert values["SystemManufacturer"] == ("REG_SZ", "LENOVO")
    assert values["SystemProductName"] == ("REG_SZ", "20NX003GGE")
    assert values["BIOSVersion"] == ("REG_SZ", "N32ET86W (1.62 )")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("macos/pmset_g_lowpowermode_on.txt", True),
        ("macos/pmset_g_macos26_powermode_off.txt", False),
        ("macos/pmset_g_older_no_lowpower.txt", None),
    ],
)
def test_low_power_mode_from_pmset(name, expected):
    assert macos.parse_low_power_mode(read(name)) is expected


def test_memory_pressure_level_from_sysctl():
    assert macos.parse_pressure_level(read("macos/sysctl_pressure_light.txt")) == "normal"
    assert macos.parse_pressure_level(read("macos/sysctl_pressure_heavy.txt")) == "critical"
    assert macos.parse_pressure_level("kern.memorystatus_vm_pressure_level: 2\n") == "warning"
    assert macos.parse_pressure_level("") is None
    assert macos.parse_pressure_level("kern.memorystatus_vm_pressure_level: banana") is None


def test_missing_tool_is_unavailable_not_an_error():
    from desktop.diagnostics.probe import Unavailable
    from desktop.diagnostics.readers.tools import run_tool

    with pytest.raises(Unavailable, match="not on this computer"):
        run_tool(["powercfg-that-does-not-exist", "/getactivescheme"])


def test_a_tool_that_hangs_is_cut_off():
    from desktop.diagnostics.readers.tools import run_tool

    with pytest.raises(TimeoutError, match=r"no answer within 0\.3 s"):
        run_tool(["sleep", "30"], timeout=0.3)
