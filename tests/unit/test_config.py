"""IT's policy file: every bad value explained with file and key, defaults kept."""

import json
import os
import subprocess
import sys

import pytest

from desktop.base.resources_access import resource
from desktop.policy.config import Policy, default_policy_path


def test_the_shipped_example_policy_is_valid():
    path = str(resource("policy.example.toml"))
    p = Policy.load(path)
    assert p.problems == ()
    assert p.organisation == "Example Ltd"
    assert [s.name for s in p.network.it_servers] == ["file server", "mail"]


def test_no_policy_file_means_defaults_without_complaint(tmp_path):
    named = Policy.load(tmp_path / "none.toml")  # a file IT named but that is missing: said so
    assert named.problems and "does not exist" in named.problems[0]
    if default_policy_path().exists():
        pytest.skip(
            f"{default_policy_path()} exists on this machine; the quiet default case needs none"
        )
    quiet = Policy.load(environ={})  # no file in the usual place: defaults, nothing to report
    assert quiet.problems == () and quiet.source is None


def test_bad_values_name_the_file_and_key(tmp_path):
    f = tmp_path / "policy.toml"
    f.write_text(
        'surprise = 1\n[sampling]\ninterval_s = "fast"\n[network]\ncheck_url = "ftp://x"\n'
        'it_servers = [{ host = "fs", port = 99999 }]\nvpn_required = "yes"\ncolour = "blue"\n'
        "[apps]\nfault_window_hours = 0\n"
    )
    p = Policy.load(f)
    text = "\n".join(p.problems)
    assert all(line.startswith(str(f)) for line in p.problems)
    for expected in (
        "'surprise' is not a policy setting",
        "[sampling] interval_s should be",
        "[network] check_url should be an http(s):// URL",
        "it_servers entry 1 needs host",
        "[network] vpn_required should be true or false",
        "[network] colour is not a setting",
        "[apps] fault_window_hours should be",
    ):
        assert expected in text, expected
    assert (
        p.sampling_interval_s == 2.0
        and p.network.vpn_required is False
        and p.network.it_servers == ()
    )


def test_a_file_that_is_not_toml(tmp_path):
    f = tmp_path / "policy.toml"
    f.write_text("[network\ncheck_url = \n")
    p = Policy.load(f)
    assert "is not valid TOML" in p.problems[0] and p.network.check_status == 204
    # IT wrote a policy Ally cannot read: it fails closed, not open.
    assert p.network.active_checks is False and p.privacy.screenshots is False


def test_an_unreadable_file(tmp_path):
    f = tmp_path / "policy.toml"
    f.write_text("organisation = 'x'\n")
    f.chmod(0)
    if os.geteuid() != 0:
        problems = Policy.load(f).problems
    else:  # root reads any file: read it as an unprivileged user instead
        # The catalog (the message's words) is read while still root: this machine's Python
        # lives under /root (mode 700), where "nobody" cannot import the modules that
        # reading a package resource loads on first use.
        code = (
            "import os, sys, json\n"
            "from desktop.policy.config import Policy\n"
            "from desktop.base.words import say; say('safe', 'policy')\n"
            "os.setgid(65534); os.setuid(65534)\n"
            "print(json.dumps(Policy.load(sys.argv[1]).problems))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(f)],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "PYTHONPATH": os.getcwd()},
        )
        assert out.returncode == 0, out.stderr
        problems = json.loads(out.stdout)
    assert "cannot be read" in problems[0] and "the safe settings apply" in problems[0]


def test_policy_places_per_os():
    assert str(default_policy_path("linux")) == "/etc/ally/policy.toml"
    assert str(default_policy_path("darwin")) == "/Library/Application Support/Ally/policy.toml"
    assert str(default_policy_path("win32", {"ProgramData": "C:\\ProgramData"})).endswith(
        "policy.toml"
    )


# --- a policy that fails closed (issue 17) ------------------------------------------------


def test_a_policy_saved_by_windows_powershell_is_read(tmp_path):
    """PowerShell 5.1 writes UTF-8 with a byte-order mark and CRLF line ends."""
    f = tmp_path / "policy.toml"
    f.write_bytes(
        "\ufeff[network]\r\nactive_checks = false\r\n[privacy]\r\nscreenshots = false\r\n".encode()
    )
    p = Policy.load(f)
    assert p.problems == ()
    assert p.network.active_checks is False and p.privacy.screenshots is False


@pytest.mark.parametrize(
    "text,check",
    [
        ('[network]\nactive_checks = "false"\n', lambda p: p.network.active_checks is False),
        ("[network]\nactive_checks = 0\n", lambda p: p.network.active_checks is False),
        ('[privacy]\nscreenshots = "no"\n', lambda p: p.privacy.screenshots is False),
        ('[privacy]\nuser_name = "hide"\n', lambda p: p.privacy.user_name == "drop"),
        ("[privacy]\nhost_name = 1\n", lambda p: p.privacy.host_name == "drop"),
        ('[privacy]\nip_addresses = "none"\n', lambda p: p.privacy.ip_addresses == "drop"),
    ],
)
def test_a_privacy_or_network_key_of_the_wrong_kind_applies_the_safe_value(tmp_path, text, check):
    f = tmp_path / "policy.toml"
    f.write_text(text)
    p = Policy.load(f)
    assert check(p), p
    assert len(p.problems) == 1 and "the safe value" in p.problems[0]
    assert str(f) in p.problems[0]


def test_a_person_cannot_point_ally_away_from_its_machine_policy(tmp_path, monkeypatch):
    machine = tmp_path / "etc" / "policy.toml"
    mine = tmp_path / "mine.toml"
    mine.write_text("[network]\nactive_checks = true\n[privacy]\nscreenshots = true\n")
    monkeypatch.setattr("desktop.policy.config.default_policy_path", lambda *a, **k: machine)
    env = {"ALLY_POLICY": str(mine)}
    # No machine policy: the override is honoured (a test machine, a pre-flight).
    assert Policy.load(environ=env).source == str(mine)
    machine.parent.mkdir()
    machine.write_text("[network]\nactive_checks = false\n[privacy]\nscreenshots = false\n")
    p = Policy.load(environ=env)
    assert p.source == str(machine)
    assert p.network.active_checks is False and p.privacy.screenshots is False
    assert any("ALLY_POLICY" in x and "is ignored" in x for x in p.problems)
    # IT's pre-flight check of a file it is about to roll out still reads that file.
    assert Policy.load(mine, environ=env).source == str(mine)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand a policy file to another account")
def test_a_machine_policy_someone_else_could_write_is_not_trusted(tmp_path, monkeypatch):
    """A person who could put a policy.toml where IT's goes first would turn off what IT
    turned on: only a file the administrator owns, and no one else may change, counts."""
    folder = tmp_path / "etc-ally"
    folder.mkdir()
    machine = folder / "policy.toml"
    machine.write_text("[privacy]\nscreenshots = true\n[network]\nactive_checks = true\n")
    monkeypatch.setattr("desktop.policy.config.default_policy_path", lambda *a, **k: machine)
    env: dict[str, str] = {}
    assert Policy.load(environ=env).problems == ()  # root's, not writable by others: IT's
    os.chown(machine, 1234, 1234)
    p = Policy.load(environ=env)
    assert "owned by user 1234" in p.problems[0]
    assert p.privacy.screenshots is False and p.network.active_checks is False  # safe
    os.chown(machine, 0, 0)
    machine.chmod(0o666)
    assert "others may change it" in Policy.load(environ=env).problems[0]
