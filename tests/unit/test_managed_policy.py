"""IT's policy from Group Policy (Windows registry, written by Ally's ADMX templates) and
from a macOS configuration profile (managed preferences): the same checks as the policy
file, over it key by key. Windows' registry cannot be read here, so its reader's tree is
built from real ``reg query`` output (tests/data/SOURCES.md); the macOS file is a real
property list written the way the system writes managed preferences."""

from __future__ import annotations

import os
import plistlib
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import desktop.policy.config as config
from desktop.policy.config import Policy
from desktop.policy.managed_policy import (
    REG_DWORD,
    REG_MULTI_SZ,
    REG_SZ,
    WINDOWS_SOURCE,
    ManagedPolicy,
    RegistryKey,
    merged,
    policy_data_from_registry,
    read_managed_preferences,
)
from tests.reg_query import parse
from tests.run_ally import ROOT

DATA = ROOT / "tests" / "data" / "windows"
ALLY_KEY = r"HKEY_LOCAL_MACHINE\Software\Policies\Ally"
ADMX_NS = {"p": "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"}
ADMX = ROOT / "installer" / "windows" / "policy" / "Ally.admx"
ADML = ROOT / "installer" / "windows" / "policy" / "en-US" / "Ally.adml"
MOBILECONFIG = ROOT / "installer" / "macos" / "ally-policy.mobileconfig"


def test_reg_query_output_is_read_as_windows_prints_it():
    key = parse((DATA / "reg-query-dns-parameters.txt").read_text(), r"HKEY_LOCAL_MACHINE\SYSTEM")
    values = key.subkeys["CurrentControlSet"].subkeys["Services"].subkeys["DNS"]
    values = values.subkeys["Parameters"].values
    assert values["GlobalQueryBlockList"] == (REG_MULTI_SZ, ["wpad", "isatap"])
    assert values["EnableGlobalQueryBlockList"] == (REG_DWORD, 1)
    assert values["PreviousLocalHostname"] == (REG_SZ, "WINLPE-DC01.INLANEFREIGHT.LOCAL")
    assert values["Forwarders"] == (REG_MULTI_SZ, ["1.1.1.1", "8.8.8.8"])


def test_group_policy_in_the_registry_becomes_ally_policy():
    tree = parse((DATA / "reg-query-ally-policies.txt").read_text(), ALLY_KEY)
    policy = Policy.from_dict(policy_data_from_registry(tree), WINDOWS_SOURCE)
    assert policy.problems == ()
    assert policy.organisation == "Example Ltd" and policy.it_contact.email == "it@example.org"
    n = policy.network
    assert n.active_checks is False and n.proxy_wpad is False  # DWORD 0 is false
    assert n.proxy_pac == "http://wpad.example.org/proxy.pac"
    assert n.https_endpoints == (
        "https://intranet.example.org/health",
        "https://www.gstatic.com/generate_204",
    )  # numbered values, in order
    assert [(s.host, s.port, s.name) for s in n.it_servers] == [
        ("fs.example.org", 445, "file server")
    ]  # numbered subkeys: a list of tables
    assert policy.privacy.screenshots is False and policy.privacy.user_name == "drop"
    assert policy.sampling_interval_s == 2.5  # REG_SZ: Group Policy has no fractions
    assert policy.start_at_login == "always" and policy.transport.kind == "relay"
    assert policy.relay.url == "https://relay.example.org"


def test_a_wrong_type_in_the_registry_is_named_and_fails_closed():
    tree = RegistryKey(
        subkeys={
            "network": RegistryKey(values={"active_checks": (REG_DWORD, 7)}),
            "privacy": RegistryKey(values={"screenshots": (REG_SZ, "true")}),
        }
    )
    policy = Policy.from_dict(policy_data_from_registry(tree), WINDOWS_SOURCE)
    assert policy.network.active_checks is False and policy.privacy.screenshots is False
    assert any("[network] active_checks" in p and WINDOWS_SOURCE in p for p in policy.problems)
    assert any("[privacy] screenshots" in p for p in policy.problems)


def _admx_policies() -> list[ET.Element]:
    return ET.parse(ADMX).getroot().findall("p:policies/p:policy", ADMX_NS)


SAMPLES = {  # a valid value for each text element, by (table, value name)
    ("", "organisation"): "Example Ltd",
    ("it_contact", "email"): "it@example.org",
    ("it_contact", "phone"): "+44 20 7946 0000",
    ("it_contact", "hours"): "Mon–Fri 8–18",
    ("it_contact", "where"): "Room 2.14",
    ("transport", "folder"): r"\\fs\ally-reports",
    ("transport", "url"): "https://helpdesk.example.org/hooks/ally",
    ("relay", "url"): "https://relay.example.org",
    (
        "relay",
        "enrolment_token",
    ): "allyenrol.0a1b2c3d4e5f6a7b.Ex4mpleSecretMadeByAllyRelayTokenCreate0000",
    ("network", "proxy_pac"): "http://wpad.example.org/proxy.pac",
}


def _registry_for(policy: ET.Element, flag: int | None) -> RegistryKey:
    """What Group Policy writes when this policy is Enabled (flag 1 / the elements with
    sample values) or Disabled (flag 0, for the on/off policies)."""
    key = policy.get("key", "")
    assert key.startswith("Software\\Policies\\Ally"), key
    parts = [p for p in key.split("\\")[3:] if p]
    table = parts[0] if parts else ""
    values: dict[str, tuple[int, object]] = {}
    if policy.get("valueName"):
        values[policy.get("valueName")] = (REG_DWORD, flag)
    for element in policy.findall("p:elements/*", ADMX_NS):
        name = element.get("valueName")
        if element.tag.endswith("enum"):  # the second choice: never the default
            second = element.findall("p:item/p:value/p:string", ADMX_NS)[1]
            values[name] = (REG_SZ, second.text)
        else:
            assert (table, name) in SAMPLES, f"no sample value for [{table}] {name}"
            values[name] = (REG_SZ, SAMPLES[(table, name)])
    node = RegistryKey(values=values)
    for part in reversed(parts):
        node = RegistryKey(subkeys={part: node})
    return node


@pytest.mark.parametrize("policy", _admx_policies(), ids=lambda p: p.get("name"))
def test_every_admx_setting_is_a_key_ally_reads(policy):
    on = Policy.from_dict(policy_data_from_registry(_registry_for(policy, 1)), WINDOWS_SOURCE)
    assert on.problems == (), on.problems
    if policy.get("valueName"):  # an on/off policy: Disabled writes 0, which Ally reads
        off = Policy.from_dict(policy_data_from_registry(_registry_for(policy, 0)), "x")
        assert off.problems == () and off != on
    else:
        assert on != Policy.from_dict({}, WINDOWS_SOURCE)  # the setting took effect


def test_the_adml_has_every_string_and_presentation_the_admx_uses():
    admx = ADMX.read_text(encoding="utf-8")
    adml = ET.parse(ADML).getroot()
    strings = {s.get("id") for s in adml.findall("p:resources/p:stringTable/p:string", ADMX_NS)}
    shown = {p.get("id"): p for p in adml.findall("p:resources/p:presentationTable/*", ADMX_NS)}
    assert set(re.findall(r"\$\(string\.([A-Za-z0-9_]+)\)", admx)) <= strings
    assert set(re.findall(r"\$\(presentation\.([A-Za-z0-9_]+)\)", admx)) <= set(shown)
    for policy in _admx_policies():
        ids = {e.get("id") for e in policy.findall("p:elements/*", ADMX_NS)}
        if ids:
            refs = {c.get("refId") for c in shown[policy.get("name")]}
            assert refs == ids, policy.get("name")  # every element shown, nothing else
    names = [p.get("name") for p in _admx_policies()]
    assert len(names) == len(set(names))


def test_the_example_profile_is_a_valid_configuration_profile():
    profile = plistlib.loads(MOBILECONFIG.read_bytes())
    assert profile["PayloadType"] == "Configuration" and profile["PayloadVersion"] == 1
    assert profile["PayloadScope"] == "System"
    payloads = [profile, *profile["PayloadContent"]]
    for p in payloads:
        for key in ("PayloadIdentifier", "PayloadUUID", "PayloadDisplayName", "PayloadType"):
            assert isinstance(p.get(key), str) and p[key], key
        assert str(uuid.UUID(p["PayloadUUID"])).upper() == p["PayloadUUID"]
    assert len({p["PayloadUUID"] for p in payloads}) == len(payloads)
    assert len({p["PayloadIdentifier"] for p in payloads}) == len(payloads)
    (ally,) = profile["PayloadContent"]
    assert ally["PayloadType"] == "org.ally.desktop"


@pytest.fixture
def managed_file(tmp_path) -> Path:
    if os.geteuid() != 0:
        pytest.skip("managed preferences are root's alone; writing one as root needs root")
    ally = plistlib.loads(MOBILECONFIG.read_bytes())["PayloadContent"][0]
    path = tmp_path / "org.ally.desktop.plist"
    path.write_bytes(plistlib.dumps(ally, fmt=plistlib.FMT_BINARY))  # as the system writes it
    path.chmod(0o644)
    return path


def test_the_profile_as_managed_preferences_is_ally_policy(managed_file):
    managed = read_managed_preferences(managed_file)
    assert managed is not None and managed.problem is None
    assert not any(k.startswith("Payload") for k in managed.data)
    policy = Policy.from_dict(managed.data, managed.source)
    # The example's placeholder is not a token Ally Relay made: refused and named, so a
    # profile sent out unchanged is caught by `ally doctor`, not sent to the relay.
    (problem,) = policy.problems
    assert "[relay] enrolment_token" in problem and policy.relay.enrolment_token is None
    assert policy.transport.kind == "relay" and policy.relay.url == "https://relay.example.org"
    assert policy.start_at_login == "always" and policy.it_contact.email == "it@example.org"


def test_managed_preferences_others_may_change_are_not_trusted(managed_file):
    managed_file.chmod(0o666)
    managed = read_managed_preferences(managed_file)
    assert managed is not None and "not IT's to trust" in managed.problem
    broken = managed_file.with_name("broken.plist")
    broken.write_bytes(b"bplist00\xff\xff")
    broken.chmod(0o644)
    assert "not a property list" in read_managed_preferences(broken).problem


def test_managed_settings_override_the_file_key_by_key_and_block_overrides(tmp_path, monkeypatch):
    machine = tmp_path / "policy.toml"
    machine.write_text('organisation = "From the file"\n[network]\nactive_checks = true\n')
    mine = tmp_path / "mine.toml"
    mine.write_text("[privacy]\nscreenshots = true\n")
    over = {"network": {"active_checks": False}, "privacy": {"screenshots": False}}
    monkeypatch.setattr(config, "default_policy_path", lambda **_: machine)
    monkeypatch.setattr(config, "_managed", lambda: ManagedPolicy(WINDOWS_SOURCE, over))
    monkeypatch.setattr("desktop.policy.policy_owner.untrusted_reason", lambda path: None)
    policy = Policy.load(environ={"ALLY_POLICY": str(mine)})
    assert policy.organisation == "From the file"  # the file still counts ...
    assert policy.network.active_checks is False  # ... under Group Policy
    assert policy.privacy.screenshots is False
    assert policy.source == f"{WINDOWS_SOURCE} over {machine}"
    assert any("ALLY_POLICY" in p and WINDOWS_SOURCE in p for p in policy.problems)
    # Without a file, Group Policy alone; an unreadable one gives the safe settings.
    machine.unlink()
    assert Policy.load(environ={}).network.active_checks is False
    monkeypatch.setattr(
        config, "_managed", lambda: ManagedPolicy(WINDOWS_SOURCE, {}, "cannot be read")
    )
    safe = Policy.load(environ={})
    assert safe.privacy.screenshots is False and "cannot be read" in safe.problems[0]


def test_merging_keeps_tables_and_replaces_values():
    base = {"network": {"active_checks": True, "vpn_required": True}, "tips": {"enabled": 1}}
    out = merged(base, {"network": {"active_checks": False}, "tips": "x"})
    assert out == {"network": {"active_checks": False, "vpn_required": True}, "tips": "x"}
    assert base["network"]["active_checks"] is True  # the file's tables are not changed
