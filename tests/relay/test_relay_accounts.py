"""Issue 31: the relay's chores and the account that owns its files. Run as root, a chore
on a SQLite database in the relay account's folder made a root-owned relay.db, after which
the relay (its own account) answered enrolments with 500 while /healthz said ok. Now root
is sent to run the chore as the folder's owner, and a relay that cannot write its database
says so on /healthz. Real processes, a real account (nobody), real files."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.relay.lab import RelayLab

NOBODY = 65534
AS_NOBODY = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--")
RELAY = (sys.executable, "-m", "relay.cli")

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root and another account")


@pytest.fixture
def relay_home():
    """A folder another account may enter (pytest's own are root's only), with the relay's
    data folder in it belonging to nobody, as /var/lib/ally-relay belongs to ally-relay."""
    top = Path(tempfile.mkdtemp(prefix="ally-relay-accounts-"))
    top.chmod(0o755)
    data = top / "data"
    data.mkdir(mode=0o700)
    os.chown(data, NOBODY, NOBODY)
    yield top
    shutil.rmtree(top, ignore_errors=True)


def lab_in(top: Path, command: tuple[str, ...]) -> RelayLab:
    lab = RelayLab(
        top / "relay",
        forward={"kind": "folder", "folder": str(top / "data" / "helpdesk")},
        database=f"sqlite:///{top / 'data' / 'relay.db'}",
        secret=None,
        command=command,
    )
    (top / "relay").chmod(0o755)
    lab.config.chmod(0o644)
    return lab


def test_a_chore_run_as_root_in_the_relay_accounts_folder_is_sent_to_that_account(relay_home):
    lab = lab_in(relay_home, RELAY)
    for chore in (("migrate",), ("token", "create"), ("check",)):
        out = lab.cli(*chore)
        assert out.returncode != 0, out.stdout
        said = out.stdout + out.stderr
        assert "belongs to nobody" in said and "runuser -u nobody --" in said, said
    assert not (relay_home / "data" / "relay.db").exists()  # nothing of root's was made
    # As the folder's owner, the same chores work.
    as_owner = lab_in(relay_home, AS_NOBODY + RELAY)
    assert as_owner.cli("migrate").returncode == 0
    assert as_owner.cli("token", "create").stdout.startswith("allyenrol.")
    assert (relay_home / "data" / "relay.db").stat().st_uid == NOBODY


def test_a_relay_that_cannot_write_its_database_says_so_on_healthz(relay_home):
    """The state an earlier root chore left behind: the schema made by root in a folder
    that was root's, then the folder given to the relay's account, relay.db still root's.
    The relay reads it, so /healthz said ok while every enrolment failed to write."""
    data = relay_home / "data"
    os.chown(data, 0, 0)
    assert lab_in(relay_home, RELAY).cli("migrate").returncode == 0  # root's folder: allowed
    os.chown(data, NOBODY, NOBODY)
    database = data / "relay.db"
    assert database.stat().st_uid == 0
    lab = lab_in(relay_home, AS_NOBODY + RELAY)
    lab.config.write_text(
        lab.config.read_text().replace("[database]\n", "[database]\nmigrate_on_start = false\n")
    )
    lab.start(wait=False)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = requests.get(lab.url + "/healthz", timeout=5)
                break
            except requests.exceptions.ConnectionError:
                assert time.monotonic() < deadline, lab.log.read_text()[-2000:]
                time.sleep(0.1)
        assert answer.status_code == 503, answer.text
        assert answer.json()["storing_reports"] == "cannot_write"
        assert str(database) in answer.json()["detail"]
    finally:
        lab.stop()


def test_check_sees_the_secret_the_service_gets_as_a_systemd_credential(
    tmp_path, monkeypatch, capsys
):
    """`ally-relay check`, run by IT outside the service, cannot read the secret systemd
    hands the service (LoadCredential=, root's file); it gave the desktop's advice ("ally
    credentials set"). Now it checks the credential the installed unit names."""
    from relay import cli

    secret = tmp_path / "helpdesk.secret"
    secret.write_text("s" * 40)
    secret.chmod(0o600)
    unit = tmp_path / "ally-relay.service"
    unit.write_text(
        f"[Service]\nExecStart=/opt/ally-relay/bin/ally-relay serve\nLoadCredential=helpdesk:{secret}\n"
    )
    lab = RelayLab(
        tmp_path / "relay",
        forward={"kind": "webhook", "url": "https://helpdesk.example.org/ally"},
        secret=None,
    )
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.setattr(cli, "SYSTEMD_UNIT", unit)
    assert cli.main(["--config", str(lab.config), "check"]) == 0
    said = capsys.readouterr()
    assert f"systemd credential helpdesk from {secret}" in said.out, said.out
    assert "ally credentials" not in said.out + said.err
    # Without the unit (no systemd): what the relay needs, in the relay's terms.
    monkeypatch.setattr(cli, "SYSTEMD_UNIT", tmp_path / "no-such.service")
    assert cli.main(["--config", str(lab.config), "check"]) != 0
    said = capsys.readouterr()
    assert "[forward] secret_file" in said.out and "ally credentials" not in said.out, said.out


def test_check_asks_for_no_secret_where_the_helpdesk_reads_none(tmp_path, monkeypatch, capsys):
    """Mail to a server that takes it without a login reads no password: check passes and
    says so, where a secret is asked of every kind that may have one."""
    from relay import cli

    lab = RelayLab(
        tmp_path / "relay",
        forward={
            "kind": "email",
            "smtp_host": "mail.example.org",
            "mail_from": "ally@example.org",
            "mail_to": "helpdesk@example.org",
        },
        secret=None,
    )
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.setattr(cli, "SYSTEMD_UNIT", tmp_path / "no-such.service")
    assert cli.main(["--config", str(lab.config), "check"]) == 0
    assert "forwarding: email, secret not needed" in capsys.readouterr().out
