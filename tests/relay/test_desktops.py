"""Real desktops (the ``ally`` command, a test keyring) against a real relay process on
loopback with SQLite, forwarding to a real webhook receiver that keeps one ticket per
report id: enrolment, sending, status, revocation, a relay that is down and comes back."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest

from desktop.diagnostics.explain import load_catalog
from relay.context import DEVICE_CACHE_S
from tests.relay.lab import HELPDESK_SECRET, Desktop, RelayLab, number_in
from tests.run_ally import ROOT
from tests.webhook_server import Receiver

CATALOG = load_catalog()


@pytest.fixture(scope="module")
def helpdesk():
    with Receiver(secret=HELPDESK_SECRET) as rx:
        yield rx


@pytest.fixture(scope="module")
def relay(helpdesk, tmp_path_factory):
    lab = RelayLab(
        tmp_path_factory.mktemp("relay"),
        forward={"kind": "webhook", "url": helpdesk.url, "timeout_s": 5},
    )
    with lab:
        yield lab


def test_a_desktop_enrols_sends_and_reads_the_status_of_its_report(relay, helpdesk, tmp_path):
    pc = Desktop(tmp_path, relay, relay.token("--uses", "3", "--note", "pilot"))
    sent = pc.report()
    assert sent.returncode == 0, sent.stdout + sent.stderr
    number = number_in(sent.stdout)
    # The person's keyring holds this computer's device token, and nothing of the helpdesk.
    keyring = pc.keyring()
    assert list(keyring) == ["Ally/relay-device"]
    assert json.loads(keyring["Ally/relay-device"])["token"].startswith("allydev.")
    assert HELPDESK_SECRET not in json.dumps(keyring) + pc.policy.read_text()
    relay.wait_queue_empty()
    (report_id,) = pc.sent_ids()
    assert (
        helpdesk.tickets[report_id]["report"]["note"] == "The computer is slow since this morning."
    )
    ticket = helpdesk.tickets[report_id]["id"]
    listing = pc.ally("outbox", "list").stdout
    assert f"{number}  via relay" in listing
    assert "IT's helpdesk has your report" in listing and f"({ticket})" not in listing
    doctor = pc.ally("doctor")
    assert doctor.returncode == 0, doctor.stdout
    assert re.search(r"OK +relay: http://127\.0\.0\.1:\d+ answers", doctor.stdout)
    assert re.search(r"OK +enrolment: enrolled as device [0-9a-f]{16}", doctor.stdout)
    devices = [json.loads(line) for line in relay.cli("device", "list").stdout.splitlines()]
    mine = [d for d in devices if d["reports"] == 1]
    assert mine and mine[0]["ally_version"] and mine[0]["last_seen_at"]


def test_a_revoked_device_is_told_to_ask_it_and_a_new_token_lets_it_back(relay, helpdesk, tmp_path):
    pc = Desktop(tmp_path, relay, relay.token("--uses", "1"))
    assert pc.report().returncode == 0
    device = json.loads(pc.keyring()["Ally/relay-device"])["token"].split(".")[1]
    assert relay.cli("device", "revoke", device).returncode == 0
    # From the command line (another process) a revocation counts within DEVICE_CACHE_S:
    # the relay asks the database that often whether any device was revoked (IT's page
    # counts at once; tests/relay/test_revocation.py holds the relay to it).
    time.sleep(DEVICE_CACHE_S)
    refused = pc.report("Still slow.")
    assert refused.returncode == 75, refused.stdout  # kept for later
    assert CATALOG.delivery_message("device_refused") in refused.stdout
    doctor = pc.ally("doctor")
    assert re.search(r"PROBLEM +enrolment: .*refuses.*ask IT", doctor.stdout), doctor.stdout
    (waiting,) = pc.waiting_ids()
    # The old single-use token is used up: re-enrolling with it is refused too.
    assert pc.ally("outbox", "retry", waiting).returncode == 75
    # IT hands out a new token in the policy: the computer enrols again by itself.
    pc.use_token(relay, relay.token("--uses", "1"))
    again = pc.ally("outbox", "retry", waiting)
    assert again.returncode == 0, again.stdout
    relay.wait_queue_empty()
    assert waiting in helpdesk.tickets
    assert pc.waiting_ids() == []
    devices = [json.loads(line) for line in relay.cli("device", "list").stdout.splitlines()]
    assert any(d["id"] == device and d["revoked_at"] for d in devices)


def test_a_new_enrolment_token_is_used_at_the_next_send_not_an_hour_later(
    relay, helpdesk, tmp_path
):
    """Issue 31: a computer IT gave a new enrolment token enrols with it at its next send,
    and the reports the relay refused go with it (they waited for an hourly retry), and
    ``ally doctor`` says so instead of "refuses... ask IT"."""
    pc = Desktop(tmp_path, relay, relay.token("--uses", "1"))
    assert pc.report().returncode == 0
    device = json.loads(pc.keyring()["Ally/relay-device"])["token"].split(".")[1]
    assert relay.cli("device", "revoke", device).returncode == 0
    time.sleep(DEVICE_CACHE_S)
    assert pc.report("Still slow.").returncode == 75
    (waiting,) = pc.waiting_ids()
    # Refused, it waits for the hourly retry: a send now does not try it.
    assert "Sent 0 of 0 reports that were due." in pc.ally("outbox", "send").stdout
    assert pc.waiting_ids() == [waiting]
    pc.use_token(relay, relay.token("--uses", "1"))
    doctor = pc.ally("doctor")
    (line,) = [x for x in doctor.stdout.splitlines() if "enrolment:" in x]
    assert "ask IT" not in line and "new enrolment token" in line, line
    sent = pc.ally("outbox", "send")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "Sent 1 of 1 report that were due." in sent.stdout, sent.stdout
    relay.wait_queue_empty()
    assert waiting in helpdesk.tickets and pc.waiting_ids() == []


def test_an_unknown_enrolment_token_keeps_the_report_and_says_ask_it(relay, tmp_path):
    fake = "allyenrol.0123456789abcdef." + "A" * 43
    pc = Desktop(tmp_path, relay, fake)
    out = pc.report()
    assert out.returncode == 75
    assert CATALOG.delivery_message("device_refused") in out.stdout
    assert len(pc.waiting_ids()) == 1 and pc.keyring() == {}


def test_a_relay_that_is_down_keeps_reports_and_delivers_each_once_when_back(
    relay, helpdesk, tmp_path
):
    pc = Desktop(tmp_path, relay, relay.token())
    assert pc.report("first").returncode == 0  # enrolled while the relay is up
    relay.stop()
    try:
        down = pc.report("while the relay is down")
        assert down.returncode == 75
        assert CATALOG.delivery_message("temporary") in down.stdout
        (waiting,) = pc.waiting_ids()
    finally:
        relay.start()
    back = pc.ally("outbox", "retry", waiting)
    assert back.returncode == 0, back.stdout
    assert pc.ally("outbox", "retry", waiting).returncode == 2  # nothing left to retry
    relay.wait_queue_empty()
    assert helpdesk.tickets[waiting]["report"]["note"] == "while the relay is down"
    assert len(pc.sent_ids()) == 2


def test_two_people_on_one_computer_each_enrol_with_their_own_keyring(relay, tmp_path):
    token = relay.token("--uses", "2")
    alex = Desktop(tmp_path / "alex", relay, token)
    sam = Desktop(tmp_path / "sam", relay, token)
    assert alex.report().returncode == 0 and sam.report().returncode == 0
    tokens = {json.loads(d.keyring()["Ally/relay-device"])["token"] for d in (alex, sam)}
    assert len(tokens) == 2
    third = Desktop(tmp_path / "third", relay, token)
    assert third.report().returncode == 75  # the token allowed two devices


def test_without_a_password_store_the_report_waits_and_says_why(relay, tmp_path):
    pc = Desktop(tmp_path, relay, relay.token())
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHON_KEYRING_BACKEND")
    }
    env.update(
        ALLY_HOME=str(pc.home),
        ALLY_POLICY=str(pc.policy),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",  # no keyring at all
    )
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "report", "--note", "x", "--yes", "--warm-up", "0"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=90,
    )
    assert out.returncode == 75, out.stdout + out.stderr
    assert CATALOG.delivery_message("settings") in out.stdout
    assert "no password store" in out.stdout and "Traceback" not in out.stderr
    assert len(pc.waiting_ids()) == 1
