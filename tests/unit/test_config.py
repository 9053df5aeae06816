"""IT's policy file: every bad value explained with file and key, defaults kept."""

import json
import os
import subprocess
import sys

import pytest

from desktop.config import Policy, default_policy_path
from desktop.resources_access import resource


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


def test_an_unreadable_file(tmp_path):
    f = tmp_path / "policy.toml"
    f.write_text("organisation = 'x'\n")
    f.chmod(0)
    if os.geteuid() != 0:
        problems = Policy.load(f).problems
    else:  # root reads any file: read it as an unprivileged user instead
        code = (
            "import os, sys, json\n"
            "from desktop.config import Policy\n"
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
    assert "cannot be read" in problems[0] and "defaults are used" in problems[0]


def test_policy_places_per_os():
    assert str(default_policy_path("linux")) == "/etc/ally/policy.toml"
    assert str(default_policy_path("darwin")) == "/Library/Application Support/Ally/policy.toml"
    assert str(default_policy_path("win32", {"ProgramData": "C:\\ProgramData"})).endswith(
        "policy.toml"
    )
