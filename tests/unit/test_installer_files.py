"""The Windows and macOS installer files cannot be built here (no Windows or macOS machine),
so these checks hold them to what the code and the spec expect: the same paths, names and
start-at-login entries. The Linux package is built, installed and removed for real in
tests/e2e/test_installer_deb.py."""

from __future__ import annotations

import ast
import plistlib
import re
from pathlib import PureWindowsPath

from desktop.policy.config import default_policy_path
from desktop.start.launch import LOGIN_ARG
from tests.run_ally import ROOT

INSTALLER = ROOT / "installer"


def spec_call(name: str) -> dict:
    """Keyword arguments of the first call to ``name`` in the PyInstaller spec."""
    tree = ast.parse((INSTALLER / "ally.spec").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name:
            return {k.arg: k.value for k in node.keywords}
    raise AssertionError(f"{name}() not in ally.spec")


def test_macos_launch_agent_starts_the_bundled_tray_app_at_login():
    agent = plistlib.loads((INSTALLER / "macos" / "org.ally.desktop.plist").read_bytes())
    bundle = ast.literal_eval(spec_call("BUNDLE")["name"])
    # Ally decides at login (desktop/start/startup.py): the policy, then the person's setting.
    assert agent["ProgramArguments"] == [
        f"/Applications/{bundle}/Contents/MacOS/ally-tray",
        LOGIN_ARG,
    ]
    assert agent["RunAtLoad"] is True and agent["LimitLoadToSessionType"] == "Aqua"
    assert agent["Label"] == ast.literal_eval(spec_call("BUNDLE")["bundle_identifier"])
    spec = (INSTALLER / "ally.spec").read_text()
    assert re.search(r'"LSUIElement":\s*True', spec)  # menu bar only, no Dock icon
    assert 'name="ally-tray", console=False' in spec


def test_macos_package_puts_the_policy_where_ally_reads_it():
    script = (INSTALLER / "macos" / "build-pkg.sh").read_text()
    assert "Library/LaunchAgents" in script
    policy_dir = default_policy_path("darwin").parent
    assert str(policy_dir).lstrip("/") in script


def test_windows_installer_is_per_machine_and_starts_ally_at_login():
    iss = (INSTALLER / "windows" / "ally.iss").read_text()
    assert re.search(r"^PrivilegesRequired=admin$", iss, re.M)
    # Every person's login starts "ally-tray --login"; Ally then follows the policy and the
    # person's own setting (a shortcut in the common Startup folder could not be turned off).
    assert "{commonstartup}" not in iss
    assert re.search(
        r'Subkey: "Software\\Microsoft\\Windows\\CurrentVersion\\Run"; ValueType: string; '
        r'ValueName: "Ally"; ValueData: """\{app\}\\ally-tray\.exe"" --login"',
        iss,
    )
    # Upgrades close and restart a running Ally; only administrators write the policy folder.
    assert re.search(r"^CloseApplications=force$", iss, re.M)
    assert re.search(r"^RestartApplications=yes$", iss, re.M)
    assert "/inheritance:r" in iss and "*S-1-5-32-545:(OI)(CI)RX" in iss
    # The example policy lands in the folder Ally reads its policy from.
    policy = PureWindowsPath(default_policy_path("win32", {"ProgramData": r"C:\ProgramData"}))
    assert policy.parent == PureWindowsPath(r"C:\ProgramData\Ally")
    assert re.search(r'DestDir: "\{commonappdata\}\\Ally"; DestName: "policy\.toml\.example"', iss)


def test_linux_autostart_entry_starts_ally_login():
    entry = (INSTALLER / "linux" / "ally-autostart.desktop").read_text()
    assert f"Exec=/usr/bin/ally {LOGIN_ARG}\n" in entry


def test_macos_package_is_not_relocatable_and_restarts_ally_after_an_upgrade():
    script = (INSTALLER / "macos" / "build-pkg.sh").read_text()
    assert "BundleIsRelocatable -bool NO" in script and "--component-plist" in script
    assert '--scripts "$here/scripts"' in script
    post = (INSTALLER / "macos" / "scripts" / "postinstall").read_text()
    assert "launchctl kickstart -k" in post and "launchctl bootstrap" in post
    assert "shasum -a 256" in script  # release artefacts carry their sum


def test_macos_removal_is_complete_and_keeps_peoples_data():
    script = (INSTALLER / "macos" / "uninstall.sh").read_text()
    for step in (
        "launchctl bootout",
        'rm -f "/Library/LaunchAgents/$label.plist"',
        "rm -rf /Applications/Ally.app",
        'pkgutil --forget "$label"',
        'rm -rf "/Library/Application Support/Ally"',  # with --purge only
    ):
        assert step in script, step
    assert "~/Library" not in script.split("set -eu", 1)[1]  # never the people's folders


def test_the_version_is_written_once():
    """desktop/__init__.py holds the version; every installer reads it from there."""
    iss = (INSTALLER / "windows" / "ally.iss").read_text()
    assert not re.search(r'#define\s+AppVersion\s+"', iss)  # passed in by build.ps1
    assert "AppVersion={#AppVersion}" in iss
    ps1 = (INSTALLER / "windows" / "build.ps1").read_text()
    assert r"desktop\__init__.py" in ps1 and "/DAppVersion=$version" in ps1
    for script in ("linux/build-deb.sh", "macos/build-pkg.sh"):
        assert "desktop/__init__.py" in (INSTALLER / script).read_text(), script


def test_every_release_artefact_gets_a_sha256_sum():
    assert "sha256sum" in (INSTALLER / "linux" / "build-deb.sh").read_text()
    assert "shasum -a 256" in (INSTALLER / "macos" / "build-pkg.sh").read_text()
    assert "Get-FileHash -Algorithm SHA256" in (INSTALLER / "windows" / "build.ps1").read_text()
