"""The relay's service files held to the code (they cannot be run as a service here):
the systemd unit, the container file and the example settings."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

from relay import cli, config

ROOT = Path(__file__).resolve().parent.parent.parent
FOLDER = ROOT / "installer" / "relay"


def test_the_example_settings_are_valid_settings():
    settings = config.from_dict(tomllib.loads((FOLDER / "relay.toml.example").read_text()))
    assert settings.forward.transport.kind == "request-tracker"
    assert settings.database == config.DEFAULT_DATABASE


def test_the_systemd_unit_runs_the_command_with_the_default_settings_and_credential(
    tmp_path, monkeypatch
):
    unit = (FOLDER / "ally-relay.service").read_text()
    relay_dist = ROOT / "installer" / "relay" / "pyproject.toml"
    scripts = tomllib.loads(relay_dist.read_text())["project"]["scripts"]
    assert scripts["ally-relay"] == "relay.cli:main"
    assert f"ally-relay --config {config.DEFAULT_PATH} serve" in unit
    assert f"ally-relay --config {config.DEFAULT_PATH} migrate" in unit
    (name,) = re.findall(r"^LoadCredential=(\w+):", unit, re.M)
    # the relay reads the credential systemd hands over under that name
    (tmp_path / name).write_text("from-systemd\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    assert config.RelaySettings().helpdesk_secret() == "from-systemd"
    state = re.search(r"^StateDirectory=(\S+)$", unit, re.M).group(1)
    assert f"/var/lib/{state}/" in config.DEFAULT_DATABASE
    for hardening in ("NoNewPrivileges=yes", "ProtectSystem=strict", "CapabilityBoundingSet="):
        assert hardening in unit


def test_the_container_file_copies_what_exists_and_runs_the_command():
    text = (FOLDER / "Containerfile").read_text()
    for src in re.findall(r"^COPY (\S+)", text, re.M):
        assert (ROOT / src).exists(), src
    assert '"ally-relay", "--config", "/etc/ally-relay/relay.toml"' in text
    assert "USER ally-relay" in text
    # The health check is the relay's own command, which exists.
    health = re.search(r"^  CMD \[(.*)\]$", text, re.M).group(1)
    assert health == '"ally-relay", "--config", "/etc/ally-relay/relay.toml", "health"'
    assert "health" in cli.build_parser()._subparsers._group_actions[0].choices
    # The secret is handed over to the user the relay runs as, readable by it alone.
    uid = re.search(r"useradd --system --uid (\d+) ", text).group(1)
    secret = re.search(r"--secret helpdesk,(\S+)", text).group(1)
    assert f"uid={uid}" in secret and "mode=0400" in secret


def test_every_sh_block_of_the_relay_doc_names_its_account_and_is_plain_sh():
    """docs/relay.md's blocks run word for word (tools/relay-doc-check.sh runs them on a
    fresh Debian): each names the account that runs it, and each is POSIX sh as dash reads
    it (bash's `<<<` in an sh block failed there)."""
    import re
    import shutil
    import subprocess

    text = (ROOT / "docs" / "relay.md").read_text(encoding="utf-8")
    blocks = re.findall(r"(?ms)^```sh\n(.*?)^```", text)
    assert len(blocks) >= 8
    dash = shutil.which("dash")
    assert dash, "dash (Debian's /bin/sh) is needed to read the blocks as Debian would"
    for code in blocks:
        assert re.fullmatch(r"# As (\S+?)(, .*)?:", code.splitlines()[0]), code
        parsed = subprocess.run([dash, "-n"], input=code, capture_output=True, text=True)
        assert parsed.returncode == 0, (code, parsed.stderr)
    # the chores run as the relay's own account, never as root
    chores = [
        line for code in blocks for line in code.splitlines() if "ally-relay --config" in line
    ]
    assert chores and all(line.startswith("runuser -u ally-relay -- ") for line in chores), chores
