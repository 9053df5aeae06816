"""`ally report`, `ally outbox`, `ally credentials` and `ally doctor`, run as a person or
IT would, against real receivers and a keyring backend made for tests."""

from __future__ import annotations

import json
from pathlib import Path

from tests.run_ally import run_ally
from tests.webhook_server import Receiver


def ally(
    *args, home: Path, policy: Path | None = None, stdin: str | None = None, keyring: bool = True
):
    return run_ally(*args, home=home, policy=policy, stdin=stdin, keyring=keyring)


def webhook_policy(tmp_path: Path, url: str) -> Path:
    p = tmp_path / "policy.toml"
    p.write_text(
        f'[network]\nactive_checks = false\n[transport]\nkind = "webhook"\nurl = "{url}"\n'
    )
    return p


def folder_policy(tmp_path: Path, folder: Path) -> Path:
    """IT's policy naming a folder for reports (IT makes it: Ally never creates one)."""
    folder.mkdir(parents=True, exist_ok=True)
    p = tmp_path / "policy.toml"
    p.write_text(
        f'[network]\nactive_checks = false\n[transport]\nkind = "folder"\nfolder = "{folder}"\n'
    )
    return p


def test_report_to_the_folder_shows_what_is_sent_and_keeps_a_receipt(tmp_path):
    # IT chose the folder (here, where Ally would keep them anyway); with no [transport]
    # at all the person reads something else: see the next test.
    policy = folder_policy(tmp_path, tmp_path / "h/data/reports")
    out = ally(
        "report",
        "--symptom",
        "slow",
        "--note",
        "Slow since lunch",
        "--name",
        "Alex",
        "--leave-out",
        "process_list",
        "--yes",
        "--warm-up",
        "0.2",
        home=tmp_path / "h",
        policy=policy,
    )
    assert out.returncode == 0, out.stderr
    assert "This is what will be sent to IT:" in out.stdout and "Slow since lunch" in out.stdout
    assert "Not sent, as chosen: the list of programs that are running" in out.stdout
    assert (
        "process_list" not in out.stdout.split("Ally never adds by itself")[0]
    )  # words, not codes
    assert "where IT collects reports" in out.stdout
    reports = tmp_path / "h/data/reports"
    (json_file,) = reports.glob("*.json")
    sent = json.loads(json_file.read_text())
    assert sent["note"] == "Slow since lunch" and sent["left_out"] == ["process_list"]
    assert json_file.with_suffix(".html").exists()
    listing = ally("outbox", "list", home=tmp_path / "h")
    assert "Waiting to be sent: 0" in listing.stdout and "Sent: 1" in listing.stdout


def test_without_a_transport_the_report_is_said_to_stay_on_this_computer(tmp_path):
    """Issue 17: no [transport] means IT receives nothing; Ally says so, where the report
    is and how to reach IT, and never that IT has it. ``ally doctor`` tells IT the same."""
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[network]\nactive_checks = false\n[it_contact]\nemail = "help@example.com"\n'
        'phone = "0123 456"\n'
    )
    out = ally(
        "report", "--note", "Slow", "--yes", "--warm-up", "0.2", home=tmp_path / "h", policy=policy
    )
    assert out.returncode == 0, out.stderr
    assert "where IT collects reports" not in out.stdout
    assert "Your report is saved on this computer." in out.stdout
    assert "IT has not chosen where reports should go" in out.stdout
    folder = tmp_path / "h/data/reports"
    assert f"It is in this folder: {folder}" in out.stdout
    assert "You can reach IT at help@example.com, 0123 456." in out.stdout
    (saved,) = folder.glob("*.json")
    code = json.loads(saved.read_text())["reference_code"]
    assert code in out.stdout  # the preview shows the code IT will see
    doctor = ally("doctor", home=tmp_path / "h", policy=policy)
    assert doctor.returncode == 1
    assert "PROBLEM  transport: not chosen: no [transport] in" in doctor.stdout
    assert str(folder) in doctor.stdout


def test_without_yes_and_without_a_terminal_nothing_is_sent(tmp_path):
    out = ally(
        "report",
        "--note",
        "x",
        "--warm-up",
        "0.1",
        home=tmp_path / "h",
        policy=Path("tests/data/policy-no-active-network.toml"),
    )
    assert out.returncode == 2 and "Nothing was sent" in out.stdout
    assert not (tmp_path / "h/data/outbox/pending").exists() or not any(
        (tmp_path / "h/data/outbox/pending").iterdir()
    )


def test_webhook_with_secret_from_the_keyring_and_an_offline_receiver(tmp_path):
    home = tmp_path / "h"
    with Receiver() as rx:
        stored = ally("credentials", "set", "webhook", home=home, stdin=rx.secret + "\n")
        assert stored.returncode == 0, stored.stderr
        policy = webhook_policy(tmp_path, rx.url)
        rx.plan.append("500")
        first = ally(
            "report",
            "--note",
            "Teams keeps freezing",
            "--yes",
            "--warm-up",
            "0.1",
            home=home,
            policy=policy,
        )
        assert first.returncode == 75, first.stdout + first.stderr
        assert "IT's server did not answer. Your report is saved" in first.stdout
        assert len(rx.tickets) == 0
        (pending,) = [
            p
            for p in (home / "data/outbox/pending").glob("*.json")
            if not p.name.endswith(".state.json")
        ]
        retried = ally("outbox", "retry", pending.stem, home=home, policy=policy)  # "try again now"
        assert retried.returncode == 0 and "Sent 1 of 1" in retried.stdout, retried.stdout
        again = ally("outbox", "send", home=home, policy=policy)
        assert (
            again.returncode == 0 and "Sent 0 of 0" in again.stdout
        )  # nothing left, nothing sent twice
        assert len(rx.tickets) == 1 and rx.bad_signatures == 0
        doctor = ally("doctor", home=home, policy=policy)
        assert "OK       credentials" in doctor.stdout and "OK       reachable" in doctor.stdout
    # The secret lives only in the (test) keyring, in no file of Ally's own.
    for path in home.rglob("*"):
        if path.is_file() and path.name != "test-keyring.json":
            assert rx.secret not in path.read_text(errors="replace"), path


def test_no_keyring_is_said_plainly(tmp_path):
    out = ally(
        "credentials", "set", "webhook", home=tmp_path / "h", stdin="s3cret\n", keyring=False
    )
    if out.returncode == 0:  # this machine has a real keyring backend after all
        assert "stored" in out.stdout
        return
    assert out.returncode == 1
    assert "no password store Ally can use" in out.stderr and "Traceback" not in out.stderr


def test_doctor_names_what_is_wrong(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[transport]\nkind = "webhook"\nurl = "https://127.0.0.1:9/hook"\ncolour = "blue"\n'
    )
    out = ally("doctor", home=tmp_path / "h", policy=policy)
    assert out.returncode == 1
    assert "PROBLEM  policy" in out.stdout and "colour is not a setting" in out.stdout
    assert "PROBLEM  credentials" in out.stdout and "ally credentials set webhook" in out.stdout
    assert "PROBLEM  reachable: 127.0.0.1:9 does not answer" in out.stdout


def test_a_secret_left_by_it_is_imported_and_its_file_deleted(tmp_path):
    home = tmp_path / "h"
    secret_file = tmp_path / "webhook.secret"
    secret_file.write_text("from-it-deployment\n")
    secret_file.chmod(0o644)
    refused = ally("credentials", "import", "webhook", "--file", str(secret_file), home=home)
    assert refused.returncode == 1 and "can be read by other people" in refused.stderr
    assert secret_file.exists()
    secret_file.chmod(0o600)
    done = ally("credentials", "import", "webhook", "--file", str(secret_file), home=home)
    assert done.returncode == 0, done.stderr
    assert not secret_file.exists()
    stored = json.loads((home / "test-keyring.json").read_text())
    assert stored == {"Ally/webhook": "from-it-deployment"}
